// pulse_p2p's received line: one JSON array of blocks (chain_json.cpp), then
// what a node does with it (validate_chain, PulseChain::offer). Round trip:
// a parsed chain printed with to_json parses back to the same blocks, and
// that printing is stable (go's encoding/json form is our canonical form).
#include "fuzz_util.hpp"

#include <chainkit/pulse/chain.hpp>
#include <chainkit/pulse/chain_json.hpp>

namespace chainkit::fuzz {
namespace {
const pulse::Block& genesis() {
    static const auto g = pulse::make_genesis(std::string(pulse::DEFAULT_GENESIS_TIMESTAMP));
    return g;
}
}  // namespace

std::vector<Bytes> fuzz_seeds() {
    std::vector<pulse::Block> chain{genesis()};
    std::vector<Bytes> out{to_bytes(pulse::to_json(chain))};
    for (int i = 1; i <= 3; ++i) {
        chain.push_back(pulse::generate_block(chain.back(), 60 + i, "2024-01-0" + std::to_string(i) + " \"q\"\\"));
        out.push_back(to_bytes(pulse::to_json(chain)));
    }
    out.push_back(to_bytes(pulse::to_json_pretty(chain)));
    out.push_back(to_bytes(R"([{"Index":0,"Timestamp":"t","BPM":1,"Hash":"","PrevHash":"","Extra":[1,{"a":null}]}])"));
    return out;
}

}  // namespace chainkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace chainkit;
    std::vector<pulse::Block> chain;
    const auto verdict = pulse::parse_chain(fuzz::as_text(data, size), chain);
    if (!verdict.ok()) {
        FUZZ_CHECK(!verdict.message.empty() && chain.empty());
        return 0;
    }
    FUZZ_CHECK(chain.size() <= pulse::MAX_CHAIN_BLOCKS);
    const auto text = pulse::to_json(chain);
    std::vector<pulse::Block> again;
    FUZZ_CHECK(pulse::parse_chain(text, again).ok() && again == chain && pulse::to_json(again) == text);
    const auto valid = pulse::validate_chain(chain, fuzz::genesis());
    pulse::PulseChain ours(fuzz::genesis());
    const auto offered = ours.offer(chain);
    if (offered.outcome == pulse::PulseChain::Offer::adopted) FUZZ_CHECK(valid.ok() && ours.blocks() == chain);
    return 0;
}
