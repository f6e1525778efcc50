#include "chainkit/chain/uint256.hpp"

#include <catch2/catch.hpp>

using namespace chainkit::chain;

namespace {
Uint256 from_hex(const std::string& h) {
    Bytes b;
    REQUIRE(parse_hex(h, b));
    REQUIRE(b.size() == 32);
    return Uint256::from_be_bytes(b.data());
}
}  // namespace

TEST_CASE("big-endian bytes and hex round trip", "[uint256]") {
    const std::string h = "00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210";
    CHECK(from_hex(h).hex() == h);
    CHECK(from_hex(h).bits() == 248 - 3);
    CHECK(Uint256().bits() == 0);
    CHECK(Uint256(1).bits() == 1);
}

TEST_CASE("add, subtract and multiply carry across limbs", "[uint256]") {
    const Uint256 max64(0xffffffffffffffffULL);
    CHECK((max64 + Uint256(1)).hex() == std::string(47, '0') + "10000000000000000");
    CHECK((Uint256() - Uint256(1)).hex() == std::string(64, 'f'));
    CHECK((max64 * 0xffffffffu).hex() == std::string(40, '0') + "fffffffeffffffff00000001");
}

TEST_CASE("shifts move bits across limbs and drop them at the edges", "[uint256]") {
    CHECK((Uint256(1) << 255).hex() == "8" + std::string(63, '0'));
    CHECK(((Uint256(1) << 255) >> 255) == Uint256(1));
    CHECK((Uint256(1) << 256) == Uint256());
    CHECK((Uint256(3) << 63).hex() == std::string(47, '0') + "18000000000000000");
    CHECK(((Uint256(3) << 63) >> 64) == Uint256(1));
}

TEST_CASE("division matches known quotients", "[uint256]") {
    CHECK(Uint256(100) / Uint256(7) == Uint256(14));
    CHECK(Uint256(5) / Uint256(7) == Uint256());
    const Uint256 big = Uint256(1) << 200;
    CHECK(big / (Uint256(1) << 100) == (Uint256(1) << 100));
    CHECK((~Uint256()) / (~Uint256()) == Uint256(1));
    const Uint256 n = from_hex("0000000000000000000000000000000000000000000000000de0b6b3a7640000");  // 1e18
    CHECK(n / Uint256(1000000007) == Uint256(999999993ULL));
}

TEST_CASE("ordering compares the most significant limb first", "[uint256]") {
    CHECK(Uint256(1) < (Uint256(1) << 64));
    CHECK((Uint256(5) << 128) > (Uint256(0xffffffffffffffffULL) << 64));
    CHECK(Uint256(7) == Uint256(7));
}
