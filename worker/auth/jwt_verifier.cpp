#include "auth/jwt_verifier.hpp"

#include <algorithm>

#include <jwt.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

#include "auth/compact_jws.hpp"
#include "auth/jws_signature.hpp"
#include "core/arguments.hpp"

namespace session_clock::worker::auth {
namespace {

using Json = nlohmann::json;
using Algorithm = JwtVerifier::Algorithm;

constexpr std::size_t kMinSecretBytes = 32;   // RFC 7518 §3.2: at least the HS256 digest
constexpr std::size_t kMaxKeyBytes = 64 * 1024;  // libjwt and OpenSSL take int lengths
constexpr int kMinRsaBits = 2048;
constexpr std::size_t kMaxRoleBytes = 63;               // a PostgreSQL identifier (NAMEDATALEN - 1)

struct JwtFree {
  void operator()(jwt_t* jwt) const noexcept { jwt_free(jwt); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
struct BioFree {
  void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

VerifyResult refuse(std::string_view reason) { return {std::nullopt, std::string(reason)}; }

// ---- configuration -------------------------------------------------------

// A longer HS* digest needs a secret at least that long (RFC 7518 §3.2), so a
// short secret only enables the algorithms it can key properly.
std::vector<Algorithm> hmac_algorithms(std::size_t secret_bytes) {
  if (secret_bytes < kMinSecretBytes)
    throw std::invalid_argument("JWT secret must be at least " + std::to_string(kMinSecretBytes) + " bytes");
  if (secret_bytes > kMaxKeyBytes) throw std::invalid_argument("JWT secret is too long");
  std::vector<Algorithm> algorithms{{"HS256", 32}};
  if (secret_bytes >= 48) algorithms.push_back({"HS384", 48});
  if (secret_bytes >= 64) algorithms.push_back({"HS512", 64});
  return algorithms;
}

// Public keys never need a passphrase; refusing one keeps OpenSSL from
// prompting on a terminal.
int no_passphrase(char*, int, int, void*) { return 0; }

PkeyPtr read_public_key(const std::string& pem) {
  if (pem.size() > kMaxKeyBytes) throw std::invalid_argument("JWT public key is too long");
  BioPtr in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(in ? PEM_read_bio_PUBKEY(in.get(), nullptr, no_passphrase, nullptr) : nullptr);
  ERR_clear_error();  // don't leave parse errors in this thread's queue for other OpenSSL users
  if (!key) throw std::invalid_argument("JWT public key is not a PEM public key (BEGIN PUBLIC KEY)");
  return key;
}

std::vector<Algorithm> rsa_algorithms(EVP_PKEY* key) {
  if (EVP_PKEY_get_bits(key) < kMinRsaBits)
    throw std::invalid_argument("JWT RSA public key must have at least " + std::to_string(kMinRsaBits) + " bits");
  auto bytes = static_cast<std::size_t>(EVP_PKEY_get_size(key));  // the modulus length
  return {{"RS256", bytes}, {"RS384", bytes}, {"RS512", bytes}};
}

// The curve picks the one ES* algorithm that goes with it (RFC 7518 §3.4).
std::vector<Algorithm> ec_algorithms(EVP_PKEY* key) {
  char group[64] = {};
  std::size_t length = 0;
  int nid = EVP_PKEY_get_group_name(key, group, sizeof group, &length) == 1 ? OBJ_txt2nid(group) : NID_undef;
  ERR_clear_error();
  if (nid == NID_X9_62_prime256v1) return {{"ES256", 64}};
  if (nid == NID_secp384r1) return {{"ES384", 96}};
  throw std::invalid_argument("JWT EC public key must be on P-256 or P-384");
}

std::vector<Algorithm> public_key_algorithms(EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      return rsa_algorithms(key);
    case EVP_PKEY_EC:
      return ec_algorithms(key);
    default:
      throw std::invalid_argument("JWT public key must be RSA or EC (P-256, P-384)");
  }
}

// libjwt re-reads the key on every decode; handing it our own encoding of the
// key we classified means it cannot pick another block out of the file.
std::string canonical_pem(EVP_PKEY* key) {
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_PUBKEY(out.get(), key) != 1) throw std::runtime_error("cannot encode JWT public key");
  char* data = nullptr;
  long size = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

// ---- token structure ------------------------------------------------------

// The algorithm must be one the key allows, compared exactly (libjwt's own
// lookup ignores case).
std::string_view check_header(const Json& header, const std::vector<Algorithm>& allowed, const Algorithm*& chosen) {
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string()) return "algorithm not allowed";
  for (const auto& algorithm : allowed)
    if (algorithm.name == alg->get_ref<const std::string&>()) chosen = &algorithm;
  if (!chosen) return "algorithm not allowed";
  return check_typ_and_crit(header);
}

// ---- signature -------------------------------------------------------------

// RS* or ES*: what a key set answers for. "" for anything else (HS*, none).
std::string asymmetric_alg(const Json& header) {
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string()) return {};
  const auto& name = alg->get_ref<const std::string&>();
  bool asymmetric = name.size() == 5 && (name.rfind("RS", 0) == 0 || name.rfind("ES", 0) == 0);
  return asymmetric ? name : std::string();
}

const EVP_MD* hmac_digest(std::string_view algorithm) {
  if (algorithm == "HS256") return EVP_sha256();
  if (algorithm == "HS384") return EVP_sha384();
  if (algorithm == "HS512") return EVP_sha512();
  return nullptr;
}

JwtPtr libjwt_decode(std::string_view token, const std::string& key) {
  std::string text(token);  // libjwt wants a NUL-terminated copy
  jwt_t* raw = nullptr;
  int status = jwt_decode(&raw, text.c_str(), reinterpret_cast<const unsigned char*>(key.data()),
                          static_cast<int>(key.size()));
  JwtPtr jwt(raw);  // owned even on failure, should a libjwt version leave it set
  ERR_clear_error();
  if (status != 0) return nullptr;
  return jwt;
}

// ---- claims ------------------------------------------------------------------

// Absent: "". Present: a non-empty role name without control characters.
std::optional<std::string> usable_role(const Json& payload) {
  auto role = payload.find("role");
  if (role == payload.end()) return std::string();
  if (!role->is_string()) return std::nullopt;
  const auto& name = role->get_ref<const std::string&>();
  if (name.empty() || name.size() > kMaxRoleBytes) return std::nullopt;
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7F) return std::nullopt;
  return name;
}

// Service tokens carry no sub; any other sub must be an id the database's
// participant rule accepts (bounded, printable, no control or bidi characters).
std::optional<std::string> usable_sub(const Json& payload, const std::string& role) {
  auto sub = payload.find("sub");
  if (sub == payload.end()) return role == kServiceRole ? std::optional<std::string>("") : std::nullopt;
  if (!sub->is_string()) return std::nullopt;
  const auto& id = sub->get_ref<const std::string&>();
  if (!core::is_valid_participant_id(id)) return std::nullopt;
  return id;
}

// RFC 7519 §4.1.3: aud is a string or an array of strings.
bool has_audience(const Json& payload, const std::string& audience) {
  auto aud = payload.find("aud");
  if (aud == payload.end()) return false;
  if (aud->is_string()) return aud->get_ref<const std::string&>() == audience;
  if (!aud->is_array()) return false;
  return std::any_of(aud->begin(), aud->end(),
                     [&](const Json& a) { return a.is_string() && a.get_ref<const std::string&>() == audience; });
}

bool has_issuer(const Json& payload, const std::string& issuer) {
  auto iss = payload.find("iss");
  return iss != payload.end() && iss->is_string() && iss->get_ref<const std::string&>() == issuer;
}

// No leeway: the worker and the token's issuer are expected to share one
// clock to within a second or two, and an expired token closes the socket.
VerifyResult check_claims(const Json& payload, std::int64_t now_s, const RequiredClaims& required) {
  auto window = check_validity_window(payload, now_s, 0);
  if (!window.error.empty()) return refuse(window.error);
  if (!required.audience.empty() && !has_audience(payload, required.audience)) return refuse("wrong audience");
  if (!required.issuer.empty() && !has_issuer(payload, required.issuer)) return refuse("wrong issuer");
  auto role = usable_role(payload);
  if (!role) return refuse("token has no usable role");
  auto sub = usable_sub(payload, *role);
  if (!sub) return refuse("token has no usable sub");
  return {VerifiedToken{std::move(*sub), std::move(*role), window.expires_at_s, payload.dump()}, {}};
}

}  // namespace

