// Chain-protocol message bodies (libnet/node messages.hpp), all seventeen
// types (the compact block ones included) through the one decoder a peer's bytes reach: decode with the
// frame bound; a body that decodes re-encodes to the same bytes (the
// archive's endianness byte must be 1, so there is one encoding).
#include "chainkit/node/messages.hpp"

#include "chain_seeds.hpp"
#include "fuzz_util.hpp"

namespace chainkit::fuzz {
std::vector<Bytes> fuzz_seeds() {
    using namespace chainkit::node;
    const auto block = seed_block(3, 2);
    VersionMsg v;
    v.best_height = 7;
    v.listen_addrs = {"/ip4/127.0.0.1/tcp/3000"};
    v.user_agent = "chainkit/0.1.0";
    v.nonce = 42;
    const InvItem item{InvType::block, chain::hash_cast<chain::Hash256>(block.hash())};
    std::vector<Message> msgs{v,
                              VerackMsg{},
                              GetHeadersMsg{{block.hash()}, chain::BlockHash{}},
                              HeadersMsg{{block.header}},
                              InvMsg{{item}},
                              GetDataMsg{{item}},
                              NotFoundMsg{{item}},
                              BlockMsg{block},
                              TxMsg{block.txs[1]},
                              GetAddrMsg{},
                              AddrMsg{{{"/ip4/127.0.0.1/tcp/3001/p2p/12D3KooW", 1'700'000'000}}},
                              PingMsg{1},
                              PongMsg{2},
                              SendCmpctMsg{true},
                              CmpctBlockMsg{block.header, 7, {0x0000a1a2a3a4a5a6}, {{0, block.txs[0]}}},
                              GetBlockTxnMsg{block.hash(), {1}},
                              BlockTxnMsg{block.hash(), {block.txs[1]}},
                              GetDataMsg{{{InvType::cmpct_block, item.hash}}}};
    std::vector<Bytes> out;
    for (const auto& m : msgs) out.push_back(encode_message(m));
    return out;
}
}  // namespace chainkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace chainkit;
    constexpr std::size_t MAX = node::max_message_size(1'000'000);
    auto m = node::decode_message(fuzz::as_span(data, size), MAX);
    if (!m.ok()) return 0;
    const auto again = node::encode_message(*m);
    FUZZ_CHECK(fuzz::same_bytes(again, fuzz::as_span(data, size)));
    return 0;
}
