#include "test_jwk.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <stdexcept>

namespace session_clock::testing {

namespace {

std::string big_endian(EVP_PKEY* key, const char* name, std::size_t width) {
  BIGNUM* n = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &n) != 1) throw std::runtime_error(std::string("no ") + name);
  std::size_t size = width ? width : static_cast<std::size_t>(BN_num_bytes(n));
  std::string out(size, '\0');
  BN_bn2binpad(n, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(size));
  BN_free(n);
  return out;
}

const EVP_MD* digest_of(const std::string& alg) {
  if (alg.substr(2) == "256") return EVP_sha256();
  if (alg.substr(2) == "384") return EVP_sha384();
  return EVP_sha512();
}

// DER ECDSA-Sig-Value to JWS's r||s.
std::string raw_from_der(const std::string& der, std::size_t half) {
  auto p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  std::string raw(2 * half, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(half));
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + half, static_cast<int>(half));
  ECDSA_SIG_free(sig);
  return raw;
}

}  // namespace

std::string base64url(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

TestJwk TestJwk::ec(const std::string& kid, const char* curve) {
  TestJwk k;
  k.kid_ = kid;
  k.alg_ = std::string(curve) == "P-384" ? "ES384" : "ES256";
  k.key_.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve), EVP_PKEY_free);
  return k;
}

TestJwk TestJwk::rsa(const std::string& kid, int bits) {
  TestJwk k;
  k.kid_ = kid;
  k.alg_ = "RS256";
  k.key_.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits)), EVP_PKEY_free);
  return k;
}

nlohmann::json TestJwk::jwk() const {
  nlohmann::json j = {{"kid", kid_}, {"alg", alg_}, {"use", "sig"}};
  if (EVP_PKEY_get_base_id(key_.get()) == EVP_PKEY_EC) {
    std::size_t width = alg_ == "ES384" ? 48 : 32;
    j["kty"] = "EC";
    j["crv"] = alg_ == "ES384" ? "P-384" : "P-256";
    j["x"] = base64url(big_endian(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X, width));
    j["y"] = base64url(big_endian(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, width));
  } else {
    j["kty"] = "RSA";
    j["n"] = base64url(big_endian(key_.get(), OSSL_PKEY_PARAM_RSA_N, 0));
    j["e"] = base64url(big_endian(key_.get(), OSSL_PKEY_PARAM_RSA_E, 0));
  }
  return j;
}

std::string TestJwk::sign(const nlohmann::json& payload, std::string alg, nlohmann::json header) const {
  if (alg.empty()) alg = alg_;
  if (!header.contains("alg")) header["alg"] = alg;
  if (!header.contains("kid")) header["kid"] = kid_;
  if (!header.contains("typ")) header["typ"] = "JWT";
  std::string input = base64url(header.dump()) + "." + base64url(payload.dump());
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::size_t length = 0;
  EVP_DigestSignInit(ctx, nullptr, digest_of(alg), nullptr, key_.get());
  EVP_DigestSign(ctx, nullptr, &length, reinterpret_cast<const unsigned char*>(input.data()), input.size());
  std::string signature(length, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  EVP_MD_CTX_free(ctx);
  signature.resize(length);
  if (EVP_PKEY_get_base_id(key_.get()) == EVP_PKEY_EC) signature = raw_from_der(signature, alg == "ES384" ? 48 : 32);
  return input + "." + base64url(signature);
}

std::string jwks_document(const std::vector<const TestJwk*>& keys) {
  nlohmann::json doc = {{"keys", nlohmann::json::array()}};
  for (const auto* key : keys) doc["keys"].push_back(key->jwk());
  return doc.dump();
}

}  // namespace session_clock::testing
