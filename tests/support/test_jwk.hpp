// Keys made at test time by OpenSSL (EC P-256, P-384, RSA), published as
// JWKs and signing compact JWS tokens the way Supabase's asymmetric keys do
// (ES* as raw r||s), for the JWKS tests.
#pragma once

#include <openssl/types.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace session_clock::testing {

class TestJwk {
 public:
  // kty "EC" with curve "P-256" or "P-384", or kty "RSA" with bits.
  static TestJwk ec(const std::string& kid, const char* curve = "P-256");
  static TestJwk rsa(const std::string& kid, int bits = 2048);

  // The public JWK (kid, kty, alg, use and the key's parameters).
  nlohmann::json jwk() const;
  // header.payload.signature; the header gets alg (default: the key's) and kid.
  std::string sign(const nlohmann::json& payload, std::string alg = {}, nlohmann::json header = nlohmann::json::object()) const;
  const std::string& kid() const { return kid_; }
  const std::string& alg() const { return alg_; }

 private:
  std::string kid_, alg_;
  std::shared_ptr<EVP_PKEY> key_;
};

// {"keys":[...]} of the given keys.
std::string jwks_document(const std::vector<const TestJwk*>& keys);

// Unpadded base64url.
std::string base64url(std::string_view bytes);

}  // namespace session_clock::testing
