// What a peer deserves for the object it sent, by the reason it was refused:
// the one table a network layer consults before banning. Pure and
// thread-safe.
#pragma once

#include "chainkit/chain/validation.hpp"

#include <string_view>

namespace chainkit::chain {

enum class PeerAction {
    accept,  // the object was valid
    ignore,  // refused, but an honest peer could have sent it (an orphan, a
             // duplicate, our local policy or limits, our own storage failure)
    reject,  // the sender broke consensus: an honest peer never sends this
};

// Every RejectReason maps to exactly one action (docs/protocol.md section 8
// lists the table). A network layer bans on exactly `reject`.
[[nodiscard]] PeerAction peer_action(RejectReason r) noexcept;
[[nodiscard]] std::string_view to_string(PeerAction a) noexcept;

}  // namespace chainkit::chain
