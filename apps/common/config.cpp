#include "config.hpp"

#include "errors.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

namespace chainkit::apps {
namespace {

constexpr unsigned MAX_NODE_ID = 65535;  // NODE_ID is the TCP port, as in the tutorial

std::optional<unsigned> node_id_from_env() {
    const char* env = std::getenv("NODE_ID");
    if (env == nullptr || *env == '\0') return std::nullopt;
    unsigned long v = 0;
    for (const char* c = env; *c != '\0'; ++c) {
        if (*c < '0' || *c > '9' || v > MAX_NODE_ID)
            throw UserError(fmt::format("NODE_ID '{}' is not a number up to {}", env, MAX_NODE_ID));
        v = v * 10 + static_cast<unsigned long>(*c - '0');
    }
    if (v > MAX_NODE_ID) throw UserError(fmt::format("NODE_ID '{}' is not a number up to {}", env, MAX_NODE_ID));
    return static_cast<unsigned>(v);
}

std::optional<std::string> read_passphrase(const std::string& file) {
    if (file.empty()) {
        const char* env = std::getenv("CHAINKIT_WALLET_PASSPHRASE");
        if (env == nullptr || *env == '\0') return std::nullopt;
        return std::string(env);
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) throw UserError(fmt::format("cannot read passphrase file {}", file));
    // The first line, read into a bounded buffer: a passphrase file must not
    // be able to make us allocate without limit (think /dev/zero).
    constexpr std::size_t MAX_PASSPHRASE = 4096;
    std::string pass;
    for (char c; pass.size() <= MAX_PASSPHRASE && in.get(c) && c != '\n';) pass.push_back(c);
    if (pass.size() > MAX_PASSPHRASE)
        throw UserError(fmt::format("passphrase file {}: first line longer than {} bytes", file, MAX_PASSPHRASE));
    if (!pass.empty() && pass.back() == '\r') pass.pop_back();
    if (pass.empty()) throw UserError(fmt::format("passphrase file {} is empty", file));
    return pass;
}

}  // namespace

void add_common_options(CLI::App& app, CommonOptions& o) {
    app.add_option("--node-id", o.node_id, "Node id = TCP port and file-name suffix (else NODE_ID)")
        ->check(CLI::Range(0u, MAX_NODE_ID));
    app.add_option("--network", o.network, "Network: main or regtest")->check(CLI::IsMember({"main", "regtest"}));
    app.add_option("--data-dir", o.data_dir, "Chain database directory (default blockchain_<NODE_ID>)");
    app.add_option("--wallet", o.wallet_file, "Wallet file (default wallet_<NODE_ID>.dat)");
    app.add_option("--genesis", o.genesis_file, "Genesis block file exported by createblockchain");
    app.add_option("--passphrase-file", o.passphrase_file,
                   "File whose first line is the wallet passphrase (else CHAINKIT_WALLET_PASSPHRASE)");
    app.add_option("--log-level", o.log_level, "trace, debug, info, warn, error or off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
}

Config resolve_config(const CommonOptions& o) {
    Config c;
    const auto net = chain::parse_network(o.network);
    if (!net) throw UserError(fmt::format("unknown network '{}' (main or regtest)", o.network));
    c.params = chain::params_for(*net);
    c.node_id = o.node_id ? o.node_id : node_id_from_env();
    const std::string suffix = c.node_id ? fmt::format("_{}", *c.node_id) : std::string();
    c.data_dir = o.data_dir.empty() ? std::filesystem::path("blockchain" + suffix) : std::filesystem::path(o.data_dir);
    c.wallet_path = o.wallet_file.empty() ? std::filesystem::path("wallet" + suffix + ".dat")
                                          : std::filesystem::path(o.wallet_file);
    if (!o.genesis_file.empty()) c.genesis_path = o.genesis_file;
    c.passphrase = read_passphrase(o.passphrase_file);
    // NODE_ID is the port (NODE_ID=3000 listens on 3000), as in the tutorial.
    c.port = static_cast<std::uint16_t>(c.node_id.value_or(c.params.default_port));
    return c;
}

}  // namespace chainkit::apps
