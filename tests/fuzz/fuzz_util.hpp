// Shared helpers of the libFuzzer targets (docs/reliability.md, "Fuzzing").
//
// FUZZ_CHECK traps on a broken invariant (round trip, bound) so libFuzzer
// records the input as a crash. Seed mode: when CHAINKIT_FUZZ_WRITE_SEEDS
// names a folder, LLVMFuzzerInitialize (fuzz_util.cpp) writes the target's
// fuzz_seeds() there and exits; scripts/gen_fuzz_corpus.sh uses it to
// regenerate tests/fuzz/corpus/<target>/ from valid encodings.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#define FUZZ_CHECK(cond)                                                                        \
    do {                                                                                        \
        if (!(cond)) {                                                                          \
            std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            std::abort();                                                                       \
        }                                                                                       \
    } while (0)

namespace chainkit::fuzz {

using Bytes = std::vector<std::uint8_t>;

// Valid encodings the target starts from; each target defines it.
std::vector<Bytes> fuzz_seeds();

inline std::span<const std::uint8_t> as_span(const std::uint8_t* data, std::size_t size) {
    return {data, size};
}
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}
inline Bytes to_bytes(std::string_view s) {
    return Bytes(s.begin(), s.end());
}
// Reads a structured input front to back; past the end it yields zeros and
// empty spans, so a target never has to check lengths itself.
class InputCursor {
public:
    explicit InputCursor(std::span<const std::uint8_t> in) : m_in(in) {}
    bool empty() const { return m_in.empty(); }
    std::uint8_t u8() { return empty() ? 0 : take(1)[0]; }
    std::uint16_t u16() {
        const unsigned hi = u8();  // sequenced: big-endian
        return static_cast<std::uint16_t>(hi << 8 | u8());
    }
    std::span<const std::uint8_t> take(std::size_t n) {
        auto part = m_in.first(n < m_in.size() ? n : m_in.size());
        m_in = m_in.subspan(part.size());
        return part;
    }

private:
    std::span<const std::uint8_t> m_in;
};

template <class Range>
bool same_bytes(const Range& a, std::span<const std::uint8_t> b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace chainkit::fuzz
