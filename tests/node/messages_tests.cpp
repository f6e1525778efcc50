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
    CHECK(error_of({18, 1}).find("unknown message type 18") != std::string::npos);
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

// ---- compact blocks ---------------------------------------------------------

namespace {

// The smallest decodable transaction (version 1, no inputs, no outputs):
// six bytes, enough for the codec's vectors.
chain::Transaction tiny_tx(std::uint32_t version = 1) {
    chain::Transaction tx;
    tx.version = version;
    return tx;
}

std::string hex_repeat(const char* byte_hex, int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += byte_hex;
    return s;
}

// A cmpctblock body: the header bytes, nonce, `ids` 6-byte short ids and the
// given raw prefilled part (count + entries), hand-built.
chain::Bytes cmpct_body(std::uint32_t n_ids, const chain::Bytes& prefilled_part) {
    chain::Bytes b{static_cast<std::uint8_t>(MessageType::cmpctblock), 1};
    const auto h = chain::BlockHeader{}.encode();
    b.insert(b.end(), h.begin(), h.end());
    b.resize(b.size() + 8, 0);  // nonce
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(n_ids >> (8 * i)));
    b.resize(b.size() + 6 * static_cast<std::size_t>(n_ids), 0x11);
    b.insert(b.end(), prefilled_part.begin(), prefilled_part.end());
    return b;
}

// count 1, then (delta, tiny tx blob).
chain::Bytes one_prefilled(std::uint32_t delta) {
    chain::Bytes b{1, 0, 0, 0};
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(delta >> (8 * i)));
    const chain::Bytes blob{6, 0, 0, 0, 1, 0, 0, 0, 0, 0};
    b.insert(b.end(), blob.begin(), blob.end());
    return b;
}

}  // namespace

TEST_CASE("compact block messages round-trip and match docs/protocol.md's vectors", "[node][messages][cmpct]") {
    CHECK(std::get<SendCmpctMsg>(round_trip(SendCmpctMsg{true})).high_bandwidth);
    CHECK_FALSE(std::get<SendCmpctMsg>(round_trip(SendCmpctMsg{false})).high_bandwidth);
    CHECK(chain::to_hex(encode_message(SendCmpctMsg{true})) == "0e0101");
    CHECK(chain::to_hex(encode_message(SendCmpctMsg{false})) == "0e0100");

    GetBlockTxnMsg gb{hash_of_byte(5), {1, 2, 300}};
    CHECK(std::get<GetBlockTxnMsg>(round_trip(gb)) == gb);
    // type 16, archive 1, hash, count 3, absolute u32 indexes.
    CHECK(chain::to_hex(encode_message(gb)) ==
          "1001" + hex_repeat("05", 32) + "03000000" + "01000000" + "02000000" + "2c010000");

    BlockTxnMsg bt{hash_of_byte(5), {tiny_tx(), tiny_tx(2)}};
    CHECK(std::get<BlockTxnMsg>(round_trip(bt)) == bt);
    // type 17, archive 1, hash, count 2, each a u32 length and the tx bytes.
    CHECK(chain::to_hex(encode_message(bt)) ==
          "1101" + hex_repeat("05", 32) + "02000000" + "06000000010000000000" + "06000000020000000000");

    test::TestChain chain;
    CmpctBlockMsg cb;
    cb.header = chain.mine().header;
    cb.nonce = 0x0102030405060708;
    cb.short_ids = {0x0000a1a2a3a4a5a6, 0x0000ffffffffffff};
    cb.prefilled = {{0, tiny_tx()}, {3, tiny_tx(3)}};
    CHECK(std::get<CmpctBlockMsg>(round_trip(cb)) == cb);
    // type 15, archive 1, header (88), nonce u64, count 2 + 6-byte LE ids,
    // count 2 + (index delta u32, tx blob): deltas 0 (index 0) and 2 (index 3).
    CHECK(chain::to_hex(encode_message(cb)) ==
          "0f01" + chain::to_hex(cb.header.encode()) + "0807060504030201" + "02000000" + "a6a5a4a3a2a1" +
              "ffffffffffff" + "02000000" + "00000000" + "06000000010000000000" + "02000000" + "06000000030000000000");

    GetDataMsg gd{{{InvType::cmpct_block, chain::Hash256(hash_of_byte(0xab).bytes())}}};
    CHECK(std::get<GetDataMsg>(round_trip(gd)) == gd);
    CHECK(chain::to_hex(encode_message(gd)) == "06010100000003" + hex_repeat("ab", 32));
}

