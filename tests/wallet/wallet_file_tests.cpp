// The wallet file: round trips, encryption, and every way a file can be bad.
#include "chainkit/chain/block.hpp"
#include "chainkit/wallet/errors.hpp"
#include "chainkit/wallet/wallet_file.hpp"

#include <catch2/catch.hpp>
#include <sodium.h>

using namespace chainkit;
using wallet::WalletErrc;

namespace {

const auto REGTEST = chain::params_for(chain::Network::regtest);

wallet::WalletContents sample_contents(std::size_t n_keys) {
    wallet::WalletContents w;
    for (std::size_t i = 0; i < n_keys; ++i) w.keys.push_back(wallet::KeyPair::generate());
    chain::Transaction tx;
    chain::TxIn in;
    in.prevout.txid.bytes()[0] = 7;
    in.prevout.index = 1;
    in.pubkey = w.keys.front().public_key();
    tx.inputs.push_back(in);
    tx.outputs.push_back(chain::TxOut{5 * chain::COIN, w.keys.front().key_hash()});
    w.pending.push_back(tx);
    return w;
}

wallet::EncodeOptions encrypted(std::string_view pass) {
    return wallet::EncodeOptions{pass, wallet::KdfLimits::minimum()};
}

void check_same(const wallet::WalletContents& a, const wallet::WalletContents& b) {
    REQUIRE(a.keys.size() == b.keys.size());
    for (std::size_t i = 0; i < a.keys.size(); ++i) CHECK(a.keys[i].public_key() == b.keys[i].public_key());
    CHECK(a.pending == b.pending);
}

WalletErrc error_of(const Result<wallet::WalletContents>& r) {
    REQUIRE_FALSE(r.ok());
    CHECK_FALSE(r.error().message.empty());
    return static_cast<WalletErrc>(r.error().code.value());
}

// Rewrites the trailing checksum so that a deliberate edit passes it.
void reseal(chain::Bytes& file) {
    crypto_generichash(file.data() + file.size() - 32, 32, file.data(), file.size() - 32, nullptr, 0);
}

}  // namespace

TEST_CASE("an unencrypted wallet file round trips keys and pending transactions", "[wallet_file]") {
    const auto w = sample_contents(3);
    const auto file = wallet::encode_wallet_file(w, REGTEST, {});
    CHECK_FALSE(wallet::wallet_file_is_encrypted(file));
    auto back = wallet::decode_wallet_file(file, REGTEST, std::nullopt);
    REQUIRE(back.ok());
    check_same(w, *back);
    // An empty wallet is a valid wallet too.
    auto empty = wallet::decode_wallet_file(wallet::encode_wallet_file({}, REGTEST, {}), REGTEST, std::nullopt);
    REQUIRE(empty.ok());
    CHECK(empty->keys.empty());
}

TEST_CASE("an encrypted wallet file round trips and hides its seeds", "[wallet_file]") {
    const auto w = sample_contents(2);
    const auto file = wallet::encode_wallet_file(w, REGTEST, encrypted("correct horse"));
    CHECK(wallet::wallet_file_is_encrypted(file));
    std::array<std::uint8_t, wallet::SEED_SIZE> seed{};
    w.keys[0].export_seed(seed);
    CHECK(std::search(file.begin(), file.end(), seed.begin(), seed.end()) == file.end());
    const auto plain = wallet::encode_wallet_file(w, REGTEST, {});
    CHECK(std::search(plain.begin(), plain.end(), seed.begin(), seed.end()) != plain.end());

    auto back = wallet::decode_wallet_file(file, REGTEST, "correct horse");
    REQUIRE(back.ok());
    check_same(w, *back);
}

TEST_CASE("a wrong or missing passphrase is told apart from corruption", "[wallet_file]") {
    const auto file = wallet::encode_wallet_file(sample_contents(1), REGTEST, encrypted("right"));
    CHECK(error_of(wallet::decode_wallet_file(file, REGTEST, "wrong")) == WalletErrc::wrong_passphrase);
    CHECK(error_of(wallet::decode_wallet_file(file, REGTEST, std::nullopt)) == WalletErrc::passphrase_required);
    CHECK(error_of(wallet::decode_wallet_file(file, REGTEST, "")) == WalletErrc::passphrase_required);
}

