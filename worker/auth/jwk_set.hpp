// A JWKS document (RFC 7517), as Supabase publishes its asymmetric signing
// keys at /auth/v1/.well-known/jwks.json: each usable key is built into an
// OpenSSL key once, from its JWK parameters (EVP_PKEY_fromdata), and found
// by its kid. Usable: kty EC on P-256 (ES256) or P-384 (ES384), or kty RSA
// of at least 2048 bits (RS256/384/512, or only its alg if it names one),
// with a kid, for signatures (use "sig" or none; key_ops, if given, with
// "verify"). Anything else (oct secrets among them: a public document holds
// no secret worth trusting) is skipped and named in `skipped`.
#pragma once

#include <openssl/types.h>

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace session_clock::worker::auth {

struct Jwk {
  std::string kid;
  std::shared_ptr<EVP_PKEY> key;
  std::vector<std::string> algorithms;  // what a token signed by it may say in alg

  bool allows(std::string_view alg) const;
};

class JwkSet {
 public:
  static constexpr std::size_t kMaxDocumentBytes = 256 * 1024;
  static constexpr std::size_t kMaxKeys = 64;

  JwkSet() = default;
  // Throws std::invalid_argument for a document that is not a JWKS (not JSON,
  // no "keys" array, too large) or that has no usable key.
  static JwkSet parse(std::string_view document);

  std::shared_ptr<const Jwk> find(const std::string& kid) const;
  std::size_t size() const { return keys_.size(); }
  const std::vector<std::string>& skipped() const { return skipped_; }  // "kid: reason"

 private:
  std::map<std::string, std::shared_ptr<const Jwk>> keys_;
  std::vector<std::string> skipped_;
};

// Where a verifier finds keys by kid (a JwkSet, or one that is refreshed:
// auth/jwks_source.hpp). Thread-safe.
class KeyLookup {
 public:
  virtual ~KeyLookup() = default;
  // Null for an unknown kid (which may make the lookup fetch its keys again).
  virtual std::shared_ptr<const Jwk> find(const std::string& kid) const = 0;
};

}  // namespace session_clock::worker::auth
