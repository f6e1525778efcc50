// Peers banned for misbehaviour (an invalid block or transaction: the
// "reject" column of libchain's reason table), by peer id, until an expiry
// time. Peer ids, not IP addresses: on one machine every test node shares
// 127.0.0.1, and a libp2p identity is what a peer proves in the handshake.
//
// Not thread-safe: owned by the node's executor. Persisted through BanStore.
#pragma once

#include "chainkit/chain/result.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace chainkit::node {

inline constexpr std::int64_t DEFAULT_BAN_SECONDS = 24 * 60 * 60;

struct BanRecord {
    std::string peer;  // peer id text
    std::int64_t until = 0;
    std::string reason;
    friend bool operator==(const BanRecord&, const BanRecord&) = default;
};

class BanStore {
public:
    virtual ~BanStore() = default;
    [[nodiscard]] virtual Result<std::vector<BanRecord>> load_bans() = 0;
    [[nodiscard]] virtual Result<void> save_bans(const std::vector<BanRecord>& records) = 0;
};

class BanList {
public:
    void ban(const std::string& peer, std::int64_t until, std::string reason);
    void unban(const std::string& peer) { m_bans.erase(peer); }
    [[nodiscard]] bool is_banned(const std::string& peer, std::int64_t now) const;
    // Drops expired bans; true if any was dropped.
    bool sweep(std::int64_t now);
    [[nodiscard]] std::vector<BanRecord> records() const;
    void restore(const std::vector<BanRecord>& records, std::int64_t now);
    [[nodiscard]] std::size_t size() const noexcept { return m_bans.size(); }

private:
    std::map<std::string, BanRecord> m_bans;
};

}  // namespace chainkit::node
