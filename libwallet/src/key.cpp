#include "chainkit/wallet/key.hpp"

#include "secret_arena.hpp"

#include <sodium.h>

#include <new>
#include <stdexcept>

namespace chainkit::wallet {

static_assert(crypto_sign_SECRETKEYBYTES == detail::SECRET_SLOT_SIZE && crypto_sign_SEEDBYTES == SEED_SIZE);

void KeyPair::SecretDeleter::operator()(std::uint8_t* p) const noexcept {
    detail::secret_slot_free(p);
}

KeyPair::KeyPair() {
    // sodium_init is idempotent and thread-safe; the RNG needs it.
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialize");
    auto* p = detail::secret_slot_alloc();
    if (p == nullptr) throw std::bad_alloc();  // Wallet::load turns it into WalletErrc::out_of_memory
    m_secret.reset(p);
}

KeyPair KeyPair::generate() {
    KeyPair k;
    crypto_sign_keypair(k.m_public.data(), k.m_secret.get());
    k.m_key_hash = chain::key_hash_of(k.m_public);
    return k;
}

KeyPair KeyPair::from_seed(std::span<const std::uint8_t, SEED_SIZE> seed) {
    KeyPair k;
    crypto_sign_seed_keypair(k.m_public.data(), k.m_secret.get(), seed.data());
    k.m_key_hash = chain::key_hash_of(k.m_public);
    return k;
}

chain::Signature KeyPair::sign(const chain::Hash256& msg) const noexcept {
    chain::Signature sig{};
    crypto_sign_detached(sig.data(), nullptr, msg.data(), msg.SIZE, m_secret.get());
    return sig;
}

void KeyPair::export_seed(std::span<std::uint8_t, SEED_SIZE> out) const noexcept {
    crypto_sign_ed25519_sk_to_seed(out.data(), m_secret.get());
}

}  // namespace chainkit::wallet
