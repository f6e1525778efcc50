// Multiaddrs as a user or a peer store gives them: text parsing, and the
// binary form written from every parsed address. chainkit only writes binary
// multiaddrs (identify) and never reads one from a peer, so there is no
// binary decoder to fuzz: the target instead checks that the binary form of
// any accepted text is well formed (protocol codes, lengths, port) with a
// reader of its own. Text round trip: to_string() is canonical, parses back
// to the same value and is stable.
#include "fuzz_util.hpp"

#include <arpa/inet.h>
#include <chainkit/net/identity.hpp>
#include <chainkit/net/multiaddr.hpp>
#include <chainkit/net/varint.hpp>

namespace chainkit::fuzz {
namespace {

std::uint64_t take_varint(std::span<const std::uint8_t>& in) {
    auto v = net::decode_uvarint(in);
    FUZZ_CHECK(v.has_value());
    in = in.subspan(v->size);
    return v->value;
}

// The binary multiaddr must say what the text said.
void check_binary(const net::Multiaddr& m) {
    const auto bin = m.to_bytes();
    std::span<const std::uint8_t> in(bin);
    const auto code = take_varint(in);
    std::string host;
    char text[INET6_ADDRSTRLEN] = {};
    if (code == 4 || code == 41) {
        const std::size_t n = code == 4 ? 4 : 16;
        FUZZ_CHECK(in.size() >= n);
        FUZZ_CHECK(inet_ntop(code == 4 ? AF_INET : AF_INET6, in.data(), text, sizeof text) != nullptr);
        host = text;
        in = in.subspan(n);
    } else {
        FUZZ_CHECK(code == 53 || code == 54 || code == 55);
        const auto len = take_varint(in);
        FUZZ_CHECK(len <= in.size());
        host.assign(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(len));
        in = in.subspan(static_cast<std::size_t>(len));
    }
    FUZZ_CHECK(host == m.host());
    FUZZ_CHECK(take_varint(in) == 6);  // tcp
    FUZZ_CHECK(in.size() == 2 && (std::uint16_t(in[0] << 8 | in[1])) == m.port());
}

}  // namespace

std::vector<Bytes> fuzz_seeds() {
    const auto peer = net::Identity::from_seed(1).peer_id().to_string();
    return {to_bytes("/ip4/127.0.0.1/tcp/4001"),
            to_bytes("/ip6/::1/tcp/0"),
            to_bytes("/ip6/2001:db8::ff00:42:8329/tcp/65535/p2p/" + peer),
            to_bytes("/dns4/example.com/tcp/443"),
            to_bytes("/dns/node-1.local/tcp/9/ipfs/" + peer),
            to_bytes("/dns6/a_b.example/tcp/1")};
}

}  // namespace chainkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace chainkit;
    std::string why;
    auto m = net::Multiaddr::parse(fuzz::as_text(data, size), &why);
    if (!m) {
        FUZZ_CHECK(!why.empty());
        return 0;
    }
    const auto text = m->to_string();
    auto again = net::Multiaddr::parse(text);
    FUZZ_CHECK(again && *again == *m && again->to_string() == text);
    fuzz::check_binary(*m);
    return 0;
}
