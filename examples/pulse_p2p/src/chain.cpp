#include <fmt/format.h>
#include <sodium.h>

#include <array>
#include <chainkit/pulse/chain.hpp>
#include <charconv>
#include <utility>

namespace chainkit::pulse {

namespace {

std::string sha256_hex(std::string_view data) {
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
    static constexpr char HEX[] = "0123456789abcdef";
    std::string out;
    out.reserve(digest.size() * 2);
    for (unsigned char c : digest) {
        out.push_back(HEX[c >> 4]);
        out.push_back(HEX[c & 0x0f]);
    }
    return out;
}

// Hashes in messages are shortened: the message is one log line.
std::string short_hash(std::string_view h) {
    if (h.size() <= 16) return fmt::format("'{}'", h);
    return fmt::format("'{}...'", h.substr(0, 16));
}

}  // namespace

std::string_view to_string(Fault f) noexcept {
    switch (f) {
        case Fault::none:
            return "none";
        case Fault::line_too_long:
            return "line_too_long";
        case Fault::malformed_json:
            return "malformed_json";
        case Fault::not_a_chain:
            return "not_a_chain";
        case Fault::bad_field:
            return "bad_field";
        case Fault::too_many_blocks:
            return "too_many_blocks";
        case Fault::empty_chain:
            return "empty_chain";
        case Fault::genesis_mismatch:
            return "genesis_mismatch";
        case Fault::bad_index:
            return "bad_index";
        case Fault::bad_prev_hash:
            return "bad_prev_hash";
        case Fault::bad_hash:
            return "bad_hash";
    }
    return "unknown";
}

std::string hash_record(const Block& b) {
    return fmt::format("{}{}{}{}", b.index, b.timestamp, b.bpm, b.prev_hash);
}

std::string calculate_hash(const Block& b) {
    return sha256_hex(hash_record(b));
}

std::string quirk_genesis_hash() {
    return calculate_hash(Block{});
}

Block make_genesis(std::string timestamp) {
    return Block{0, std::move(timestamp), 0, quirk_genesis_hash(), ""};
}

Block generate_block(const Block& prev, std::int64_t bpm, std::string timestamp) {
    Block b{prev.index + 1, std::move(timestamp), bpm, "", prev.hash};
    b.hash = calculate_hash(b);
    return b;
}

Verdict check_link(const Block& prev, const Block& next) {
    // prev.index < next.index - 1 avoids overflowing prev.index + 1.
    if (next.index == INT64_MIN || prev.index != next.index - 1)
        return {Fault::bad_index,
                fmt::format("block {}: Index {} does not follow {}", next.index, next.index, prev.index)};
    if (next.prev_hash != prev.hash)
        return {Fault::bad_prev_hash, fmt::format("block {}: PrevHash {} is not the previous Hash {}", next.index,
                                                  short_hash(next.prev_hash), short_hash(prev.hash))};
    std::string want = calculate_hash(next);
    if (next.hash != want)
        return {Fault::bad_hash, fmt::format("block {}: Hash {} is not the recomputed {}", next.index,
                                             short_hash(next.hash), short_hash(want))};
    return {};
}

Verdict validate_chain(std::span<const Block> chain, const Block& genesis) {
    if (chain.empty()) return {Fault::empty_chain, "chain is empty (no genesis block)"};
    if (chain.size() > MAX_CHAIN_BLOCKS)
        return {Fault::too_many_blocks,
                fmt::format("chain has {} blocks, over the limit {}", chain.size(), MAX_CHAIN_BLOCKS)};
    if (chain.front() != genesis) {
        const Block& g = chain.front();
        return {
            Fault::genesis_mismatch,
            fmt::format("genesis differs from ours (Index {}, Timestamp '{}', Hash {}; want Timestamp '{}', Hash {})",
                        g.index, g.timestamp.substr(0, 64), short_hash(g.hash), genesis.timestamp,
                        short_hash(genesis.hash))};
    }
    for (std::size_t i = 1; i < chain.size(); ++i) {
        Verdict v = check_link(chain[i - 1], chain[i]);
        if (!v.ok()) return v;
    }
    return {};
}

bool parse_bpm(std::string_view text, std::int64_t& bpm, std::string& why) {
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    if (text.empty()) {
        why = fmt::format("empty input: type a BPM between {} and {}", MIN_BPM, MAX_BPM);
        return false;
    }
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    std::string_view shown = text.substr(0, 40);
    if (ec == std::errc::result_out_of_range) {
        why = fmt::format("'{}' is out of range: type a BPM between {} and {}", shown, MIN_BPM, MAX_BPM);
        return false;
    }
    if (ec != std::errc{} || end != text.data() + text.size()) {
        why = fmt::format("'{}' is not an integer: type a BPM between {} and {}", shown, MIN_BPM, MAX_BPM);
        return false;
    }
    if (v < MIN_BPM || v > MAX_BPM) {
        why = fmt::format("BPM {} is out of range [{}, {}]", v, MIN_BPM, MAX_BPM);
        return false;
    }
    bpm = v;
    return true;
}

PulseChain::PulseChain(Block genesis) {
    m_blocks.push_back(std::move(genesis));
}

Verdict PulseChain::append(std::int64_t bpm, std::string timestamp) {
    if (m_blocks.size() >= MAX_CHAIN_BLOCKS)
        return {Fault::too_many_blocks,
                fmt::format("the chain is full: {} blocks is the most peers accept", MAX_CHAIN_BLOCKS)};
    m_blocks.push_back(generate_block(m_blocks.back(), bpm, std::move(timestamp)));
    return {};
}

PulseChain::OfferResult PulseChain::offer(std::vector<Block> chain) {
    if (chain.size() <= m_blocks.size()) return {Offer::not_longer, {}};
    Verdict v = validate_chain(chain, genesis());
    if (!v.ok()) return {Offer::invalid, std::move(v)};
    m_blocks = std::move(chain);
    return {Offer::adopted, {}};
}

}  // namespace chainkit::pulse
