// varint, base58/PeerId, Multiaddr and Identity: round trips and refusals.
#include <catch2/catch.hpp>

#include <chainkit/net/identity.hpp>
#include <chainkit/net/multiaddr.hpp>
#include <chainkit/net/peer_id.hpp>
#include <chainkit/net/peer_store.hpp>
#include <chainkit/net/varint.hpp>
#include <filesystem>
#include <fstream>

using namespace chainkit::net;

TEST_CASE("varint round trip and refusals", "[net][varint]") {
    for (std::uint64_t v : {0ull, 1ull, 127ull, 128ull, 300ull, 16383ull, 16384ull, (1ull << 63) - 1}) {
        std::vector<std::uint8_t> b;
        append_uvarint(b, v);
        auto d = decode_uvarint(b);
        REQUIRE(d);
        CHECK(d->value == v);
        CHECK(d->size == b.size());
    }
    std::vector<std::uint8_t> enc;
    append_uvarint(enc, 300);
    CHECK(enc == std::vector<std::uint8_t>{0xac, 0x02});
    bool incomplete = false;
    CHECK_FALSE(decode_uvarint(std::vector<std::uint8_t>{0x80}, &incomplete));
    CHECK(incomplete);
    CHECK_FALSE(decode_uvarint(std::vector<std::uint8_t>{0x81, 0x00}));  // non-minimal
    std::vector<std::uint8_t> nine(8, 0xff), ten(9, 0xff);
    nine.push_back(0x01);  // a complete 9-byte varint: the longest accepted
    ten.push_back(0x01);   // a complete 10-byte varint: refused
    CHECK(decode_uvarint(nine));
    CHECK_FALSE(decode_uvarint(ten));
}

TEST_CASE("PeerId from seed matches js-libp2p and round-trips", "[net][peer_id]") {
    // Known answer from js-libp2p 3.2.0 (tests/interop/js_peer.mjs listen --seed 1),
    // an independent implementation of the same seed rule and PeerId encoding.
    const auto id = Identity::from_seed(1);
    CHECK(id.peer_id().to_string() == "12D3KooWPjceQrSwdWXPyLLeABRXmuqt69Rg3sBYbU1Nft9HyQ6X");
    auto parsed = PeerId::parse(id.peer_id().to_string());
    REQUIRE(parsed);
    CHECK(*parsed == id.peer_id());
    REQUIRE(parsed->ed25519_key());
    CHECK(*parsed->ed25519_key() == id.public_key());
    CHECK(id.peer_id().bytes().size() == 38);
    CHECK(Identity::from_seed(2).peer_id() != id.peer_id());
}

