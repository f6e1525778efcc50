// Test support: a UtxoView that counts the reads passing through it, so a
// test can bound how much store work an input (a peer's transaction) costs.
// Header-only; not thread-safe (one test thread).
#pragma once

#include "chainkit/chain/utxo.hpp"

#include <cstddef>
#include <optional>

namespace chainkit::test {

class CountingUtxoView final : public chain::UtxoView {
public:
    explicit CountingUtxoView(const chain::UtxoView& base) : m_base(base) {}

    [[nodiscard]] std::optional<chain::Coin> get_coin(const chain::OutPoint& o) const override {
        ++m_reads;
        return m_base.get_coin(o);
    }

    [[nodiscard]] std::size_t reads() const noexcept { return m_reads; }
    void reset() noexcept { m_reads = 0; }

private:
    const chain::UtxoView& m_base;
    mutable std::size_t m_reads = 0;
};

}  // namespace chainkit::test
