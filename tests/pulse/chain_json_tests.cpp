// Covers examples/pulse_p2p/src/chain_json.cpp.
#include <catch2/catch.hpp>

#include <chainkit/pulse/chain_json.hpp>
#include <limits>

using namespace chainkit::pulse;

namespace {

const std::string G = "f1534392279bddbf9d43dde8701cb5be14b82f76ec6607bf8d6ad557f60f304e";  // sha256("00")

std::vector<Block> two_blocks() {
    std::vector<Block> c{make_genesis("T0")};
    c.push_back(generate_block(c.back(), 72, "T1"));
    return c;
}

Fault parse_fault(std::string_view line) {
    std::vector<Block> out;
    return parse_chain(line, out).fault;
}

}  // namespace

TEST_CASE("JSON uses go's field names and order", "[pulse][json]") {
    std::vector<Block> c{make_genesis("T0")};
    // What go's json.Marshal([]Block{genesis}) prints.
    CHECK(to_json(c) == R"([{"Index":0,"Timestamp":"T0","BPM":0,"Hash":")" + G + R"(","PrevHash":""}])");
    CHECK(to_json_line(c) == to_json(c) + "\n");
    CHECK(to_json_pretty(c).find("\n  {\n    \"Index\": 0,\n    \"Timestamp\": \"T0\",") != std::string::npos);
}

TEST_CASE("JSON round trip", "[pulse][json]") {
    auto c = two_blocks();
    c.push_back(generate_block(c.back(), 300, "2018-01-22 00:00:02.5 +0000 UTC \"quoted\" \\ caf\xc3\xa9"));
    std::vector<Block> back;
    auto v = parse_chain(to_json(c), back);
    REQUIRE(v.ok());
    CHECK(back == c);
    // The trailing '\r' of a CRLF writer is tolerated.
    back.clear();
    CHECK(parse_chain(to_json(c) + "\r", back).ok());
    CHECK(back == c);
}

TEST_CASE("JSON from an original peer: unknown fields ignored, any order", "[pulse][json]") {
    std::string line = R"([{"PrevHash":"","Hash":")" + G + R"(","BPM":0,"Extra":[1,2],"Timestamp":"T0","Index":0}])";
    std::vector<Block> out;
    REQUIRE(parse_chain(line, out).ok());
    REQUIRE(out.size() == 1);
    CHECK(out[0] == make_genesis("T0"));
}

TEST_CASE("malformed lines are refused with a reason", "[pulse][json]") {
    const std::string ok_block = R"({"Index":0,"Timestamp":"T0","BPM":0,"Hash":"h","PrevHash":""})";
    CHECK(parse_fault("") == Fault::malformed_json);
    CHECK(parse_fault("hello") == Fault::malformed_json);
    CHECK(parse_fault("[" + ok_block) == Fault::malformed_json);
    CHECK(parse_fault("[" + ok_block + "] trailing") == Fault::malformed_json);
    CHECK(parse_fault("[\"T0\xff\"]") == Fault::malformed_json);  // invalid UTF-8
    CHECK(parse_fault(ok_block) == Fault::not_a_chain);
    CHECK(parse_fault("null") == Fault::not_a_chain);
    CHECK(parse_fault("[1,2]") == Fault::not_a_chain);
    CHECK(parse_fault("[[[[[[]]]]]]") == Fault::not_a_chain);
    CHECK(parse_fault(R"([{"Timestamp":"T0","BPM":0,"Hash":"h","PrevHash":""}])") == Fault::bad_field);
    CHECK(parse_fault(R"([{"Index":"0","Timestamp":"T0","BPM":0,"Hash":"h","PrevHash":""}])") == Fault::bad_field);
    CHECK(parse_fault(R"([{"Index":0.5,"Timestamp":"T0","BPM":0,"Hash":"h","PrevHash":""}])") == Fault::bad_field);
    CHECK(parse_fault(R"([{"Index":0,"Timestamp":"T0","BPM":9223372036854775808,"Hash":"h","PrevHash":""}])") ==
          Fault::bad_field);
    CHECK(parse_fault(R"([{"Index":0,"Timestamp":5,"BPM":0,"Hash":"h","PrevHash":""}])") == Fault::bad_field);
    CHECK(parse_fault(R"([{"Index":0,"Timestamp":"T0","BPM":0,"Hash":")" + std::string(65, 'a') +
                      R"(","PrevHash":""}])") == Fault::bad_field);
    CHECK(parse_fault(R"([{"Index":0,"Timestamp":")" + std::string(MAX_TIMESTAMP_BYTES + 1, 't') +
                      R"(","BPM":0,"Hash":"h","PrevHash":""}])") == Fault::bad_field);
    CHECK(parse_fault(std::string(MAX_LINE_BYTES + 1, ' ')) == Fault::line_too_long);
    // Control characters in a Timestamp (escape sequences for the terminal
    // that prints it): C0 as a \u or a short escape, DEL, C1.
    auto with_timestamp = [](std::string_view ts) {
        return std::string(R"([{"Index":0,"Timestamp":")") + std::string(ts) +
               R"(","BPM":0,"Hash":"h","PrevHash":""}])";
    };
    for (const char* ts : {R"(\u001b[2J)", R"(T\n)", "T\x7f", "T\xc2\x9b"})
        CHECK(parse_fault(with_timestamp(ts)) == Fault::bad_field);
    CHECK(parse_fault(with_timestamp("\xc2\xa0\xc3\xa9 \\\" ok")) == Fault::none);  // NBSP, e-acute, escapes

    std::vector<Block> out{make_genesis("keep")};
    auto v = parse_chain(R"([{"Index":0,"Timestamp":true,"BPM":0,"Hash":"h","PrevHash":""}])", out);
    CHECK(v.fault == Fault::bad_field);
    CHECK(v.message == "block 0: field \"Timestamp\" is a boolean, not a string");
    CHECK(out == std::vector<Block>{make_genesis("keep")});  // untouched on failure
}