TEST_CASE("PeerId parse refuses bad text with a reason", "[net][peer_id]") {
    std::string why;
    CHECK_FALSE(PeerId::parse("", &why));
    CHECK_FALSE(PeerId::parse("12D3KooW0OIl", &why));  // 0, O, I, l are not base58
    CHECK(why.find("base58") != std::string::npos);
    CHECK_FALSE(PeerId::parse("12D3KooWPjceQrSwdWXPyLLeABRXmuqt69Rg3sBYbU1Nft9HyQ6", &why));  // truncated
    CHECK(PeerId::parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N"));                   // sha2-256 form
}

TEST_CASE("Multiaddr parse and print", "[net][multiaddr]") {
    const std::string id = Identity::from_seed(1).peer_id().to_string();
    for (std::string text : {"/ip4/127.0.0.1/tcp/4001", "/ip6/::1/tcp/0", "/dns4/example.com/tcp/443",
                             "/dns6/h.example/tcp/1", "/dns/localhost/tcp/65535"}) {
        auto m = Multiaddr::parse(text);
        REQUIRE(m);
        CHECK(m->to_string() == text);
        auto full = Multiaddr::parse(text + "/p2p/" + id);
        REQUIRE(full);
        CHECK(full->to_string() == text + "/p2p/" + id);
        CHECK(full->without_peer() == *m);
    }
    auto legacy = Multiaddr::parse("/ip4/1.2.3.4/tcp/5/ipfs/" + id);
    REQUIRE(legacy);
    CHECK(legacy->to_string() == "/ip4/1.2.3.4/tcp/5/p2p/" + id);
    auto m = Multiaddr::parse("/ip4/1.2.3.4/tcp/258");
    CHECK(m->to_bytes() == std::vector<std::uint8_t>{0x04, 1, 2, 3, 4, 0x06, 0x01, 0x02});
}

TEST_CASE("Multiaddr refusals are precise", "[net][multiaddr]") {
    const std::pair<const char*, const char*> cases[] = {
        {"ip4/1.2.3.4/tcp/1", "must start with '/'"},
        {"/ip4/1.2.3/tcp/1", "invalid IPv4 address '1.2.3'"},
        {"/ip6/1::2::3/tcp/1", "invalid IPv6 address"},
        {"/ip4/1.2.3.4/udp/1", "expected 'tcp'"},
        {"/ip4/1.2.3.4/tcp/65536", "invalid TCP port '65536'"},
        {"/ip4/1.2.3.4/tcp/-1", "invalid TCP port"},
        {"/quic/1.2.3.4/tcp/1", "unsupported protocol 'quic'"},
        {"/dns4/a b/tcp/1", "invalid character in DNS name"},
        {"/ip4/1.2.3.4/tcp/1/p2p/xyz0", "peer id"},
        {"/ip4/1.2.3.4/tcp/1/ws", "only a trailing /p2p/"},
    };
    for (auto [text, expected] : cases) {
        std::string why;
        CAPTURE(text);
        auto r = Multiaddr::parse(text, &why);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == make_error_code(errc::invalid_multiaddr));
        CHECK(why.find(expected) != std::string::npos);
        CHECK(why.find('\n') == std::string::npos);
    }
}

TEST_CASE("Identity persists in the data directory", "[net][identity]") {
    const auto dir = std::filesystem::temp_directory_path() / ("ck-net-id-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    auto a = Identity::load_or_create(dir);
    REQUIRE(a);
    auto b = Identity::load_or_create(dir);
    REQUIRE(b);
    CHECK(a->peer_id() == b->peer_id());
    const auto perms = std::filesystem::status(dir / "transport_key").permissions();
    CHECK((perms & std::filesystem::perms::group_all) == std::filesystem::perms::none);
    std::ofstream(dir / "transport_key") << "not hex\n";
    auto bad = Identity::load_or_create(dir);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == make_error_code(errc::key_file));
    std::filesystem::remove_all(dir);
    const std::vector<std::uint8_t> msg{1, 2, 3};
    auto sig = a->sign(msg);
    CHECK(Identity::verify(a->public_key(), msg, sig));
    sig[0] ^= 1;
    CHECK_FALSE(Identity::verify(a->public_key(), msg, sig));
}

TEST_CASE("PeerStore bounds peers and addresses", "[net][peer_store]") {
    PeerStore store(2, 2);
    const auto p1 = Identity::from_seed(1).peer_id(), p2 = Identity::from_seed(2).peer_id(),
               p3 = Identity::from_seed(3).peer_id();
    auto a = [](int port) { return *Multiaddr::parse("/ip4/127.0.0.1/tcp/" + std::to_string(port)); };
    CHECK(store.add_address(p1, a(1)));
    CHECK(store.add_address(p1, a(2)));
    CHECK(store.add_address(p1, a(3).with_peer(p1)));
    CHECK(store.addresses(p1) == std::vector<Multiaddr>{a(3), a(2)});  // newest first, oldest dropped
    CHECK(store.add_address(p2, a(4)));
    CHECK_FALSE(store.add_address(p3, a(5)));
    CHECK(store.size() == 2);
}
