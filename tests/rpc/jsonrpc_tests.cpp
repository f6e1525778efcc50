// JSON-RPC 2.0 processing without HTTP: the standard error codes, batches,
// notifications and the bounds on nesting, batch length and answer size.
#include "chainkit/rpc/jsonrpc.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>

using chainkit::rpc::handle_jsonrpc;
using chainkit::rpc::Json;
using chainkit::rpc::JsonRpcLimits;
using chainkit::rpc::MethodRegistry;
using chainkit::rpc::RpcCode;
using chainkit::rpc::RpcError;

namespace {

struct Fixture {
    MethodRegistry methods;
    std::atomic<int> pings{0};

    Fixture() {
        methods.add("echo", [](const Json& params) { return params; });
        methods.add("ping", [this](const Json&) { return Json(++pings); });
        methods.add("refuse", [](const Json&) -> Json { throw RpcError(RpcCode::invalid_parameter, "no"); });
        methods.add("crash", [](const Json&) -> Json { throw std::runtime_error("boom"); });
        methods.add("typed", [](const Json& params) { return Json(params.at(0).get<int>() + 1); });
        methods.add("big", [](const Json&) { return Json(std::string(1000, 'x')); });
    }

    Json call(const std::string& body, const JsonRpcLimits& limits = {}) {
        auto out = handle_jsonrpc(methods, body, limits);
        REQUIRE(out.has_value());
        return Json::parse(*out);
    }
};

int error_code(const Json& answer) {
    return answer.at("error").at("code").get<int>();
}

}  // namespace

TEST_CASE_METHOD(Fixture, "a call gets its result with its id", "[rpc][jsonrpc]") {
    const auto a = call(R"({"jsonrpc":"2.0","id":"x7","method":"echo","params":[1,"two"]})");
    CHECK(a.at("jsonrpc") == "2.0");
    CHECK(a.at("id") == "x7");
    CHECK(a.at("result") == Json::array({1, "two"}));
    CHECK_FALSE(a.contains("error"));
    // Named params pass through as an object; absent params are an empty array.
    CHECK(call(R"({"jsonrpc":"2.0","id":1,"method":"echo","params":{"a":1}})").at("result") == Json{{"a", 1}});
    CHECK(call(R"({"jsonrpc":"2.0","id":null,"method":"echo"})").at("result") == Json::array());
}

