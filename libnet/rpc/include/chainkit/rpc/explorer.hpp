// The explorer page's side of the RPC server (docs/rpc.md, "The explorer
// page"): the read-only methods anyone who reaches the RPC address may call
// at POST /api without the cookie, and where the page's files are found.
// Pure functions; thread-safe.
#pragma once

#include "chainkit/rpc/registry.hpp"

#include <array>
#include <filesystem>
#include <string_view>

namespace chainkit::rpc {

// Methods that only read and whose cost is bounded by their parameters.
// Nothing that changes the node (sendrawtransaction, setban, addnode,
// submitblock, generatetoaddress, stop) is ever in this list: those stay
// behind the cookie at POST /. A name not registered is simply absent.
inline constexpr std::array<std::string_view, 15> READ_ONLY_METHODS{
    "getblockchaininfo", "getblockcount", "getblockhash",   "getblockheader", "getblock",
    "gettransaction",    "getrawmempool", "getmempoolinfo", "getbalance",     "listunspent",
    "getaddresshistory", "getpeerinfo",   "getnetworkinfo", "getmininginfo",  "listbanned"};

// The handlers of `all` named in READ_ONLY_METHODS (copies sharing their state).
[[nodiscard]] MethodRegistry read_only_subset(const MethodRegistry& all);

// Where the page's files are when nothing says otherwise: the source tree's
// www/ when this build's tree still has it (a developer's build), else the
// install prefix's share/chainkit/www. Empty if neither holds index.html.
[[nodiscard]] std::filesystem::path default_www_dir();

}  // namespace chainkit::rpc
