// Params: positional and named parameters, each mistake an invalid_params
// error that names the parameter.
#include "chainkit/rpc/params.hpp"

#include <catch2/catch.hpp>

#include <string>

using chainkit::rpc::Json;
using chainkit::rpc::Params;
using chainkit::rpc::RpcCode;
using chainkit::rpc::RpcError;

namespace {

// The message of the invalid_params error `f` throws ("" if none).
template <class F>
std::string params_error(F f) {
    try {
        f();
    } catch (const RpcError& e) {
        CHECK(e.code() == RpcCode::invalid_params);
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("positional and named parameters read the same", "[rpc][params]") {
    const Params pos(Json::array({"abc", 7, true}), {"name", "count", "flag"});
    const Params named(Json{{"flag", true}, {"count", 7}, {"name", "abc"}}, {"name", "count", "flag"});
    for (const auto* p : {&pos, &named}) {
        CHECK(p->string(0) == "abc");
        CHECK(p->uint(1) == 7);
        CHECK(p->boolean(2, false));
    }
}

TEST_CASE("absent and null parameters take their defaults", "[rpc][params]") {
    const Params p(Json::array({nullptr}), {"a", "b"});
    CHECK(p.get(0) == nullptr);
    CHECK(p.get(1) == nullptr);
    CHECK_FALSE(p.optional_uint(0).has_value());
    CHECK(p.boolean(1, true));
    CHECK(params_error([&] { (void)p.string(0); }) == "missing parameter (parameter 1: a)");
}

TEST_CASE("every kind of mistake is refused with its reason", "[rpc][params]") {
    CHECK(params_error([] { (void)Params(Json::array({1, 2}), {"only"}); }) == "expected at most 1 parameters, got 2");
    CHECK(params_error([] { (void)Params(Json{{"other", 1}}, {"only"}); }) == "unknown parameter \"other\"");
    CHECK(params_error([] { (void)Params(Json(3), {"only"}); }) == "params must be an array or an object");
    const Params p(Json::array({-1, 1.5, "7", 1, "x"}), {"a", "b", "c", "d", "e"});
    CHECK(params_error([&] { (void)p.uint(0); }) == "expected a non-negative integer (parameter 1: a)");
    CHECK(params_error([&] { (void)p.uint(1); }) == "expected an integer (parameter 2: b)");
    CHECK(params_error([&] { (void)p.uint(2); }) == "expected an integer (parameter 3: c)");
    CHECK(params_error([&] { (void)p.boolean(3, false); }) == "expected true or false (parameter 4: d)");
    CHECK(params_error([&] { (void)p.string(3); }) == "expected a string (parameter 4: d)");
    CHECK(p.string(4) == "x");
}
