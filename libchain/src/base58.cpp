#include "chainkit/chain/base58.hpp"

#include "chainkit/chain/sha256.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace chainkit::chain {
namespace {

constexpr std::string_view ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

// Digit value of each ASCII character, -1 where not in the alphabet.
constexpr std::array<std::int8_t, 256> make_digits() {
    std::array<std::int8_t, 256> d{};
    for (auto& v : d) v = -1;
    for (std::size_t i = 0; i < ALPHABET.size(); ++i)
        d[static_cast<unsigned char>(ALPHABET[i])] = static_cast<std::int8_t>(i);
    return d;
}
constexpr auto DIGITS = make_digits();

class Base58Category final : public std::error_category {
public:
    const char* name() const noexcept override { return "base58"; }
    std::string message(int ev) const override {
        switch (static_cast<Base58Errc>(ev)) {
            case Base58Errc::bad_character:
                return "invalid base58 character";
            case Base58Errc::too_long:
                return "base58 text too long";
            case Base58Errc::too_short:
                return "base58check data shorter than its checksum";
            case Base58Errc::bad_checksum:
                return "base58check checksum mismatch";
        }
        return "unknown base58 error";
    }
};

Error fail(Base58Errc e, std::string message) {
    return Error{make_error_code(e), std::move(message)};
}

// Most base58 characters `max_bytes` bytes can need: ceil(n * log(256)/log(58)) + 1 slack.
std::size_t max_chars_for(std::size_t max_bytes) {
    return max_bytes * 138 / 100 + 1;
}

}  // namespace

const std::error_category& base58_category() noexcept {
    static const Base58Category category;
    return category;
}

std::error_code make_error_code(Base58Errc e) noexcept {
    return {static_cast<int>(e), base58_category()};
}

std::string base58_encode(ByteSpan data) {
    std::size_t zeros = 0;
    while (zeros < data.size() && data[zeros] == 0) ++zeros;
    // Base conversion 256 -> 58 into a big-endian digit buffer; log(256)/log(58) < 1.38.
    std::vector<std::uint8_t> digits((data.size() - zeros) * 138 / 100 + 1, 0);
    std::size_t used = 0;
    for (std::size_t i = zeros; i < data.size(); ++i) {
        unsigned carry = data[i];
        std::size_t j = 0;
        for (auto it = digits.rbegin(); (carry != 0 || j < used) && it != digits.rend(); ++it, ++j) {
            carry += 256u * *it;
            *it = static_cast<std::uint8_t>(carry % 58);
            carry /= 58;
        }
        used = j;
    }
    auto it = std::find_if(digits.begin(), digits.end(), [](std::uint8_t d) { return d != 0; });
    std::string out(zeros, '1');
    for (; it != digits.end(); ++it) out.push_back(ALPHABET[*it]);
    return out;
}

Result<Bytes> base58_decode(std::string_view text, std::size_t max_bytes) {
    if (text.size() > max_chars_for(max_bytes))
        return fail(Base58Errc::too_long, fmt::format("base58 text of {} characters is longer than the {} allowed",
                                                      text.size(), max_chars_for(max_bytes)));
    std::size_t zeros = 0;
    while (zeros < text.size() && text[zeros] == '1') ++zeros;
    // log(58)/log(256) < 0.733.
    std::vector<std::uint8_t> bytes((text.size() - zeros) * 733 / 1000 + 1, 0);
    std::size_t used = 0;
    for (std::size_t i = zeros; i < text.size(); ++i) {
        const int digit = DIGITS[static_cast<unsigned char>(text[i])];
        if (digit < 0) {
            const auto c = static_cast<unsigned char>(text[i]);
            const std::string shown =
                (c >= 0x20 && c < 0x7f) ? fmt::format("'{}'", text[i]) : fmt::format("byte 0x{:02x}", c);
            return fail(Base58Errc::bad_character, fmt::format("invalid base58 character {} at position {}", shown, i));
        }
        unsigned carry = static_cast<unsigned>(digit);
        std::size_t j = 0;
        for (auto it = bytes.rbegin(); (carry != 0 || j < used) && it != bytes.rend(); ++it, ++j) {
            carry += 58u * *it;
            *it = static_cast<std::uint8_t>(carry & 0xff);
            carry >>= 8;
        }
        used = j;
    }
    auto it = std::find_if(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b != 0; });
    Bytes out(zeros, 0);
    out.insert(out.end(), it, bytes.end());
    if (out.size() > max_bytes)
        return fail(Base58Errc::too_long,
                    fmt::format("base58 text decodes to {} bytes, more than the {} allowed", out.size(), max_bytes));
    return out;
}

std::string base58check_encode(ByteSpan payload) {
    Bytes data(payload.begin(), payload.end());
    const Hash256 check = sha256d(payload);
    data.insert(data.end(), check.data(), check.data() + BASE58_CHECKSUM_SIZE);
    return base58_encode(data);
}

Result<Bytes> base58check_decode(std::string_view text, std::size_t max_bytes) {
    auto decoded = base58_decode(text, max_bytes + BASE58_CHECKSUM_SIZE);
    if (!decoded) return decoded.error();
    Bytes data = std::move(decoded).value();
    if (data.size() < BASE58_CHECKSUM_SIZE)
        return fail(Base58Errc::too_short,
                    fmt::format("base58check data of {} bytes is shorter than its {}-byte checksum", data.size(),
                                BASE58_CHECKSUM_SIZE));
    const std::size_t n = data.size() - BASE58_CHECKSUM_SIZE;
    const Hash256 check = sha256d(ByteSpan(data.data(), n));
    if (std::memcmp(check.data(), data.data() + n, BASE58_CHECKSUM_SIZE) != 0)
        return fail(Base58Errc::bad_checksum, "base58check checksum does not match (mistyped or altered text)");
    data.resize(n);
    return data;
}

}  // namespace chainkit::chain
