// Wallet: load/save through the file, pending spends, never touching a file
// it could not read.
#include "chainkit/util/file_io.hpp"
#include "chainkit/wallet/address.hpp"
#include "chainkit/wallet/errors.hpp"
#include "chainkit/wallet/wallet.hpp"

#include "support/scratch_dir.hpp"

#include <catch2/catch.hpp>

using namespace chainkit;
using wallet::WalletErrc;

namespace {
const auto REGTEST = chain::params_for(chain::Network::regtest);
const wallet::EncodeOptions FAST_ENCRYPTED{"pw", wallet::KdfLimits::minimum()};
}  // namespace

TEST_CASE("a saved wallet loads with the same addresses", "[wallet]") {
    test::ScratchDir dir("wallet");
    const auto path = dir / "wallet_1.dat";
    for (const auto& options : {wallet::EncodeOptions{}, FAST_ENCRYPTED}) {
        wallet::Wallet w(REGTEST);
        const auto first = w.new_key().key_hash();
        w.new_key();
        REQUIRE(w.find(first) == &w.keys()[0]);
        REQUIRE(w.save(path, options).ok());
        auto back = wallet::Wallet::load(path, REGTEST, options.passphrase);
        REQUIRE(back.ok());
        CHECK(back->addresses() == w.addresses());
        CHECK(back->addresses()[0] == wallet::encode_address(first, REGTEST));
    }
}

TEST_CASE("a wallet that fails to load is left byte for byte as it was", "[wallet]") {
    test::ScratchDir dir("wallet");
    const auto path = dir / "wallet_1.dat";
    wallet::Wallet w(REGTEST);
    w.new_key();
    REQUIRE(w.save(path, FAST_ENCRYPTED).ok());
    auto before = util::read_whole_file(path, 1 << 20);
    REQUIRE(before.ok());

    auto wrong = wallet::Wallet::load(path, REGTEST, "nope");
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().code == WalletErrc::wrong_passphrase);

    auto corrupt = *before;
    corrupt[corrupt.size() / 2] ^= 0x10;
    REQUIRE(util::write_file_atomic(path, corrupt).ok());
    auto bad = wallet::Wallet::load(path, REGTEST, "pw");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == WalletErrc::file_corrupt);

    auto missing = wallet::Wallet::load(dir / "other.dat", REGTEST, std::nullopt);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == WalletErrc::file_not_found);
}

TEST_CASE("pending transactions hide their inputs until pruned", "[wallet]") {
    wallet::Wallet w(REGTEST);
    const auto& k = w.new_key();
    chain::OutPoint spent_a, spent_b;
    spent_a.txid.bytes()[0] = 1;
    spent_a.index = 0;
    spent_b.txid.bytes()[0] = 2;
    spent_b.index = 3;
    chain::Transaction tx;
    for (const auto& o : {spent_a, spent_b}) {
        chain::TxIn in;
        in.prevout = o;
        tx.inputs.push_back(in);
    }
    tx.outputs.push_back(chain::TxOut{1, k.key_hash()});
    w.add_pending(tx);
    CHECK(w.pending_spends() == std::set<chain::OutPoint>{spent_a, spent_b});

    chain::MemoryUtxoSet utxo;
    const chain::Coin coin{chain::TxOut{5, k.key_hash()}, 1, false};
    utxo.add(spent_a, coin);
    utxo.add(spent_b, coin);
    CHECK(w.prune_pending(utxo) == 0);  // both inputs still unspent: still pending
    CHECK(w.pending().size() == 1);

    chain::MemoryUtxoSet after_block;  // a block spent spent_b: confirmed or conflicted
    after_block.add(spent_a, coin);
    CHECK(w.prune_pending(after_block) == 1);
    CHECK(w.pending().empty());
    CHECK(w.pending_spends().empty());
}

TEST_CASE("a wallet beyond what load() accepts is not saved and the old file stays", "[wallet]") {
    test::ScratchDir dir("wallet");
    const auto path = dir / "wallet_1.dat";
    wallet::Wallet w(REGTEST);
    w.new_key();
    REQUIRE(w.save(path, {}).ok());
    auto before = util::read_whole_file(path, 1 << 20);
    REQUIRE(before.ok());

    for (std::size_t i = 0; i < wallet::WALLET_MAX_PENDING; ++i) w.add_pending(chain::Transaction{});
    REQUIRE(w.save(dir / "at_limit.dat", {}).ok());  // the limit itself is still a valid file
    w.add_pending(chain::Transaction{});
    auto saved = w.save(path, {});
    REQUIRE_FALSE(saved.ok());
    CHECK(saved.error().code == WalletErrc::wallet_too_large);
    auto after = util::read_whole_file(path, 1 << 20);
    REQUIRE(after.ok());
    CHECK(*after == *before);
    CHECK(wallet::Wallet::load(path, REGTEST, std::nullopt).ok());
}

// Each key used to be its own sodium_malloc mapping (guard pages): some
// tens of thousands of keys exhausted Linux's default vm.max_map_count
// (65530) and std::bad_alloc escaped, far below WALLET_MAX_KEYS. The largest
// wallet the limit allows must be created, saved and loaded back.
TEST_CASE("a wallet of WALLET_MAX_KEYS keys is created, saved and loaded", "[wallet][limits]") {
    test::ScratchDir dir("wallet");
    const auto path = dir / "wallet_1.dat";
    wallet::Wallet w(REGTEST);
    for (std::size_t i = 0; i < wallet::WALLET_MAX_KEYS; ++i) w.new_key();
    REQUIRE(w.save(path, {}).ok());
    auto back = wallet::Wallet::load(path, REGTEST, std::nullopt);
    REQUIRE(back.ok());
    REQUIRE(back->keys().size() == wallet::WALLET_MAX_KEYS);
    CHECK(back->keys().front().key_hash() == w.keys().front().key_hash());
    CHECK(back->keys().back().key_hash() == w.keys().back().key_hash());
    const auto msg = chain::Hash256{};
    CHECK(back->keys().back().sign(msg) == w.keys().back().sign(msg));
    REQUIRE(back->save(path, {}).ok());  // and it saves again
}
