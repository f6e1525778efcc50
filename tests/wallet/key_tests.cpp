// Key pairs: determinism from seeds, signatures consensus verifies.
#include "chainkit/wallet/key.hpp"

#include <catch2/catch.hpp>

#include <array>

using namespace chainkit;

TEST_CASE("a seed determines the key pair and export_seed returns it", "[key]") {
    std::array<std::uint8_t, wallet::SEED_SIZE> seed{};
    for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(i * 7 + 1);
    const auto a = wallet::KeyPair::from_seed(seed);
    const auto b = wallet::KeyPair::from_seed(seed);
    CHECK(a.public_key() == b.public_key());
    CHECK(a.key_hash() == chain::key_hash_of(a.public_key()));
    std::array<std::uint8_t, wallet::SEED_SIZE> out{};
    a.export_seed(out);
    CHECK(out == seed);
    seed[0] ^= 1;
    CHECK(wallet::KeyPair::from_seed(seed).public_key() != a.public_key());
}

TEST_CASE("generated keys differ and sign what verify_signature accepts", "[key]") {
    const auto a = wallet::KeyPair::generate();
    const auto b = wallet::KeyPair::generate();
    CHECK(a.public_key() != b.public_key());
    chain::Hash256 msg;
    msg.bytes()[0] = 42;
    const auto sig = a.sign(msg);
    CHECK(chain::verify_signature(a.public_key(), msg, sig));
    CHECK_FALSE(chain::verify_signature(b.public_key(), msg, sig));
    msg.bytes()[1] = 1;
    CHECK_FALSE(chain::verify_signature(a.public_key(), msg, sig));
}

TEST_CASE("a moved-from key pair leaves the moved-to one usable", "[key]") {
    auto a = wallet::KeyPair::generate();
    const auto pk = a.public_key();
    wallet::KeyPair b = std::move(a);
    chain::Hash256 msg;
    CHECK(b.public_key() == pk);
    CHECK(chain::verify_signature(pk, msg, b.sign(msg)));
}
