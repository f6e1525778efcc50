// chainkit central node: the shared commands plus createblockchain. Everything lives
// in apps/common; run_app turns every error into one line on stderr.
#include "common/cli.hpp"

int main(int argc, char** argv) {
    return chainkit::apps::run_app(chainkit::apps::Role::central, argc, argv);
}
