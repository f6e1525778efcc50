// The node's address book and ban list kept between runs, each one small
// JSON file in the data directory (peers.json, bans.json) replaced
// atomically (chainkit::util::write_file_atomic). Files, not RocksDB column
// families: they are written from the network thread while the chain
// thread owns the database. A file over 4 MiB, or one that does not parse,
// is refused with a message naming it (the node then starts empty).
#pragma once

#include "chainkit/node/address_book.hpp"
#include "chainkit/node/ban_list.hpp"

#include <filesystem>

namespace chainkit::apps {

class PeerFiles final : public node::AddressStore, public node::BanStore {
public:
    explicit PeerFiles(std::filesystem::path data_dir) : m_dir(std::move(data_dir)) {}

    Result<std::vector<node::AddressRecord>> load_addresses() override;
    Result<void> save_addresses(const std::vector<node::AddressRecord>& records) override;
    Result<std::vector<node::BanRecord>> load_bans() override;
    Result<void> save_bans(const std::vector<node::BanRecord>& records) override;

private:
    std::filesystem::path m_dir;
};

}  // namespace chainkit::apps
