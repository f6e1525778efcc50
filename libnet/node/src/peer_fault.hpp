// Whether a refusal is the sender's fault: libchain's one reason table.
#pragma once

#include "chainkit/chain/peer_action.hpp"

namespace chainkit::node {

[[nodiscard]] inline bool is_peer_fault(chain::RejectReason r) noexcept {
    return chain::peer_action(r) == chain::PeerAction::reject;
}

}  // namespace chainkit::node
