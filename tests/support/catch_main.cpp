// The one Catch2 v2 main shared by every chainkit test executable.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
