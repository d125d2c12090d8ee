#include "livekit/webhook_verifier.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

#include "auth/compact_jws.hpp"

namespace session_clock::worker::livekit {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kMaxSecretBytes = 64 * 1024;  // OpenSSL takes an int length

WebhookVerifyResult refuse(std::string_view reason) { return {std::nullopt, std::string(reason)}; }

std::map<std::string, std::string, std::less<>> checked_secrets(std::map<std::string, std::string> secrets_by_key) {
  if (secrets_by_key.empty()) throw std::invalid_argument("LiveKit webhooks need at least one API key and secret");
  for (const auto& [key, secret] : secrets_by_key) {
    if (key.empty() || secret.empty()) throw std::invalid_argument("LiveKit API key and secret must not be empty");
    if (secret.size() > kMaxSecretBytes) throw std::invalid_argument("LiveKit API secret is too long");
  }
  return {std::make_move_iterator(secrets_by_key.begin()), std::make_move_iterator(secrets_by_key.end())};
}

std::int64_t checked_leeway(std::int64_t leeway_s) {
  if (leeway_s < 0 || leeway_s > WebhookVerifier::kMaxLeewayS)
    throw std::invalid_argument("LiveKit webhook leeway must be 0-" + std::to_string(WebhookVerifier::kMaxLeewayS) +
                                " seconds");
  return leeway_s;
}

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// LiveKit sends the bare token; some proxies and hand-written senders add the
// scheme, whose name is case-insensitive (RFC 9110 §11.1).
std::string_view without_bearer(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() < kScheme.size()) return authorization;
  for (std::size_t i = 0; i < kScheme.size(); ++i)
    if (ascii_lower(authorization[i]) != kScheme[i]) return authorization;
  return authorization.substr(kScheme.size());
}

// What LiveKit puts in the sha256 claim: standard base64, padded, of the
// body's SHA-256 (Go's base64.StdEncoding, JS btoa).
std::string body_hash(std::string_view body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!EVP_Digest(body.data(), body.size(), digest, &length, EVP_sha256(), nullptr))
    throw std::runtime_error("SHA-256 failed");
  std::string encoded(4 * ((length + 2) / 3) + 1, '\0');  // EVP_EncodeBlock adds a NUL
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()), digest, static_cast<int>(length));
  encoded.resize(static_cast<std::size_t>(written));
  return encoded;
}

// Constant time, so the comparison tells nothing about how close a forged
// claim came; the claim's length is public (always 44 from LiveKit).
std::string_view check_body_hash(const Json& payload, std::string_view body) {
  auto claim = payload.find("sha256");
  if (claim == payload.end() || !claim->is_string()) return "missing body hash";
  const auto& expected = claim->get_ref<const std::string&>();
  std::string actual = body_hash(body);
  if (expected.size() != actual.size() || CRYPTO_memcmp(expected.data(), actual.data(), actual.size()) != 0)
    return "body hash mismatch";
  return {};
}

// The algorithm is pinned: LiveKit signs HS256 only, and the token's own alg
// is never trusted.
std::string_view check_header(const Json& header) {
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string() || alg->get_ref<const std::string&>() != "HS256")
    return "algorithm not allowed";
  return auth::check_typ_and_crit(header);
}

}  // namespace

WebhookVerifier::WebhookVerifier(std::map<std::string, std::string> secrets_by_key, std::int64_t leeway_s)
    : secrets_by_key_(checked_secrets(std::move(secrets_by_key))), leeway_s_(checked_leeway(leeway_s)) {}

WebhookVerifyResult WebhookVerifier::verify(std::string_view authorization, std::string_view body,
                                            std::int64_t now_s) const noexcept {
  try {
    return verify_unguarded(authorization, body, now_s);
  } catch (...) {
    // Allocation failure or a library surprise: refuse. The reason fits the
    // small-string buffer, so building it cannot throw in turn.
    return WebhookVerifyResult{std::nullopt, "internal error"};
  }
}

// The order follows what an attacker controls: structure and header first,
// then the key the token names, its signature, and only then its claims.
WebhookVerifyResult WebhookVerifier::verify_unguarded(std::string_view authorization, std::string_view body,
                                                      std::int64_t now_s) const {
  std::string_view token = without_bearer(authorization);
  if (token.empty()) return refuse("missing authorization");
  if (token.size() > kMaxTokenBytes) return refuse("token too large");
  auto jws = auth::decode_compact_jws(token);
  if (!jws) return refuse("malformed token");
  if (auto problem = check_header(jws->header); !problem.empty()) return refuse(problem);

  auto iss = jws->payload.find("iss");
  if (iss == jws->payload.end() || !iss->is_string()) return refuse("unknown api key");
  auto secret = secrets_by_key_.find(iss->get_ref<const std::string&>());
  if (secret == secrets_by_key_.end()) return refuse("unknown api key");
  if (!auth::hmac_matches(EVP_sha256(), secret->second, jws->signing_input, jws->signature))
    return refuse("bad signature");

  auto window = auth::check_validity_window(jws->payload, now_s, leeway_s_);
  if (!window.error.empty()) return refuse(window.error);
  if (auto problem = check_body_hash(jws->payload, body); !problem.empty()) return refuse(problem);
  return {VerifiedWebhook{secret->first, window.expires_at_s}, {}};
}

}  // namespace session_clock::worker::livekit
