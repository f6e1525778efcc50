#include "base58.hpp"

#include <algorithm>

namespace chainkit::net::detail {
namespace {
constexpr std::string_view ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
}

std::string base58_encode(std::span<const std::uint8_t> data) {
  std::size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == 0) ++zeros;
  // Big-number base conversion 256 -> 58; log(256)/log(58) < 1.37.
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

std::optional<std::vector<std::uint8_t>> base58_decode(std::string_view text, std::size_t max_len) {
  if (text.size() > max_len) return std::nullopt;
  std::size_t zeros = 0;
  while (zeros < text.size() && text[zeros] == '1') ++zeros;
  std::vector<std::uint8_t> bytes((text.size() - zeros) * 733 / 1000 + 1, 0);
  std::size_t used = 0;
  for (std::size_t i = zeros; i < text.size(); ++i) {
    const auto pos = ALPHABET.find(text[i]);
    if (pos == std::string_view::npos) return std::nullopt;
    unsigned carry = static_cast<unsigned>(pos);
    std::size_t j = 0;
    for (auto it = bytes.rbegin(); (carry != 0 || j < used) && it != bytes.rend(); ++it, ++j) {
      carry += 58u * *it;
      *it = static_cast<std::uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    used = j;
  }
  auto it = std::find_if(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b != 0; });
  std::vector<std::uint8_t> out(zeros, 0);
  out.insert(out.end(), it, bytes.end());
  return out;
}

}  // namespace chainkit::net::detail
