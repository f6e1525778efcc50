// Addresses: round trips on both networks and every parse error.
#include "chainkit/chain/base58.hpp"
#include "chainkit/wallet/address.hpp"
#include "chainkit/wallet/errors.hpp"
#include "chainkit/wallet/key.hpp"

#include <catch2/catch.hpp>
#include <sodium.h>

using namespace chainkit;
using chain::Network;
using wallet::WalletErrc;

namespace {
chain::KeyHash random_hash() {
    chain::KeyHash h;
    randombytes_buf(h.bytes.data(), h.bytes.size());
    return h;
}
WalletErrc parse_error(std::string_view text, const chain::ConsensusParams& p) {
    auto r = wallet::parse_address(text, p);
    REQUIRE_FALSE(r.ok());
    REQUIRE(r.error().code.category() == wallet::wallet_category());
    CHECK_FALSE(r.error().message.empty());
    return static_cast<WalletErrc>(r.error().code.value());
}
}  // namespace

TEST_CASE("addresses round trip on both networks", "[address]") {
    REQUIRE(sodium_init() >= 0);
    for (auto net : {Network::regtest, Network::main}) {
        const auto p = chain::params_for(net);
        for (int i = 0; i < 50; ++i) {
            const auto h = random_hash();
            const auto text = wallet::encode_address(h, p);
            // Version 0x00 gives Bitcoin-style '1' addresses, 0x1c gives 'C'.
            CHECK(text.front() == (net == Network::regtest ? '1' : 'C'));
            auto back = wallet::parse_address(text, p);
            REQUIRE(back.ok());
            CHECK(*back == h);
        }
    }
}

TEST_CASE("an address encodes the key hash the outputs pay to", "[address]") {
    const auto key = wallet::KeyPair::generate();
    const auto p = chain::params_for(Network::regtest);
    auto parsed = wallet::parse_address(wallet::encode_address(key.key_hash(), p), p);
    REQUIRE(parsed.ok());
    CHECK(*parsed == chain::key_hash_of(key.public_key()));
}

TEST_CASE("address parse errors are each precise", "[address]") {
    const auto reg = chain::params_for(Network::regtest);
    const auto main = chain::params_for(Network::main);
    const std::string good = wallet::encode_address(random_hash(), reg);

    SECTION("bad character") {
        for (char c : {'0', 'O', 'I', 'l', ' ', '-'}) {
            std::string bad = good;
            bad[5] = c;
            CHECK(parse_error(bad, reg) == WalletErrc::address_bad_character);
        }
    }
    SECTION("bad length") {
        CHECK(parse_error("", reg) == WalletErrc::address_bad_length);
        CHECK(parse_error(good.substr(0, good.size() - 3), reg) == WalletErrc::address_bad_length);
        CHECK(parse_error(good + "zz", reg) == WalletErrc::address_bad_length);
        CHECK(parse_error(std::string(500, 'z'), reg) == WalletErrc::address_bad_length);
        // A valid Base58Check string of the wrong payload size.
        CHECK(parse_error(chain::base58check_encode(chain::Bytes(10, 7)), reg) == WalletErrc::address_bad_length);
    }
    SECTION("bad checksum") {
        std::string bad = good;
        bad.back() = bad.back() == 'a' ? 'b' : 'a';
        CHECK(parse_error(bad, reg) == WalletErrc::address_bad_checksum);
    }
    SECTION("wrong network") {
        CHECK(parse_error(good, main) == WalletErrc::address_wrong_network);
        CHECK(parse_error(wallet::encode_address(random_hash(), main), reg) == WalletErrc::address_wrong_network);
    }
}
