#include "livekit_signer.hpp"

#include <jwt.h>
#include <openssl/evp.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace session_clock::testing {
namespace {

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("sign_livekit_webhook: ") + what);
}

// Written apart from the worker's own code on purpose, so that a test signing
// with this and verifying with the worker compares two implementations.
std::string sha256_base64(const std::string& body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  check(EVP_Digest(body.data(), body.size(), digest, &length, EVP_sha256(), nullptr) == 1, "SHA-256 failed");
  unsigned char encoded[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  int written = EVP_EncodeBlock(encoded, digest, static_cast<int>(length));
  return std::string(reinterpret_cast<char*>(encoded), static_cast<std::size_t>(written));
}

}  // namespace

std::string sign_livekit_webhook(const std::string& api_key, const std::string& api_secret, const std::string& body,
                                 std::int64_t now_s, std::int64_t ttl_s) {
  jwt_t* raw = nullptr;
  check(jwt_new(&raw) == 0, "jwt_new failed");
  std::unique_ptr<jwt_t, decltype(&jwt_free)> jwt(raw, &jwt_free);
  check(jwt_add_grant(jwt.get(), "iss", api_key.c_str()) == 0, "cannot set iss");
  check(jwt_add_grant(jwt.get(), "sha256", sha256_base64(body).c_str()) == 0, "cannot set sha256");
  check(jwt_add_grant_int(jwt.get(), "nbf", static_cast<long>(now_s)) == 0, "cannot set nbf");
  check(jwt_add_grant_int(jwt.get(), "exp", static_cast<long>(now_s + ttl_s)) == 0, "cannot set exp");
  check(jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(api_secret.data()),
                    static_cast<int>(api_secret.size())) == 0,
        "cannot set HS256 key");
  std::unique_ptr<char, decltype(&std::free)> token(jwt_encode_str(jwt.get()), &std::free);
  check(token != nullptr, "jwt_encode_str failed");
  return token.get();
}

}  // namespace session_clock::testing
