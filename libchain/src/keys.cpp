#include "chainkit/chain/keys.hpp"

#include <sodium.h>

namespace chainkit::chain {

KeyHash key_hash_of(const PublicKey& pk) noexcept {
    KeyHash h;
    crypto_generichash(h.bytes.data(), h.bytes.size(), pk.data(), pk.size(), nullptr, 0);
    return h;
}

bool verify_signature(const PublicKey& pk, const Hash256& msg, const Signature& sig) noexcept {
    return crypto_sign_verify_detached(sig.data(), msg.data(), msg.SIZE, pk.data()) == 0;
}

}  // namespace chainkit::chain
