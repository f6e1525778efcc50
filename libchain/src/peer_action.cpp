#include "chainkit/chain/peer_action.hpp"

namespace chainkit::chain {

PeerAction peer_action(RejectReason r) noexcept {
    using R = RejectReason;
    // No default: -Wswitch makes a new reason a compile error until it is
    // placed in this table.
    switch (r) {
        case R::ok:
            return PeerAction::accept;
        // The header commits to these (or the body contradicts its header):
        // an honest peer validates what it relays.
        case R::block_too_large:
        case R::bad_pow:
        case R::bad_merkle_root:
        case R::merkle_mutated:
        case R::no_coinbase:
        case R::multiple_coinbase:
        case R::duplicate_tx:
        case R::tx_no_inputs:
        case R::tx_no_outputs:
        case R::tx_too_large:
        case R::bad_output_value:
        case R::output_sum_overflow:
        case R::duplicate_input:
        case R::null_prevout:
        case R::bad_coinbase_data:
        case R::bad_coinbase_height:
        case R::missing_input:
        case R::double_spend_in_block:
        case R::pubkey_mismatch:
        case R::bad_signature:
        case R::inputs_below_outputs:
        case R::immature_coinbase_spend:
        case R::coinbase_too_large:
        case R::time_too_old:
        case R::bad_bits:
        case R::invalid_parent:
        case R::known_invalid:
        case R::no_such_output:
        case R::coinbase_outside_block:
            return PeerAction::reject;
        // A difference of view, clock, policy or our own state: no fault.
        case R::time_too_new:  // our clock may be behind theirs
        case R::unknown_parent:
        case R::already_have:
        case R::already_orphan:
        case R::unknown_input:
        case R::premature_spend:
        case R::fee_too_low:
        case R::mempool_conflict:  // first seen wins; they may have seen the rival first
        case R::mempool_full:
        case R::storage_failure:
            return PeerAction::ignore;
    }
    return PeerAction::reject;  // not a reason this build knows: never trust it
}

std::string_view to_string(PeerAction a) noexcept {
    switch (a) {
        case PeerAction::accept:
            return "accept";
        case PeerAction::ignore:
            return "ignore";
        case PeerAction::reject:
            return "reject";
    }
    return "unknown";
}

}  // namespace chainkit::chain
