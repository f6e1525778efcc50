// chainkit wallet node: the shared commands. Everything lives
// in apps/common; run_app turns every error into one line on stderr.
#include "common/cli.hpp"

int main(int argc, char** argv) {
    return chainkit::apps::run_app(chainkit::apps::Role::wallet, argc, argv);
}
