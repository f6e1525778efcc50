#include "chainkit/chain/bytes.hpp"

#include "support/vectors.hpp"

#include <catch2/catch.hpp>

using namespace chainkit::chain;

TEST_CASE("compact sizes match the reference vectors both ways", "[bytes]") {
    const auto vectors = chainkit::test::load_vectors("encoding.json");
    for (const auto& v : vectors["compact_sizes"]) {
        ByteWriter w;
        w.compact_size(v["value"].get<std::uint64_t>());
        CHECK(to_hex(w.data()) == v["hex"].get<std::string>());
        CHECK(compact_size_len(v["value"].get<std::uint64_t>()) == w.size());
        ByteReader r(w.data());
        CHECK(r.compact_size(~0ULL) == v["value"].get<std::uint64_t>());
        r.expect_end();
        CHECK(r.ok());
    }
}

TEST_CASE("non-canonical compact sizes are rejected", "[bytes]") {
    const Bytes cases[] = {{0xfd, 0xfc, 0x00}, {0xfe, 0xff, 0xff, 0x00, 0x00}, {0xff, 1, 0, 0, 0, 0, 0, 0, 0}};
    for (const auto& c : cases) {
        ByteReader r(c);
        CHECK(r.compact_size(~0ULL) == 0);
        CHECK(r.error() == DecodeError::non_canonical_size);
    }
}

TEST_CASE("compact size above the caller's cap fails before any allocation", "[bytes]") {
    const Bytes in{0xfe, 0x00, 0x00, 0x00, 0x10};  // 2^28
    ByteReader r(in);
    CHECK(r.var_bytes(1000).empty());
    CHECK(r.error() == DecodeError::size_too_large);
}

TEST_CASE("reader failure is sticky and never reads past the end", "[bytes]") {
    const Bytes in{1, 2, 3};
    ByteReader r(in);
    CHECK(r.u32() == 0);
    CHECK(r.error() == DecodeError::truncated);
    CHECK(r.u8() == 0);  // still failed, no read of the 3 remaining bytes
    auto a = r.array<4>();
    CHECK(a == std::array<std::uint8_t, 4>{});
    CHECK(r.error() == DecodeError::truncated);
}

TEST_CASE("little-endian integers round trip", "[bytes]") {
    ByteWriter w;
    w.u32(0x01020304);
    w.u64(0x0102030405060708ULL);
    w.i64(-2);
    CHECK(to_hex(w.data()) ==
          "04030201"
          "0807060504030201"
          "feffffffffffffff");
    ByteReader r(w.data());
    CHECK(r.u32() == 0x01020304);
    CHECK(r.u64() == 0x0102030405060708ULL);
    CHECK(r.i64() == -2);
    r.expect_end();
    CHECK(r.ok());
}

TEST_CASE("trailing bytes are an error at expect_end", "[bytes]") {
    const Bytes in{1, 2};
    ByteReader r(in);
    (void)r.u8();
    r.expect_end();
    CHECK(r.error() == DecodeError::trailing_bytes);
}

TEST_CASE("hex parsing rejects odd lengths and non-hex digits", "[bytes]") {
    Bytes out;
    CHECK(parse_hex("00ff10", out));
    CHECK(out == Bytes{0x00, 0xff, 0x10});
    CHECK(parse_hex("ABcd", out));
    CHECK(out == Bytes{0xab, 0xcd});
    CHECK_FALSE(parse_hex("abc", out));
    CHECK_FALSE(parse_hex("zz", out));
    CHECK(out == Bytes{0xab, 0xcd});  // untouched on failure
}
