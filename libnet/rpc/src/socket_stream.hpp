// httplib::Stream over one accepted socket for one request, as the
// connection lobby (connection_lobby.hpp) hands it to a pool thread: the
// bytes the lobby already read come first, then the socket, every read
// within one deadline for the whole request (a client trickling its body
// cannot hold the thread longer) and every write within write_timeout.
#pragma once

#include <chrono>
#include <cstddef>
#include <httplib.h>
#include <string>

namespace chainkit::rpc::detail {

class SocketStream final : public httplib::Stream {
public:
    using Clock = std::chrono::steady_clock;

    SocketStream(int fd, std::string buffered, Clock::time_point read_deadline,
                 std::chrono::milliseconds write_timeout);

    bool is_readable() const override;
    bool is_writable() const override;
    ssize_t read(char* ptr, std::size_t size) override;
    ssize_t write(const char* ptr, std::size_t size) override;
    void get_remote_ip_and_port(std::string& ip, int& port) const override;
    void get_local_ip_and_port(std::string& ip, int& port) const override;
    socket_t socket() const override { return m_fd; }

    // What was read from the socket but not consumed (the start of a
    // pipelined next request): the lobby keeps it for that request.
    [[nodiscard]] std::string take_unread();

private:
    // Waits for `events` on the socket until `until`; false on timeout or error.
    bool wait(short events, Clock::time_point until) const;

    int m_fd;
    std::string m_buffered;
    std::size_t m_offset = 0;  // into m_buffered
    Clock::time_point m_read_deadline;
    std::chrono::milliseconds m_write_timeout;
};

}  // namespace chainkit::rpc::detail
