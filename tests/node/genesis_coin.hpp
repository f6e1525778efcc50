// The coin every node test can spend at once: shared_genesis()'s coinbase
// output (regtest has no coinbase maturity), paid to genesis_key().
#pragma once

#include "node_harness.hpp"

namespace chainkit::test {

inline const TestKey& genesis_key() {
    static const TestKey k = TestKey::from_seed(1);  // the payee of shared_genesis()
    return k;
}

inline chain::OwnedCoin genesis_coin(const chain::Block& genesis) {
    chain::OwnedCoin c;
    c.outpoint = chain::OutPoint{genesis.txs[0].txid(), 0};
    c.coin.out = genesis.txs[0].outputs[0];
    c.coin.height = 0;
    c.coin.coinbase = true;
    return c;
}

}  // namespace chainkit::test
