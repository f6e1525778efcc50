// The peer-action table: every reason is placed, and the columns hold what
// the network layer relies on (it bans on exactly `reject`).
#include "chainkit/chain/peer_action.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace chainkit::chain;
using R = RejectReason;

TEST_CASE("every reason maps to one peer action", "[peer_action]") {
    std::set<R> ignored;
    for (int i = 0; i < REJECT_REASON_COUNT; ++i) {
        const auto r = static_cast<R>(i);
        const auto a = peer_action(r);
        INFO(to_string(r));
        CHECK((a == PeerAction::accept) == (r == R::ok));
        CHECK(to_string(a) != "unknown");
        if (a == PeerAction::ignore) ignored.insert(r);
    }
    // No fault: the sender could not have known (ordering, duplicates, our
    // policy, limits and storage, a clock or tip that differs from ours).
    const std::set<R> no_fault{R::time_too_new,  R::unknown_parent,  R::already_have, R::already_orphan,
                               R::unknown_input, R::premature_spend, R::fee_too_low,  R::mempool_conflict,
                               R::mempool_full,  R::storage_failure};
    CHECK(ignored == no_fault);
    // Consensus breaks are reject (a sample across block, tx and chain rules).
    for (auto r : {R::bad_pow, R::bad_signature, R::missing_input, R::no_such_output, R::known_invalid,
                   R::invalid_parent, R::coinbase_outside_block, R::immature_coinbase_spend, R::bad_merkle_root})
        CHECK(peer_action(r) == PeerAction::reject);
    // A value this build does not know is never trusted.
    CHECK(peer_action(static_cast<R>(REJECT_REASON_COUNT)) == PeerAction::reject);
    CHECK(to_string(static_cast<PeerAction>(9)) == "unknown");
}
