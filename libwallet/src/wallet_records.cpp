#include "wallet_records.hpp"

#include "chainkit/chain/block.hpp"
#include "chainkit/wallet/errors.hpp"

#include <cereal/archives/portable_binary.hpp>
#include <fmt/format.h>

#include <istream>
#include <new>
#include <ostream>
#include <streambuf>

namespace chainkit::wallet::detail {
namespace {

// Appends everything Cereal writes to a wiping buffer.
class SecureOutBuf final : public std::streambuf {
public:
    explicit SecureOutBuf(SecureBytes& out) : m_out(out) {}

protected:
    int_type overflow(int_type ch) override {
        if (ch != traits_type::eof()) m_out.push_back(static_cast<std::uint8_t>(ch));
        return traits_type::not_eof(ch);
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        m_out.insert(m_out.end(), s, s + n);
        return n;
    }

private:
    SecureBytes& m_out;
};

// Reads a span in place: no copy of the plaintext is made.
class SpanInBuf final : public std::streambuf {
public:
    explicit SpanInBuf(std::span<const std::uint8_t> in) {
        // std::streambuf needs char*; the buffer is only ever read.
        auto* p = reinterpret_cast<char*>(const_cast<std::uint8_t*>(in.data()));
        setg(p, p, p + in.size());
    }
    [[nodiscard]] std::size_t remaining() const noexcept { return static_cast<std::size_t>(egptr() - gptr()); }
};

Error corrupt(const std::string& what) {
    return Error{make_error_code(WalletErrc::file_corrupt), fmt::format("wallet file is corrupted: {}", what)};
}

}  // namespace

SecureBytes encode_records(const WalletContents& w) {
    SecureBytes out;
    SecureOutBuf buf(out);
    std::ostream os(&buf);
    {
        cereal::PortableBinaryOutputArchive ar(os);
        ar(RECORDS_VERSION);
        ar(cereal::make_size_tag(static_cast<cereal::size_type>(w.keys.size())));
        std::array<std::uint8_t, SEED_SIZE> seed{};
        for (const auto& k : w.keys) {
            k.export_seed(seed);
            ar(cereal::binary_data(seed.data(), seed.size()));
        }
        secure_wipe(seed.data(), seed.size());
        ar(cereal::make_size_tag(static_cast<cereal::size_type>(w.pending.size())));
        for (const auto& tx : w.pending) {
            const chain::Bytes bytes = chain::encode(tx);  // canonical bytes, never Cereal's
            ar(cereal::make_size_tag(static_cast<cereal::size_type>(bytes.size())));
            ar(cereal::binary_data(bytes.data(), bytes.size()));
        }
    }
    return out;
}

Result<WalletContents> decode_records(std::span<const std::uint8_t> body) {
    // Cereal's portable archive opens with the writer's endianness byte and
    // byte-swaps whenever it is not 1; only our own form is accepted, so a
    // plain wallet file has exactly one encoding.
    if (body.empty() || body.front() != 1) return corrupt("records are not in the little-endian archive form");
    SpanInBuf buf(body);
    std::istream is(&buf);
    WalletContents w;
    try {
        cereal::PortableBinaryInputArchive ar(is);
        std::uint32_t version = 0;
        ar(version);
        if (version != RECORDS_VERSION) return corrupt(fmt::format("unknown records version {}", version));
        cereal::size_type n_keys = 0;
        ar(cereal::make_size_tag(n_keys));
        if (n_keys > WALLET_MAX_KEYS || n_keys * SEED_SIZE > buf.remaining()) return corrupt("key count out of range");
        w.keys.reserve(static_cast<std::size_t>(n_keys));
        std::array<std::uint8_t, SEED_SIZE> seed{};
        for (cereal::size_type i = 0; i < n_keys; ++i) {
            ar(cereal::binary_data(seed.data(), seed.size()));
            w.keys.push_back(KeyPair::from_seed(seed));
        }
        secure_wipe(seed.data(), seed.size());
        cereal::size_type n_pending = 0;
        ar(cereal::make_size_tag(n_pending));
        if (n_pending > WALLET_MAX_PENDING) return corrupt("pending transaction count out of range");
        for (cereal::size_type i = 0; i < n_pending; ++i) {
            cereal::size_type len = 0;
            ar(cereal::make_size_tag(len));
            if (len > buf.remaining()) return corrupt("pending transaction length out of range");
            chain::Bytes bytes(static_cast<std::size_t>(len));
            ar(cereal::binary_data(bytes.data(), bytes.size()));
            chain::Transaction tx;
            if (!chain::decode(bytes, tx)) return corrupt(fmt::format("pending transaction {} does not decode", i));
            w.pending.push_back(std::move(tx));
        }
    } catch (const cereal::Exception& e) {
        return corrupt(e.what());
    } catch (const std::bad_alloc&) {
        // Key slots come from a bounded secure arena (key.hpp); running out is
        // the machine's limit, not the file's fault, and must not escape.
        return Error{make_error_code(WalletErrc::out_of_memory),
                     fmt::format("not enough memory to load the wallet's keys ({} loaded)", w.keys.size())};
    }
    if (buf.remaining() != 0) return corrupt("trailing bytes after the records");
    return w;
}

}  // namespace chainkit::wallet::detail
