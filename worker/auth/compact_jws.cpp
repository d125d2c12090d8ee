#include "auth/compact_jws.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cmath>

namespace session_clock::worker::auth {
namespace {

using Json = nlohmann::json;

constexpr std::int64_t kMaxNumericDate = 253402300799;  // 9999-12-31T23:59:59Z; keeps exp * 1000 in range

int base64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  std::uint32_t bits = 0;
  int pending = 0;
  for (char c : text) {
    int value = base64url_value(c);
    if (value < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    pending += 6;
    if (pending >= 8) {
      pending -= 8;
      out.push_back(static_cast<char>((bits >> pending) & 0xFF));
    }
  }
  if ((bits & ((1u << pending) - 1)) != 0) return std::nullopt;
  return out;
}

namespace {

struct Segments {
  std::string_view header, payload, signature;
};

std::optional<Segments> split_token(std::string_view token) {
  auto first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  auto second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) return std::nullopt;
  return Segments{token.substr(0, first), token.substr(first + 1, second - first - 1), token.substr(second + 1)};
}

std::optional<Json> decode_json_object(std::string_view segment) {
  auto text = base64url_decode(segment);
  if (!text) return std::nullopt;
  Json value = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) return std::nullopt;  // a parse error yields "discarded", not an object
  return value;
}

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_ignoring_ascii_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

enum class Rounding { down, up };

// A NumericDate (RFC 7519 §2) as whole seconds. Fractions round toward refusal
// (exp down, nbf up); values that are not plain timestamps are unusable.
std::optional<std::int64_t> numeric_date(const Json& value, Rounding rounding) {
  if (value.is_number_unsigned()) {
    auto seconds = value.get<std::uint64_t>();
    if (seconds > static_cast<std::uint64_t>(kMaxNumericDate)) return std::nullopt;
    return static_cast<std::int64_t>(seconds);
  }
  if (value.is_number_integer()) {
    auto seconds = value.get<std::int64_t>();
    if (seconds < 0 || seconds > kMaxNumericDate) return std::nullopt;
    return seconds;
  }
  if (!value.is_number_float()) return std::nullopt;
  double seconds = value.get<double>();
  if (!std::isfinite(seconds)) return std::nullopt;
  seconds = rounding == Rounding::down ? std::floor(seconds) : std::ceil(seconds);
  if (seconds < 0 || seconds > static_cast<double>(kMaxNumericDate)) return std::nullopt;
  return static_cast<std::int64_t>(seconds);
}

}  // namespace

std::optional<CompactJws> decode_compact_jws(std::string_view token) {
  auto segments = split_token(token);
  if (!segments) return std::nullopt;
  auto header = decode_json_object(segments->header);
  auto payload = decode_json_object(segments->payload);
  auto signature = base64url_decode(segments->signature);
  if (!header || !payload || !signature) return std::nullopt;
  std::string_view signing_input = token.substr(0, token.rfind('.'));
  return CompactJws{std::move(*header), std::move(*payload), std::move(*signature), signing_input};
}

std::string_view check_typ_and_crit(const Json& header) {
  auto typ = header.find("typ");
  if (typ != header.end() && !(typ->is_string() && equals_ignoring_ascii_case(typ->get_ref<const std::string&>(), "JWT")))
    return "unsupported token type";
  if (header.contains("crit")) return "unsupported critical header";
  return {};
}

bool hmac_matches(const EVP_MD* digest, std::string_view secret, std::string_view signing_input,
                  std::string_view signature) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  if (!HMAC(digest, secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac, &mac_length))
    return false;
  return mac_length == signature.size() && CRYPTO_memcmp(mac, signature.data(), mac_length) == 0;
}

// Comparisons are arranged so that no sum can overflow: exp and nbf are
// bounded, now_s is not.
ValidityWindow check_validity_window(const Json& payload, std::int64_t now_s, std::int64_t leeway_s) {
  auto exp_claim = payload.find("exp");
  auto exp = exp_claim == payload.end() ? std::nullopt : numeric_date(*exp_claim, Rounding::down);
  if (!exp) return {0, "token has no usable exp"};
  if (now_s >= *exp + leeway_s) return {*exp, "token expired"};
  if (auto nbf_claim = payload.find("nbf"); nbf_claim != payload.end()) {
    auto nbf = numeric_date(*nbf_claim, Rounding::up);
    if (!nbf) return {*exp, "token has no usable nbf"};
    if (now_s < *nbf - leeway_s) return {*exp, "token not yet valid"};
  }
  return {*exp, {}};
}

}  // namespace session_clock::worker::auth
