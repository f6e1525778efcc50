// pulse_p2p's line splitting (line_buffer.cpp): the bytes a peer sends on a
// stream, cut into reads of fuzzed sizes, across two streams sharing one
// node-wide budget. Checks: no line longer than the bound is ever returned,
// the budget always equals the bytes both buffers hold, it is never passed,
// and the lines returned plus the rest are exactly the bytes accepted.
#include "fuzz_util.hpp"

#include <chainkit/pulse/line_buffer.hpp>

namespace chainkit::fuzz {
std::vector<Bytes> fuzz_seeds() {
    // [max line u8][budget u8] then repeated [stream u8][length u8][bytes]
    auto b = [](std::string_view body) {
        Bytes out{40, 100};
        out.insert(out.end(), body.begin(), body.end());
        return out;
    };
    return {b(std::string_view("\x00\x06[1,2]\n\x01\x03"
                               "ab\n",
                               14)),
            b(std::string_view("\x00\x30xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", 51))};
}
}  // namespace chainkit::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace chainkit;
    fuzz::InputCursor in(fuzz::as_span(data, size));
    const std::size_t max_line = 1 + in.u8();
    auto budget = std::make_shared<pulse::LineBudget>(in.u8() * 4u);
    struct Side {
        std::unique_ptr<pulse::LineBuffer> buf;
        std::string accepted, seen;  // bytes appended; lines (with '\n') taken
        bool stopped = false;
        bool evicted = false;  // reset by the budget to make room for the other side
    };
    Side sides[2];
    for (auto& s : sides) s.buf = std::make_unique<pulse::LineBuffer>(budget, max_line);
    while (!in.empty()) {
        auto& s = sides[in.u8() % 2];
        const std::size_t len = in.u8();
        const auto part = in.take(len);
        if (s.stopped) continue;
        const std::string_view text(reinterpret_cast<const char*>(part.data()), part.size());
        if (!s.buf->append(text)) {
            s.stopped = true;  // node-wide budget used up: the node drops this stream
        } else {
            s.accepted += text;
        }
        while (auto line = s.buf->next_line()) {
            FUZZ_CHECK(line->size() <= max_line);
            s.seen += *line + '\n';
        }
        if (s.buf->overlong()) s.stopped = true;
        for (auto& side : sides)
            if (side.buf->evicted()) side.stopped = side.evicted = true;
        // The budget holds the memory, not just the bytes: capacity, >= size.
        FUZZ_CHECK(budget->used() == sides[0].buf->held() + sides[1].buf->held());
        for (const auto& side : sides) FUZZ_CHECK(side.buf->held() == 0 || side.buf->held() >= side.buf->size());
        FUZZ_CHECK(budget->used() <= budget->limit());
    }
    for (auto& s : sides) {
        s.seen += s.buf->take_rest();
        // An evicted side lost its partial line, nothing else.
        FUZZ_CHECK(s.evicted ? s.accepted.starts_with(s.seen) : s.seen == s.accepted);
    }
    FUZZ_CHECK(budget->used() == 0);
    return 0;
}
