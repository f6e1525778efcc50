#include "chacha_poly.hpp"

#include <climits>
#include <openssl/evp.h>

#include <new>
#include <stdexcept>
#include <utility>

namespace chainkit::net::detail {
namespace {

EVP_CIPHER_CTX* ctx_of(void* p) {
    return static_cast<EVP_CIPHER_CTX*>(p);
}

// Failure here means OpenSSL itself is broken (the inputs are always valid):
// nothing sensible can be sent, so it is not a recoverable error.
void require(int ok) {
    if (ok != 1) throw std::runtime_error("OpenSSL ChaCha20-Poly1305 call failed");
}

// EVP lengths are ints; Noise frames are at most 65535 bytes, but stay
// correct for any span by feeding it in pieces.
void update(EVP_CIPHER_CTX* ctx, std::uint8_t* out, std::span<const std::uint8_t> in) {
    constexpr std::size_t piece = std::size_t{1} << 30;
    while (!in.empty()) {
        const auto n = std::min(in.size(), piece);
        int len = 0;
        require(EVP_CipherUpdate(ctx, out, &len, in.data(), static_cast<int>(n)));
        if (out != nullptr) out += len;
        in = in.subspan(n);
    }
}

// Sets the nonce and direction; the key stays from construction.
void start(EVP_CIPHER_CTX* ctx, const ChaChaPoly::Nonce& nonce, std::span<const std::uint8_t> ad, int encrypt) {
    require(EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data(), encrypt));
    update(ctx, nullptr, ad);  // a null output buffer makes these bytes associated data
}

}  // namespace

ChaChaPoly::ChaChaPoly(const Key& key) {
    auto* ctx = EVP_CIPHER_CTX_new();
    if (ctx == nullptr) throw std::bad_alloc();
    m_ctx = ctx;
    require(EVP_CipherInit_ex(ctx, EVP_chacha20_poly1305(), nullptr, key.data(), nullptr, 1));
}

ChaChaPoly::ChaChaPoly(ChaChaPoly&& other) noexcept : m_ctx(std::exchange(other.m_ctx, nullptr)) {}

ChaChaPoly& ChaChaPoly::operator=(ChaChaPoly&& other) noexcept {
    if (this != &other) {
        EVP_CIPHER_CTX_free(ctx_of(m_ctx));  // also cleanses the key schedule
        m_ctx = std::exchange(other.m_ctx, nullptr);
    }
    return *this;
}

ChaChaPoly::~ChaChaPoly() {
    EVP_CIPHER_CTX_free(ctx_of(m_ctx));
}

void ChaChaPoly::seal(const Nonce& nonce, std::span<const std::uint8_t> ad, std::span<const std::uint8_t> plain,
                      std::uint8_t* out) {
    auto* ctx = ctx_of(m_ctx);
    start(ctx, nonce, ad, 1);
    update(ctx, out, plain);
    int len = 0;
    require(EVP_CipherFinal_ex(ctx, out + plain.size(), &len));
    require(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(TAG_SIZE), out + plain.size()));
}

bool ChaChaPoly::open(const Nonce& nonce, std::span<const std::uint8_t> ad, std::span<const std::uint8_t> cipher,
                      std::uint8_t* out) {
    if (cipher.size() < TAG_SIZE) return false;
    auto* ctx = ctx_of(m_ctx);
    const auto body = cipher.first(cipher.size() - TAG_SIZE);
    // OpenSSL's ctrl takes a non-const pointer but only copies the tag.
    std::array<std::uint8_t, TAG_SIZE> tag{};
    std::copy(cipher.end() - TAG_SIZE, cipher.end(), tag.begin());
    start(ctx, nonce, ad, 0);
    update(ctx, out, body);
    require(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(TAG_SIZE), tag.data()));
    int len = 0;
    return EVP_CipherFinal_ex(ctx, out + body.size(), &len) == 1;
}

}  // namespace chainkit::net::detail
