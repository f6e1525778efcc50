// Base58 (Bitcoin alphabet, also multibase "base58btc") and Base58Check
// (payload followed by the first 4 bytes of its double SHA-256).
//
// Decoding never trusts its input: the text length is capped before any
// work, and each failure is a distinct error code with a one-line message
// naming the offending position. Pure functions; thread-safe.
#pragma once

#include "chainkit/chain/bytes.hpp"
#include "chainkit/chain/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

namespace chainkit::chain {

enum class Base58Errc {
    bad_character = 1,  // a character outside the alphabet (0, O, I, l, spaces...)
    too_long,           // text longer than the caller's cap allows
    too_short,          // Base58Check: fewer bytes than the 4-byte checksum
    bad_checksum,       // Base58Check: checksum does not match the payload
};

[[nodiscard]] const std::error_category& base58_category() noexcept;
[[nodiscard]] std::error_code make_error_code(Base58Errc e) noexcept;

inline constexpr std::size_t BASE58_CHECKSUM_SIZE = 4;
// Default cap on decoded bytes: enough for any key, hash or address.
inline constexpr std::size_t BASE58_DEFAULT_MAX_BYTES = 128;

[[nodiscard]] std::string base58_encode(ByteSpan data);
// Decodes `text`; fails with too_long if it could hold more than `max_bytes`
// bytes (checked on the text length, before decoding). Empty text -> empty bytes.
[[nodiscard]] Result<Bytes> base58_decode(std::string_view text, std::size_t max_bytes = BASE58_DEFAULT_MAX_BYTES);

// payload | sha256d(payload)[0..4), Base58-encoded.
[[nodiscard]] std::string base58check_encode(ByteSpan payload);
// Returns the payload (without checksum); `max_bytes` caps the payload.
[[nodiscard]] Result<Bytes> base58check_decode(std::string_view text, std::size_t max_bytes = BASE58_DEFAULT_MAX_BYTES);

}  // namespace chainkit::chain

template <>
struct std::is_error_code_enum<chainkit::chain::Base58Errc> : std::true_type {};
