#include "node_process.hpp"

#include <fstream>
#include <sstream>
#include <unistd.h>

namespace chainkit::net::test {
namespace {

std::vector<std::string> command(std::vector<std::string> args) {
    args.insert(args.begin(), CHAINKIT_ECHO_NODE_BIN);
    return args;
}

}  // namespace

NodeProcess::NodeProcess(std::vector<std::string> args) : m_child(".", command(std::move(args))) {
    constexpr std::string_view prefix = "listening ";
    while (auto line = m_child.read_line(std::chrono::seconds(20))) {
        if (line->rfind(prefix, 0) == 0) {
            if (auto a = Multiaddr::parse(line->substr(prefix.size()))) m_addr = *a;
            return;
        }
        m_lines.push_back(*line);
    }
}

void NodeProcess::pump(std::chrono::milliseconds d) {
    const auto end = std::chrono::steady_clock::now() + d;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
        if (left.count() <= 0) return;
        auto line = m_child.read_line(left);
        if (!line) return;
        m_lines.push_back(*line);
    }
}

bool NodeProcess::wait_for(const std::string& text, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    for (const auto& l : m_lines)
        if (l.find(text) != std::string::npos) return true;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        auto line = m_child.read_line(left);
        if (!line) return false;
        m_lines.push_back(*line);
        if (line->find(text) != std::string::npos) return true;
    }
}

std::size_t NodeProcess::count(const std::string& text) const {
    std::size_t n = 0;
    for (const auto& l : m_lines)
        if (l.find(text) != std::string::npos) ++n;
    return n;
}

std::chrono::milliseconds NodeProcess::cpu_time() const {
    std::ifstream in("/proc/" + std::to_string(pid()) + "/stat");
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Fields after the command name (which may hold spaces) start at ") ".
    std::istringstream rest(all.substr(all.rfind(')') + 2));
    std::string field;
    unsigned long long utime = 0;
    unsigned long long stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
    }
    const auto ticks = static_cast<long long>(::sysconf(_SC_CLK_TCK));
    return std::chrono::milliseconds(static_cast<long long>(utime + stime) * 1000 / ticks);
}

std::size_t NodeProcess::status_bytes(const std::string& field) const {
    std::ifstream in("/proc/" + std::to_string(pid()) + "/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1)) * 1024;
    return 0;
}

}  // namespace chainkit::net::test
