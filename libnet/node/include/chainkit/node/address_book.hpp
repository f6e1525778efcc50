// The peers a node knows of: addresses it met or heard of through `addr`,
// with when they were last seen and how dialing them went. Bounded overall
// and per source, so that one peer's `addr` flood cannot crowd out what the
// others told us (the idea of Bitcoin Core's addrman buckets, kept small).
// Addresses this node connected to successfully are kept apart ("tried")
// and never evicted by hearsay.
//
// Pure bookkeeping; time is a parameter. Not thread-safe: owned by the
// node's executor. Persisted through AddressStore (apps wire RocksDB).
#pragma once

#include "chainkit/chain/result.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace chainkit::node {

struct AddressRecord {
    std::string address;  // multiaddr text, ends in /p2p/<peer id>
    std::string source;   // who told us (peer id text; "" = configured or ourselves)
    std::int64_t last_seen = 0;
    std::int64_t last_try = 0;
    std::int64_t last_success = 0;
    std::uint32_t failures = 0;  // consecutive failed dials
    bool tried = false;          // we connected to it once
    friend bool operator==(const AddressRecord&, const AddressRecord&) = default;
};

// Where the node keeps its address book between runs.
class AddressStore {
public:
    virtual ~AddressStore() = default;
    [[nodiscard]] virtual Result<std::vector<AddressRecord>> load_addresses() = 0;
    [[nodiscard]] virtual Result<void> save_addresses(const std::vector<AddressRecord>& records) = 0;
};

struct AddressBookLimits {
    std::size_t max_new = 1024;  // heard-of addresses
    std::size_t max_new_per_source = 64;
    std::size_t max_tried = 256;
};

class AddressBook {
public:
    explicit AddressBook(AddressBookLimits limits = {}, std::uint64_t seed = std::random_device{}());

    // Adds or refreshes an address heard from `source`. An address already
    // known keeps its record (only last_seen moves forward, never past `now`).
    // When `source` holds its quota, its oldest heard-of address makes room.
    void add(const std::string& address, const std::string& source, std::int64_t last_seen, std::int64_t now);
    void mark_attempt(const std::string& address, std::int64_t now);
    void mark_success(const std::string& address, std::int64_t now);
    void mark_failure(const std::string& address, std::int64_t now);
    void remove(const std::string& address);

    // A random address worth dialing now: not in `exclude`, and whose back-off
    // (1 s doubling per consecutive failure, up to 10 minutes) has passed.
    [[nodiscard]] std::optional<std::string> select(const std::vector<std::string>& exclude, std::int64_t now);
    // Up to `max` random addresses for a getaddr answer, tried ones first.
    [[nodiscard]] std::vector<AddressRecord> sample(std::size_t max);

    [[nodiscard]] std::vector<AddressRecord> records() const;
    void restore(const std::vector<AddressRecord>& records);
    [[nodiscard]] std::size_t size() const noexcept { return m_records.size(); }
    [[nodiscard]] const AddressRecord* find(const std::string& address) const;
    [[nodiscard]] std::size_t count_from(const std::string& source) const;

private:
    void evict_new(const std::string& source);
    [[nodiscard]] std::size_t count_tried() const;

    AddressBookLimits m_limits;
    std::mt19937_64 m_rng;
    std::map<std::string, AddressRecord> m_records;
};

}  // namespace chainkit::node
