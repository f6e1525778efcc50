#include "interfaces.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <ifaddrs.h>
#include <memory>
#include <net/if.h>
#include <netinet/in.h>

namespace chainkit::net::detail {

std::vector<std::string> interface_addresses(bool ipv6) {
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return {};
    std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> owner(list, &::freeifaddrs);
    std::vector<std::string> outer, loopback;
    const int family = ipv6 ? AF_INET6 : AF_INET;
    for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
        if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != family || (i->ifa_flags & IFF_UP) == 0) continue;
        std::array<char, INET6_ADDRSTRLEN> text{};
        const void* raw = nullptr;
        if (ipv6) {
            const auto* a = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr);
            if (IN6_IS_ADDR_LINKLOCAL(&a->sin6_addr)) continue;
            raw = &a->sin6_addr;
        } else {
            raw = &reinterpret_cast<const sockaddr_in*>(i->ifa_addr)->sin_addr;
        }
        if (::inet_ntop(family, raw, text.data(), text.size()) == nullptr) continue;
        auto& into = (i->ifa_flags & IFF_LOOPBACK) != 0 ? loopback : outer;
        if (std::find(into.begin(), into.end(), text.data()) == into.end()) into.emplace_back(text.data());
    }
    outer.insert(outer.end(), loopback.begin(), loopback.end());
    return outer;
}

}  // namespace chainkit::net::detail
