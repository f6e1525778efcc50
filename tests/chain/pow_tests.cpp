#include "chainkit/chain/params.hpp"
#include "chainkit/chain/pow.hpp"

#include <catch2/catch.hpp>

using namespace chainkit::chain;

TEST_CASE("compact targets decode like Bitcoin's nBits", "[pow]") {
    CHECK(decode_compact(0x1d00ffff)->hex() == "00000000ffff" + std::string(52, '0'));
    CHECK(decode_compact(0x207fffff)->hex() == "7fffff" + std::string(58, '0'));
    CHECK(*decode_compact(0x03123456) == Uint256(0x123456));
    CHECK(*decode_compact(0x02123400) == Uint256(0x1234));
    CHECK(*decode_compact(0x01120000) == Uint256(0x12));
    CHECK(*decode_compact(0x04123456) == Uint256(0x12345600));
}

TEST_CASE("negative, zero and overflowing compact targets are invalid", "[pow]") {
    CHECK_FALSE(decode_compact(0x04923456));  // sign bit
    CHECK_FALSE(decode_compact(0x1d000000));  // zero mantissa
    CHECK_FALSE(decode_compact(0x01003456));  // shifts to zero
    CHECK_FALSE(decode_compact(0x21010000));  // 2^257
    CHECK_FALSE(decode_compact(0xff123456));
    CHECK(decode_compact(0x207fffff));
}

TEST_CASE("encode_compact is the inverse on canonical targets", "[pow]") {
    for (std::uint32_t bits : {0x1d00ffffu, 0x207fffffu, 0x1f00ffffu, 0x1b0404cbu, 0x03123456u, 0x05009234u})
        CHECK(encode_compact(*decode_compact(bits)) == bits);
    // A mantissa with bit 23 set moves up a byte rather than turn negative.
    CHECK(encode_compact(Uint256(0x80)) == 0x02008000u);
}

TEST_CASE("proof of work compares the hash as a big-endian number", "[pow]") {
    const auto p = params_for(Network::main);
    BlockHash h;  // all zero: meets any target
    CHECK(check_proof_of_work(h, p.pow_limit_bits, p.pow_limit));
    h.bytes()[0] = 0x00;
    h.bytes()[1] = 0x01;  // 0x0001... > 0x0000ffff... target of 0x1f00ffff
    CHECK_FALSE(check_proof_of_work(h, p.pow_limit_bits, p.pow_limit));
    h.bytes()[1] = 0x00;
    h.bytes()[2] = 0xff;
    h.bytes()[3] = 0xff;  // exactly the target's leading bytes, rest zero: at target
    CHECK(check_proof_of_work(h, p.pow_limit_bits, p.pow_limit));
    // A target easier than the network's limit is refused even if met.
    CHECK_FALSE(check_proof_of_work(BlockHash{}, 0x207fffff, p.pow_limit));
    CHECK_FALSE(check_proof_of_work(BlockHash{}, 0x04923456, p.pow_limit));
}

TEST_CASE("block work is 2^256 / (target + 1)", "[pow]") {
    CHECK(block_work(0x207fffff) == Uint256(2));               // target ~2^255
    CHECK(block_work(0x1f00ffff) == Uint256(0x10001));         // 2^256 / (0xffff * 2^224 + 1)
    CHECK(block_work(0x1d00ffff) == Uint256(0x100010001ULL));  // Bitcoin's genesis work
    CHECK(block_work(0x04923456).is_zero());
}