JwtVerifier::JwtVerifier(std::string key, std::vector<Algorithm> algorithms)
    : key_(std::move(key)), algorithms_(std::move(algorithms)) {
  for (const auto& algorithm : algorithms_) allowed_algorithms_.push_back(algorithm.name);
}

JwtVerifier JwtVerifier::from_config(std::string hmac_secret, std::string public_key_pem) {
  if (hmac_secret.empty() == public_key_pem.empty())
    throw std::invalid_argument("configure exactly one of the JWT secret and the JWT public key");
  if (!hmac_secret.empty()) return with_secret(std::move(hmac_secret));
  return with_public_key(std::move(public_key_pem));
}

JwtVerifier JwtVerifier::with_secret(std::string hmac_secret) {
  auto algorithms = hmac_algorithms(hmac_secret.size());
  return JwtVerifier(std::move(hmac_secret), std::move(algorithms));
}

JwtVerifier JwtVerifier::with_public_key(std::string public_key_pem) {
  PkeyPtr key = read_public_key(public_key_pem);
  auto algorithms = public_key_algorithms(key.get());
  return JwtVerifier(canonical_pem(key.get()), std::move(algorithms));
}

JwtVerifier JwtVerifier::with_key_set(std::shared_ptr<const KeyLookup> keys, std::string hmac_secret) {
  if (!keys) throw std::invalid_argument("no JWKS");
  auto algorithms = hmac_secret.empty() ? std::vector<Algorithm>{} : hmac_algorithms(hmac_secret.size());
  JwtVerifier verifier(std::move(hmac_secret), std::move(algorithms));
  verifier.key_set_ = std::move(keys);
  for (const char* name : {"RS256", "RS384", "RS512", "ES256", "ES384"}) verifier.allowed_algorithms_.push_back(name);
  return verifier;
}

