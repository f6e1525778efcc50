#include "chainkit/node/error.hpp"
#include "chainkit/node/messages.hpp"

#include "support/regtest_chain.hpp"

#include <catch2/catch.hpp>

using namespace chainkit;
using namespace chainkit::node;

namespace {

constexpr std::size_t MAX = max_message_size(1'000'000);

chain::BlockHash hash_of_byte(std::uint8_t b) {
    std::array<std::uint8_t, 32> a{};
    a.fill(b);
    return chain::BlockHash(a);
}

Message round_trip(const Message& m) {
    const auto bytes = encode_message(m);
    auto back = decode_message(bytes, MAX);
    REQUIRE(back.ok());
    CHECK(type_of(*back) == type_of(m));
    CHECK(encode_message(*back) == bytes);
    return *back;
}

std::string error_of(const chain::Bytes& body) {
    auto r = decode_message(body, MAX);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == NodeError::bad_message);
    return r.error().message;
}

// A body of `type` whose first field is a u32 count `n`, then `tail`.
chain::Bytes counted(MessageType type, std::uint32_t n, std::size_t tail_bytes) {
    chain::Bytes b{static_cast<std::uint8_t>(type), 1};
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
    b.resize(b.size() + tail_bytes, 0);
    return b;
}

}  // namespace

TEST_CASE("every message round-trips through its bytes", "[node][messages]") {
    VersionMsg v;
    v.genesis = hash_of_byte(7);
    v.best_height = 12;
    v.best_work = chain::Uint256(5000);
    v.listen_addrs = {"/ip4/127.0.0.1/tcp/3000"};
    v.user_agent = "chainkit/0.1.0";
    v.nonce = 0x1122334455667788;
    CHECK(std::get<VersionMsg>(round_trip(v)) == v);

    CHECK(std::holds_alternative<VerackMsg>(round_trip(VerackMsg{})));
    CHECK(std::holds_alternative<GetAddrMsg>(round_trip(GetAddrMsg{})));

    GetHeadersMsg gh{{hash_of_byte(1), hash_of_byte(2)}, hash_of_byte(0)};
    CHECK(std::get<GetHeadersMsg>(round_trip(gh)) == gh);

    test::TestChain chain;
    const std::vector<chain::Block> blocks{chain.mine(), chain.mine(), chain.mine()};
    HeadersMsg hs;
    for (const auto& b : blocks) hs.headers.push_back(b.header);
    CHECK(std::get<HeadersMsg>(round_trip(hs)) == hs);

    InvMsg inv{{{InvType::block, chain::Hash256(blocks[0].hash().bytes())}, {InvType::tx, chain::Hash256{}}}};
    CHECK(std::get<InvMsg>(round_trip(inv)) == inv);
    CHECK(std::get<GetDataMsg>(round_trip(GetDataMsg{inv.items})).items == inv.items);
    CHECK(std::get<NotFoundMsg>(round_trip(NotFoundMsg{inv.items})).items == inv.items);

    BlockMsg bm{blocks[2]};
    CHECK(std::get<BlockMsg>(round_trip(bm)) == bm);
    TxMsg tm{blocks[1].txs[0]};
    CHECK(std::get<TxMsg>(round_trip(tm)) == tm);

    AddrMsg am{{{"/ip4/127.0.0.1/tcp/3001/p2p/12D3KooW", 1'700'000'000}}};
    CHECK(std::get<AddrMsg>(round_trip(am)) == am);
    CHECK(std::get<PingMsg>(round_trip(PingMsg{42})).nonce == 42);
    CHECK(std::get<PongMsg>(round_trip(PongMsg{43})).nonce == 43);
}

TEST_CASE("message bytes match docs/protocol.md's vectors", "[node][messages]") {
    CHECK(chain::to_hex(encode_message(PingMsg{0x0102030405060708})) == "0c010807060504030201");
    CHECK(chain::to_hex(encode_message(VerackMsg{})) == "0201");
    GetDataMsg gd{{{InvType::tx, chain::Hash256(hash_of_byte(0xab).bytes())}}};
    std::string ab;
    for (int i = 0; i < 32; ++i) ab += "ab";
    // type 6, archive flag 1, count 1 (u32 LE), item type 1 (tx), hash.
    CHECK(chain::to_hex(encode_message(gd)) == "06010100000001" + ab);
}

TEST_CASE("malformed messages are refused with a reason, never a crash", "[node][messages]") {
    CHECK(error_of({}) == "empty message");
    CHECK(error_of({0}).find("unknown message type 0") != std::string::npos);
    CHECK(error_of({14, 1}).find("unknown message type 14") != std::string::npos);
    CHECK(error_of({12, 0, 1, 2, 3, 4, 5, 6, 7, 8}).find("bad archive header") != std::string::npos);
    CHECK(error_of({12, 1, 1, 2, 3}).find("ping: truncated") != std::string::npos);
    CHECK(error_of({2, 1, 0}).find("trailing") != std::string::npos);

    SECTION("counts over their bound are refused before allocating") {
        CHECK(error_of(counted(MessageType::headers, 2001, 0)).find("over 2000") != std::string::npos);
        CHECK(error_of(counted(MessageType::inv, 1001, 0)).find("over 1000") != std::string::npos);
        CHECK(error_of(counted(MessageType::addr, 1001, 0)).find("over 1000") != std::string::npos);
        CHECK(error_of(counted(MessageType::getheaders, 102, 0)).find("over 101") != std::string::npos);
    }
    SECTION("counts past the end of the body are refused before allocating") {
        CHECK(error_of(counted(MessageType::headers, 2, 88)).find("past the end") != std::string::npos);
        CHECK(error_of(counted(MessageType::getdata, 1000, 10)).find("past the end") != std::string::npos);
        CHECK(error_of(counted(MessageType::block, 0xffffffff, 10)).find("block") != std::string::npos);
    }
    SECTION("an unknown inventory type is refused") {
        auto b = counted(MessageType::inv, 1, 33);
        b[6] = 9;
        CHECK(error_of(b).find("unknown item type 9") != std::string::npos);
    }
    SECTION("a block that does not decode canonically is refused") {
        test::TestChain chain;
        auto bytes = encode_message(BlockMsg{chain.mine()});
        bytes.pop_back();
        // The blob's length still says one byte more than there is.
        CHECK_FALSE(decode_message(bytes, MAX).ok());
    }
    SECTION("a body over the frame bound is refused") {
        chain::Bytes big(MAX + 1, 0);
        big[0] = 8;
        CHECK(error_of(big).find("over") != std::string::npos);
    }
}
