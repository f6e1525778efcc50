// The command line of the three apps: shared options and commands, each
// role's own commands, and run_app, which every main() calls. run_app
// catches every exception into one "error: ..." line on stderr and a
// non-zero exit code.
#pragma once

namespace chainkit::apps {

enum class Role { central, miner, wallet };

[[nodiscard]] int run_app(Role role, int argc, char** argv);

}  // namespace chainkit::apps
