// The RocksDB store: reopening, refusing another network, read-only opens
// beside a running writer, the address index, records that fail to decode.
#include "../../libchain/store/src/db_impl.hpp"
#include "../../libchain/store/src/records.hpp"
#include "store_fixture.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace chainkit;
using namespace chainkit::test;

namespace {

chain::ConsensusParams regtest() {
    return chain::params_for(chain::Network::regtest);
}

// Creates a chain of `n` blocks in `dir`, each paying its coinbase to `key`.
chain::BlockHash make_chain(const std::filesystem::path& dir, int n, const TestKey& key) {
    const auto p = regtest();
    auto db = store::open(dir, p, store::OpenMode::read_write);
    REQUIRE(db.ok());
    chain::ChainState cs(p, **db);
    REQUIRE(cs.create(make_genesis(p, key.key_hash)).ok());
    for (int i = 0; i < n; ++i) {
        auto b = build_on(cs, p, cs.tip().hash, key.key_hash);
        REQUIRE(cs.accept_block(b, GENESIS_TIME + 1'000'000).ok());
    }
    return cs.tip().hash;
}

// Coins of many keys, spent and created batch by batch in a ChainDb, with
// the answers the address index must give.
struct AddressIndexModel {
    std::vector<chain::KeyHash> keys;
    std::map<chain::KeyHash, std::map<chain::OutPoint, chain::Coin>> coins;
    std::mt19937 rng{7};
    std::uint32_t next_tx = 0;

    AddressIndexModel() {
        for (std::uint8_t k = 0; k < 22; ++k) {
            std::array<std::uint8_t, chain::KeyHash::SIZE> b{};
            for (auto& x : b) x = static_cast<std::uint8_t>(rng());
            keys.emplace_back(b);
        }
        // Key hashes ending in 0xff bytes end their scan without an upper bound
        // (all 0xff) or with a carried one.
        std::array<std::uint8_t, chain::KeyHash::SIZE> all_ff{};
        all_ff.fill(0xff);
        keys.emplace_back(all_ff);
        auto carried = keys.front().bytes;
        carried.back() = 0xff;
        keys.emplace_back(carried);
    }

    // One batch: `adds` new coins to random keys, `spends` random coins erased
    // (half with the key-hash hint, half left for the store to look up).
    chain::StoreBatch batch(int adds, int spends) {
        chain::StoreBatch b;
        for (int i = 0; i < adds; ++i) {
            std::array<std::uint8_t, 32> id{};
            for (int j = 0; j < 4; ++j) id[static_cast<std::size_t>(j)] = static_cast<std::uint8_t>(next_tx >> (8 * j));
            id[31] = static_cast<std::uint8_t>(rng());  // txids are spread over the key space
            const chain::OutPoint o{chain::TxId(id), static_cast<std::uint32_t>(rng() % 3)};
            ++next_tx;
            const auto& key = keys[rng() % keys.size()];
            const chain::Coin c{chain::TxOut{static_cast<chain::Amount>(rng() % 1000 + 1), key}, next_tx, false};
            coins[key][o] = c;
            b.coins[o] = c;
        }
        for (int i = 0; i < spends; ++i) {
            auto& owned = coins[keys[rng() % keys.size()]];
            if (owned.empty()) continue;
            auto it = std::next(owned.begin(), static_cast<long>(rng() % owned.size()));
            if (b.coins.contains(it->first)) continue;  // created in this batch: not on disk yet
            b.coins[it->first] = std::nullopt;
            if (i % 2 == 0) b.erased_keys.emplace(it->first, it->second.out.key_hash);
            owned.erase(it);
        }
        return b;
    }

    void check(const store::ChainDb& db) const {
        for (const auto& key : keys) {
            auto got = db.coins_for(key);
            REQUIRE(got.ok());
            std::vector<chain::OwnedCoin> want;
            if (auto it = coins.find(key); it != coins.end())
                for (const auto& [o, c] : it->second) want.push_back({o, c});
            CHECK(*got == want);
        }
    }
};

}  // namespace

