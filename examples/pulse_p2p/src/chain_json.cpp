#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <array>
#include <chainkit/pulse/chain_json.hpp>
#include <cstdint>
#include <limits>

namespace chainkit::pulse {

namespace {

// ordered_json keeps go's struct field order on output.
using Json = nlohmann::ordered_json;

Json chain_to_json(std::span<const Block> chain) {
    Json arr = Json::array();
    for (const Block& b : chain) {
        Json j;
        j["Index"] = b.index;
        j["Timestamp"] = b.timestamp;
        j["BPM"] = b.bpm;
        j["Hash"] = b.hash;
        j["PrevHash"] = b.prev_hash;
        arr.push_back(std::move(j));
    }
    return arr;
}

// Local strings are ours and valid UTF-8; `replace` only guards dump() from
// throwing if a caller ever hands in something else.
std::string dump(const Json& j, int indent) {
    return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

// A control character (C0, DEL or C1) in a peer's Timestamp would reach the
// user's terminal in the chain dump (escape sequences), and C0 ones widen 6x
// when written back as JSON, past what MAX_LINE_BYTES allows for. Hashes
// need no such check: an adopted chain's are verified hex.
bool has_control_character(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7f) return true;
        // C1 (U+0080..U+009F) in UTF-8: 0xC2 then 0x80..0x9F.
        if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xa0) return true;
    }
    return false;
}

// SAX handler building blocks as the parser goes. Depth 0 is outside the
// top-level array, 1 inside it, 2 inside a block object. An unknown field's
// container value is skipped (counted, not stored).
class ChainSax {
public:
    using number_integer_t = Json::number_integer_t;
    using number_unsigned_t = Json::number_unsigned_t;
    using number_float_t = Json::number_float_t;
    using string_t = Json::string_t;
    using binary_t = Json::binary_t;

    ChainSax(std::vector<Block>& out, const ParseLimits& limits) : m_out(out), m_limits(limits) {}
    Verdict verdict;

    bool null() { return scalar("null"); }
    bool boolean(bool) { return scalar("a boolean"); }
    bool number_float(number_float_t, const string_t&) { return scalar("a number", "is not an integer"); }
    bool binary(binary_t&) { return scalar("binary data"); }
    bool number_integer(number_integer_t v) { return integer(v, "a number"); }
    bool number_unsigned(number_unsigned_t v) {
        if (v > static_cast<number_unsigned_t>(std::numeric_limits<std::int64_t>::max()))
            return m_skip_base || m_depth != 2 || m_field == Field::unknown
                       ? scalar("a number")
                       : field_fault("is out of the 64-bit integer range");
        return integer(static_cast<std::int64_t>(v), "a number");
    }
    bool string(string_t& s) {
        if (m_skip_base || m_depth != 2 || m_field == Field::unknown) return scalar("a string");
        std::size_t limit = m_field == Field::timestamp ? MAX_TIMESTAMP_BYTES : HASH_HEX_CHARS;
        if (m_field == Field::index || m_field == Field::bpm) return field_fault("is a string, not an integer");
        if (s.size() > limit) return field_fault(fmt::format("is {} bytes, over the limit {}", s.size(), limit));
        if (m_field == Field::timestamp && has_control_character(s)) return field_fault("holds a control character");
        Block& b = m_out.back();
        (m_field == Field::timestamp ? b.timestamp : m_field == Field::hash ? b.hash : b.prev_hash) = std::move(s);
        return mark_seen();
    }
    bool key(string_t& k) {
        if (m_skip_base) return true;
        m_field = Field::unknown;
        for (std::size_t i = 0; i < FIELD_NAMES.size(); ++i)
            if (k == FIELD_NAMES[i]) m_field = static_cast<Field>(i);
        return true;
    }
    bool start_object(std::size_t) {
        if (m_depth == 1 && !m_skip_base) {
            if (m_out.size() >= m_limits.max_blocks)
                return fail(Fault::too_many_blocks, fmt::format("chain has over {} blocks", m_limits.max_blocks));
            m_out.emplace_back();
            m_seen = 0;
            m_depth = 2;
            return true;
        }
        return open("an object");
    }
    bool end_object() {
        if (m_depth == 2 && !m_skip_base) {
            if (m_seen != 0x1f) return field_fault("is missing", first_missing());
            m_depth = 1;
            return true;
        }
        return close();
    }
    bool start_array(std::size_t) {
        if (m_depth == 0) {
            m_depth = 1;
            return true;
        }
        return open("an array");
    }
    bool end_array() { return m_depth == 1 && !m_skip_base ? (m_depth = 0, true) : close(); }
    bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception&) {
        return fail(Fault::malformed_json, fmt::format("line is not valid JSON (at byte {})", pos));
    }

