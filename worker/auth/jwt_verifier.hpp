// Verifies the JWT a client sends in AUTH (docs/protocol.md, Authentication).
// The key decides the algorithms, never the token: libjwt 1.10 trusts the
// token's `alg`, so the header is read and checked here before libjwt sees it.
// With a key set (a JWKS: auth/jwk_set.hpp), an RS*/ES* token is checked
// against the key its kid names, only for the algorithms that key allows,
// with OpenSSL (auth/jws_signature.hpp); HS* tokens only ever against the
// secret, so a public key's bytes can never serve as an HMAC key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/jwk_set.hpp"

namespace session_clock::worker::auth {

struct CompactJws;

// Supabase's admin role: it acts on every session and needs no sub.
inline constexpr const char* kServiceRole = "service_role";

struct VerifiedToken {
  std::string sub;               // empty only for kServiceRole
  std::string role;              // the "role" claim; empty if absent
  std::int64_t expires_at_s = 0;  // exp, required (fractions rounded down)
  std::string claims_json;       // the payload as compact JSON, for request.jwt.claims

  bool is_service_role() const { return role == kServiceRole; }
};

// Claims a token must carry when set (--jwt-aud, --jwt-iss): Supabase's user
// tokens say aud "authenticated" and iss "https://<project>.supabase.co/auth/v1".
struct RequiredClaims {
  std::string audience;  // one of `aud` (a string, or an array of strings)
  std::string issuer;    // exactly `iss`
};

struct VerifyResult {
  std::optional<VerifiedToken> token;
  std::string error;  // short lower-case reason for the client when token is empty
};

class JwtVerifier {
 public:
  static constexpr std::size_t kMaxTokenBytes = 8 * 1024;

  // Exactly one of the two may be non-empty (the worker's --jwt-secret and the
  // contents of --jwt-public-key); throws std::invalid_argument otherwise.
  static JwtVerifier from_config(std::string hmac_secret, std::string public_key_pem);
  // HS256 (HS384/HS512 too when the secret is as long as their digest, RFC 7518
  // §3.2); throws std::invalid_argument for a secret shorter than 32 bytes.
  static JwtVerifier with_secret(std::string hmac_secret);
  // RS256/384/512 for an RSA key of at least 2048 bits, ES256 for P-256, ES384
  // for P-384; throws std::invalid_argument for anything else or a PEM that
  // does not parse as a public key.
  static JwtVerifier with_public_key(std::string public_key_pem);
  // RS*/ES* tokens by kid against `keys`; HS* too when a secret is given.
  static JwtVerifier with_key_set(std::shared_ptr<const KeyLookup> keys, std::string hmac_secret = {});

  // From now on tokens must also carry these (empty fields: not checked).
  JwtVerifier& require(RequiredClaims claims) {
    required_ = std::move(claims);
    return *this;
  }

  // Thread-safe: const, no shared mutable state. now_s is Unix seconds
  // (injected so tests can move time). Never throws: anything unexpected is
  // refused as "internal error".
  VerifyResult verify(std::string_view token, std::int64_t now_s) const noexcept;

  const std::vector<std::string>& allowed_algorithms() const { return allowed_algorithms_; }

  // Public only so the .cpp's helpers can name it.
  struct Algorithm {
    std::string name;
    std::size_t signature_bytes;  // fixed by the algorithm and key; any other length is refused early
  };

 private:
  JwtVerifier(std::string key, std::vector<Algorithm> algorithms);
  VerifyResult verify_unguarded(std::string_view token, std::int64_t now_s) const;
  std::string_view check_signature(std::string_view token, const Algorithm& algorithm,
                                   const std::string& signature) const;
  std::string_view check_with_key_set(const CompactJws& jws, const std::string& alg) const;

  std::string key_;  // the HMAC secret, or the public key re-encoded as canonical PEM
  std::vector<Algorithm> algorithms_;
  std::vector<std::string> allowed_algorithms_;
  RequiredClaims required_;
  std::shared_ptr<const KeyLookup> key_set_;  // null: no JWKS
};

}  // namespace session_clock::worker::auth
