#include "chainkit/wallet/errors.hpp"

#include <string>

namespace chainkit::wallet {
namespace {

class WalletCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "wallet"; }
    std::string message(int ev) const override {
        switch (static_cast<WalletErrc>(ev)) {
            case WalletErrc::address_bad_character:
                return "address contains a character outside base58";
            case WalletErrc::address_bad_length:
                return "address has the wrong length";
            case WalletErrc::address_bad_checksum:
                return "address checksum mismatch";
            case WalletErrc::address_wrong_network:
                return "address belongs to another network";
            case WalletErrc::file_not_found:
                return "wallet file not found";
            case WalletErrc::file_io:
                return "wallet file I/O error";
            case WalletErrc::file_corrupt:
                return "wallet file is corrupted";
            case WalletErrc::file_unsupported:
                return "wallet file format version not supported";
            case WalletErrc::file_wrong_network:
                return "wallet file belongs to another network";
            case WalletErrc::wrong_passphrase:
                return "wrong wallet passphrase";
            case WalletErrc::passphrase_required:
                return "wallet is encrypted and needs a passphrase";
            case WalletErrc::unknown_address:
                return "address is not in this wallet";
            case WalletErrc::invalid_amount:
                return "invalid amount";
            case WalletErrc::insufficient_funds:
                return "insufficient funds";
            case WalletErrc::too_many_inputs:
                return "the payment needs more inputs than one transaction may have";
            case WalletErrc::wallet_too_large:
                return "the wallet is larger than a wallet file may be";
            case WalletErrc::out_of_memory:
                return "not enough memory for the wallet's keys";
            case WalletErrc::wallet_in_use:
                return "the wallet is in use by another process";
        }
        return "unknown wallet error";
    }
};

}  // namespace

const std::error_category& wallet_category() noexcept {
    static const WalletCategory category;
    return category;
}

std::error_code make_error_code(WalletErrc e) noexcept {
    return {static_cast<int>(e), wallet_category()};
}

}  // namespace chainkit::wallet
