// Canonical byte encoding for everything that gets hashed.
//
// ByteWriter appends little-endian integers and canonical compact sizes.
// ByteReader never reads past its input and never throws: the first failure
// is recorded ("sticky"), every later read yields zeros, and callers check
// ok()/error() once at the end. Both are single-threaded value types.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace chainkit::chain {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;

// Largest length prefix any decoder accepts before allocating; individual
// decoders cap lower (e.g. inputs per transaction) where they know more.
inline constexpr std::uint64_t MAX_COMPACT_SIZE = 0x02000000;  // 32 MiB

// Bytes ByteWriter::compact_size(v) writes: 1, 3, 5 or 9. Sizes computed
// without encoding (Transaction/Block::serialized_size, templates) use it.
[[nodiscard]] constexpr std::size_t compact_size_len(std::uint64_t v) noexcept {
    return v < 0xfd ? 1 : v <= 0xffff ? 3 : v <= 0xffffffff ? 5 : 9;
}

enum class DecodeError {
    none = 0,
    truncated,           // input ended before the field
    non_canonical_size,  // compact size not in its shortest form
    size_too_large,      // a length prefix above the caller's cap
    trailing_bytes,      // bytes left after a complete object
    invalid_value,       // a field outside its allowed range
};

[[nodiscard]] std::string_view to_string(DecodeError e);

class ByteWriter {
public:
    // Room for a transaction or a header from the start: growing a vector
    // from empty reallocates ~8 times on the way to 200 bytes, and txids,
    // wtxids and header hashes are written this way thousands of times per
    // block.
    ByteWriter() { m_out.reserve(DEFAULT_CAPACITY); }
    // When the final size is known (a block, a transaction): one allocation.
    explicit ByteWriter(std::size_t capacity) { m_out.reserve(capacity); }
    // Writes into `buffer`, cleared first, its capacity kept: a caller that
    // hashes many small objects reuses one allocation (take() gives it back).
    explicit ByteWriter(Bytes&& buffer) : m_out(std::move(buffer)) { m_out.clear(); }

    void u8(std::uint8_t v) { m_out.push_back(v); }
    void u32(std::uint32_t v);
    void u64(std::uint64_t v);
    void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
    // Bitcoin-style compact size: 1, 3, 5 or 9 bytes, always the shortest.
    void compact_size(std::uint64_t v);
    void bytes(ByteSpan b);
    // Length-prefixed byte string (compact size, then the bytes).
    void var_bytes(ByteSpan b);

    [[nodiscard]] const Bytes& data() const noexcept { return m_out; }
    [[nodiscard]] Bytes take() noexcept { return std::move(m_out); }
    [[nodiscard]] std::size_t size() const noexcept { return m_out.size(); }

private:
    static constexpr std::size_t DEFAULT_CAPACITY = 256;
    Bytes m_out;
};

class ByteReader {
public:
    explicit ByteReader(ByteSpan in) noexcept : m_in(in) {}

    std::uint8_t u8();
    std::uint32_t u32();
    std::uint64_t u64();
    std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
    // Rejects non-canonical encodings and values above `max`.
    std::uint64_t compact_size(std::uint64_t max = MAX_COMPACT_SIZE);
    // Copies exactly out.size() bytes, or fails and zero-fills.
    void bytes(std::span<std::uint8_t> out);
    template <std::size_t N>
    std::array<std::uint8_t, N> array() {
        std::array<std::uint8_t, N> a{};
        bytes(a);
        return a;
    }
    Bytes var_bytes(std::uint64_t max);

    // Records `e` unless an earlier error is already recorded.
    void fail(DecodeError e) noexcept;
    // Fails with trailing_bytes if unread input remains.
    void expect_end() noexcept;

    [[nodiscard]] bool ok() const noexcept { return m_error == DecodeError::none; }
    [[nodiscard]] DecodeError error() const noexcept { return m_error; }
    [[nodiscard]] std::size_t remaining() const noexcept { return m_in.size() - m_pos; }
    [[nodiscard]] std::size_t position() const noexcept { return m_pos; }

private:
    bool take(std::size_t n) noexcept;  // true if n bytes are available

    ByteSpan m_in;
    std::size_t m_pos = 0;
    DecodeError m_error = DecodeError::none;
};

// Lowercase hex. parse_hex fails (returns false) on odd length or a non-hex digit.
[[nodiscard]] std::string to_hex(ByteSpan b);
[[nodiscard]] bool parse_hex(std::string_view hex, Bytes& out);

}  // namespace chainkit::chain
