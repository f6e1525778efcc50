// Proves the installed package works: mines a regtest block on top of a
// coinbase-only genesis and checks it with the library's own rules.
#include <chainkit/chain/block.hpp>
#include <chainkit/chain/merkle.hpp>
#include <chainkit/chain/params.hpp>
#include <chainkit/chain/pow.hpp>
#include <chainkit/chain/validation.hpp>
#include <cstdio>

int main() {
    using namespace chainkit::chain;
    const auto p = params_for(Network::regtest);
    Block b;
    b.header.bits = p.pow_limit_bits;
    b.header.time = 1'700'000'000;
    b.txs.push_back(make_coinbase(0, block_subsidy(0, p), KeyHash{}));
    b.header.merkle_root = block_merkle_root(b);
    while (!check_proof_of_work(b.hash(), b.header.bits, p.pow_limit)) ++b.header.nonce;
    const auto r = check_block(b, p);
    if (!r) {
        std::fprintf(stderr, "consumer: block rejected: %s\n", r.message.c_str());
        return 1;
    }
    std::printf("consumer: mined block %s with nonce %llu using installed chainkit\n", b.hash().hex().c_str(),
                static_cast<unsigned long long>(b.header.nonce));
    return 0;
}