VerifyResult JwtVerifier::verify(std::string_view token, std::int64_t now_s) const noexcept {
  try {
    return verify_unguarded(token, now_s);
  } catch (...) {
    // Allocation failure or a library surprise: refuse. The reason fits the
    // small-string buffer, so building it cannot throw in turn.
    return VerifyResult{std::nullopt, "internal error"};
  }
}

// Everything an attacker controls is checked before libjwt sees the token; the
// claims only after the signature holds.
VerifyResult JwtVerifier::verify_unguarded(std::string_view token, std::int64_t now_s) const {
  if (token.size() > kMaxTokenBytes) return refuse("token too large");
  auto jws = decode_compact_jws(token);
  if (!jws) return refuse("malformed token");
  if (auto alg = asymmetric_alg(jws->header); key_set_ && !alg.empty()) {
    if (auto problem = check_with_key_set(*jws, alg); !problem.empty()) return refuse(problem);
    return check_claims(jws->payload, now_s, required_);
  }
  const Algorithm* algorithm = nullptr;
  if (auto problem = check_header(jws->header, algorithms_, algorithm); !problem.empty()) return refuse(problem);
  if (auto problem = check_signature(token, *algorithm, jws->signature); !problem.empty()) return refuse(problem);
  return check_claims(jws->payload, now_s, required_);
}

// The kid picks the key; the key, not the token, decides which algorithms
// it verifies.
std::string_view JwtVerifier::check_with_key_set(const CompactJws& jws, const std::string& alg) const {
  auto kid = jws.header.find("kid");
  if (kid == jws.header.end() || !kid->is_string()) return "token has no kid";
  auto key = key_set_->find(kid->get<std::string>());
  if (!key) return "unknown key";
  if (!key->allows(alg)) return "algorithm not allowed";
  if (auto problem = check_typ_and_crit(jws.header); !problem.empty()) return problem;
  if (!jws_signature_matches(key->key.get(), alg, jws.signing_input, jws.signature)) return "bad signature";
  return {};
}

std::string_view JwtVerifier::check_signature(std::string_view token, const Algorithm& algorithm,
                                              const std::string& signature) const {
  if (signature.size() != algorithm.signature_bytes) return "bad signature";
  const EVP_MD* digest = hmac_digest(algorithm.name);
  std::string_view signing_input = token.substr(0, token.rfind('.'));  // "header.payload"
  if (digest && !hmac_matches(digest, key_, signing_input, signature)) return "bad signature";
  JwtPtr jwt = libjwt_decode(token, key_);
  // With the MAC already checked, a libjwt refusal can only be its JSON parser
  // (it rejects \u0000 in strings, for one); for RS/ES it is the signature.
  if (!jwt) return digest ? "malformed token" : "bad signature";
  if (jwt_get_alg(jwt.get()) != jwt_str_alg(algorithm.name.c_str())) return "algorithm not allowed";
  return {};
}

}  // namespace session_clock::worker::auth
