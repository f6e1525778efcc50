// Whether a refusal is the sender's fault: libchain's one reason table; and
// the counters of refusals by reason.
#pragma once

#include "chainkit/chain/peer_action.hpp"
#include "chainkit/chain/validation.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace chainkit::node {

[[nodiscard]] inline bool is_peer_fault(chain::RejectReason r) noexcept {
    return chain::peer_action(r) == chain::PeerAction::reject;
}

// One more refusal for `reason` in a NodeCounters pair (total, by reason).
inline void count_rejected(std::uint64_t& total, std::map<std::string, std::uint64_t, std::less<>>& by_reason,
                           chain::RejectReason reason) {
    ++total;
    ++by_reason[std::string(chain::to_string(reason))];
}

}  // namespace chainkit::node