TEST_CASE("malformed compact block messages are refused with a reason", "[node][messages][cmpct]") {
    const std::size_t max_txs = max_block_txs(MAX);
    REQUIRE(max_txs == MAX / 166);

    SECTION("sendcmpct: a flag other than 0 or 1") {
        CHECK(error_of({14, 1, 2}).find("high_bandwidth") != std::string::npos);
        CHECK(error_of({14, 1}).find("sendcmpct: truncated") != std::string::npos);
    }
    SECTION("cmpctblock: the well-formed base case decodes") {
        CHECK(decode_message(cmpct_body(2, one_prefilled(0)), MAX).ok());
        CHECK(decode_message(cmpct_body(2, one_prefilled(2)), MAX).ok());  // index 2 of 3
    }
    SECTION("cmpctblock: short id count over the max block's transactions or past the end") {
        auto b = cmpct_body(0, {});
        const auto n = static_cast<std::uint32_t>(max_txs + 1);
        for (int i = 0; i < 4; ++i) b[2 + 88 + 8 + i] = static_cast<std::uint8_t>(n >> (8 * i));
        CHECK(error_of(b).find("short ids: count") != std::string::npos);
        auto c = cmpct_body(3, {});
        c.resize(c.size() - 6);  // count 3, two ids there
        CHECK(error_of(c).find("short ids: count past the end") != std::string::npos);
    }
    SECTION("cmpctblock: prefilled count over what is left of the bound") {
        chain::Bytes part;
        const auto n = static_cast<std::uint32_t>(max_txs);  // + 1 short id = one over
        for (int i = 0; i < 4; ++i) part.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
        CHECK(error_of(cmpct_body(1, part)).find("prefilled: count") != std::string::npos);
    }
    SECTION("cmpctblock: a prefilled index out of range (delta past the count, or overflowing)") {
        CHECK(error_of(cmpct_body(2, one_prefilled(3))).find("out of range") != std::string::npos);
        CHECK(error_of(cmpct_body(2, one_prefilled(0xffffffff))).find("out of range") != std::string::npos);
    }
    SECTION("cmpctblock: no transactions at all") {
        CHECK(error_of(cmpct_body(0, {0, 0, 0, 0})).find("no transactions") != std::string::npos);
    }
    SECTION("getblocktxn: indexes duplicate, descending, out of range or past the end") {
        auto gb = [](std::vector<std::uint32_t> idx) {
            // Encoded by hand: the encoder does not check what the decoder must.
            chain::Bytes b{16, 1};
            b.resize(b.size() + 32, 0x05);
            const auto n = static_cast<std::uint32_t>(idx.size());
            for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
            for (auto v : idx)
                for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
            return b;
        };
        CHECK(decode_message(gb({0, 1, 5}), MAX).ok());
        CHECK(error_of(gb({1, 1})).find("strictly ascending") != std::string::npos);
        CHECK(error_of(gb({5, 2})).find("strictly ascending") != std::string::npos);
        CHECK(error_of(gb({static_cast<std::uint32_t>(max_txs)})).find("out of range") != std::string::npos);
        auto b = gb({1, 2});
        b.resize(b.size() - 4);
        CHECK(error_of(b).find("indexes: count past the end") != std::string::npos);
        auto over = gb({});
        const auto n = static_cast<std::uint32_t>(max_txs + 1);
        for (int i = 0; i < 4; ++i) over[2 + 32 + i] = static_cast<std::uint8_t>(n >> (8 * i));
        CHECK(error_of(over).find("indexes: count") != std::string::npos);
    }
    SECTION("blocktxn: a count over the bound, or a transaction that does not decode") {
        chain::Bytes b{17, 1};
        b.resize(b.size() + 32, 0x05);
        const auto n = static_cast<std::uint32_t>(max_txs + 1);
        for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
        CHECK(error_of(b).find("blocktxn transactions: count") != std::string::npos);
        auto one = encode_message(BlockTxnMsg{hash_of_byte(5), {tiny_tx()}});
        one.back() = 7;  // the output count claims 7 outputs that are not there
        CHECK(error_of(one).find("does not decode") != std::string::npos);
    }
    SECTION("an inventory type past cmpct_block") {
        auto b = counted(MessageType::getdata, 1, 33);
        b[6] = 4;
        CHECK(error_of(b).find("unknown item type 4") != std::string::npos);
    }
}
