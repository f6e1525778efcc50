// Bounded Cereal reading and writing for message bodies. Cereal's own
// container loaders trust the length they read, so every variable-length
// field here goes through read_count / read_text, which check the bound and
// the bytes left before allocating. Decoding errors are thrown as
// WireError inside the decoder and caught at its boundary (decode_message).
#pragma once

#include "chainkit/chain/bytes.hpp"

#include <cereal/archives/portable_binary.hpp>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <streambuf>
#include <string>

namespace chainkit::node::detail {

struct WireError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A read-only streambuf over caller-owned bytes (no copy of the body).
class SpanBuf : public std::streambuf {
public:
    explicit SpanBuf(chain::ByteSpan s) {
        auto* p = reinterpret_cast<char*>(const_cast<std::uint8_t*>(s.data()));
        setg(p, p, p + s.size());
    }
    [[nodiscard]] std::size_t left() const { return static_cast<std::size_t>(egptr() - gptr()); }
};

// An appending streambuf into a byte vector.
class VecBuf : public std::streambuf {
public:
    explicit VecBuf(chain::Bytes& out) : m_out(out) {}

protected:
    int_type overflow(int_type c) override {
        if (c != traits_type::eof()) m_out.push_back(static_cast<std::uint8_t>(c));
        return c;
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        m_out.insert(m_out.end(), s, s + n);
        return n;
    }

private:
    chain::Bytes& m_out;
};

class WireReader {
public:
    // `max_txs`: the most transactions one block of this frame bound holds.
    WireReader(chain::ByteSpan body, std::size_t max_txs = 0)
        : max_txs(max_txs), m_buf(body), m_is(&m_buf), m_ar(m_is) {}

    const std::size_t max_txs;

    template <class... T>
    void operator()(T&... v) {
        m_ar(v...);
    }
    [[nodiscard]] std::size_t left() const { return m_buf.left(); }

    // A u32 count of elements of at least `min_size` bytes each, at most `max`.
    std::size_t read_count(std::size_t max, std::size_t min_size, const char* what) {
        std::uint32_t n = 0;
        m_ar(n);
        if (n > max)
            throw WireError(std::string(what) + ": count " + std::to_string(n) + " over " + std::to_string(max));
        if (min_size > 0 && n > left() / min_size) throw WireError(std::string(what) + ": count past the end");
        return n;
    }
    // Raw bytes of a known size.
    void read_bytes(std::uint8_t* out, std::size_t n, const char* what) {
        if (n > left()) throw WireError(std::string(what) + ": truncated");
        m_ar(cereal::binary_data(out, n));
    }
    chain::Bytes read_blob(std::size_t max, const char* what) {
        const std::size_t n = read_count(max, 1, what);
        chain::Bytes b(n);
        if (n > 0) read_bytes(b.data(), n, what);
        return b;
    }
    std::string read_text(std::size_t max, const char* what) {
        const std::size_t n = read_count(max, 1, what);
        std::string s(n, '\0');
        if (n > 0) read_bytes(reinterpret_cast<std::uint8_t*>(s.data()), n, what);
        return s;
    }

private:
    SpanBuf m_buf;
    std::istream m_is;
    cereal::PortableBinaryInputArchive m_ar;
};

class WireWriter {
public:
    explicit WireWriter(chain::Bytes& out) : m_buf(out), m_os(&m_buf), m_ar(m_os) {}

    template <class... T>
    void operator()(const T&... v) {
        m_ar(v...);
    }
    void count(std::size_t n) { m_ar(static_cast<std::uint32_t>(n)); }
    void bytes(chain::ByteSpan b) { m_ar(cereal::binary_data(b.data(), b.size())); }
    void blob(chain::ByteSpan b) {
        count(b.size());
        bytes(b);
    }
    void text(std::string_view s) {
        count(s.size());
        m_ar(cereal::binary_data(s.data(), s.size()));
    }

private:
    VecBuf m_buf;
    std::ostream m_os;
    cereal::PortableBinaryOutputArchive m_ar;
};

}  // namespace chainkit::node::detail
