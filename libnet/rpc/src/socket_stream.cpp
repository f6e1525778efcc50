#include "socket_stream.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

namespace chainkit::rpc::detail {
namespace {

void describe(const sockaddr_storage& addr, std::string& ip, int& port) {
    char text[INET6_ADDRSTRLEN] = {};
    if (addr.ss_family == AF_INET) {
        const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
        ::inet_ntop(AF_INET, &a.sin_addr, text, sizeof(text));
        port = ntohs(a.sin_port);
    } else if (addr.ss_family == AF_INET6) {
        const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
        ::inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof(text));
        port = ntohs(a.sin6_port);
    }
    ip = text;
}

}  // namespace

SocketStream::SocketStream(int fd, std::string buffered, Clock::time_point read_deadline,
                           std::chrono::milliseconds write_timeout)
    : m_fd(fd), m_buffered(std::move(buffered)), m_read_deadline(read_deadline), m_write_timeout(write_timeout) {}

bool SocketStream::wait(short events, Clock::time_point until) const {
    for (;;) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
        if (left <= 0) return false;
        pollfd p{.fd = m_fd, .events = events, .revents = 0};
        const int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 60'000)));
        if (n > 0) return (p.revents & (events | POLLHUP | POLLERR)) != 0;
        if (n < 0 && errno != EINTR) return false;
    }
}

bool SocketStream::is_readable() const {
    return m_offset < m_buffered.size() || wait(POLLIN, m_read_deadline);
}

bool SocketStream::is_writable() const {
    return wait(POLLOUT, Clock::now() + m_write_timeout);
}

ssize_t SocketStream::read(char* ptr, std::size_t size) {
    if (m_offset < m_buffered.size()) {
        const auto n = std::min(size, m_buffered.size() - m_offset);
        std::memcpy(ptr, m_buffered.data() + m_offset, n);
        m_offset += n;
        return static_cast<ssize_t>(n);
    }
    for (;;) {
        if (!wait(POLLIN, m_read_deadline)) return -1;
        const auto n = ::recv(m_fd, ptr, size, MSG_DONTWAIT);
        if (n >= 0) return n;
        if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) return -1;
    }
}

ssize_t SocketStream::write(const char* ptr, std::size_t size) {
    for (;;) {
        if (!is_writable()) return -1;
        const auto n = ::send(m_fd, ptr, size, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n >= 0) return n;
        if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) return -1;
    }
}

void SocketStream::get_remote_ip_and_port(std::string& ip, int& port) const {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (::getpeername(m_fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) describe(addr, ip, port);
}

void SocketStream::get_local_ip_and_port(std::string& ip, int& port) const {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (::getsockname(m_fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) describe(addr, ip, port);
}

std::string SocketStream::take_unread() {
    std::string rest = m_buffered.substr(m_offset);
    m_buffered.clear();
    m_offset = 0;
    return rest;
}

}  // namespace chainkit::rpc::detail
