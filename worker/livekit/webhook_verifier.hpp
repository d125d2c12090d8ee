// Verifies a LiveKit webhook exactly as livekit-server signs it (livekit/protocol
// `webhook` and `auth`; WebhookReceiver in the server SDKs): the Authorization
// header holds a JWT, HS256 with the API secret, whose `iss` is the API key
// that selects the secret and whose `sha256` claim is the standard base64 of
// the SHA-256 of the raw body; it lives for 5 minutes (nbf .. exp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace session_clock::worker::livekit {

struct VerifiedWebhook {
  std::string api_key;            // the iss that selected the secret
  std::int64_t expires_at_s = 0;  // exp (fractions rounded down)
};

struct WebhookVerifyResult {
  std::optional<VerifiedWebhook> webhook;
  std::string error;  // short lower-case reason when webhook is empty
};

class WebhookVerifier {
 public:
  static constexpr std::size_t kMaxTokenBytes = 4 * 1024;  // LiveKit's are about 300 bytes
  static constexpr std::int64_t kDefaultLeewayS = 60;      // go-jose's default, which LiveKit's Go receiver uses
  static constexpr std::int64_t kMaxLeewayS = 300;

  // API key -> secret: LiveKit may hold several keys, and the token's iss
  // names the one that signed it. Throws std::invalid_argument for no keys, an
  // empty key or secret, or a leeway outside 0..kMaxLeewayS.
  explicit WebhookVerifier(std::map<std::string, std::string> secrets_by_key, std::int64_t leeway_s = kDefaultLeewayS);

  // `authorization` is the Authorization header's value (LiveKit sends the
  // bare token; a "Bearer " prefix is accepted too); `body` the raw request
  // body, byte for byte. Thread-safe (const). now_s is Unix seconds, injected
  // for tests. Never throws: anything unexpected is refused as "internal error".
  WebhookVerifyResult verify(std::string_view authorization, std::string_view body, std::int64_t now_s) const noexcept;

 private:
  WebhookVerifyResult verify_unguarded(std::string_view authorization, std::string_view body, std::int64_t now_s) const;

  std::map<std::string, std::string, std::less<>> secrets_by_key_;
  std::int64_t leeway_s_;
};

}  // namespace session_clock::worker::livekit
