// The chain summary the chain thread published last, for readers on any
// thread (Node::chain_summary()): a status call then costs a mutex, never a
// wait behind the block validations queued on the chain thread.
#pragma once

#include "chainkit/chain/chain_state.hpp"

#include <memory>
#include <mutex>

namespace chainkit::node::detail {

class SummaryBox {
public:
    // Runs on the chain thread (inside a chain job), after each change the
    // node made there; jobs run in order, so readers never see the chain go back.
    void publish(const chain::ChainState& chain) {
        auto next = std::make_shared<const chain::ChainSummary>(chain.summary());
        const std::lock_guard lock(m_mutex);
        m_latest = std::move(next);
    }
    [[nodiscard]] std::shared_ptr<const chain::ChainSummary> latest() const {
        const std::lock_guard lock(m_mutex);
        return m_latest;
    }

private:
    mutable std::mutex m_mutex;
    std::shared_ptr<const chain::ChainSummary> m_latest;  // guarded by m_mutex; null until the first publish
};

}  // namespace chainkit::node::detail
