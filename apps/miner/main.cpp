// chainkit miner node: the shared commands plus mine. Everything lives
// in apps/common; run_app turns every error into one line on stderr.
#include "common/cli.hpp"

int main(int argc, char** argv) {
    return chainkit::apps::run_app(chainkit::apps::Role::miner, argc, argv);
}
