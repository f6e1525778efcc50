// Whether a refusal is the sender's fault (ban) or no fault (ignore).
#pragma once

#include "chainkit/chain/validation.hpp"

namespace chainkit::node {

[[nodiscard]] inline bool is_peer_fault(chain::RejectReason r) noexcept {
    using R = chain::RejectReason;
    switch (r) {
        case R::ok:
        case R::unknown_parent:
        case R::duplicate:
        case R::fee_too_low:
        case R::mempool_conflict:
        case R::mempool_full:
        case R::storage_failure:
        case R::missing_input:  // an orphan transaction: its parent may come later
        case R::time_too_new:   // our clock may be behind
            return false;
        default:
            return true;
    }
}

}  // namespace chainkit::node