TEST_CASE_METHOD(Fixture, "malformed bodies get -32700 or -32600", "[rpc][jsonrpc]") {
    CHECK(error_code(call(R"({"jsonrpc":"2.0","id":1,"method":"ec)")) == -32700);
    CHECK(error_code(call("")) == -32700);
    CHECK(error_code(call("\xff\xfe")) == -32700);
    CHECK(error_code(call(R"("just a string")")) == -32600);
    CHECK(error_code(call(R"({"id":1,"method":"echo"})")) == -32600);                  // no jsonrpc
    CHECK(error_code(call(R"({"jsonrpc":"1.0","id":1,"method":"echo"})")) == -32600);  // wrong version
    CHECK(error_code(call(R"({"jsonrpc":"2.0","id":1,"method":7})")) == -32600);       // method not a string
    CHECK(error_code(call(R"({"jsonrpc":"2.0","id":1,"method":"echo","params":3})")) == -32600);
    const auto bad_id = call(R"({"jsonrpc":"2.0","id":{"a":1},"method":"echo"})");
    CHECK(error_code(bad_id) == -32600);
    CHECK(bad_id.at("id").is_null());
}

TEST_CASE_METHOD(Fixture, "unknown methods, refusals and handler failures", "[rpc][jsonrpc]") {
    const auto unknown = call(R"({"jsonrpc":"2.0","id":2,"method":"nosuch"})");
    CHECK(error_code(unknown) == -32601);
    CHECK(unknown.at("id") == 2);
    CHECK(error_code(call(R"({"jsonrpc":"2.0","id":3,"method":"refuse"})")) == -8);
    const auto crash = call(R"({"jsonrpc":"2.0","id":4,"method":"crash"})");
    CHECK(error_code(crash) == -32603);
    CHECK(crash.at("error").at("message").get<std::string>().find("boom") != std::string::npos);
    // A handler reading a parameter as the wrong type is a params error, not a crash.
    CHECK(error_code(call(R"({"jsonrpc":"2.0","id":5,"method":"typed","params":["x"]})")) == -32602);
    CHECK(error_code(call(R"({"jsonrpc":"2.0","id":6,"method":"typed","params":[]})")) == -32602);
    CHECK(call(R"({"jsonrpc":"2.0","id":7,"method":"typed","params":[41]})").at("result") == 42);
}

TEST_CASE_METHOD(Fixture, "notifications run and get no answer", "[rpc][jsonrpc]") {
    CHECK_FALSE(handle_jsonrpc(methods, R"({"jsonrpc":"2.0","method":"ping"})").has_value());
    CHECK(pings == 1);
    // Not even an error is answered for a notification of an unknown method.
    CHECK_FALSE(handle_jsonrpc(methods, R"({"jsonrpc":"2.0","method":"nosuch"})").has_value());
    CHECK_FALSE(handle_jsonrpc(methods, R"([{"jsonrpc":"2.0","method":"ping"},{"jsonrpc":"2.0","method":"ping"}])")
                    .has_value());
    CHECK(pings == 3);
}

TEST_CASE_METHOD(Fixture, "a batch mixing good and bad calls answers each in order", "[rpc][jsonrpc]") {
    const auto a = call(R"([
        {"jsonrpc":"2.0","id":1,"method":"echo","params":[1]},
        {"jsonrpc":"2.0","method":"ping"},
        {"jsonrpc":"2.0","id":2,"method":"nosuch"},
        5,
        {"jsonrpc":"2.0","id":3,"method":"typed","params":["no"]},
        {"jsonrpc":"2.0","id":4,"method":"typed","params":[1]}
    ])");
    REQUIRE(a.is_array());
    REQUIRE(a.size() == 5);  // the notification has no answer
    CHECK(a[0].at("result") == Json::array({1}));
    CHECK(error_code(a[1]) == -32601);
    CHECK(error_code(a[2]) == -32600);
    CHECK(a[2].at("id").is_null());
    CHECK(error_code(a[3]) == -32602);
    CHECK(a[4].at("result") == 2);
    CHECK(pings == 1);
}

TEST_CASE_METHOD(Fixture, "an empty batch is one invalid request", "[rpc][jsonrpc]") {
    const auto a = call("[]");
    CHECK(a.is_object());
    CHECK(error_code(a) == -32600);
}

TEST_CASE_METHOD(Fixture, "bounds: nesting, batch length, answer size", "[rpc][jsonrpc]") {
    JsonRpcLimits limits;
    limits.max_depth = 8;
    limits.max_batch = 3;
    limits.max_response_bytes = 2500;
    // Deep nesting is refused before parsing; brackets inside strings do not count.
    CHECK(error_code(call(std::string(100'000, '[') + std::string(100'000, ']'), limits)) == -32700);
    CHECK(call(R"({"jsonrpc":"2.0","id":1,"method":"echo","params":["[[[[[[[[[[[[[[[[[["]})", limits).at("result")[0] ==
          std::string(18, '['));
    const std::string one = R"({"jsonrpc":"2.0","id":1,"method":"ping"})";
    CHECK(error_code(call("[" + one + "," + one + "," + one + "," + one + "]", limits)) == -32600);
    // Two answers of 1,000 characters fit in 2,500 bytes; the third is replaced by an error.
    const std::string big = R"({"jsonrpc":"2.0","id":9,"method":"big"})";
    const auto a = call("[" + big + "," + big + "," + big + "]", limits);
    REQUIRE(a.size() == 3);
    CHECK(a[0].at("result").get<std::string>().size() == 1000);
    CHECK(a[1].contains("result"));
    CHECK(error_code(a[2]) == -32603);
    CHECK(a[2].at("id") == 9);
}

// getblockchaininfo answers with bytes serialized once per chain summary
// (MethodRegistry::add_serialized): the response must be byte for byte what
// the Json path writes, in single calls and batches, and its failures the same.
TEST_CASE("a method returning serialized JSON answers as a Json one does", "[rpc][jsonrpc]") {
    const Json result{{"blocks", 7}, {"chain", "regtest"}, {"nested", Json::array({1.5, "x", nullptr})}};
    MethodRegistry methods;
    std::atomic<int> calls{0};
    methods.add("json", [&](const Json&) { return result; });
    methods.add_serialized("text", [&](const Json& params) {
        if (!params.empty()) throw RpcError(RpcCode::invalid_params, "no params");
        ++calls;
        return std::make_shared<const std::string>(result.dump());
    });
    for (const auto* id : {"1", "\"abc\"", "null", "-2.5"}) {
        const auto body = [&](const char* method) {
            return std::string(R"({"jsonrpc":"2.0","id":)") + id + R"(,"method":")" + method + R"(","params":[]})";
        };
        const auto text = handle_jsonrpc(methods, body("text"));
        const auto json = handle_jsonrpc(methods, body("json"));
        REQUIRE(text.has_value());
        REQUIRE(json.has_value());
        CHECK(*text == *json);
        CHECK(Json::parse(*text).at("result") == result);
    }
    const auto batch = handle_jsonrpc(
        methods, R"([{"jsonrpc":"2.0","id":1,"method":"text"},{"jsonrpc":"2.0","method":"text"},)"
                 R"({"jsonrpc":"2.0","id":2,"method":"text","params":[1]},{"jsonrpc":"2.0","id":3,"method":"json"}])");
    REQUIRE(batch.has_value());
    const auto answers = Json::parse(*batch);
    REQUIRE(answers.size() == 3);  // the notification ran unanswered
    CHECK(answers[0].at("result") == result);
    CHECK(answers[0].at("id") == 1);
    CHECK(error_code(answers[1]) == static_cast<int>(RpcCode::invalid_params));
    CHECK(answers[1].at("id") == 2);
    CHECK(answers[2].at("result") == result);
    CHECK(calls == 4 + 2);
}
