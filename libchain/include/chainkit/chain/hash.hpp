// 256-bit hashes as strong types: a BlockHash is not a TxId.
//
// Bytes are stored in digest order and printed as hex in that same order.
// For proof of work a hash is read as a big-endian 256-bit number (byte 0 is
// the most significant), so a hash that meets a hard target prints with
// leading zeros. Value types; thread-compatible.
#pragma once

#include "chainkit/chain/bytes.hpp"

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace chainkit::chain {

template <class Tag>
class BasicHash {
public:
    static constexpr std::size_t SIZE = 32;

    constexpr BasicHash() noexcept = default;
    explicit constexpr BasicHash(const std::array<std::uint8_t, SIZE>& b) noexcept : m_bytes(b) {}

    // Parses exactly 64 hex digits; std::nullopt otherwise.
    static std::optional<BasicHash> from_hex(std::string_view hex) {
        Bytes b;
        if (hex.size() != SIZE * 2 || !parse_hex(hex, b)) return std::nullopt;
        BasicHash h;
        std::memcpy(h.m_bytes.data(), b.data(), SIZE);
        return h;
    }

    [[nodiscard]] std::string hex() const { return to_hex(m_bytes); }
    [[nodiscard]] bool is_zero() const noexcept {
        for (auto c : m_bytes)
            if (c != 0) return false;
        return true;
    }
    [[nodiscard]] const std::array<std::uint8_t, SIZE>& bytes() const noexcept { return m_bytes; }
    [[nodiscard]] std::array<std::uint8_t, SIZE>& bytes() noexcept { return m_bytes; }
    [[nodiscard]] const std::uint8_t* data() const noexcept { return m_bytes.data(); }
    [[nodiscard]] ByteSpan span() const noexcept { return m_bytes; }

    void serialize(ByteWriter& w) const { w.bytes(m_bytes); }
    void deserialize(ByteReader& r) { r.bytes(m_bytes); }

    friend constexpr auto operator<=>(const BasicHash&, const BasicHash&) = default;

private:
    std::array<std::uint8_t, SIZE> m_bytes{};
};

struct GenericHashTag {};
struct BlockHashTag {};
struct TxIdTag {};
struct WtxIdTag {};

using Hash256 = BasicHash<GenericHashTag>;
using BlockHash = BasicHash<BlockHashTag>;
using TxId = BasicHash<TxIdTag>;
// Hash of a transaction's full encoding, signatures included: the merkle
// leaves, so a block's header commits to every byte of its body.
using WtxId = BasicHash<WtxIdTag>;

// Re-tags a digest; only for the few places that define one hash as another.
template <class To, class From>
[[nodiscard]] To hash_cast(const From& h) noexcept {
    return To(h.bytes());
}

struct HashHasher {
    template <class Tag>
    std::size_t operator()(const BasicHash<Tag>& h) const noexcept {
        // Digests are uniformly distributed: any 8 bytes are a good hash.
        std::size_t v;
        std::memcpy(&v, h.data(), sizeof v);
        return v;
    }
};

}  // namespace chainkit::chain
