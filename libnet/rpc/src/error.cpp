#include "chainkit/rpc/error.hpp"

namespace chainkit::rpc {
namespace {

class RpcCategory final : public std::error_category {
public:
    [[nodiscard]] const char* name() const noexcept override { return "chainkit.rpc"; }
    [[nodiscard]] std::string message(int code) const override {
        switch (static_cast<RpcCode>(code)) {
            case RpcCode::parse_error:
                return "parse error";
            case RpcCode::invalid_request:
                return "invalid request";
            case RpcCode::method_not_found:
                return "method not found";
            case RpcCode::invalid_params:
                return "invalid params";
            case RpcCode::internal_error:
                return "internal error";
            case RpcCode::misc_error:
                return "error";
            case RpcCode::invalid_address_or_key:
                return "invalid address or key";
            case RpcCode::invalid_parameter:
                return "invalid parameter";
            case RpcCode::database_error:
                return "database error";
            case RpcCode::deserialization_error:
                return "deserialization error";
            case RpcCode::client_node_not_connected:
                return "node not connected";
            case RpcCode::verify_error:
                return "refused by validation";
            case RpcCode::verify_rejected:
                return "refused by the mempool";
            case RpcCode::verify_already_in_chain:
                return "already known";
        }
        return "rpc error " + std::to_string(code);
    }
};

}  // namespace

const std::error_category& rpc_category() noexcept {
    static const RpcCategory category;
    return category;
}

std::error_code make_error_code(RpcCode c) noexcept {
    return {static_cast<int>(c), rpc_category()};
}

}  // namespace chainkit::rpc
