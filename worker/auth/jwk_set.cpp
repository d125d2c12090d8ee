#include "auth/jwk_set.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "auth/compact_jws.hpp"

namespace session_clock::worker::auth {
namespace {

using Json = nlohmann::json;

constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 16384;

struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* b) const noexcept { OSSL_PARAM_BLD_free(b); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
};
struct CtxFree {
  void operator()(EVP_PKEY_CTX* c) const noexcept { EVP_PKEY_CTX_free(c); }
};
struct BnFree {
  void operator()(BIGNUM* n) const noexcept { BN_free(n); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

// A key's failure to build, with its reason.
struct Skip {
  std::string reason;
};

std::string member(const Json& key, const char* name) {
  auto it = key.find(name);
  if (it == key.end()) return {};
  if (!it->is_string()) throw Skip{std::string(name) + " is not a string"};
  return it->get<std::string>();
}

std::string base64url_member(const Json& key, const char* name) {
  auto decoded = base64url_decode(member(key, name));
  if (!decoded || decoded->empty()) throw Skip{std::string(name) + " is not base64url"};
  return *decoded;
}

// The key from its parameters, checked by OpenSSL (an EC point must lie on
// its curve).
std::shared_ptr<EVP_PKEY> from_data(const char* type, OSSL_PARAM_BLD* builder) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(builder));
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1 || !raw) {
    ERR_clear_error();
    throw Skip{"OpenSSL refuses its parameters"};
  }
  std::shared_ptr<EVP_PKEY> key(raw, EVP_PKEY_free);
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    ERR_clear_error();
    throw Skip{"not a valid public key"};
  }
  return key;
}

void ec_key(const Json& jwk, Jwk& out) {
  auto crv = member(jwk, "crv");
  const char* group = nullptr;
  std::size_t size = 0;
  if (crv == "P-256") {
    group = "prime256v1";
    size = 32;
    out.algorithms = {"ES256"};
  } else if (crv == "P-384") {
    group = "secp384r1";
    size = 48;
    out.algorithms = {"ES384"};
  } else {
    throw Skip{"crv must be P-256 or P-384"};
  }
  auto x = base64url_member(jwk, "x"), y = base64url_member(jwk, "y");
  if (x.size() != size || y.size() != size) throw Skip{"x and y must be " + std::to_string(size) + " bytes"};
  std::string point = "\x04" + x + y;  // uncompressed (SEC 1 §2.3.3)
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> b(OSSL_PARAM_BLD_new());
  if (!b || OSSL_PARAM_BLD_push_utf8_string(b.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(b.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1)
    throw Skip{"out of memory"};
  out.key = from_data("EC", b.get());
}

BnPtr big_number(const std::string& bytes) {
  BnPtr n(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()), nullptr));
  if (!n) throw Skip{"out of memory"};
  return n;
}

void rsa_key(const Json& jwk, Jwk& out) {
  auto n = big_number(base64url_member(jwk, "n")), e = big_number(base64url_member(jwk, "e"));
  int bits = BN_num_bits(n.get());
  if (bits < kMinRsaBits || bits > kMaxRsaBits)
    throw Skip{"RSA modulus must have " + std::to_string(kMinRsaBits) + " to " + std::to_string(kMaxRsaBits) + " bits"};
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> b(OSSL_PARAM_BLD_new());
  if (!b || OSSL_PARAM_BLD_push_BN(b.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(b.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1)
    throw Skip{"out of memory"};
  out.key = from_data("RSA", b.get());
  out.algorithms = {"RS256", "RS384", "RS512"};
}

// A key's own alg narrows what it may verify, and must be one it can.
void restrict_to_alg(const Json& jwk, Jwk& out) {
  auto alg = member(jwk, "alg");
  if (alg.empty()) return;
  if (!out.allows(alg)) throw Skip{"alg " + alg + " does not go with this key"};
  out.algorithms = {alg};
}

void check_use(const Json& jwk) {
  auto use = member(jwk, "use");
  if (!use.empty() && use != "sig") throw Skip{"use is not sig"};
  auto ops = jwk.find("key_ops");
  if (ops == jwk.end()) return;
  if (!ops->is_array() || std::none_of(ops->begin(), ops->end(), [](const Json& op) { return op == "verify"; }))
    throw Skip{"key_ops has no verify"};
}

Jwk build(const Json& jwk) {
  if (!jwk.is_object()) throw Skip{"not an object"};
  Jwk out;
  out.kid = member(jwk, "kid");
  if (out.kid.empty()) throw Skip{"no kid"};
  check_use(jwk);
  auto kty = member(jwk, "kty");
  if (kty == "EC") ec_key(jwk, out);
  else if (kty == "RSA") rsa_key(jwk, out);
  else throw Skip{"kty " + kty + " is not EC or RSA"};
  restrict_to_alg(jwk, out);
  return out;
}

}  // namespace

bool Jwk::allows(std::string_view alg) const {
  return std::find(algorithms.begin(), algorithms.end(), alg) != algorithms.end();
}

JwkSet JwkSet::parse(std::string_view document) {
  if (document.size() > kMaxDocumentBytes) throw std::invalid_argument("JWKS document is too large");
  auto json = Json::parse(document, nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("keys") || !json["keys"].is_array())
    throw std::invalid_argument("not a JWKS document (a JSON object with a \"keys\" array)");
  JwkSet set;
  for (const auto& entry : json["keys"]) {
    if (set.keys_.size() >= kMaxKeys) break;
    std::string kid = entry.is_object() && entry.contains("kid") && entry["kid"].is_string() ? entry["kid"].get<std::string>() : "?";
    try {
      auto jwk = build(entry);
      if (set.keys_.count(jwk.kid)) throw Skip{"kid appears twice"};
      std::string key_id = jwk.kid;  // not jwk.kid: the move below may come first
      set.keys_.emplace(std::move(key_id), std::make_shared<const Jwk>(std::move(jwk)));
    } catch (const Skip& skip) {
      set.skipped_.push_back(kid + ": " + skip.reason);
    }
  }
  if (set.keys_.empty()) throw std::invalid_argument("JWKS document has no usable key (EC P-256/P-384 or RSA, with a kid)");
  return set;
}

std::shared_ptr<const Jwk> JwkSet::find(const std::string& kid) const {
  auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : it->second;
}

}  // namespace session_clock::worker::auth
