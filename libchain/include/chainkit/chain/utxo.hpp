// The unspent-output set as consensus sees it: a read interface, an
// in-memory set, and a write-back cache that collects one block's (or one
// reorg's) changes so storage can commit them in a single atomic batch.
// None of these types is thread-safe; each is owned by one thread at a time.
#pragma once

#include "chainkit/chain/result.hpp"
#include "chainkit/chain/transaction.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

namespace chainkit::chain {

struct Coin {
    TxOut out;
    std::uint64_t height = 0;  // height of the block that created it
    bool coinbase = false;

    friend bool operator==(const Coin&, const Coin&) = default;
};

class UtxoView {
public:
    virtual ~UtxoView() = default;
    // nullopt: no such unspent output, or the read failed (see read_error).
    [[nodiscard]] virtual std::optional<Coin> get_coin(const OutPoint& o) const = 0;
    // The first read that failed (I/O error, undecodable record) since the
    // last clear_read_error(). get_coin cannot carry an error, so a view over
    // storage records it here; whoever turns an absent coin into a verdict
    // (ChainState before marking a block failed) checks it first and reports
    // a storage error instead. Sticky: a storage fault stops the chain state
    // until the caller clears it (after a restart or a repair). Views in
    // memory never fail.
    [[nodiscard]] virtual std::optional<Error> read_error() const { return std::nullopt; }
    virtual void clear_read_error() const {}
};

// Outputs a block spent, in the order it spent them, so it can be undone.
struct BlockUndo {
    std::vector<std::pair<OutPoint, Coin>> spent;
    friend bool operator==(const BlockUndo&, const BlockUndo&) = default;
};

// Changes layered over a base view. nullopt in changes() means "spent".
// Reads of the base are remembered for the cache's lifetime.
class UtxoCache final : public UtxoView {
public:
    using Changes = std::unordered_map<OutPoint, std::optional<Coin>, OutPointHasher>;

    explicit UtxoCache(const UtxoView& base) : m_base(&base) {}

    [[nodiscard]] std::optional<Coin> get_coin(const OutPoint& o) const override;
    [[nodiscard]] std::optional<Error> read_error() const override { return m_base->read_error(); }
    void clear_read_error() const override { m_base->clear_read_error(); }
    void add_coin(const OutPoint& o, const Coin& c) { m_changes[o] = c; }
    // Removes the coin; returns it, or nullopt if there was none.
    std::optional<Coin> spend_coin(const OutPoint& o);

    [[nodiscard]] const Changes& changes() const noexcept { return m_changes; }
    [[nodiscard]] Changes take_changes() noexcept { return std::move(m_changes); }

private:
    const UtxoView* m_base;
    Changes m_changes;
    // What the base said, so that checking an input and then spending it
    // (and merging a child cache) reads the store once. The base must not
    // change while this cache is alive.
    mutable Changes m_read;
};

// A whole UTXO set in memory: the reference the storage layer is verified
// against, and the view unit tests use.
class MemoryUtxoSet final : public UtxoView {
public:
    [[nodiscard]] std::optional<Coin> get_coin(const OutPoint& o) const override;
    void apply(const UtxoCache::Changes& changes);
    void add(const OutPoint& o, const Coin& c) { m_coins[o] = c; }
    [[nodiscard]] std::size_t size() const noexcept { return m_coins.size(); }
    [[nodiscard]] const std::unordered_map<OutPoint, Coin, OutPointHasher>& coins() const noexcept { return m_coins; }

private:
    std::unordered_map<OutPoint, Coin, OutPointHasher> m_coins;
};

}  // namespace chainkit::chain