TEST_CASE("a reopened database loads the same chain and passes verify", "[store]") {
    ScratchDir dir{"chainkit_store"};
    const auto key = TestKey::from_seed(4);
    const auto tip = make_chain(dir.path(), 6, key);
    const auto p = regtest();
    auto db = store::open(dir.path(), p, store::OpenMode::read_write);
    REQUIRE(db.ok());
    chain::ChainState cs(p, **db);
    REQUIRE(cs.load().ok());
    CHECK(cs.tip().hash == tip);
    CHECK(cs.height() == 6);
    CHECK(indexed_balance(cs, key.key_hash) == 7 * chain::block_subsidy(0, p));
    auto report = cs.verify();
    REQUIRE(report.ok());
    CHECK(report->ok);
    CHECK(report->coins_checked == 7);
    SECTION("load_or_create refuses another genesis") {
        auto other = make_genesis(p, TestKey::from_seed(5).key_hash);
        chain::ChainState again(p, **db);
        auto r = again.load_or_create(other);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == chain::ChainError::wrong_genesis);
    }
}

TEST_CASE("a database of another network is refused with a clear message", "[store]") {
    ScratchDir dir{"chainkit_store"};
    make_chain(dir.path(), 1, TestKey::from_seed(4));
    const auto main = chain::params_for(chain::Network::main);
    for (auto mode : {store::OpenMode::read_write, store::OpenMode::read_only}) {
        auto db = store::open(dir.path(), main, mode);
        REQUIRE_FALSE(db.ok());
        CHECK(db.error().code == store::StoreError::wrong_network);
        CHECK(db.error().message.find("not main") != std::string::npos);
    }
    // The chain state refuses too, whatever store carries the foreign chain.
    chain::MemoryChainStore mem;
    chain::ChainState regtest_state(regtest(), mem);
    REQUIRE(regtest_state.create(make_genesis(regtest(), TestKey::from_seed(4).key_hash)).ok());
    chain::ChainState main_state(main, mem);
    auto r = main_state.load();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == chain::ChainError::wrong_network);
}

TEST_CASE("a database of another schema version is refused", "[store]") {
    ScratchDir dir{"chainkit_store"};
    make_chain(dir.path(), 1, TestKey::from_seed(4));
    const auto p = regtest();
    {
        auto db = store::open(dir.path(), p, store::OpenMode::read_write);
        REQUIRE(db.ok());
        auto meta = (*db)->read_meta();
        REQUIRE((meta.ok() && meta->has_value()));
        chain::StoreBatch b;
        b.meta = **meta;
        b.meta->schema_version = chain::CHAIN_SCHEMA_VERSION + 1;
        REQUIRE((*db)->write(b).ok());
    }
    auto db = store::open(dir.path(), p, store::OpenMode::read_write);
    REQUIRE_FALSE(db.ok());
    CHECK(db.error().code == store::StoreError::wrong_schema);
    CHECK(db.error().message.find("schema version") != std::string::npos);
}

TEST_CASE("a read-only open answers queries while a writer holds the database", "[store]") {
    ScratchDir dir{"chainkit_store"};
    const auto p = regtest();
    const auto key = TestKey::from_seed(6);
    auto writer_db = store::open(dir.path(), p, store::OpenMode::read_write);
    REQUIRE(writer_db.ok());
    chain::ChainState writer(p, **writer_db);
    REQUIRE(writer.create(make_genesis(p, key.key_hash)).ok());
    for (int i = 0; i < 3; ++i)
        REQUIRE(
            writer.accept_block(build_on(writer, p, writer.tip().hash, key.key_hash), GENESIS_TIME + 1'000'000).ok());

    auto reader_db = store::open(dir.path(), p, store::OpenMode::read_only);
    REQUIRE(reader_db.ok());
    CHECK_FALSE((*reader_db)->writable());
    chain::ChainState reader(p, **reader_db);
    REQUIRE(reader.load().ok());
    CHECK(reader.tip().hash == writer.tip().hash);
    CHECK(indexed_balance(reader, key.key_hash) == indexed_balance(writer, key.key_hash));
    auto w = (*reader_db)->write(chain::StoreBatch{});
    REQUIRE_FALSE(w.ok());
    CHECK(w.error().code == store::StoreError::read_only);
    CHECK_FALSE(reader.reindex().ok());
}

