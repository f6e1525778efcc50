#include "chainkit/wallet/wallet_file.hpp"

#include "chainkit/wallet/errors.hpp"

#include "wallet_records.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>

namespace chainkit::wallet {
namespace {

constexpr std::array<std::uint8_t, 8> MAGIC = {'C', 'K', 'W', 'A', 'L', 'L', 'E', 'T'};
constexpr std::size_t CHECKSUM_SIZE = 32;
constexpr std::uint8_t CIPHER_NONE = 0;
constexpr std::uint8_t CIPHER_ARGON2ID_XCHACHA20POLY1305 = 1;
constexpr std::size_t SALT_SIZE = crypto_pwhash_SALTBYTES;
constexpr std::size_t NONCE_SIZE = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t KEY_SIZE = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;
constexpr std::size_t TAG_SIZE = crypto_aead_xchacha20poly1305_ietf_ABYTES;
static_assert(SALT_SIZE == 16 && NONCE_SIZE == 24 && KEY_SIZE == 32 && TAG_SIZE == 16);

struct CipherParams {
    std::array<std::uint8_t, SALT_SIZE> salt{};
    std::uint64_t opslimit = 0;
    std::uint64_t memlimit = 0;
    std::array<std::uint8_t, NONCE_SIZE> nonce{};
};

// The envelope as parsed: everything before the body is the AEAD's
// associated data, so a changed header cannot be paired with an old body.
struct Envelope {
    std::uint32_t chain_magic = 0;
    std::uint8_t cipher = CIPHER_NONE;
    CipherParams params;
    chain::ByteSpan header;  // bytes from magic to body length inclusive
    chain::ByteSpan body;
};

Error fail(WalletErrc e, std::string message) {
    return Error{make_error_code(e), std::move(message)};
}

chain::Hash256 checksum(chain::ByteSpan data) {
    chain::Hash256 h;
    crypto_generichash(h.bytes().data(), CHECKSUM_SIZE, data.data(), data.size(), nullptr, 0);
    return h;
}

// Argon2id key in a wiping buffer; false only when libsodium runs out of memory.
bool derive_key(std::string_view passphrase, const CipherParams& c, SecureBytes& key) {
    key.assign(KEY_SIZE, 0);
    return crypto_pwhash(key.data(), key.size(), passphrase.data(), passphrase.size(), c.salt.data(), c.opslimit,
                         static_cast<std::size_t>(c.memlimit), crypto_pwhash_ALG_ARGON2ID13) == 0;
}

bool kdf_in_bounds(std::uint64_t ops, std::uint64_t mem) {
    return ops >= crypto_pwhash_OPSLIMIT_MIN && ops <= crypto_pwhash_OPSLIMIT_SENSITIVE &&
           mem >= crypto_pwhash_MEMLIMIT_MIN && mem <= crypto_pwhash_MEMLIMIT_SENSITIVE;
}

Result<Envelope> parse_envelope(chain::ByteSpan file, const chain::ConsensusParams& p) {
    if (file.size() < MAGIC.size() || !std::equal(MAGIC.begin(), MAGIC.end(), file.begin()))
        return fail(WalletErrc::file_corrupt, "not a chainkit wallet file (bad magic)");
    if (file.size() < MAGIC.size() + 4 + CHECKSUM_SIZE)
        return fail(WalletErrc::file_corrupt,
                    fmt::format("wallet file is corrupted: truncated to {} bytes", file.size()));
    const auto content = file.first(file.size() - CHECKSUM_SIZE);
    if (std::memcmp(checksum(content).data(), file.data() + content.size(), CHECKSUM_SIZE) != 0)
        return fail(WalletErrc::file_corrupt, "wallet file is corrupted: checksum mismatch (truncated or altered)");
    chain::ByteReader r(content.subspan(MAGIC.size()));
    Envelope e;
    const std::uint32_t version = r.u32();
    if (version > WALLET_FORMAT_VERSION || version == 0)
        return fail(WalletErrc::file_unsupported,
                    fmt::format("wallet file format version {} is not supported (this build reads {})", version,
                                WALLET_FORMAT_VERSION));
    e.chain_magic = r.u32();
    e.cipher = r.u8();
    if (e.cipher == CIPHER_ARGON2ID_XCHACHA20POLY1305) {
        r.bytes(e.params.salt);
        e.params.opslimit = r.u64();
        e.params.memlimit = r.u64();
        r.bytes(e.params.nonce);
    } else if (e.cipher != CIPHER_NONE) {
        return fail(WalletErrc::file_unsupported, fmt::format("wallet file uses unknown cipher {}", e.cipher));
    }
    const std::uint32_t body_len = r.u32();
    if (!r.ok() || body_len != r.remaining())
        return fail(WalletErrc::file_corrupt, "wallet file is corrupted: body length does not match the file");
    e.header = content.first(content.size() - body_len);
    e.body = content.subspan(content.size() - body_len);
    if (e.chain_magic != p.chain_magic)
        return fail(WalletErrc::file_wrong_network,
                    fmt::format("wallet file belongs to another network (magic 0x{:08x}, {} is 0x{:08x})",
                                e.chain_magic, p.name, p.chain_magic));
    if (e.cipher != CIPHER_NONE && !kdf_in_bounds(e.params.opslimit, e.params.memlimit))
        return fail(WalletErrc::file_corrupt, "wallet file is corrupted: key derivation limits out of range");
    return e;
}

Result<WalletContents> decrypt_body(const Envelope& e, std::string_view passphrase) {
    if (e.body.size() < TAG_SIZE)
        return fail(WalletErrc::file_corrupt, "wallet file is corrupted: encrypted body too short");
    SecureBytes key;
    if (!derive_key(passphrase, e.params, key))
        return fail(WalletErrc::file_io, "not enough memory to derive the wallet key");
    SecureBytes plain(e.body.size() - TAG_SIZE);
    unsigned long long plain_len = 0;
    const int rc =
        crypto_aead_xchacha20poly1305_ietf_decrypt(plain.data(), &plain_len, nullptr, e.body.data(), e.body.size(),
                                                   e.header.data(), e.header.size(), e.params.nonce.data(), key.data());
    if (rc != 0) return fail(WalletErrc::wrong_passphrase, "wrong wallet passphrase");
    return detail::decode_records(std::span(plain.data(), static_cast<std::size_t>(plain_len)));
}

}  // namespace

KdfLimits KdfLimits::interactive() noexcept {
    return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

KdfLimits KdfLimits::minimum() noexcept {
    return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

chain::Bytes encode_wallet_file(const WalletContents& w, const chain::ConsensusParams& p,
                                const EncodeOptions& options) {
    const bool encrypt = options.passphrase && !options.passphrase->empty();
    SecureBytes body = detail::encode_records(w);
    chain::ByteWriter out;
    // Byte by byte: GCC 12 -O3 warns (falsely, -Wstringop-overflow) on a span insert into an empty vector.
    for (const auto c : MAGIC) out.u8(c);
    out.u32(WALLET_FORMAT_VERSION);
    out.u32(p.chain_magic);
    out.u8(encrypt ? CIPHER_ARGON2ID_XCHACHA20POLY1305 : CIPHER_NONE);
    CipherParams c;
    if (encrypt) {
        randombytes_buf(c.salt.data(), c.salt.size());
        randombytes_buf(c.nonce.data(), c.nonce.size());
        c.opslimit = options.kdf.opslimit;
        c.memlimit = options.kdf.memlimit;
        out.bytes(c.salt);
        out.u64(c.opslimit);
        out.u64(c.memlimit);
        out.bytes(c.nonce);
    }
    out.u32(static_cast<std::uint32_t>(body.size() + (encrypt ? TAG_SIZE : 0)));
    chain::Bytes file = out.take();
    if (encrypt) {
        SecureBytes key;
        if (!derive_key(*options.passphrase, c, key)) throw std::bad_alloc();
        const std::size_t header_len = file.size();
        file.resize(header_len + body.size() + TAG_SIZE);
        unsigned long long clen = 0;
        crypto_aead_xchacha20poly1305_ietf_encrypt(file.data() + header_len, &clen, body.data(), body.size(),
                                                   file.data(), header_len, nullptr, c.nonce.data(), key.data());
    } else {
        file.insert(file.end(), body.begin(), body.end());
    }
    const chain::Hash256 sum = checksum(file);
    file.insert(file.end(), sum.bytes().begin(), sum.bytes().end());
    return file;
}

Result<WalletContents> decode_wallet_file(chain::ByteSpan file, const chain::ConsensusParams& p,
                                          std::optional<std::string_view> passphrase) {
    auto env = parse_envelope(file, p);
    if (!env) return env.error();
    if (env->cipher == CIPHER_NONE) return detail::decode_records(env->body);
    if (!passphrase || passphrase->empty())
        return fail(WalletErrc::passphrase_required, "wallet is encrypted: a passphrase is required");
    return decrypt_body(*env, *passphrase);
}

bool wallet_file_is_encrypted(chain::ByteSpan file) noexcept {
    constexpr std::size_t cipher_offset = MAGIC.size() + 4 + 4;
    return file.size() > cipher_offset && std::equal(MAGIC.begin(), MAGIC.end(), file.begin()) &&
           file[cipher_offset] == CIPHER_ARGON2ID_XCHACHA20POLY1305;
}

}  // namespace chainkit::wallet
