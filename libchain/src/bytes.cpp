#include "chainkit/chain/bytes.hpp"

#include <algorithm>
#include <cstring>

namespace chainkit::chain {

std::string_view to_string(DecodeError e) {
    switch (e) {
        case DecodeError::none:
            return "ok";
        case DecodeError::truncated:
            return "input truncated";
        case DecodeError::non_canonical_size:
            return "non-canonical compact size";
        case DecodeError::size_too_large:
            return "length prefix too large";
        case DecodeError::trailing_bytes:
            return "trailing bytes after object";
        case DecodeError::invalid_value:
            return "field value out of range";
    }
    return "unknown decode error";
}

void ByteWriter::u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) m_out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void ByteWriter::u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) m_out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void ByteWriter::compact_size(std::uint64_t v) {
    if (v < 0xfd) {
        u8(static_cast<std::uint8_t>(v));
    } else if (v <= 0xffff) {
        u8(0xfd);
        u8(static_cast<std::uint8_t>(v));
        u8(static_cast<std::uint8_t>(v >> 8));
    } else if (v <= 0xffffffff) {
        u8(0xfe);
        u32(static_cast<std::uint32_t>(v));
    } else {
        u8(0xff);
        u64(v);
    }
}

void ByteWriter::bytes(ByteSpan b) {
    // resize + memcpy rather than vector::insert: GCC 12 at -O3 reports a
    // false -Wstringop-overflow on the inlined insert of a span.
    if (b.empty()) return;
    const std::size_t at = m_out.size();
    m_out.resize(at + b.size());
    std::memcpy(m_out.data() + at, b.data(), b.size());
}

void ByteWriter::var_bytes(ByteSpan b) {
    compact_size(b.size());
    bytes(b);
}

bool ByteReader::take(std::size_t n) noexcept {
    if (!ok()) return false;
    if (remaining() < n) {
        fail(DecodeError::truncated);
        return false;
    }
    return true;
}

std::uint8_t ByteReader::u8() {
    if (!take(1)) return 0;
    return m_in[m_pos++];
}

std::uint32_t ByteReader::u32() {
    if (!take(4)) return 0;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= std::uint32_t{m_in[m_pos++]} << (8 * i);
    return v;
}

std::uint64_t ByteReader::u64() {
    if (!take(8)) return 0;
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= std::uint64_t{m_in[m_pos++]} << (8 * i);
    return v;
}

std::uint64_t ByteReader::compact_size(std::uint64_t max) {
    const std::uint8_t tag = u8();
    std::uint64_t v = tag;
    std::uint64_t min = 0;
    if (tag == 0xfd) {
        v = u8();
        v |= std::uint64_t{u8()} << 8;
        min = 0xfd;
    } else if (tag == 0xfe) {
        v = u32();
        min = 0x10000;
    } else if (tag == 0xff) {
        v = u64();
        min = 0x100000000;
    }
    if (!ok()) return 0;
    if (v < min) {
        fail(DecodeError::non_canonical_size);
        return 0;
    }
    if (v > max) {
        fail(DecodeError::size_too_large);
        return 0;
    }
    return v;
}

void ByteReader::bytes(std::span<std::uint8_t> out) {
    if (!take(out.size())) {
        std::fill(out.begin(), out.end(), std::uint8_t{0});
        return;
    }
    std::copy_n(m_in.begin() + static_cast<std::ptrdiff_t>(m_pos), out.size(), out.begin());
    m_pos += out.size();
}

Bytes ByteReader::var_bytes(std::uint64_t max) {
    const auto n = compact_size(max);
    if (!take(n)) return {};
    Bytes out(m_in.begin() + static_cast<std::ptrdiff_t>(m_pos), m_in.begin() + static_cast<std::ptrdiff_t>(m_pos + n));
    m_pos += n;
    return out;
}

void ByteReader::fail(DecodeError e) noexcept {
    if (m_error == DecodeError::none) m_error = e;
}

void ByteReader::expect_end() noexcept {
    if (ok() && remaining() != 0) fail(DecodeError::trailing_bytes);
}

std::string to_hex(ByteSpan b) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    s.reserve(b.size() * 2);
    for (auto c : b) {
        s.push_back(digits[c >> 4]);
        s.push_back(digits[c & 0xf]);
    }
    return s;
}

namespace {
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

bool parse_hex(std::string_view hex, Bytes& out) {
    if (hex.size() % 2 != 0) return false;
    Bytes result;
    result.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int hi = hex_value(hex[i]);
        const int lo = hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0) return false;
        result.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
    }
    out = std::move(result);
    return true;
}

}  // namespace chainkit::chain
