// The node library's error category: why a peer was dropped or an operation
// of the node failed. Consensus refusals are chain::ValidationResults.
#pragma once

#include <system_error>

namespace chainkit::node {

enum class NodeError {
    ok = 0,
    bad_message = 1,     // a message that does not decode or breaks a bound
    protocol_violation,  // a message out of place (e.g. before version)
    wrong_network,       // the peer's genesis is not ours
    self_connection,     // our own version nonce came back
    duplicate_peer,      // already connected to that peer id
    banned,              // the peer is banned
    timeout,             // the peer did not answer in time
    stalled,             // the peer held back the block download window
    misbehaving,         // the peer sent an invalid block or transaction
    shutting_down,
    storage,  // the chain state could not read or write its data
};
[[nodiscard]] const std::error_category& node_error_category() noexcept;
[[nodiscard]] std::error_code make_error_code(NodeError e) noexcept;

}  // namespace chainkit::node

namespace std {
template <>
struct is_error_code_enum<chainkit::node::NodeError> : true_type {};
}  // namespace std
