#pragma once
// The host's own interface addresses, so that a host listening on 0.0.0.0
// or :: can tell peers addresses they can actually dial.

#include <string>
#include <vector>

namespace chainkit::net::detail {

/// Textual addresses of the interfaces that are up, IPv4 or IPv6 as asked,
/// non-loopback first. IPv6 link-local addresses are left out: they are not
/// dialable without a zone. Empty if the system cannot list them.
std::vector<std::string> interface_addresses(bool ipv6);

}  // namespace chainkit::net::detail
