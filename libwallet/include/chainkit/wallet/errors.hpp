// The wallet's error vocabulary: one std::error_code category, one code per
// distinct failure a user must be able to tell apart (a wrong passphrase is
// not a corrupted file; a bad checksum is not a wrong network).
#pragma once

#include <system_error>

namespace chainkit::wallet {

enum class WalletErrc {
    // addresses
    address_bad_character = 1,
    address_bad_length,
    address_bad_checksum,
    address_wrong_network,
    // the wallet file
    file_not_found,
    file_io,              // the OS refused a read, write, fsync or rename
    file_corrupt,         // checksum, framing or record decoding failed
    file_unsupported,     // a newer format version
    file_wrong_network,   // made for another network
    wrong_passphrase,     // intact file whose decryption fails
    passphrase_required,  // encrypted file opened without a passphrase
    // payments
    unknown_address,  // not one of this wallet's keys
    invalid_amount,
    insufficient_funds,
    too_many_inputs,  // enough coins, but more than one transaction may spend
    // saving
    wallet_too_large,  // more keys, pending transactions or bytes than a wallet file may hold
    // loading
    out_of_memory,  // the OS refused the (secure) memory the file's keys need
    wallet_in_use,  // another process holds the wallet's lock (wallet_lock.hpp)
};

[[nodiscard]] const std::error_category& wallet_category() noexcept;
[[nodiscard]] std::error_code make_error_code(WalletErrc e) noexcept;

}  // namespace chainkit::wallet

template <>
struct std::is_error_code_enum<chainkit::wallet::WalletErrc> : std::true_type {};
