// Options every app shares (--node-id / NODE_ID, --network, --data-dir,
// --wallet, --genesis, --passphrase-file, --log-level) and what they
// resolve to: the consensus parameters, file names and port of this node.
#pragma once

#include "chainkit/chain/params.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace chainkit::apps {

struct CommonOptions {
    std::optional<unsigned> node_id;
    std::string network = "regtest";
    std::string data_dir;         // default blockchain_<NODE_ID>
    std::string wallet_file;      // default wallet_<NODE_ID>.dat
    std::string genesis_file;     // import this genesis when the node has no chain yet
    std::string passphrase_file;  // else CHAINKIT_WALLET_PASSPHRASE, else unencrypted
    std::string log_level = "warn";
};

struct Config {
    chain::ConsensusParams params;
    std::optional<unsigned> node_id;
    std::filesystem::path data_dir;
    std::filesystem::path wallet_path;
    std::optional<std::filesystem::path> genesis_path;
    std::optional<std::string> passphrase;
    std::uint16_t port = 0;  // NODE_ID, else params.default_port: where startnode listens
};

void add_common_options(CLI::App& app, CommonOptions& o);
// Throws UserError on a bad network name, NODE_ID or unreadable passphrase file.
[[nodiscard]] Config resolve_config(const CommonOptions& o);

}  // namespace chainkit::apps
