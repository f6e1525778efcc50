// The bench's load client: a plain keep-alive socket that writes one
// pre-built HTTP request and reads the answer by its Content-Length. The 4
// clients share the 2 cores with the syncing node, so a client that builds
// and parses JSON per call (rpc::RpcClient) takes CPU the measured node
// needs; this one only checks the status line and that the body is a
// JSON-RPC result (docs/performance.md, "RPC under load").
#pragma once

#include <arpa/inet.h>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <unistd.h>

namespace chainkit::bench {

class RawRpcClient {
public:
    // `authorization`: the Authorization header's value (rpc::basic_authorization).
    RawRpcClient(std::uint16_t port, const std::string& authorization, std::string_view method) : m_port(port) {
        const std::string body =
            std::string(R"({"jsonrpc":"2.0","id":1,"method":")") + std::string(method) + R"(","params":[]})";
        m_request = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + authorization +
                    "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\n\r\n" + body;
    }
    ~RawRpcClient() { disconnect(); }
    RawRpcClient(const RawRpcClient&) = delete;
    RawRpcClient& operator=(const RawRpcClient&) = delete;

    // One call; true when the answer is HTTP 200 with a JSON-RPC result.
    // Reconnects when the server closed the connection (keep-alive limits).
    bool call() {
        if (m_fd < 0 && !connect_once()) return false;
        if (!send_all() || !read_answer()) {
            disconnect();
            return false;
        }
        return true;
    }

private:
    bool connect_once() {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        if (m_fd < 0) return false;
        int yes = 1;
        ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(m_port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
            disconnect();
            return false;
        }
        m_in.clear();
        return true;
    }
    void disconnect() {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = -1;
    }
    bool send_all() {
        for (std::size_t sent = 0; sent < m_request.size();) {
            const auto n = ::send(m_fd, m_request.data() + sent, m_request.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return false;
            sent += static_cast<std::size_t>(n);
        }
        return true;
    }
    bool fill() {
        char chunk[4096];
        const auto n = ::recv(m_fd, chunk, sizeof(chunk), 0);
        if (n <= 0) return false;
        m_in.append(chunk, static_cast<std::size_t>(n));
        return true;
    }
    bool read_answer() {
        std::size_t head_end;
        while ((head_end = m_in.find("\r\n\r\n")) == std::string::npos)
            if (!fill()) return false;
        const std::string_view head(m_in.data(), head_end);
        const auto length_at = head.find("Content-Length: ");
        if (length_at == std::string_view::npos) return false;
        const auto length = std::strtoull(head.data() + length_at + 16, nullptr, 10);
        const bool close_after = head.find("Connection: close") != std::string_view::npos;
        const bool ok = head.starts_with("HTTP/1.1 200");
        const auto total = head_end + 4 + length;
        while (m_in.size() < total)
            if (!fill()) return false;
        const std::string_view body(m_in.data() + head_end + 4, length);
        const bool result = ok && body.find("\"result\":") != std::string_view::npos &&
                            body.find("\"error\":") == std::string_view::npos;
        m_in.erase(0, total);
        if (close_after) disconnect();
        return result;
    }

    std::uint16_t m_port;
    std::string m_request;
    std::string m_in;  // bytes received and not yet consumed
    int m_fd = -1;
};

}  // namespace chainkit::bench
