// The RPC server's threads at a lower scheduling priority than the node's:
// on a small machine a status poll answered as fast as clients ask takes
// every spare cycle, and the sync (the node's consensus work) must come
// first (docs/rpc.md, "Connections and limits").
#pragma once

namespace chainkit::rpc::detail {

// Raises the calling thread's nice value to `nice` (Linux: per thread).
// Does nothing for nice <= 0, and ignores a refusal: a lower priority is
// always allowed, a higher one would need privileges.
void lower_this_thread_priority(int nice) noexcept;

}  // namespace chainkit::rpc::detail