TEST_CASE("chains over the block bound are refused", "[pulse][json]") {
    std::vector<Block> c{make_genesis("T0")};
    for (int i = 0; i < 3; ++i) c.push_back(generate_block(c.back(), 70 + i, "T"));
    std::vector<Block> out;
    CHECK(parse_chain(to_json(c), out, ParseLimits{MAX_LINE_BYTES, 4}).ok());
    auto v = parse_chain(to_json(c), out, ParseLimits{MAX_LINE_BYTES, 3});
    CHECK(v.fault == Fault::too_many_blocks);
    CHECK(out.size() == 4);  // from the successful parse, untouched by the failed one
}

TEST_CASE("unknown fields of any shape are skipped without being stored", "[pulse][json]") {
    std::string deep(20, '[');
    deep += std::string(20, ']');
    std::string line = R"([{"Index":0,"Extra":{"a":[1,{"b":null}],"c":)" + deep +
                       R"(},"Timestamp":"T0","BPM":0,"Hash":")" + G +
                       R"(","PrevHash":"","More":[true,false,"x",1.5,-3]}])";
    std::vector<Block> out;
    auto v = parse_chain(line, out);
    INFO(v.message);
    REQUIRE(v.ok());
    CHECK(out == std::vector<Block>{make_genesis("T0")});
    // Nesting is bounded even inside an ignored field, and at the top.
    std::string too_deep = R"([{"Extra":)" + std::string(100, '[') + std::string(100, ']') + "}]";
    CHECK(parse_fault(too_deep) == Fault::not_a_chain);
    CHECK(parse_fault(std::string(1'000'000, '[')) == Fault::not_a_chain);
}

TEST_CASE("fault messages name the block and field", "[pulse][json]") {
    std::vector<Block> out;
    auto v = parse_chain(R"([{"Index":0,"Timestamp":"T0","BPM":0,"Hash":"h","PrevHash":""},{"Index":1}])", out);
    CHECK(v.fault == Fault::bad_field);
    CHECK(v.message == "block 1: field \"Timestamp\" is missing");
    v = parse_chain(R"([{"Index":0,"Timestamp":"T0","BPM":7.5,"Hash":"h","PrevHash":""}])", out);
    CHECK(v.message == "block 0: field \"BPM\" is not an integer");
    v = parse_chain(R"([{"Index":0,"Timestamp":"T0","BPM":0,"Hash":[],"PrevHash":""}])", out);
    CHECK(v.message == "block 0: field \"Hash\" is an array, not a string");
    v = parse_chain("[1]", out);
    CHECK(v.message == "element 0 is a number, not a block object");
    v = parse_chain("[{\"Index\":", out);
    CHECK(v.fault == Fault::malformed_json);
}

TEST_CASE("the largest chain the bounds accept still fits in one line", "[pulse][json]") {
    // Every block at its widest: the longest timestamp, every byte of it
    // escaped in JSON, and the widest BPM.
    const std::string ts(MAX_TIMESTAMP_BYTES, '"');
    std::vector<Block> c{make_genesis(ts)};
    c.reserve(MAX_CHAIN_BLOCKS);
    while (c.size() < MAX_CHAIN_BLOCKS)
        c.push_back(generate_block(c.back(), std::numeric_limits<std::int64_t>::min(), ts));
    const auto line = to_json(c);
    CHECK(line.size() <= MAX_LINE_BYTES);
    std::vector<Block> out;
    CHECK(parse_chain(line, out).ok());
    CHECK(out.size() == MAX_CHAIN_BLOCKS);
}