private:
    enum class Field { index, timestamp, bpm, hash, prev_hash, unknown };
    static constexpr std::array<const char*, 5> FIELD_NAMES = {"Index", "Timestamp", "BPM", "Hash", "PrevHash"};
    static constexpr int MAX_SKIP_DEPTH = 32;

    bool fail(Fault f, std::string msg) {
        verdict = {f, std::move(msg)};
        return false;
    }
    bool field_fault(std::string_view what, std::size_t field = SIZE_MAX) {
        const char* name = FIELD_NAMES[field == SIZE_MAX ? static_cast<std::size_t>(m_field) : field];
        return fail(Fault::bad_field, fmt::format("block {}: field \"{}\" {}", m_out.size() - 1, name, what));
    }
    std::size_t first_missing() const {
        for (std::size_t i = 0; i < 5; ++i)
            if (!(m_seen & (1u << i))) return i;
        return 0;
    }
    bool mark_seen() {
        m_seen |= 1u << static_cast<unsigned>(m_field);
        return true;
    }
    // A value that is not where a block field's value belongs, or is the wrong type.
    bool scalar(const char* type, std::string_view float_msg = {}) {
        if (m_skip_base) return true;
        if (m_depth == 0) return fail(Fault::not_a_chain, fmt::format("JSON is {}, not an array of blocks", type));
        if (m_depth == 1)
            return fail(Fault::not_a_chain, fmt::format("element {} is {}, not a block object", m_out.size(), type));
        if (m_field == Field::unknown) return true;
        if (!float_msg.empty() && (m_field == Field::index || m_field == Field::bpm)) return field_fault(float_msg);
        bool wants_int = m_field == Field::index || m_field == Field::bpm;
        return field_fault(fmt::format("is {}, not {}", type, wants_int ? "an integer" : "a string"));
    }
    bool integer(std::int64_t v, const char* type) {
        if (m_skip_base || m_depth != 2 || m_field == Field::unknown) return scalar(type);
        if (m_field != Field::index && m_field != Field::bpm) return scalar(type);
        (m_field == Field::index ? m_out.back().index : m_out.back().bpm) = v;
        return mark_seen();
    }
    bool open(const char* type) {
        if (!m_skip_base) {
            if (m_depth != 2 || m_field != Field::unknown) return scalar(type);
            m_skip_base = m_depth;  // an unknown field's container: skip it
        }
        if (++m_depth > MAX_SKIP_DEPTH) return fail(Fault::not_a_chain, "JSON nested too deep");
        return true;
    }
    bool close() {
        if (--m_depth == m_skip_base) m_skip_base = 0;
        return true;
    }

    std::vector<Block>& m_out;
    const ParseLimits& m_limits;
    int m_depth = 0;
    int m_skip_base = 0;  // depth where skipping began; 0 when not skipping
    Field m_field = Field::unknown;
    unsigned m_seen = 0;  // bit i: FIELD_NAMES[i] present in the current block
};

}  // namespace

std::string to_json(std::span<const Block> chain) {
    return dump(chain_to_json(chain), -1);
}

std::string to_json_line(std::span<const Block> chain) {
    return to_json(chain) + '\n';
}

std::string to_json_pretty(std::span<const Block> chain) {
    return dump(chain_to_json(chain), 2);
}

Verdict parse_chain(std::string_view line, std::vector<Block>& out, const ParseLimits& limits) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > limits.max_line_bytes)
        return {Fault::line_too_long,
                fmt::format("line is {} bytes, over the limit {}", line.size(), limits.max_line_bytes)};
    std::vector<Block> chain;
    ChainSax sax(chain, limits);
    if (!Json::sax_parse(line, &sax)) {
        if (sax.verdict.ok()) return {Fault::malformed_json, "line is not valid JSON"};
        return std::move(sax.verdict);
    }
    out = std::move(chain);
    return {};
}

}  // namespace chainkit::pulse
