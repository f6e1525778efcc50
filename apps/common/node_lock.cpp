#include "node_lock.hpp"

#include "errors.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace chainkit::apps {
namespace {

std::string lock_path(const std::filesystem::path& dir) {
    return (dir / "node.lock").string();
}

[[noreturn]] void running(const std::filesystem::path& dir) {
    throw UserError(fmt::format(
        "a node is running on {} (startnode): stop it first, this command needs the database to itself", dir.string()));
}

}  // namespace

NodeLock::NodeLock(const std::filesystem::path& data_dir) {
    m_fd = ::open(lock_path(data_dir).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (m_fd < 0) throw UserError(fmt::format("cannot create {}: {}", lock_path(data_dir), std::strerror(errno)));
    if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(m_fd);
        m_fd = -1;
        running(data_dir);
    }
}

NodeLock::~NodeLock() {
    if (m_fd >= 0) ::close(m_fd);  // closing releases the lock
}

bool NodeLock::held(const std::filesystem::path& data_dir) {
    const int fd = ::open(lock_path(data_dir).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;  // no node ever ran here
    const bool busy = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    ::close(fd);
    return busy;
}

void NodeLock::check_free(const std::filesystem::path& data_dir) {
    if (held(data_dir)) running(data_dir);
}

}  // namespace chainkit::apps