TEST_CASE("opening a missing database read-only fails with the path", "[store]") {
    ScratchDir dir{"chainkit_store"};
    auto db = store::open(dir.path() / "nothing", regtest(), store::OpenMode::read_only);
    REQUIRE_FALSE(db.ok());
    CHECK(db.error().code == store::StoreError::open_failed);
    CHECK(db.error().message.find("nothing") != std::string::npos);
}

TEST_CASE("the address index follows spends and reorgs", "[store]") {
    Node<RocksBackend> n;
    const auto key2 = TestKey::from_seed(2);
    auto b1 = n.build_on(n.genesis.hash());
    REQUIRE(n.state.accept_block(b1, n.now()).ok());
    const auto& out = b1.txs[0].outputs[0];
    chain::OwnedCoin coin{chain::OutPoint{b1.txs[0].txid(), 0}, chain::Coin{out, 1, true}};
    auto pay = make_spend({coin}, n.miner,
                          {chain::TxOut{300, key2.key_hash}, chain::TxOut{out.value - 400, n.miner.key_hash}});
    auto b2 = n.build_on(b1.hash(), {pay}, 100);
    REQUIRE(n.state.accept_block(b2, n.now()).ok());
    auto coins = n.state.coins_for(key2.key_hash);
    REQUIRE(coins.ok());
    REQUIRE(coins->size() == 1);
    CHECK(coins->front().coin.out.value == 300);
    CHECK(coins->front().outpoint == chain::OutPoint{pay.txid(), 0});
    // The spent coinbase left the miner's index.
    auto mine = n.state.coins_for(n.miner.key_hash);
    REQUIRE(mine.ok());
    CHECK(std::none_of(mine->begin(), mine->end(), [&](const auto& c) { return c.outpoint == coin.outpoint; }));
    // A heavier branch without the payment removes it from the index.
    auto c2 = n.build_on(b1.hash(), {}, 0, 9);
    auto c3 = n.child(c2, {}, 0, 9);
    REQUIRE(n.state.accept_block(c2, n.now()).ok());
    REQUIRE(n.state.accept_block(c3, n.now()).tip_changed);
    CHECK(n.state.coins_for(key2.key_hash)->empty());
}

TEST_CASE("records round-trip and corrupt records are refused", "[store]") {
    chain::Coin c{chain::TxOut{12345, TestKey::from_seed(1).key_hash}, 77, true};
    auto enc = store::records::encode_coin(c);
    CHECK(store::records::decode_coin(enc) == c);
    CHECK_FALSE(store::records::decode_coin(enc.substr(0, enc.size() - 1)).has_value());
    CHECK_FALSE(store::records::decode_coin(enc + "x").has_value());

    chain::BlockUndo u;
    u.spent.emplace_back(chain::OutPoint{chain::TxId{}, 5}, c);
    auto uenc = store::records::encode_undo(u);
    CHECK(store::records::decode_undo(uenc) == u);
    auto huge = uenc;
    huge[9] = '\x7f';  // high byte of the count: far more entries than the bytes hold
    CHECK_FALSE(store::records::decode_undo(huge).has_value());

    // A value outside the money range never reaches the consensus sums,
    // whether it comes from a coin or from an undo entry (restored on a
    // disconnect).
    for (const chain::Amount bad : {chain::Amount{-1}, chain::MAX_MONEY + 1}) {
        chain::Coin out_of_range = c;
        out_of_range.out.value = bad;
        CHECK_FALSE(store::records::decode_coin(store::records::encode_coin(out_of_range)).has_value());
        chain::BlockUndo bad_undo = u;
        bad_undo.spent.emplace_back(chain::OutPoint{chain::TxId{}, 6}, out_of_range);
        CHECK_FALSE(store::records::decode_undo(store::records::encode_undo(bad_undo)).has_value());
    }

    chain::ChainMeta m{chain::CHAIN_SCHEMA_VERSION, 0x01020304, chain::BlockHash{}, chain::BlockHash{}};
    CHECK(store::records::decode_meta(store::records::encode_meta(m)) == m);
    auto o = chain::OutPoint{chain::TxId{}, 0x01020304};
    CHECK(store::records::parse_outpoint_key(store::records::outpoint_key(o)) == o);
}

