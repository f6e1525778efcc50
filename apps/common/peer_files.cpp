#include "peer_files.hpp"

#include "chainkit/util/file_io.hpp"

#include <nlohmann/json.hpp>

namespace chainkit::apps {
namespace {

constexpr std::size_t MAX_PEER_FILE = 4 << 20;

Result<nlohmann::json> read_json(const std::filesystem::path& path) {
    auto bytes = util::read_whole_file(path, MAX_PEER_FILE);
    if (!bytes.ok()) {
        if (bytes.error().code == util::FileErrc::not_found) return nlohmann::json::array();
        return bytes.error();
    }
    auto j = nlohmann::json::parse(bytes->begin(), bytes->end(), nullptr, false);
    if (j.is_discarded() || !j.is_array())
        return Error{make_error_code(std::errc::invalid_argument), path.string() + ": not a JSON array"};
    return j;
}

Result<void> write_json(const std::filesystem::path& path, const nlohmann::json& j) {
    const auto text = j.dump(1);
    return util::write_file_atomic(path, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

template <class T>
T field(const nlohmann::json& j, const char* name, T fallback) {
    auto it = j.find(name);
    if (it == j.end()) return fallback;
    try {
        return it->get<T>();
    } catch (const nlohmann::json::exception&) {
        return fallback;
    }
}

}  // namespace

Result<std::vector<node::AddressRecord>> PeerFiles::load_addresses() {
    auto j = read_json(m_dir / "peers.json");
    if (!j.ok()) return j.error();
    std::vector<node::AddressRecord> out;
    for (const auto& e : *j) {
        if (!e.is_object()) continue;
        node::AddressRecord r;
        r.address = field<std::string>(e, "address", "");
        if (r.address.empty() || r.address.size() > 256) continue;
        r.source = field<std::string>(e, "source", "");
        r.last_seen = field<std::int64_t>(e, "last_seen", 0);
        r.last_try = field<std::int64_t>(e, "last_try", 0);
        r.last_success = field<std::int64_t>(e, "last_success", 0);
        r.failures = field<std::uint32_t>(e, "failures", 0);
        r.tried = field<bool>(e, "tried", false);
        out.push_back(std::move(r));
    }
    return out;
}

Result<void> PeerFiles::save_addresses(const std::vector<node::AddressRecord>& records) {
    auto j = nlohmann::json::array();
    for (const auto& r : records)
        j.push_back({{"address", r.address},
                     {"source", r.source},
                     {"last_seen", r.last_seen},
                     {"last_try", r.last_try},
                     {"last_success", r.last_success},
                     {"failures", r.failures},
                     {"tried", r.tried}});
    return write_json(m_dir / "peers.json", j);
}

Result<std::vector<node::BanRecord>> PeerFiles::load_bans() {
    auto j = read_json(m_dir / "bans.json");
    if (!j.ok()) return j.error();
    std::vector<node::BanRecord> out;
    for (const auto& e : *j) {
        if (!e.is_object()) continue;
        node::BanRecord r{field<std::string>(e, "peer", ""), field<std::int64_t>(e, "until", 0),
                          field<std::string>(e, "reason", "")};
        if (!r.peer.empty()) out.push_back(std::move(r));
    }
    return out;
}

Result<void> PeerFiles::save_bans(const std::vector<node::BanRecord>& records) {
    auto j = nlohmann::json::array();
    for (const auto& r : records) j.push_back({{"peer", r.peer}, {"until", r.until}, {"reason", r.reason}});
    return write_json(m_dir / "bans.json", j);
}

}  // namespace chainkit::apps
