#include "multistream.hpp"

namespace chainkit::net::detail {

void ms_append(std::vector<std::uint8_t>& out, std::string_view text) {
    append_uvarint(out, text.size() + 1);
    out.insert(out.end(), text.begin(), text.end());
    out.push_back('\n');
}

}  // namespace chainkit::net::detail
