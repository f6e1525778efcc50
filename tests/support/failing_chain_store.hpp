// A ChainStore that fails on command: wraps a MemoryChainStore and, while a
// fault is switched on, answers coin reads as an unreadable record would
// (absent, with the failure recorded in read_error, as ChainDb does), or
// fails block reads or batch writes (all of them, or every one after a
// countdown of successful ones). For tests that a storage fault is an
// error and never a verdict on a block. Not thread-safe.
#pragma once

#include "chainkit/chain/chain_state.hpp"
#include "chainkit/chain/memory_chain_store.hpp"

#include <optional>
#include <system_error>

namespace chainkit::test {

class FailingChainStore final : public chain::ChainStore {
public:
    bool fail_coin_reads = false;
    bool fail_block_reads = false;
    bool fail_writes = false;
    // >= 0: that many more writes succeed, then every write fails (until reset to -1).
    long writes_before_failure = -1;

    [[nodiscard]] std::optional<chain::Coin> get_coin(const chain::OutPoint& o) const override {
        if (fail_coin_reads) {
            if (!m_read_error) m_read_error = fault("reading a coin");
            return std::nullopt;
        }
        return m_inner.get_coin(o);
    }
    [[nodiscard]] std::optional<Error> read_error() const override { return m_read_error; }
    void clear_read_error() const override { m_read_error.reset(); }

    [[nodiscard]] Result<std::optional<chain::ChainMeta>> read_meta() const override { return m_inner.read_meta(); }
    [[nodiscard]] Result<std::vector<std::pair<chain::BlockHash, chain::BlockIndexRecord>>> read_index()
        const override {
        return m_inner.read_index();
    }
    [[nodiscard]] Result<std::optional<chain::Block>> read_block(const chain::BlockHash& hash) const override {
        if (fail_block_reads) return fault("reading a block");
        return m_inner.read_block(hash);
    }
    [[nodiscard]] Result<std::optional<chain::BlockUndo>> read_undo(const chain::BlockHash& hash) const override {
        if (fail_block_reads) return fault("reading undo data");
        return m_inner.read_undo(hash);
    }
    [[nodiscard]] Result<std::vector<chain::OwnedCoin>> coins_for(const chain::KeyHash& key) const override {
        return m_inner.coins_for(key);
    }
    [[nodiscard]] Result<void> for_each_coin(
        const std::function<bool(const chain::OutPoint&, const chain::Coin&)>& f) const override {
        return m_inner.for_each_coin(f);
    }
    [[nodiscard]] Result<void> write(const chain::StoreBatch& batch) override {
        if (fail_writes || writes_before_failure == 0) return fault("writing a batch");
        if (writes_before_failure > 0) --writes_before_failure;
        return m_inner.write(batch);
    }
    [[nodiscard]] bool writable() const noexcept override { return true; }

    [[nodiscard]] const chain::MemoryChainStore& inner() const noexcept { return m_inner; }

private:
    static Error fault(const char* what) {
        return Error{std::make_error_code(std::errc::io_error), std::string("injected fault ") + what};
    }

    chain::MemoryChainStore m_inner;
    mutable std::optional<Error> m_read_error;
};

}  // namespace chainkit::test
