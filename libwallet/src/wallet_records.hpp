// Private: the Cereal portable-binary body of the wallet file. Secrets pass
// only through SecureBytes, never through a std::string or stringstream.
#pragma once

#include "chainkit/chain/result.hpp"
#include "chainkit/wallet/secure_memory.hpp"
#include "chainkit/wallet/wallet_file.hpp"

namespace chainkit::wallet::detail {

inline constexpr std::uint32_t RECORDS_VERSION = 1;

[[nodiscard]] SecureBytes encode_records(const WalletContents& w);
// file_corrupt on any framing, bound or decoding failure.
[[nodiscard]] Result<WalletContents> decode_records(std::span<const std::uint8_t> body);

}  // namespace chainkit::wallet::detail
