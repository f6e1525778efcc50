// The whole wallet file, plain and encrypted. The input is the file without
// its 32-byte BLAKE2b checksum, which the harness appends: otherwise nearly
// every input would stop at "checksum mismatch". The file chooses its own
// Argon2id cost within libsodium's [min, sensitive] range; the harness pins
// an in-range cost to the minimum so one execution stays under a
// millisecond (the range check itself still sees every out-of-range value).
// Round trip: a plain file re-encodes to the same bytes; an encrypted one
// (fresh salt and nonce each time) re-encrypts to a file that decodes to the
// same contents.
#include "chainkit/chain/params.hpp"

#include "fuzz_util.hpp"
#include "wallet_seeds.hpp"

#include <sodium.h>

#include <cstring>

namespace chainkit::fuzz {
namespace {

constexpr std::string_view PASSPHRASE = "fuzz";
constexpr std::size_t CHECKSUM_SIZE = 32;
constexpr std::size_t CIPHER_OFFSET = 8 + 4 + 4;            // magic, version, network magic
constexpr std::size_t OPS_OFFSET = CIPHER_OFFSET + 1 + 16;  // after the salt
constexpr std::size_t MEM_OFFSET = OPS_OFFSET + 8;

const chain::ConsensusParams& params() {
    static const auto p = chain::params_for(chain::Network::regtest);
    return p;
}

std::uint64_t get_u64(const Bytes& b, std::size_t at) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i) v |= std::uint64_t{b[at + i]} << (8 * i);
    return v;
}
void put_u64(Bytes& b, std::size_t at, std::uint64_t v) {
    for (std::size_t i = 0; i < 8; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

void pin_kdf_cost(Bytes& file) {
    if (file.size() < MEM_OFFSET + 8 || file[CIPHER_OFFSET] != 1) return;
    const auto ops = get_u64(file, OPS_OFFSET), mem = get_u64(file, MEM_OFFSET);
    if (ops >= crypto_pwhash_OPSLIMIT_MIN && ops <= crypto_pwhash_OPSLIMIT_SENSITIVE)
        put_u64(file, OPS_OFFSET, crypto_pwhash_OPSLIMIT_MIN);
    if (mem >= crypto_pwhash_MEMLIMIT_MIN && mem <= crypto_pwhash_MEMLIMIT_SENSITIVE)
        put_u64(file, MEM_OFFSET, crypto_pwhash_MEMLIMIT_MIN);
}

Bytes without_checksum(Bytes file) {
    file.resize(file.size() - CHECKSUM_SIZE);
    return file;
}

}  // namespace

std::vector<Bytes> fuzz_seeds() {
    wallet::EncodeOptions plain;
    wallet::EncodeOptions encrypted{PASSPHRASE, wallet::KdfLimits::minimum()};
    return {without_checksum(wallet::encode_wallet_file(seed_wallet(0, 0), params(), plain)),
            without_checksum(wallet::encode_wallet_file(seed_wallet(2, 1), params(), plain)),
            without_checksum(wallet::encode_wallet_file(seed_wallet(1, 0), params(), encrypted)),
            without_checksum(wallet::encode_wallet_file(seed_wallet(2, 2), params(), encrypted))};
}

}  // namespace chainkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace chainkit;
    fuzz::Bytes file(data, data + size);
    fuzz::pin_kdf_cost(file);
    std::array<std::uint8_t, fuzz::CHECKSUM_SIZE> sum{};
    crypto_generichash(sum.data(), sum.size(), file.data(), file.size(), nullptr, 0);
    file.insert(file.end(), sum.begin(), sum.end());

    const bool encrypted = wallet::wallet_file_is_encrypted(file);
    auto w = wallet::decode_wallet_file(file, fuzz::params(), fuzz::PASSPHRASE);
    if (!w) return 0;
    if (!encrypted) {
        const auto again = wallet::encode_wallet_file(*w, fuzz::params(), {});
        FUZZ_CHECK(again == file);
        return 0;
    }
    const wallet::EncodeOptions opts{fuzz::PASSPHRASE, wallet::KdfLimits::minimum()};
    const auto again = wallet::encode_wallet_file(*w, fuzz::params(), opts);
    auto back = wallet::decode_wallet_file(again, fuzz::params(), fuzz::PASSPHRASE);
    FUZZ_CHECK(back && fuzz::same_contents(*w, *back));
    return 0;
}
