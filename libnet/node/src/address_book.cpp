#include "chainkit/node/address_book.hpp"

#include <algorithm>

namespace chainkit::node {
namespace {

constexpr std::int64_t MAX_BACKOFF = 600;

std::int64_t backoff(std::uint32_t failures) {
    if (failures == 0) return 0;
    if (failures >= 10) return MAX_BACKOFF;
    return std::min<std::int64_t>(MAX_BACKOFF, std::int64_t{1} << (failures - 1));
}

}  // namespace

AddressBook::AddressBook(AddressBookLimits limits, std::uint64_t seed) : m_limits(limits), m_rng(seed) {}

void AddressBook::add(const std::string& address, const std::string& source, std::int64_t last_seen, std::int64_t now) {
    last_seen = std::min(last_seen, now);
    if (auto it = m_records.find(address); it != m_records.end()) {
        it->second.last_seen = std::max(it->second.last_seen, last_seen);
        return;
    }
    if (count_from(source) >= m_limits.max_new_per_source) evict_new(source);
    if (m_records.size() - count_tried() >= m_limits.max_new) {
        // Full: make room from the source that holds the most.
        std::map<std::string, std::size_t> per_source;
        for (const auto& [a, r] : m_records)
            if (!r.tried) ++per_source[r.source];
        auto biggest = std::max_element(per_source.begin(), per_source.end(),
                                        [](const auto& a, const auto& b) { return a.second < b.second; });
        if (biggest == per_source.end()) return;
        evict_new(biggest->first);
    }
    m_records.emplace(address, AddressRecord{address, source, last_seen, 0, 0, 0, false});
}

void AddressBook::evict_new(const std::string& source) {
    auto oldest = m_records.end();
    for (auto it = m_records.begin(); it != m_records.end(); ++it) {
        if (it->second.tried || it->second.source != source) continue;
        if (oldest == m_records.end() || it->second.last_seen < oldest->second.last_seen) oldest = it;
    }
    if (oldest != m_records.end()) m_records.erase(oldest);
}

void AddressBook::mark_attempt(const std::string& address, std::int64_t now) {
    if (auto it = m_records.find(address); it != m_records.end()) it->second.last_try = now;
}

void AddressBook::mark_success(const std::string& address, std::int64_t now) {
    auto it = m_records.find(address);
    if (it == m_records.end()) {
        add(address, "", now, now);
        it = m_records.find(address);
        if (it == m_records.end()) return;
    }
    auto& r = it->second;
    r.last_success = r.last_seen = now;
    r.failures = 0;
    if (!r.tried && count_tried() >= m_limits.max_tried) {
        // Keep the tried table bounded: the least recently successful one goes back to hearsay.
        auto victim = m_records.end();
        for (auto i = m_records.begin(); i != m_records.end(); ++i)
            if (i->second.tried && (victim == m_records.end() || i->second.last_success < victim->second.last_success))
                victim = i;
        if (victim != m_records.end()) victim->second.tried = false;
    }
    r.tried = true;
}

void AddressBook::mark_failure(const std::string& address, std::int64_t now) {
    if (auto it = m_records.find(address); it != m_records.end()) {
        it->second.last_try = now;
        ++it->second.failures;
    }
}

void AddressBook::remove(const std::string& address) {
    m_records.erase(address);
}

std::optional<std::string> AddressBook::select(const std::vector<std::string>& exclude, std::int64_t now) {
    std::vector<const AddressRecord*> ready;
    for (const auto& [a, r] : m_records) {
        if (std::find(exclude.begin(), exclude.end(), a) != exclude.end()) continue;
        if (r.last_try != 0 && now - r.last_try < backoff(r.failures)) continue;
        ready.push_back(&r);
    }
    if (ready.empty()) return std::nullopt;
    // Prefer tried addresses half of the time, as addrman does.
    std::vector<const AddressRecord*> tried;
    for (const auto* r : ready)
        if (r->tried) tried.push_back(r);
    const auto& pool = (!tried.empty() && m_rng() % 2 == 0) ? tried : ready;
    return pool[m_rng() % pool.size()]->address;
}

std::vector<AddressRecord> AddressBook::sample(std::size_t max) {
    std::vector<AddressRecord> all = records();
    std::shuffle(all.begin(), all.end(), m_rng);
    std::stable_partition(all.begin(), all.end(), [](const AddressRecord& r) { return r.tried; });
    if (all.size() > max) all.resize(max);
    return all;
}

std::vector<AddressRecord> AddressBook::records() const {
    std::vector<AddressRecord> out;
    out.reserve(m_records.size());
    for (const auto& [a, r] : m_records) out.push_back(r);
    return out;
}

void AddressBook::restore(const std::vector<AddressRecord>& records) {
    for (const auto& r : records) {
        if (m_records.size() >= m_limits.max_new + m_limits.max_tried) break;
        m_records.emplace(r.address, r);
    }
}

const AddressRecord* AddressBook::find(const std::string& address) const {
    auto it = m_records.find(address);
    return it == m_records.end() ? nullptr : &it->second;
}

std::size_t AddressBook::count_from(const std::string& source) const {
    return static_cast<std::size_t>(std::count_if(m_records.begin(), m_records.end(), [&](const auto& p) {
        return !p.second.tried && p.second.source == source;
    }));
}

std::size_t AddressBook::count_tried() const {
    return static_cast<std::size_t>(
        std::count_if(m_records.begin(), m_records.end(), [](const auto& p) { return p.second.tried; }));
}

}  // namespace chainkit::node
