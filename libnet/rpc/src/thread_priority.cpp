#include "thread_priority.hpp"

#include <sys/resource.h>
#include <unistd.h>

namespace chainkit::rpc::detail {

void lower_this_thread_priority(int nice) noexcept {
    if (nice <= 0) return;
    // On Linux PRIO_PROCESS with a thread id sets that one thread's nice value.
    (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), nice);
}

}  // namespace chainkit::rpc::detail
