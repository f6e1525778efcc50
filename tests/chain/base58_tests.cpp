// Base58 / Base58Check: Bitcoin's published vectors, random round trips and
// each decoding error.
#include "chainkit/chain/base58.hpp"

#include <catch2/catch.hpp>
#include <sodium.h>

#include <string>
#include <utility>
#include <vector>

using namespace chainkit::chain;

namespace {
Bytes hex(std::string_view h) {
    Bytes b;
    REQUIRE(parse_hex(h, b));
    return b;
}
}  // namespace

TEST_CASE("base58 matches Bitcoin's encode/decode vectors", "[base58]") {
    const std::vector<std::pair<std::string, std::string>> vectors = {
        {"", ""},
        {"61", "2g"},
        {"626262", "a3gV"},
        {"636363", "aPEr"},
        {"73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2"},
        {"00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"},
        {"516b6fcd0f", "ABnLTmg"},
        {"bf4f89001e670274dd", "3SEo3LWLoPntC"},
        {"572e4794", "3EFU7m"},
        {"ecac89cad93923c02321", "EJDM8drfXA6uyA"},
        {"10c8511e", "Rt5zm"},
        {"00000000000000000000", "1111111111"},
    };
    for (const auto& [h, text] : vectors) {
        INFO(h);
        CHECK(base58_encode(hex(h)) == text);
        auto back = base58_decode(text);
        REQUIRE(back.ok());
        CHECK(to_hex(*back) == h);
    }
}

TEST_CASE("base58check decodes a Bitcoin address to version and hash", "[base58]") {
    // Bitcoin's key_io_valid.json: P2PKH address and its hash160.
    auto payload = base58check_decode("1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62i");
    REQUIRE(payload.ok());
    CHECK(to_hex(*payload) == "0065a16059864a2fdbc7c99a4723a8395bc6f188eb");
    CHECK(base58check_encode(*payload) == "1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62i");
}

TEST_CASE("base58 and base58check round trip random data with leading zeros", "[base58]") {
    REQUIRE(sodium_init() >= 0);
    for (std::size_t len = 0; len <= 64; ++len) {
        Bytes data(len);
        if (len > 0) randombytes_buf(data.data(), data.size());
        if (len > 2) data[0] = data[1] = 0;  // leading zeros map to leading '1's
        auto plain = base58_decode(base58_encode(data));
        REQUIRE(plain.ok());
        CHECK(*plain == data);
        auto checked = base58check_decode(base58check_encode(data));
        REQUIRE(checked.ok());
        CHECK(*checked == data);
    }
}

TEST_CASE("base58 decoding reports each error precisely", "[base58]") {
    SECTION("characters outside the alphabet, with their position") {
        for (const char* bad : {"0abc", "abOc", "abcI", "lab", "a b", "ab\xff"}) {
            auto r = base58_decode(bad);
            REQUIRE_FALSE(r.ok());
            CHECK(r.error().code == Base58Errc::bad_character);
        }
        auto r = base58_decode("2g0");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message.find("position 2") != std::string::npos);
        CHECK(r.error().message.find("'0'") != std::string::npos);
    }
    SECTION("text longer than the cap is refused before decoding") {
        auto r = base58_decode(std::string(1000, '2'), 32);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == Base58Errc::too_long);
        // Leading '1's decode to zero bytes: the byte count is checked too.
        auto ones = base58_decode(std::string(40, '1'), 32);
        REQUIRE_FALSE(ones.ok());
        CHECK(ones.error().code == Base58Errc::too_long);
    }
    SECTION("base58check: too short for a checksum, and a checksum mismatch") {
        auto shortr = base58check_decode("2g");
        REQUIRE_FALSE(shortr.ok());
        CHECK(shortr.error().code == Base58Errc::too_short);
        std::string addr = "1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62i";
        addr.back() = 'M';
        auto bad = base58check_decode(addr);
        REQUIRE_FALSE(bad.ok());
        CHECK(bad.error().code == Base58Errc::bad_checksum);
        CHECK(bad.error().code.category().name() == std::string("base58"));
    }
}