TEST_CASE("the address index answers right from memtables, flushed files and compacted levels", "[store]") {
    ScratchDir dir{"chainkit_store"};
    const auto p = regtest();
    store::OpenOptions tiny;
    tiny.write_buffer_bytes = 64 * 1024;  // a flush every few hundred changes: many runs in a small test
    AddressIndexModel model;
    {
        auto db = store::open(dir.path(), p, store::OpenMode::read_write, tiny);
        REQUIRE(db.ok());
        for (int round = 0; round < 40; ++round) {
            REQUIRE((*db)->write(model.batch(120, 90)).ok());
            if (round % 10 == 9) model.check(**db);
        }
        // The data reached table files (flushes), not only the memtable.
        const auto layout = (*db)->address_index_layout();
        CHECK(layout.rfind("memtable ", 0) == 0);
        CHECK(layout.find(" files") != std::string::npos);
    }
    SECTION("after reopening read-write with the default options") {
        auto db = store::open(dir.path(), p, store::OpenMode::read_write);
        REQUIRE(db.ok());
        model.check(**db);
        REQUIRE((*db)->write(model.batch(50, 200)).ok());
        model.check(**db);
    }
    SECTION("after reopening read-only") {
        auto db = store::open(dir.path(), p, store::OpenMode::read_only, tiny);
        REQUIRE(db.ok());
        model.check(**db);
    }
}

TEST_CASE("an undecodable coin record is a storage error, never a failed block", "[store][attack]") {
    ScratchDir dir{"chainkit_corrupt_coin"};
    const auto p = regtest();
    const auto key = TestKey::from_seed(1);
    const auto genesis = make_genesis(p, key.key_hash);
    const chain::OutPoint coin_at{genesis.txs[0].txid(), 0};
    {
        auto db = store::open(dir.path(), p, store::OpenMode::read_write);
        REQUIRE(db.ok());
        chain::ChainState cs(p, **db);
        REQUIRE(cs.create(genesis).ok());
    }
    {
        // Damage the genesis coin's record behind the store's back.
        std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
        for (const char* name : store::CF_NAMES) cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
        std::vector<rocksdb::ColumnFamilyHandle*> handles;
        rocksdb::DB* raw = nullptr;
        REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), dir.path().string(), cfs, &handles, &raw).ok());
        CHECK(raw->Put(rocksdb::WriteOptions(), handles[store::UTXO], store::records::outpoint_key(coin_at), "junk")
                  .ok());
        for (auto* h : handles) CHECK(raw->DestroyColumnFamilyHandle(h).ok());
        delete raw;
    }
    auto db = store::open(dir.path(), p, store::OpenMode::read_write);
    REQUIRE(db.ok());
    chain::ChainState cs(p, **db);
    REQUIRE(cs.load().ok());
    const chain::OwnedCoin owned{coin_at, chain::Coin{genesis.txs[0].outputs[0], 0, true}};
    const auto spend = make_spend({owned}, key, {chain::TxOut{owned.coin.out.value - 100, key.key_hash}});
    const auto b1 = build_on(cs, p, genesis.hash(), key.key_hash, {spend}, 100);

    const auto r = cs.accept_block(b1, GENESIS_TIME + 1'000'000);
    CHECK(r.validation.reason == chain::RejectReason::storage_failure);
    CHECK_FALSE(chain::is_failed(*cs.status(b1.hash())));
    const auto err = (*db)->read_error();
    REQUIRE(err.has_value());
    CHECK(err->code == store::StoreError::corrupt_record);
    CHECK(cs.tip().hash == genesis.hash());
    // A restart retries the stored block: the record is still unreadable,
    // so load() stops with a storage error naming it, and still no verdict.
    (*db)->clear_read_error();
    chain::ChainState again(p, **db);
    const auto loaded = again.load();
    REQUIRE_FALSE(loaded.ok());
    CHECK(loaded.error().code == chain::ChainError::storage);
    CHECK(loaded.error().message.find("does not decode") != std::string::npos);
    CHECK_FALSE(chain::is_failed(*again.status(b1.hash())));
}
