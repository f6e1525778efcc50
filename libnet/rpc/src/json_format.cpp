#include "json_format.hpp"

#include "chainkit/chain/base58.hpp"
#include "chainkit/chain/pow.hpp"
#include "chainkit/rpc/error.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

namespace chainkit::rpc::detail {
namespace {

// Version byte and key hash: the layout libwallet's addresses use
// (libwallet/src/address.cpp), read here without depending on libwallet.
constexpr std::size_t ADDRESS_PAYLOAD = 1 + chain::KeyHash::SIZE;
// Base58 of 25 bytes is at most 35 characters; refuse longer text before decoding.
constexpr std::size_t MAX_ADDRESS_CHARS = 40;

double to_double(const chain::Uint256& v) {
    std::array<std::uint8_t, 32> be{};
    v.to_be_bytes(be.data());
    double d = 0;
    for (const auto b : be) d = d * 256.0 + b;
    return d;
}

std::string bits_hex(std::uint32_t bits) {
    std::array<char, 9> buf{};
    std::snprintf(buf.data(), buf.size(), "%08x", bits);
    return buf.data();
}

[[noreturn]] void bad_address(const std::string& why) {
    throw RpcError(RpcCode::invalid_address_or_key, "Invalid address: " + why);
}

}  // namespace

std::string encode_address(const chain::KeyHash& h, const chain::ConsensusParams& p) {
    std::array<std::uint8_t, ADDRESS_PAYLOAD> payload{};
    payload[0] = p.address_version;
    std::copy(h.bytes.begin(), h.bytes.end(), payload.begin() + 1);
    return chain::base58check_encode(payload);
}

chain::KeyHash parse_address(std::string_view text, const chain::ConsensusParams& p) {
    if (text.empty()) bad_address("empty");
    if (text.size() > MAX_ADDRESS_CHARS) bad_address(std::to_string(text.size()) + " characters is too long");
    auto decoded = chain::base58check_decode(text, ADDRESS_PAYLOAD);
    if (!decoded) {
        if (decoded.error().code == chain::Base58Errc::bad_checksum) bad_address("checksum mismatch");
        bad_address(decoded.error().message);
    }
    if (decoded->size() != ADDRESS_PAYLOAD)
        bad_address("decodes to " + std::to_string(decoded->size()) + " bytes, an address has " +
                    std::to_string(ADDRESS_PAYLOAD));
    if ((*decoded)[0] != p.address_version)
        bad_address("version byte " + std::to_string((*decoded)[0]) + " is not the " + std::string(p.name) +
                    " network's " + std::to_string(p.address_version));
    chain::KeyHash h;
    std::copy(decoded->begin() + 1, decoded->end(), h.bytes.begin());
    return h;
}

double difficulty(std::uint32_t bits, const chain::ConsensusParams& p) {
    const auto target = chain::decode_compact(bits);
    if (!target || target->is_zero()) return 0;
    return to_double(p.pow_limit) / to_double(*target);
}

double hashes_per_block(std::uint32_t bits) {
    const auto target = chain::decode_compact(bits);
    if (!target) return 0;
    return std::ldexp(1.0, 256) / (to_double(*target) + 1.0);
}

Json header_json(const chain::BlockHeader& h, const BlockPlace& place, const chain::ConsensusParams& p) {
    Json j{{"hash", h.hash().hex()},
           {"confirmations", place.confirmations},
           {"height", place.height},
           {"version", h.version},
           {"merkleroot", h.merkle_root.hex()},
           {"time", h.time},
           {"nonce", h.nonce},
           {"bits", bits_hex(h.bits)},
           {"difficulty", difficulty(h.bits, p)}};
    if (!h.prev.is_zero()) j["previousblockhash"] = h.prev.hex();
    if (place.next) j["nextblockhash"] = place.next->hex();
    return j;
}

Json tx_json(const chain::Transaction& tx, const chain::ConsensusParams& p) {
    Json vin = Json::array();
    if (tx.is_coinbase()) {
        vin.push_back({{"coinbase", chain::to_hex(tx.inputs[0].pubkey)}, {"height", tx.coinbase_height()}});
    } else {
        for (const auto& in : tx.inputs)
            vin.push_back({{"txid", in.prevout.txid.hex()},
                           {"vout", in.prevout.index},
                           {"pubkey", chain::to_hex(in.pubkey)},
                           {"address", encode_address(chain::key_hash_of(in.pubkey), p)}});
    }
    Json vout = Json::array();
    for (std::size_t n = 0; n < tx.outputs.size(); ++n) {
        const auto& o = tx.outputs[n];
        vout.push_back(
            {{"n", n}, {"value", o.value}, {"keyhash", o.key_hash.hex()}, {"address", encode_address(o.key_hash, p)}});
    }
    return Json{{"txid", tx.txid().hex()},      {"version", tx.version}, {"size", tx.serialized_size()},
                {"coinbase", tx.is_coinbase()}, {"vin", std::move(vin)}, {"vout", std::move(vout)}};
}

Json block_json(const chain::Block& b, const BlockPlace& place, const chain::ConsensusParams& p) {
    Json j = header_json(b.header, place, p);
    j["size"] = b.serialized_size();
    j["ntx"] = b.txs.size();
    Json txs = Json::array();
    for (const auto& tx : b.txs) txs.push_back(tx_json(tx, p));
    j["tx"] = std::move(txs);
    return j;
}

}  // namespace chainkit::rpc::detail
