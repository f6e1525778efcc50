#pragma once
// The few protobuf wire-format pieces libp2p messages need: varint and
// length-delimited fields. The reader is bounds-checked and fails sticky.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace chainkit::net::detail {

void pb_put_varint(std::vector<std::uint8_t>& out, std::uint32_t field, std::uint64_t v);
void pb_put_bytes(std::vector<std::uint8_t>& out, std::uint32_t field, std::span<const std::uint8_t> b);
void pb_put_string(std::vector<std::uint8_t>& out, std::uint32_t field, std::string_view s);

struct PbField {
    std::uint32_t number = 0;
    std::uint32_t wire = 0;  // 0 varint, 2 length-delimited (1 and 5 are skipped)
    std::uint64_t varint = 0;
    std::span<const std::uint8_t> bytes;
};

class PbReader {
public:
    explicit PbReader(std::span<const std::uint8_t> in) : m_in(in) {}
    /// Next field; false at the end or on malformed input (then failed()).
    bool next(PbField& f);
    bool failed() const noexcept { return m_failed; }

private:
    std::span<const std::uint8_t> m_in;
    bool m_failed = false;
};

}  // namespace chainkit::net::detail
