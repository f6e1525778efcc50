#include <chainkit/net/error.hpp>
#include <string>

namespace chainkit::net {
namespace {

class NetCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "chainkit::net"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::invalid_multiaddr:
                return "invalid multiaddr";
            case errc::invalid_peer_id:
                return "invalid peer id";
            case errc::invalid_key:
                return "invalid key";
            case errc::key_file:
                return "cannot read or write the key file";
            case errc::protocol_not_supported:
                return "protocol not supported by peer";
            case errc::negotiation_failed:
                return "multistream-select negotiation failed";
            case errc::handshake_failed:
                return "noise handshake failed";
            case errc::handshake_timeout:
                return "handshake timed out";
            case errc::peer_id_mismatch:
                return "authenticated peer id differs from the dialed one";
            case errc::decrypt_failed:
                return "decryption failed";
            case errc::frame_too_large:
                return "frame too large";
            case errc::message_too_large:
                return "message too large";
            case errc::line_too_long:
                return "line too long";
            case errc::protocol_violation:
                return "protocol violation";
            case errc::window_exceeded:
                return "peer exceeded the flow-control window";
            case errc::too_many_streams:
                return "too many streams";
            case errc::too_many_connections:
                return "too many connections";
            case errc::end_of_stream:
                return "end of stream";
            case errc::stream_reset:
                return "stream reset";
            case errc::connection_closed:
                return "connection closed";
            case errc::timeout:
                return "timed out";
            case errc::not_connected:
                return "not connected";
            case errc::host_stopped:
                return "host stopped";
            case errc::io_error:
                return "i/o error";
            case errc::stream_closed:
                return "stream closed for writing";
        }
        return "unknown chainkit::net error";
    }
};

}  // namespace

const std::error_category& net_category() noexcept {
    static const NetCategory category;
    return category;
}

std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), net_category()};
}

}  // namespace chainkit::net
