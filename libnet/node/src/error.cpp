#include "chainkit/node/error.hpp"

#include <string>

namespace chainkit::node {
namespace {

class Category final : public std::error_category {
public:
    const char* name() const noexcept override { return "chainkit.node"; }
    std::string message(int v) const override {
        switch (static_cast<NodeError>(v)) {
            case NodeError::ok:
                return "ok";
            case NodeError::bad_message:
                return "malformed message";
            case NodeError::protocol_violation:
                return "protocol violation";
            case NodeError::wrong_network:
                return "peer is on another chain";
            case NodeError::self_connection:
                return "connected to ourselves";
            case NodeError::duplicate_peer:
                return "already connected to this peer";
            case NodeError::banned:
                return "peer is banned";
            case NodeError::timeout:
                return "peer did not answer in time";
            case NodeError::stalled:
                return "peer stalled the block download";
            case NodeError::misbehaving:
                return "peer sent invalid data";
            case NodeError::shutting_down:
                return "node is shutting down";
            case NodeError::storage:
                return "chain storage failed";
        }
        return "unknown node error";
    }
};

}  // namespace

const std::error_category& node_error_category() noexcept {
    static const Category c;
    return c;
}

std::error_code make_error_code(NodeError e) noexcept {
    return {static_cast<int>(e), node_error_category()};
}

}  // namespace chainkit::node
