#include "livekit_token_check.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace session_clock::testing {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kBearer = "Bearer ";  // case-sensitive, as LiveKit checks it

// base64url without padding, via OpenSSL's standard-alphabet decoder.
std::optional<std::string> base64url_decode(std::string_view text) {
  std::string standard(text);
  for (char& c : standard) {
    if (c == '+' || c == '/' || c == '=') return std::nullopt;
    c = c == '-' ? '+' : c == '_' ? '/' : c;
  }
  std::size_t padding = (4 - standard.size() % 4) % 4;
  if (padding == 3) return std::nullopt;
  standard.append(padding, '=');
  std::string out(standard.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(standard.data()), static_cast<int>(standard.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - padding);  // EVP_DecodeBlock counts the padding as zero bytes
  return out;
}

std::optional<Json> decode_object(std::string_view segment) {
  auto text = base64url_decode(segment);
  if (!text) return std::nullopt;
  Json json = Json::parse(*text, nullptr, false);
  if (!json.is_object()) return std::nullopt;
  return json;
}

struct Parsed {
  Json header, payload;
  std::string signing_input, signature;
};

std::optional<Parsed> parse(const std::string& token) {
  auto first = token.find('.');
  auto last = token.rfind('.');
  if (first == std::string::npos || first == last) return std::nullopt;
  auto header = decode_object(std::string_view(token).substr(0, first));
  auto payload = decode_object(std::string_view(token).substr(first + 1, last - first - 1));
  auto signature = base64url_decode(std::string_view(token).substr(last + 1));
  if (!header || !payload || !signature) return std::nullopt;
  return Parsed{std::move(*header), std::move(*payload), token.substr(0, last), std::move(*signature)};
}

bool signature_holds(const Parsed& jws, const std::string& secret) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(jws.signing_input.data()), jws.signing_input.size(), mac, &length))
    return false;
  return length == jws.signature.size() && CRYPTO_memcmp(mac, jws.signature.data(), length) == 0;
}

// go-jose's reasons, so a refusal reads like LiveKit's.
std::optional<std::string> problem(const Parsed& jws, const std::string& secret, std::int64_t now_s) {
  auto alg = jws.header.find("alg");
  if (alg == jws.header.end() || *alg != "HS256") return "go-jose/go-jose: unexpected signature algorithm";
  if (!signature_holds(jws, secret)) return "go-jose/go-jose: error in cryptographic primitive";
  auto nbf = jws.payload.find("nbf");
  if (nbf != jws.payload.end() && (!nbf->is_number() || now_s + kLiveKitLeewayS < nbf->get<double>()))
    return "go-jose/go-jose/jwt: validation failed, token not valid yet (nbf)";
  auto exp = jws.payload.find("exp");
  if (exp != jws.payload.end() && (!exp->is_number() || now_s - kLiveKitLeewayS > exp->get<double>()))
    return "go-jose/go-jose/jwt: validation failed, token is expired (exp)";
  return std::nullopt;
}

TokenCheck refused(std::string text) { return {Json::object(), std::move(text)}; }

}  // namespace

TokenCheck check_livekit_token(const std::optional<std::string>& authorization, const std::string& api_key,
                               const std::string& api_secret, std::int64_t now_s) {
  if (!authorization) return {};
  if (authorization->compare(0, kBearer.size(), kBearer) != 0)
    return refused("invalid authorization header. Must start with Bearer ");
  std::string token = authorization->substr(kBearer.size());
  if (token.empty()) return {};
  auto jws = parse(token);
  if (!jws) return refused("invalid authorization token");
  auto iss = jws->payload.find("iss");
  std::string key = iss != jws->payload.end() && iss->is_string() ? iss->get<std::string>() : std::string();
  if (key != api_key) return refused("invalid API key: " + key);
  if (auto why = problem(*jws, api_secret, now_s)) return refused("invalid token: " + token + ", error: " + *why);
  auto video = jws->payload.find("video");
  return {video != jws->payload.end() && video->is_object() ? *video : Json::object(), std::nullopt};
}

}  // namespace session_clock::testing
