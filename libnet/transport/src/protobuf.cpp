#include "protobuf.hpp"

#include <chainkit/net/varint.hpp>

namespace chainkit::net::detail {

void pb_put_varint(std::vector<std::uint8_t>& out, std::uint32_t field, std::uint64_t v) {
    append_uvarint(out, (static_cast<std::uint64_t>(field) << 3) | 0);
    append_uvarint(out, v);
}

void pb_put_bytes(std::vector<std::uint8_t>& out, std::uint32_t field, std::span<const std::uint8_t> b) {
    append_uvarint(out, (static_cast<std::uint64_t>(field) << 3) | 2);
    append_uvarint(out, b.size());
    out.insert(out.end(), b.begin(), b.end());
}

void pb_put_string(std::vector<std::uint8_t>& out, std::uint32_t field, std::string_view s) {
    pb_put_bytes(out, field, std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

bool PbReader::next(PbField& f) {
    if (m_failed || m_in.empty()) return false;
    auto fail = [&] {
        m_failed = true;
        return false;
    };
    auto key = decode_uvarint(m_in);
    if (!key || key->value >> 3 == 0 || key->value >> 3 > 0xffffffffu) return fail();
    m_in = m_in.subspan(key->size);
    f = PbField{};
    f.number = static_cast<std::uint32_t>(key->value >> 3);
    f.wire = static_cast<std::uint32_t>(key->value & 7);
    switch (f.wire) {
        case 0: {
            auto v = decode_uvarint(m_in);
            if (!v) return fail();
            f.varint = v->value;
            m_in = m_in.subspan(v->size);
            return true;
        }
        case 1:
        case 5: {
            const std::size_t n = f.wire == 1 ? 8 : 4;
            if (m_in.size() < n) return fail();
            f.bytes = m_in.first(n);
            m_in = m_in.subspan(n);
            return true;
        }
        case 2: {
            auto len = decode_uvarint(m_in);
            if (!len || len->value > m_in.size() - len->size) return fail();
            f.bytes = m_in.subspan(len->size, static_cast<std::size_t>(len->value));
            m_in = m_in.subspan(len->size + static_cast<std::size_t>(len->value));
            return true;
        }
        default:
            return fail();
    }
}

}  // namespace chainkit::net::detail
