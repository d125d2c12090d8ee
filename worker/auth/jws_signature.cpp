#include "auth/jws_signature.hpp"

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <memory>
#include <string>

namespace session_clock::worker::auth {
namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};
struct SigFree {
  void operator()(ECDSA_SIG* sig) const noexcept { ECDSA_SIG_free(sig); }
};

struct Scheme {
  const EVP_MD* digest;
  int key_type;           // EVP_PKEY_RSA or EVP_PKEY_EC
  std::size_t half_bytes;  // ES*: the length of r and of s; 0 for RS*
};

bool scheme_of(std::string_view algorithm, Scheme& scheme) {
  if (algorithm == "RS256") scheme = {EVP_sha256(), EVP_PKEY_RSA, 0};
  else if (algorithm == "RS384") scheme = {EVP_sha384(), EVP_PKEY_RSA, 0};
  else if (algorithm == "RS512") scheme = {EVP_sha512(), EVP_PKEY_RSA, 0};
  else if (algorithm == "ES256") scheme = {EVP_sha256(), EVP_PKEY_EC, 32};
  else if (algorithm == "ES384") scheme = {EVP_sha384(), EVP_PKEY_EC, 48};
  else return false;
  return true;
}

// r||s, each `half` bytes, as the DER ECDSA-Sig-Value OpenSSL verifies.
std::string der_from_raw(std::string_view raw, std::size_t half) {
  if (raw.size() != 2 * half) return {};
  auto bytes = reinterpret_cast<const unsigned char*>(raw.data());
  std::unique_ptr<ECDSA_SIG, SigFree> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes, static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(bytes + half, static_cast<int>(half), nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return {};
  }
  int length = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (length <= 0) return {};
  std::string der(static_cast<std::size_t>(length), '\0');
  auto out = reinterpret_cast<unsigned char*>(der.data());
  i2d_ECDSA_SIG(sig.get(), &out);
  return der;
}

bool verify(EVP_PKEY* key, const Scheme& scheme, std::string_view input, std::string_view signature) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, scheme.digest, nullptr, key) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
}

}  // namespace

bool jws_signature_matches(EVP_PKEY* key, std::string_view algorithm, std::string_view signing_input,
                           std::string_view signature) noexcept {
  try {
    Scheme scheme{};
    if (!key || !scheme_of(algorithm, scheme) || EVP_PKEY_get_base_id(key) != scheme.key_type) return false;
    bool ok = false;
    if (scheme.key_type == EVP_PKEY_EC) {
      auto der = der_from_raw(signature, scheme.half_bytes);
      ok = !der.empty() && verify(key, scheme, signing_input, der);
    } else {
      ok = signature.size() == static_cast<std::size_t>(EVP_PKEY_get_size(key)) &&
           verify(key, scheme, signing_input, signature);
    }
    ERR_clear_error();  // a refused signature leaves errors in this thread's queue
    return ok;
  } catch (...) {
    ERR_clear_error();
    return false;
  }
}

}  // namespace session_clock::worker::auth
