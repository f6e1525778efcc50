// Compact block reconstruction (libnet/node/src/compact_block.cpp): short
// ids, the block rebuilt from a pool, what is missing, ambiguity and the
// merkle check that turns a collision into "fetch the whole block".
#include "chainkit/chain/merkle.hpp"
#include "chainkit/chain/sha256.hpp"

#include "compact_block.hpp"

#include <catch2/catch.hpp>
#include <sodium.h>

using namespace chainkit;
using namespace chainkit::node;
using namespace chainkit::node::detail;

namespace {

// Distinct decodable transactions (the codec and the merkle root are all
// reconstruction looks at); position 0 stands for the coinbase.
chain::Transaction tx_n(std::uint32_t n) {
    chain::Transaction tx;
    tx.version = n;
    tx.outputs.push_back(chain::TxOut{static_cast<chain::Amount>(n), {}});
    return tx;
}

chain::Block block_of(std::size_t n_txs) {
    chain::Block b;
    b.header.time = 1'700'000'000;
    b.header.nonce = 42;
    for (std::uint32_t i = 0; i < n_txs; ++i) b.txs.push_back(tx_n(1000 + i));
    b.header.merkle_root = chain::block_merkle_root(b);
    return b;
}

// The pool as the node hands it over: each transaction with its hashes.
std::vector<Candidate> ptrs(const std::vector<chain::Transaction>& v) {
    std::vector<Candidate> out;
    for (const auto& t : v) out.push_back({&t, t.txid(), t.wtxid()});
    return out;
}

// The rebuilt block must be `b`, with `b`'s txids and wtxids in order
// (prefilled, pool and blocktxn positions alike).
void check_rebuilt(const std::optional<RebuiltBlock>& r, const chain::Block& b) {
    REQUIRE(r);
    CHECK(r->block == b);
    REQUIRE(r->hashes.wtxids.size() == b.txs.size());
    REQUIRE(r->hashes.txids.size() == b.txs.size());
    for (std::size_t i = 0; i < b.txs.size(); ++i) {
        CHECK(r->hashes.wtxids[i] == b.txs[i].wtxid());
        CHECK(r->hashes.txids[i] == b.txs[i].txid());
    }
}

}  // namespace

TEST_CASE("short ids are SipHash-2-4 of the wtxid under SHA-256(header || nonce), 48 bits", "[node][cmpct]") {
    const auto b = block_of(3);
    const auto key = short_id_key(b.header, 7);
    const auto hb = b.header.encode();
    chain::Bytes in(hb.begin(), hb.end());
    for (int i = 0; i < 8; ++i) in.push_back(i == 0 ? 7 : 0);
    const auto digest = chain::sha256(in);
    CHECK(std::equal(key.begin(), key.end(), digest.span().begin()));
    const auto w = b.txs[1].wtxid();
    std::array<std::uint8_t, 8> full{};
    crypto_shorthash_siphash24(full.data(), w.span().data(), w.span().size(), key.data());
    std::uint64_t expect = 0;
    for (int i = 0; i < 6; ++i) expect |= static_cast<std::uint64_t>(full[i]) << (8 * i);
    CHECK(short_id(key, w) == expect);
    CHECK(short_id(key, w) >> 48 == 0);
    CHECK(short_id(short_id_key(b.header, 8), w) != short_id(key, w));  // the nonce salts it
}

TEST_CASE("make_compact with the block's wtxids gives the message it hashes itself", "[node][cmpct]") {
    const auto b = block_of(6);
    std::vector<chain::WtxId> w;
    for (const auto& tx : b.txs) w.push_back(tx.wtxid());
    CHECK(make_compact(b, 5, w) == make_compact(b, 5));
    CHECK(make_compact(b, 5, std::span(w).first(2)) == make_compact(b, 5));  // another length: hashed again
}

TEST_CASE("a block whose transactions are all in the pool is rebuilt with nothing missing", "[node][cmpct]") {
    const auto b = block_of(6);
    const auto m = make_compact(b, 99);
    REQUIRE(m.prefilled.size() == 1);
    CHECK(m.prefilled[0].index == 0);  // the coinbase
    CHECK(m.short_ids.size() == 5);
    // The pool: the block's transactions in another order, plus strangers.
    std::vector<chain::Transaction> pool{b.txs[4], tx_n(1), b.txs[2], b.txs[1], tx_n(2), b.txs[5], b.txs[3]};
    PartialBlock p(m, ptrs(pool));
    CHECK(p.complete());
    CHECK(p.from_pool() == 5);
    check_rebuilt(p.take_block(), b);
    CHECK_FALSE(p.take_block());  // spent
}

TEST_CASE("transactions the pool lacks are listed by position and filled by blocktxn", "[node][cmpct]") {
    const auto b = block_of(6);
    const auto m = make_compact(b, 1);
    std::vector<chain::Transaction> pool{b.txs[1], b.txs[2], b.txs[4]};
    PartialBlock p(m, ptrs(pool));
    CHECK_FALSE(p.complete());
    CHECK(p.missing() == std::vector<std::uint32_t>{3, 5});
    CHECK_FALSE(p.take_block());
    CHECK_FALSE(p.fill({b.txs[3]}));  // wrong count: nothing changes
    CHECK(p.missing().size() == 2);
    REQUIRE(p.fill({b.txs[3], b.txs[5]}));
    check_rebuilt(p.take_block(), b);
}

TEST_CASE("wrong transactions (a collision, or a peer's wrong blocktxn) fail the merkle check", "[node][cmpct]") {
    const auto b = block_of(4);
    auto m = make_compact(b, 1);
    SECTION("a pool transaction that takes another's short id") {
        // Force the collision: position 2's short id is that of a stranger.
        const auto stranger = tx_n(7);
        m.short_ids[1] = short_id(short_id_key(m.header, m.nonce), stranger.wtxid());
        std::vector<chain::Transaction> pool{b.txs[1], stranger, b.txs[3]};
        PartialBlock p(m, ptrs(pool));
        CHECK(p.complete());
        CHECK_FALSE(p.take_block());
    }
    SECTION("a blocktxn carrying other transactions") {
        PartialBlock p(m, {});
        CHECK(p.missing() == std::vector<std::uint32_t>{1, 2, 3});
        REQUIRE(p.fill({b.txs[1], tx_n(8), b.txs[3]}));
        CHECK_FALSE(p.take_block());
    }
}

TEST_CASE("an ambiguous short id counts as missing", "[node][cmpct]") {
    const auto b = block_of(4);
    auto m = make_compact(b, 1);
    SECTION("two pool transactions with one short id") {
        const auto twin = tx_n(9);
        const auto sid = short_id(short_id_key(m.header, m.nonce), twin.wtxid());
        m.short_ids[0] = sid;  // position 1 now names the twin's id; b.txs[1] is the pool's other holder
        std::vector<chain::Transaction> pool{twin, twin, b.txs[2], b.txs[3]};
        PartialBlock p(m, ptrs(pool));
        CHECK(p.missing() == std::vector<std::uint32_t>{1});
    }
    SECTION("one short id at two positions") {
        m.short_ids[2] = m.short_ids[1];
        std::vector<chain::Transaction> pool{b.txs[1], b.txs[2], b.txs[3]};
        PartialBlock p(m, ptrs(pool));
        CHECK(p.missing() == std::vector<std::uint32_t>{2, 3});
        REQUIRE(p.fill({b.txs[2], b.txs[3]}));
        check_rebuilt(p.take_block(), b);
    }
}
