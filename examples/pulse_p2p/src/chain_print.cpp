#include <fmt/color.h>
#include <fmt/format.h>

#include <chainkit/pulse/chain_print.hpp>
#include <ctime>
#include <iterator>

namespace chainkit::pulse {

namespace {

// Applies a style only in color mode, so both modes share one layout.
struct Painter {
    bool color;
    std::string operator()(fmt::text_style style, std::string_view text) const {
        return color ? fmt::format(style, "{}", text) : std::string(text);
    }
};

void append_block(std::string& out, const Block& b, const Painter& paint, bool last) {
    const auto field = fmt::fg(fmt::terminal_color::cyan);
    const auto number = fmt::fg(fmt::terminal_color::yellow);
    const auto text = fmt::fg(fmt::terminal_color::green);
    auto it = std::back_inserter(out);
    fmt::format_to(it, " (Block) {{\n");
    fmt::format_to(it, "  {}: (int) {},\n", paint(field, "Index"), paint(number, std::to_string(b.index)));
    fmt::format_to(it, "  {}: (string) (len={}) {},\n", paint(field, "Timestamp"), b.timestamp.size(),
                   paint(text, fmt::format("\"{}\"", b.timestamp)));
    fmt::format_to(it, "  {}: (int) {},\n", paint(field, "BPM"), paint(number, std::to_string(b.bpm)));
    fmt::format_to(it, "  {}: (string) (len={}) {},\n", paint(field, "Hash"), b.hash.size(),
                   paint(text, fmt::format("\"{}\"", b.hash)));
    fmt::format_to(it, "  {}: (string) (len={}) {}\n", paint(field, "PrevHash"), b.prev_hash.size(),
                   paint(text, fmt::format("\"{}\"", b.prev_hash)));
    fmt::format_to(it, " }}{}\n", last ? "" : ",");
}

}  // namespace

std::string format_chain(std::span<const Block> chain, bool color) {
    Painter paint{color};
    std::string out = fmt::format("([]Block) (len={}) {{\n", chain.size());
    for (std::size_t i = 0; i < chain.size(); ++i) append_block(out, chain[i], paint, i + 1 == chain.size());
    out += "}\n";
    return out;
}

std::string format_summary(std::span<const Block> chain) {
    if (chain.empty()) return "0 blocks";
    return fmt::format("{} block{}, tip {}", chain.size(), chain.size() == 1 ? "" : "s", chain.back().hash);
}

std::string format_go_time(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    auto secs = floor<seconds>(t);
    auto nanos = duration_cast<nanoseconds>(t - secs).count();
    std::time_t tt = system_clock::to_time_t(secs);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    std::string frac;
    if (nanos != 0) {
        frac = fmt::format(".{:09}", nanos);
        while (frac.back() == '0') frac.pop_back();
    }
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}{} +0000 UTC", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                       tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

}  // namespace chainkit::pulse