TEST_CASE("every truncation of a wallet file is reported as corrupt", "[wallet_file]") {
    for (const bool enc : {false, true}) {
        const auto file =
            wallet::encode_wallet_file(sample_contents(2), REGTEST, enc ? encrypted("p") : wallet::EncodeOptions{});
        for (std::size_t len = 0; len < file.size(); ++len) {
            INFO("encrypted " << enc << " length " << len);
            const chain::ByteSpan cut(file.data(), len);
            CHECK(error_of(wallet::decode_wallet_file(cut, REGTEST, "p")) == WalletErrc::file_corrupt);
        }
    }
}

TEST_CASE("every single bit flip of a wallet file is reported as corrupt", "[wallet_file]") {
    for (const bool enc : {false, true}) {
        const auto file =
            wallet::encode_wallet_file(sample_contents(1), REGTEST, enc ? encrypted("p") : wallet::EncodeOptions{});
        for (std::size_t i = 0; i < file.size(); ++i) {
            auto bad = file;
            bad[i] ^= static_cast<std::uint8_t>(1u << (i % 8));
            INFO("encrypted " << enc << " byte " << i);
            // The checksum catches the flip before any decryption is tried,
            // so a flipped encrypted file is never mistaken for a wrong passphrase.
            CHECK(error_of(wallet::decode_wallet_file(bad, REGTEST, "p")) == WalletErrc::file_corrupt);
        }
    }
}

TEST_CASE("wallet file header checks: network, version, cipher, KDF bounds", "[wallet_file]") {
    const auto main = chain::params_for(chain::Network::main);
    const auto file = wallet::encode_wallet_file(sample_contents(1), REGTEST, encrypted("p"));
    CHECK(error_of(wallet::decode_wallet_file(file, main, "p")) == WalletErrc::file_wrong_network);

    auto newer = file;
    newer[8] = 2;  // format version (u32 LE at offset 8)
    reseal(newer);
    CHECK(error_of(wallet::decode_wallet_file(newer, REGTEST, "p")) == WalletErrc::file_unsupported);

    auto cipher = file;
    cipher[16] = 9;  // cipher id
    reseal(cipher);
    CHECK(error_of(wallet::decode_wallet_file(cipher, REGTEST, "p")) == WalletErrc::file_unsupported);

    auto greedy = file;
    for (std::size_t i = 0; i < 8; ++i) greedy[17 + 16 + 8 + i] = 0xff;  // memlimit: 2^64-1 bytes
    reseal(greedy);
    CHECK(error_of(wallet::decode_wallet_file(greedy, REGTEST, "p")) == WalletErrc::file_corrupt);

    auto magic = file;
    magic[0] = 'X';
    CHECK(error_of(wallet::decode_wallet_file(magic, REGTEST, "p")) == WalletErrc::file_corrupt);
}

TEST_CASE("a crafted body that passes the checksum is still refused cleanly", "[wallet_file]") {
    // Body = endianness byte, records version u32, key count u64, pending
    // count u64 (Cereal portable binary, little-endian).
    const auto empty = wallet::encode_wallet_file({}, REGTEST, {});
    auto many_keys = empty;
    many_keys[many_keys.size() - 32 - 16 + 3] = 0x3b;  // ~10^9 keys in a 21-byte body
    reseal(many_keys);
    CHECK(error_of(wallet::decode_wallet_file(many_keys, REGTEST, std::nullopt)) == WalletErrc::file_corrupt);
    auto file = empty;
    file[file.size() - 32 - 8] = 1;  // one pending transaction, but no bytes for it
    reseal(file);
    CHECK(error_of(wallet::decode_wallet_file(file, REGTEST, std::nullopt)) == WalletErrc::file_corrupt);
}
