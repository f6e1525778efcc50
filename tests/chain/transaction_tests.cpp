// Encoding of transactions and blocks against the independent Python
// reference (tests/vectors/gen_vectors.py), and decoder robustness.
#include "chainkit/chain/block.hpp"
#include "chainkit/chain/merkle.hpp"

#include "support/vectors.hpp"

#include <catch2/catch.hpp>

using namespace chainkit::chain;

namespace {
Bytes from_hex(const std::string& s) {
    Bytes b;
    REQUIRE(parse_hex(s, b));
    return b;
}
KeyHash pattern_key_hash(int seed) {
    KeyHash k;
    for (std::size_t i = 0; i < k.bytes.size(); ++i) k.bytes[i] = static_cast<std::uint8_t>((seed + 7 * i) % 256);
    return k;
}
}  // namespace

TEST_CASE("transactions decode from, and re-encode to, the reference bytes", "[tx]") {
    const auto v = chainkit::test::load_vectors("encoding.json");
    for (const char* name : {"coinbase_tx", "spend_tx"}) {
        const auto bytes = from_hex(v[name]["hex"]);
        Transaction tx;
        DecodeError err{};
        REQUIRE(decode(bytes, tx, &err));
        CHECK(encode(tx) == bytes);
        CHECK(tx.serialized_size() == bytes.size());
        CHECK(tx.txid().hex() == v[name]["txid"].get<std::string>());
        CHECK(tx.wtxid().hex() == v[name]["wtxid"].get<std::string>());
    }
}

TEST_CASE("the txid leaves signatures out", "[tx]") {
    const auto v = chainkit::test::load_vectors("encoding.json");
    Transaction tx;
    REQUIRE(decode(from_hex(v["spend_tx"]["hex"]), tx));
    const auto before = tx.txid();
    const auto whole = tx.wtxid();
    tx.inputs[0].signature[5] ^= 1;
    CHECK(tx.txid() == before);
    CHECK(tx.wtxid() != whole);  // the merkle leaf commits to the signature
    tx.inputs[0].pubkey[5] ^= 1;
    CHECK(tx.txid() != before);
}

TEST_CASE("the signature hash matches the reference and commits to spent outputs", "[tx]") {
    const auto v = chainkit::test::load_vectors("encoding.json")["spend_tx"];
    Transaction tx;
    REQUIRE(decode(from_hex(v["hex"]), tx));
    std::vector<SpentOutput> spent;
    for (const auto& s : v["spent"]) spent.push_back({s["value"].get<Amount>(), pattern_key_hash(s["key_hash_seed"])});
    const auto input = v["sighash_input"].get<std::uint32_t>();
    CHECK(signature_hash(tx, input, spent).hex() == v["sighash"].get<std::string>());
    auto other = spent;
    other[0].value += 1;  // a lie about an input the signer does not sign
    CHECK(signature_hash(tx, input, other) != signature_hash(tx, input, spent));
    CHECK(signature_hash(tx, 0, spent) != signature_hash(tx, input, spent));
}

TEST_CASE("a block and its header match the reference bytes and hash", "[block]") {
    const auto v = chainkit::test::load_vectors("encoding.json")["block"];
    const auto bytes = from_hex(v["hex"]);
    Block b;
    REQUIRE(decode(bytes, b));
    CHECK(encode(b) == bytes);
    CHECK(b.serialized_size() == bytes.size());
    const auto header = b.header.encode();
    CHECK(to_hex(header) == v["header_hex"].get<std::string>());
    CHECK(header.size() == 88);
    CHECK(b.hash().hex() == v["hash"].get<std::string>());
    CHECK(block_merkle_root(b).hex() == v["merkle_root"].get<std::string>());
    CHECK(b.header.nonce == 0x0123456789abcdefULL);
    CHECK(b.header.time == 1'700'000'000);
}

TEST_CASE("every truncation of a valid block fails cleanly", "[block]") {
    const auto bytes = from_hex(chainkit::test::load_vectors("encoding.json")["block"]["hex"]);
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        Block b;
        DecodeError err{};
        CHECK_FALSE(decode(ByteSpan(bytes.data(), n), b, &err));
        CHECK(err == DecodeError::truncated);
    }
    Bytes longer = bytes;
    longer.push_back(0);
    Block b;
    DecodeError err{};
    CHECK_FALSE(decode(longer, b, &err));
    CHECK(err == DecodeError::trailing_bytes);
}

TEST_CASE("hostile counts are refused before allocating", "[tx]") {
    // version, then 2^32-1 inputs claimed in a 10-byte message.
    const Bytes in{1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0xff, 0};
    Transaction tx;
    DecodeError err{};
    CHECK_FALSE(decode(in, tx, &err));
    CHECK(err == DecodeError::size_too_large);
    // A count under the cap but beyond the bytes present.
    const Bytes in2{1, 0, 0, 0, 0xfd, 0x10, 0x27, 0};
    CHECK_FALSE(decode(in2, tx, &err));
    CHECK(err == DecodeError::truncated);
    // The bound a block decoder puts on its transaction count.
    CHECK(encode(Transaction{}).size() == TX_MIN_SIZE);
}

TEST_CASE("coinbase height and null outpoint", "[tx]") {
    const auto cb = make_coinbase(123456, 10 * COIN, KeyHash{});
    CHECK(cb.is_coinbase());
    CHECK(cb.coinbase_height() == 123456);
    CHECK(make_coinbase(1, COIN, KeyHash{}).txid() != make_coinbase(2, COIN, KeyHash{}).txid());
    CHECK(make_coinbase(1, COIN, KeyHash{}, 1).txid() != make_coinbase(1, COIN, KeyHash{}, 2).txid());
}

TEST_CASE("SignatureHasher gives every input's hash from one pass over the transaction", "[tx]") {
    const auto v = chainkit::test::load_vectors("encoding.json")["spend_tx"];
    Transaction tx;
    REQUIRE(decode(from_hex(v["hex"]), tx));
    const std::vector<SpentOutput> spent{{4 * COIN, pattern_key_hash(11)}, {6 * COIN, pattern_key_hash(12)}};
    const SignatureHasher by_tx(tx, spent), by_txid(tx.txid(), spent);
    for (std::uint32_t i = 0; i < 2; ++i) {
        CHECK(by_tx.hash(i) == signature_hash(tx, i, spent));
        CHECK(by_txid.hash(i) == by_tx.hash(i));
    }
    CHECK(by_tx.hash(1).hex() == v["sighash"].get<std::string>());
}
