#include "chainkit/chain/params.hpp"

#include "chainkit/chain/pow.hpp"

namespace chainkit::chain {
namespace {

ConsensusParams main_params() {
    ConsensusParams p;
    p.network = Network::main;
    p.name = "main";
    p.chain_magic = 0x636b6d6e;     // "ckmn"
    p.pow_limit_bits = 0x1f00ffff;  // ~65,536 hashes per block at the easiest
    p.pow_limit = *decode_compact(p.pow_limit_bits);
    p.target_spacing = 30;
    p.retarget_window = 60;
    p.retarget_clamp = 4;
    p.initial_subsidy = 10 * COIN;
    p.halving_interval = 210'000;
    p.coinbase_maturity = 100;
    p.max_block_size = 1'000'000;
    p.max_future_drift = 2 * 60 * 60;
    p.mtp_window = 11;
    p.min_fee_rate = 10;
    p.address_version = 0x1c;  // addresses start with 'C'
    p.default_port = 3000;
    return p;
}

ConsensusParams regtest_params() {
    ConsensusParams p = main_params();
    p.network = Network::regtest;
    p.name = "regtest";
    p.chain_magic = 0x636b7274;     // "ckrt"
    p.pow_limit_bits = 0x207fffff;  // every other hash meets it
    p.pow_limit = *decode_compact(p.pow_limit_bits);
    p.no_retargeting = true;
    p.halving_interval = 150;
    p.coinbase_maturity = 0;  // the original scenario spends a fresh coinbase
    p.min_fee_rate = 0;
    p.address_version = 0x00;  // addresses start with '1', as in the original
    return p;
}

}  // namespace

ConsensusParams params_for(Network n) {
    return n == Network::main ? main_params() : regtest_params();
}

std::optional<Network> parse_network(std::string_view name) {
    if (name == "main") return Network::main;
    if (name == "regtest") return Network::regtest;
    return std::nullopt;
}

Amount block_subsidy(std::uint64_t height, const ConsensusParams& p) {
    const std::uint64_t halvings = p.halving_interval == 0 ? 0 : height / p.halving_interval;
    if (halvings >= 63) return 0;
    return p.initial_subsidy >> halvings;
}

}  // namespace chainkit::chain
