#include <sodium.h>

#include <chainkit/chain/bytes.hpp>
#include <chainkit/net/identity.hpp>
#include <fstream>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <system_error>

namespace chainkit::net {
namespace {

void ensure_sodium() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
}

}  // namespace

Identity::Identity(const std::array<std::uint8_t, 64>& sk, const Ed25519PublicKey& pk)
    : m_sk(sk), m_pk(pk), m_peer(PeerId::from_public_key(pk)) {}

Identity::~Identity() {
    sodium_memzero(m_sk.data(), m_sk.size());
}

Identity Identity::from_ed25519_seed(const std::array<std::uint8_t, 32>& seed) {
    ensure_sodium();
    std::array<std::uint8_t, 64> sk{};
    Ed25519PublicKey pk{};
    crypto_sign_seed_keypair(pk.data(), sk.data(), seed.data());
    Identity id(sk, pk);
    sodium_memzero(sk.data(), sk.size());
    return id;
}

Identity Identity::generate() {
    ensure_sodium();
    std::array<std::uint8_t, 32> seed{};
    randombytes_buf(seed.data(), seed.size());
    auto id = from_ed25519_seed(seed);
    sodium_memzero(seed.data(), seed.size());
    return id;
}

Identity Identity::from_seed(std::uint64_t n) {
    std::array<std::uint8_t, 32> seed{};
    for (int i = 0; i < 8; ++i) seed[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n >> (8 * i));
    return from_ed25519_seed(seed);
}

Result<Identity> Identity::load_or_create(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return errc::key_file;
    const auto path = dir / "transport_key";
    std::array<std::uint8_t, 32> seed{};
    if (std::filesystem::exists(path, ec)) {
        std::ifstream in(path);
        // A bounded read of the first line: 64 hex digits, nothing longer.
        std::string line;
        for (char c; line.size() <= 2 * seed.size() && in.get(c) && c != '\n';) line.push_back(c);
        chain::Bytes raw;
        if (!chain::parse_hex(line, raw) || raw.size() != seed.size()) return errc::key_file;
        std::copy(raw.begin(), raw.end(), seed.begin());
        sodium_memzero(raw.data(), raw.size());
        sodium_memzero(line.data(), line.size());
    } else {
        ensure_sodium();
        randombytes_buf(seed.data(), seed.size());
        const auto hex = chain::to_hex(seed);
        const auto old_mask = ::umask(077);  // the file holds a secret: owner-only
        std::ofstream out(path, std::ios::trunc);
        out << hex << '\n';
        out.close();
        ::umask(old_mask);
        if (!out) return errc::key_file;
    }
    auto id = from_ed25519_seed(seed);
    sodium_memzero(seed.data(), seed.size());
    return id;
}

Ed25519Signature Identity::sign(std::span<const std::uint8_t> msg) const {
    Ed25519Signature sig{};
    crypto_sign_detached(sig.data(), nullptr, msg.data(), msg.size(), m_sk.data());
    return sig;
}

bool Identity::verify(const Ed25519PublicKey& pk, std::span<const std::uint8_t> msg,
                      std::span<const std::uint8_t> sig) {
    if (sig.size() != crypto_sign_BYTES) return false;
    ensure_sodium();
    return crypto_sign_verify_detached(sig.data(), msg.data(), msg.size(), pk.data()) == 0;
}

}  // namespace chainkit::net
