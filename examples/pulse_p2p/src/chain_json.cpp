#include <chainkit/pulse/chain_json.hpp>

#include <cstdint>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace chainkit::pulse {

namespace {

// ordered_json keeps go's struct field order on output.
using Json = nlohmann::ordered_json;

Json block_to_json(const Block& b) {
  Json j;
  j["Index"] = b.index;
  j["Timestamp"] = b.timestamp;
  j["BPM"] = b.bpm;
  j["Hash"] = b.hash;
  j["PrevHash"] = b.prev_hash;
  return j;
}

Json chain_to_json(std::span<const Block> chain) {
  Json arr = Json::array();
  for (const Block& b : chain) arr.push_back(block_to_json(b));
  return arr;
}

// Local strings are ours and valid UTF-8; `replace` only guards dump() from
// throwing if a caller ever hands in something else.
std::string dump(const Json& j, int indent) {
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

Verdict field_error(std::size_t pos, std::string_view field, std::string_view what) {
  return {Fault::bad_field, fmt::format("block {}: field \"{}\" {}", pos, field, what)};
}

Verdict read_int(const Json& obj, std::size_t pos, const char* name, std::int64_t& out) {
  auto it = obj.find(name);
  if (it == obj.end()) return field_error(pos, name, "is missing");
  if (it->is_number_unsigned()) {
    auto v = it->get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return field_error(pos, name, "is out of the 64-bit integer range");
    out = static_cast<std::int64_t>(v);
    return {};
  }
  if (it->is_number_integer()) {
    out = it->get<std::int64_t>();
    return {};
  }
  return field_error(pos, name, it->is_number_float() ? "is not an integer" : fmt::format("is a {}, not an integer", it->type_name()));
}

Verdict read_string(const Json& obj, std::size_t pos, const char* name, std::size_t max_len, std::string& out) {
  auto it = obj.find(name);
  if (it == obj.end()) return field_error(pos, name, "is missing");
  if (!it->is_string()) return field_error(pos, name, fmt::format("is a {}, not a string", it->type_name()));
  const auto& s = it->get_ref<const std::string&>();
  if (s.size() > max_len) return field_error(pos, name, fmt::format("is {} bytes, over the limit {}", s.size(), max_len));
  out = s;
  return {};
}

Verdict read_block(const Json& obj, std::size_t pos, Block& b) {
  if (!obj.is_object()) return {Fault::not_a_chain, fmt::format("element {} is a {}, not a block object", pos, obj.type_name())};
  Verdict v = read_int(obj, pos, "Index", b.index);
  if (v.ok()) v = read_string(obj, pos, "Timestamp", MAX_TIMESTAMP_BYTES, b.timestamp);
  if (v.ok()) v = read_int(obj, pos, "BPM", b.bpm);
  // Hash and PrevHash are compared, never decoded; the bound keeps them small.
  if (v.ok()) v = read_string(obj, pos, "Hash", HASH_HEX_CHARS, b.hash);
  if (v.ok()) v = read_string(obj, pos, "PrevHash", HASH_HEX_CHARS, b.prev_hash);
  return v;
}

}  // namespace

std::string to_json(std::span<const Block> chain) { return dump(chain_to_json(chain), -1); }

std::string to_json_line(std::span<const Block> chain) { return to_json(chain) + '\n'; }

std::string to_json_pretty(std::span<const Block> chain) { return dump(chain_to_json(chain), 2); }

Verdict parse_chain(std::string_view line, std::vector<Block>& out) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() > MAX_LINE_BYTES)
    return {Fault::line_too_long, fmt::format("line is {} bytes, over the limit {}", line.size(), MAX_LINE_BYTES)};
  // parse(..., allow_exceptions=false) yields a `discarded` value on error.
  Json j = Json::parse(line, nullptr, false);
  if (j.is_discarded()) return {Fault::malformed_json, "line is not valid JSON"};
  if (!j.is_array()) return {Fault::not_a_chain, fmt::format("JSON is a {}, not an array of blocks", j.type_name())};
  if (j.size() > MAX_CHAIN_BLOCKS)
    return {Fault::too_many_blocks, fmt::format("chain has {} blocks, over the limit {}", j.size(), MAX_CHAIN_BLOCKS)};
  std::vector<Block> chain(j.size());
  for (std::size_t i = 0; i < j.size(); ++i) {
    Verdict v = read_block(j[i], i, chain[i]);
    if (!v.ok()) return v;
  }
  out = std::move(chain);
  return {};
}

}  // namespace chainkit::pulse
