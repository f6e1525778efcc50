#include "chainkit/rpc/jsonrpc.hpp"

#include <exception>
#include <string>
#include <utility>

namespace chainkit::rpc {
namespace {

// A method name echoed in an error is cut here: the name came from the body.
constexpr std::size_t MAX_ECHOED_NAME = 64;

// nlohmann's parser is iterative, but a body of a million '[' still builds a
// million nested values: refuse deep nesting before parsing. Brackets inside
// strings do not count.
bool nesting_exceeds(std::string_view body, std::size_t max_depth) {
    std::size_t depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (const char c : body) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"')
            in_string = true;
        else if (c == '[' || c == '{') {
            if (++depth > max_depth) return true;
        } else if ((c == ']' || c == '}') && depth > 0)
            --depth;
    }
    return false;
}

std::string dump(const Json& j) {
    // Strings a handler built from outside data may hold invalid UTF-8:
    // replace it rather than throw.
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// One call's answer, serialized, and its id (a batch names it when the
// answer must be replaced by an error).
struct Answer {
    std::string text;
    Json id;
};

Answer error_answer(RpcCode code, std::string_view message, const Json& id) {
    return Answer{.text = dump(error_response(code, message, id)), .id = id};
}

// The success response with the result's text spliced in, bytes as
// dump(Json{{"jsonrpc","2.0"},{"result",r},{"id",id}}) writes them (keys sorted).
Answer success_answer(std::string_view result, const Json& id) {
    const auto id_text = dump(id);
    std::string text;
    text.reserve(result.size() + id_text.size() + 32);
    text.append(R"({"id":)").append(id_text).append(R"(,"jsonrpc":"2.0","result":)").append(result).append("}");
    return Answer{.text = std::move(text), .id = id};
}

// Runs the method; every failure becomes an error response.
Answer invoke(const Method& method, const Json& params, const Json& id) {
    try {
        if (method.serialized) {
            const auto result = method.serialized(params);
            if (!result) return error_answer(RpcCode::internal_error, "internal error: no result", id);
            return success_answer(*result, id);
        }
        return success_answer(dump(method.handler(params)), id);
    } catch (const RpcError& e) {
        return error_answer(e.code(), e.what(), id);
    } catch (const Json::type_error& e) {
        // A handler read a parameter as the wrong type.
        return error_answer(RpcCode::invalid_params, e.what(), id);
    } catch (const Json::out_of_range& e) {
        return error_answer(RpcCode::invalid_params, e.what(), id);
    } catch (const std::exception& e) {
        return error_answer(RpcCode::internal_error, std::string("internal error: ") + e.what(), id);
    } catch (...) {
        return error_answer(RpcCode::internal_error, "internal error", id);
    }
}

bool valid_id(const Json& id) {
    return id.is_string() || id.is_number() || id.is_null();
}

// One call of a single or batch request. nullopt for a notification.
std::optional<Answer> handle_call(const MethodRegistry& methods, const Json& call) {
    if (!call.is_object()) return error_answer(RpcCode::invalid_request, "a request must be a JSON object", nullptr);
    const bool notification = !call.contains("id");
    const Json id = notification ? Json(nullptr) : call["id"];
    if (!valid_id(id)) return error_answer(RpcCode::invalid_request, "id must be a string, a number or null", nullptr);
    const auto version = call.find("jsonrpc");
    if (version == call.end() || *version != "2.0")
        return error_answer(RpcCode::invalid_request, "jsonrpc must be \"2.0\"", id);
    const auto method = call.find("method");
    if (method == call.end() || !method->is_string())
        return error_answer(RpcCode::invalid_request, "method must be a string", id);
    const auto params_it = call.find("params");
    const Json params = params_it == call.end() ? Json::array() : *params_it;
    if (!params.is_array() && !params.is_object())
        return error_answer(RpcCode::invalid_request, "params must be an array or an object", id);

    const auto& name = method->get_ref<const std::string&>();
    const Method* found = methods.find(name);
    Answer answer =
        found ? invoke(*found, params, id)
              : error_answer(RpcCode::method_not_found, "Method not found: " + name.substr(0, MAX_ECHOED_NAME), id);
    if (notification) return std::nullopt;  // even errors are not answered (spec, section 4.1)
    return answer;
}

std::optional<std::string> handle_batch(const MethodRegistry& methods, const Json& batch, const JsonRpcLimits& limits) {
    if (batch.empty()) return dump(error_response(RpcCode::invalid_request, "empty batch"));
    if (batch.size() > limits.max_batch)
        return dump(error_response(RpcCode::invalid_request, "batch of " + std::to_string(batch.size()) +
                                                                 " calls exceeds " + std::to_string(limits.max_batch)));
    std::string out = "[";
    std::size_t answers = 0;
    for (const auto& call : batch) {
        auto answer = handle_call(methods, call);
        if (!answer) continue;
        if (out.size() + answer->text.size() > limits.max_response_bytes)
            answer = error_answer(RpcCode::internal_error,
                                  "batch answers exceed " + std::to_string(limits.max_response_bytes) +
                                      " bytes: call this method on its own",
                                  answer->id);
        if (answers++ > 0) out += ',';
        out += answer->text;
    }
    if (answers == 0) return std::nullopt;
    out += ']';
    return out;
}

}  // namespace

Json error_response(RpcCode code, std::string_view message, const Json& id) {
    return Json{{"jsonrpc", "2.0"},
                {"error", {{"code", static_cast<int>(code)}, {"message", std::string(message)}}},
                {"id", id}};
}

std::optional<std::string> handle_jsonrpc(const MethodRegistry& methods, std::string_view body,
                                          const JsonRpcLimits& limits) {
    try {
        if (nesting_exceeds(body, limits.max_depth))
            return dump(error_response(RpcCode::parse_error,
                                       "JSON nested deeper than " + std::to_string(limits.max_depth) + " levels"));
        const Json request = Json::parse(body, nullptr, /*allow_exceptions=*/false);
        if (request.is_discarded()) return dump(error_response(RpcCode::parse_error, "Parse error: not valid JSON"));
        if (request.is_array()) return handle_batch(methods, request, limits);
        auto answer = handle_call(methods, request);
        if (!answer) return std::nullopt;
        return std::move(answer->text);
    } catch (const std::exception& e) {
        // Only allocation failures can get here: answer rather than crash the thread.
        return dump(error_response(RpcCode::internal_error, std::string("internal error: ") + e.what()));
    }
}

}  // namespace chainkit::rpc
