// The key-independent half of verifying a compact JWS (RFC 7515 §7.1): strict
// decoding, the header rules, a constant-time HMAC check and the exp/nbf
// window. Shared by the client-token and the LiveKit-webhook verifiers; each
// pins its own algorithms before any signature is checked, since libjwt 1.10
// would trust the token's `alg`.
#pragma once

#include <openssl/types.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace session_clock::worker::auth {

struct CompactJws {
  nlohmann::json header;           // a JSON object
  nlohmann::json payload;          // a JSON object
  std::string signature;           // raw bytes
  std::string_view signing_input;  // "header.payload", a view into the token given to decode_compact_jws
};

// Strict base64url (RFC 7515 §2): no padding, no whitespace and zero unused
// bits, so every value has exactly one spelling. Also JWK parameters' decoder.
std::optional<std::string> base64url_decode(std::string_view text);

// Exactly three strict base64url segments (no padding, no whitespace, zero
// unused bits, so a token has one spelling), the first two JSON objects.
std::optional<CompactJws> decode_compact_jws(std::string_view token);

// typ, if present, must say JWT (any case); crit is refused whatever it lists,
// since no extension is understood here (RFC 7515 §4.1.11). Empty when the
// header passes, else the reason.
std::string_view check_typ_and_crit(const nlohmann::json& header);

// Constant time: libjwt up to 1.15.3 compared MACs with strcmp()
// (CVE-2024-25189); only distribution builds carry the fix.
bool hmac_matches(const EVP_MD* digest, std::string_view secret, std::string_view signing_input,
                  std::string_view signature);

struct ValidityWindow {
  std::int64_t expires_at_s = 0;  // exp, fractions rounded down
  std::string_view error;         // empty when now is inside [nbf, exp)
};

// exp is required, nbf optional; both widened by leeway_s. Errors: "token has
// no usable exp", "token expired", "token has no usable nbf", "token not yet
// valid".
ValidityWindow check_validity_window(const nlohmann::json& payload, std::int64_t now_s, std::int64_t leeway_s);

}  // namespace session_clock::worker::auth
