#include "auth/jwt_verifier.hpp"

#include <gtest/gtest.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <atomic>
#include <cstdlib>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

#include "test_jwk.hpp"

namespace {

using session_clock::worker::auth::JwtVerifier;
using session_clock::worker::auth::VerifyResult;
using session_clock::testing::base64url;
using Json = nlohmann::json;
using Strings = std::vector<std::string>;

constexpr std::int64_t kNow = 1'700'000'000;
const std::string kSecret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";  // 64 bytes
const std::string kHs256Header = R"({"alg":"HS256","typ":"JWT"})";

// ---- token building ----------------------------------------------------------

std::string hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &length);
  return std::string(reinterpret_cast<char*>(mac), length);
}

// A token signed by hand, so headers and payloads can be anything.
std::string hs_token(std::string_view header, std::string_view payload, std::string_view secret = kSecret,
                     const EVP_MD* md = EVP_sha256()) {
  std::string input = base64url(header) + "." + base64url(payload);
  return input + "." + base64url(hmac(md, secret, input));
}

Json claims() { return {{"sub", "user-1"}, {"role", "authenticated"}, {"exp", kNow + 3600}}; }

std::string hs_token(const Json& payload) { return hs_token(kHs256Header, payload.dump()); }

// A token made by libjwt itself, as a real issuer would.
std::string libjwt_token(jwt_alg_t alg, const std::string& key, const Json& payload) {
  jwt_t* raw = nullptr;
  EXPECT_EQ(jwt_new(&raw), 0);
  std::unique_ptr<jwt_t, decltype(&jwt_free)> jwt(raw, &jwt_free);
  EXPECT_EQ(jwt_add_grants_json(jwt.get(), payload.dump().c_str()), 0);
  EXPECT_EQ(jwt_set_alg(jwt.get(), alg, reinterpret_cast<const unsigned char*>(key.data()), static_cast<int>(key.size())), 0);
  std::unique_ptr<char, decltype(&std::free)> text(jwt_encode_str(jwt.get()), &std::free);
  EXPECT_NE(text, nullptr);
  return text ? std::string(text.get()) : std::string();
}

// ---- keys --------------------------------------------------------------------

struct KeyPair {
  std::string private_pem, public_pem;
};

KeyPair to_pem(EVP_PKEY* key) {
  auto write = [key](bool is_private) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    int ok = is_private ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                        : PEM_write_bio_PUBKEY(bio.get(), key);
    EXPECT_EQ(ok, 1);
    char* data = nullptr;
    long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
  };
  KeyPair pair{write(true), write(false)};
  EVP_PKEY_free(key);
  return pair;
}

KeyPair rsa_keys(std::size_t bits) { return to_pem(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits)); }
KeyPair ec_keys(const char* curve) { return to_pem(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve)); }

// Generated once per run: RSA key generation is slow under valgrind.
const KeyPair& rsa() {
  static const KeyPair keys = rsa_keys(2048);
  return keys;
}
const KeyPair& other_rsa() {
  static const KeyPair keys = rsa_keys(2048);
  return keys;
}
const KeyPair& p256() {
  static const KeyPair keys = ec_keys("P-256");
  return keys;
}

JwtVerifier secret_verifier() { return JwtVerifier::with_secret(kSecret); }

void expect_refused(const VerifyResult& result, const std::string& error) {
  EXPECT_FALSE(result.token.has_value());
  EXPECT_EQ(result.error, error);
}

std::string flip_char(std::string text, std::size_t at) {
  text[at] = text[at] == 'A' ? 'B' : 'A';
  return text;
}

// ---- valid tokens --------------------------------------------------------------

TEST(JwtVerifier, AcceptsHs256WithSubRoleExpAndClaims) {
  Json payload = claims();
  payload["aud"] = "authenticated";
  payload["app_metadata"] = {{"provider", "email"}};
  auto result = secret_verifier().verify(hs_token(payload), kNow);
  ASSERT_TRUE(result.token.has_value()) << result.error;
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.token->sub, "user-1");
  EXPECT_EQ(result.token->role, "authenticated");
  EXPECT_EQ(result.token->expires_at_s, kNow + 3600);
  EXPECT_EQ(Json::parse(result.token->claims_json), payload);
  EXPECT_EQ(result.token->claims_json.find_first_of(" \n"), std::string::npos);  // compact
}

TEST(JwtVerifier, AcceptsTokensMadeByLibjwt) {
  for (jwt_alg_t alg : {JWT_ALG_HS256, JWT_ALG_HS384, JWT_ALG_HS512}) {
    auto result = secret_verifier().verify(libjwt_token(alg, kSecret, claims()), kNow);
    ASSERT_TRUE(result.token.has_value()) << jwt_alg_str(alg) << ": " << result.error;
    EXPECT_EQ(result.token->sub, "user-1");
  }
}

TEST(JwtVerifier, AcceptsHs384AndHs512) {
  auto verifier = secret_verifier();
  EXPECT_EQ(verifier.allowed_algorithms(), (Strings{"HS256", "HS384", "HS512"}));
  auto hs384 = hs_token(R"({"alg":"HS384"})", claims().dump(), kSecret, EVP_sha384());
  auto hs512 = hs_token(R"({"alg":"HS512"})", claims().dump(), kSecret, EVP_sha512());
  EXPECT_TRUE(verifier.verify(hs384, kNow).token.has_value());
  EXPECT_TRUE(verifier.verify(hs512, kNow).token.has_value());
}

TEST(JwtVerifier, AcceptsRs256AndRs512) {
  auto verifier = JwtVerifier::with_public_key(rsa().public_pem);
  EXPECT_EQ(verifier.allowed_algorithms(), (Strings{"RS256", "RS384", "RS512"}));
  for (jwt_alg_t alg : {JWT_ALG_RS256, JWT_ALG_RS512}) {
    auto result = verifier.verify(libjwt_token(alg, rsa().private_pem, claims()), kNow);
    ASSERT_TRUE(result.token.has_value()) << jwt_alg_str(alg) << ": " << result.error;
    EXPECT_EQ(result.token->sub, "user-1");
    EXPECT_EQ(result.token->expires_at_s, kNow + 3600);
  }
}

TEST(JwtVerifier, AcceptsEs256) {
  auto verifier = JwtVerifier::with_public_key(p256().public_pem);
  EXPECT_EQ(verifier.allowed_algorithms(), Strings{"ES256"});
  auto result = verifier.verify(libjwt_token(JWT_ALG_ES256, p256().private_pem, claims()), kNow);
  ASSERT_TRUE(result.token.has_value()) << result.error;
  EXPECT_EQ(result.token->role, "authenticated");
}

TEST(JwtVerifier, P384KeyAllowsOnlyEs384) {
  KeyPair p384 = ec_keys("P-384");
  auto verifier = JwtVerifier::with_public_key(p384.public_pem);
  EXPECT_EQ(verifier.allowed_algorithms(), Strings{"ES384"});
  EXPECT_TRUE(verifier.verify(libjwt_token(JWT_ALG_ES384, p384.private_pem, claims()), kNow).token.has_value());
  expect_refused(verifier.verify(libjwt_token(JWT_ALG_ES256, p256().private_pem, claims()), kNow),
                 "algorithm not allowed");
}

// ---- signatures ------------------------------------------------------------------

TEST(JwtVerifier, RefusesWrongSecret) {
  auto token = hs_token(kHs256Header, claims().dump(), std::string(64, 'x'));
  expect_refused(secret_verifier().verify(token, kNow), "bad signature");
}

TEST(JwtVerifier, RefusesTamperedPayload) {
  auto genuine = hs_token(claims());
  Json forged = claims();
  forged["role"] = "service_role";
  std::string token = genuine;
  auto first = token.find('.'), second = token.rfind('.');
  token.replace(first + 1, second - first - 1, base64url(forged.dump()));
  ASSERT_TRUE(secret_verifier().verify(genuine, kNow).token.has_value());
  expect_refused(secret_verifier().verify(token, kNow), "bad signature");

  auto rsa_verifier = JwtVerifier::with_public_key(rsa().public_pem);
  auto rs = libjwt_token(JWT_ALG_RS256, rsa().private_pem, claims());
  first = rs.find('.');
  second = rs.rfind('.');
  rs.replace(first + 1, second - first - 1, base64url(forged.dump()));
  expect_refused(rsa_verifier.verify(rs, kNow), "bad signature");
}

TEST(JwtVerifier, RefusesTamperedSignature) {
  auto hs = hs_token(claims());
  expect_refused(secret_verifier().verify(flip_char(hs, hs.rfind('.') + 5), kNow), "bad signature");
  auto rs = libjwt_token(JWT_ALG_RS256, rsa().private_pem, claims());
  expect_refused(JwtVerifier::with_public_key(rsa().public_pem).verify(flip_char(rs, rs.rfind('.') + 5), kNow),
                 "bad signature");
  auto es = libjwt_token(JWT_ALG_ES256, p256().private_pem, claims());
  expect_refused(JwtVerifier::with_public_key(p256().public_pem).verify(flip_char(es, es.rfind('.') + 5), kNow),
                 "bad signature");
}

TEST(JwtVerifier, RefusesSignatureOfWrongLength) {
  auto hs = hs_token(claims());
  expect_refused(secret_verifier().verify(hs.substr(0, hs.rfind('.') + 1), kNow), "bad signature");  // empty
  auto token = hs.substr(0, hs.rfind('.') + 1) + base64url(std::string(31, 'x'));
  expect_refused(secret_verifier().verify(token, kNow), "bad signature");
}

TEST(JwtVerifier, RefusesRs256FromAnotherKey) {
  auto token = libjwt_token(JWT_ALG_RS256, other_rsa().private_pem, claims());
  expect_refused(JwtVerifier::with_public_key(rsa().public_pem).verify(token, kNow), "bad signature");
}

// Sets an unused low bit in the last base64url character: the same bytes,
// spelt a second way.
std::string respell_last_char(std::string token) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  auto value = alphabet.find(token.back());
  EXPECT_EQ(value % 4, 0u);  // 32- and 256-byte signatures leave 2 and 4 unused bits
  token.back() = alphabet[value | 1];
  return token;
}

// libjwt decodes RS signatures leniently and would accept the second spelling.
TEST(JwtVerifier, RefusesNonCanonicalBase64) {
  expect_refused(secret_verifier().verify(respell_last_char(hs_token(claims())), kNow), "malformed token");
  auto rs = libjwt_token(JWT_ALG_RS256, rsa().private_pem, claims());
  auto verifier = JwtVerifier::with_public_key(rsa().public_pem);
  ASSERT_TRUE(verifier.verify(rs, kNow).token.has_value());
  expect_refused(verifier.verify(respell_last_char(rs), kNow), "malformed token");
}

// ---- algorithms ------------------------------------------------------------------

TEST(JwtVerifier, RefusesAlgNone) {
  std::string unsigned_part = base64url(R"({"alg":"none","typ":"JWT"})") + "." + base64url(claims().dump());
  auto secret = secret_verifier();
  auto rsa_verifier = JwtVerifier::with_public_key(rsa().public_pem);
  for (const auto* verifier : {&secret, &rsa_verifier}) {
    expect_refused(verifier->verify(unsigned_part + ".", kNow), "algorithm not allowed");
    expect_refused(verifier->verify(unsigned_part + "." + base64url(hmac(EVP_sha256(), kSecret, unsigned_part)), kNow),
                   "algorithm not allowed");
  }
  for (const char* alg : {"None", "NONE", "hs256", ""}) {
    SCOPED_TRACE(alg);
    Json header = {{"alg", alg}};
    expect_refused(secret.verify(hs_token(header.dump(), claims().dump()), kNow), "algorithm not allowed");
  }
  expect_refused(secret.verify(hs_token("{}", claims().dump()), kNow), "algorithm not allowed");
  expect_refused(secret.verify(hs_token(R"({"alg":["HS256"]})", claims().dump()), kNow), "algorithm not allowed");
}

// The classic key confusion: an HS256 token whose secret is the public key's
// PEM text. The token is genuine for that secret, and refused by the key.
TEST(JwtVerifier, RefusesHs256SignedWithThePublicKeyText) {
  const std::string& pem = rsa().public_pem;
  auto token = hs_token(kHs256Header, claims().dump(), pem);
  ASSERT_TRUE(JwtVerifier::with_secret(pem).verify(token, kNow).token.has_value());
  expect_refused(JwtVerifier::with_public_key(pem).verify(token, kNow), "algorithm not allowed");
  expect_refused(JwtVerifier::with_public_key(p256().public_pem)
                     .verify(hs_token(kHs256Header, claims().dump(), p256().public_pem), kNow),
                 "algorithm not allowed");
}

TEST(JwtVerifier, RefusesRs256AgainstSecret) {
  auto token = libjwt_token(JWT_ALG_RS256, rsa().private_pem, claims());
  expect_refused(secret_verifier().verify(token, kNow), "algorithm not allowed");
}

TEST(JwtVerifier, RefusesEs256AgainstRsaKey) {
  auto token = libjwt_token(JWT_ALG_ES256, p256().private_pem, claims());
  expect_refused(JwtVerifier::with_public_key(rsa().public_pem).verify(token, kNow), "algorithm not allowed");
}

TEST(JwtVerifier, ShortSecretAllowsOnlyTheDigestsItCanKey) {
  std::string secret(40, 's');
  auto verifier = JwtVerifier::with_secret(secret);
  EXPECT_EQ(verifier.allowed_algorithms(), Strings{"HS256"});
  EXPECT_TRUE(verifier.verify(hs_token(kHs256Header, claims().dump(), secret), kNow).token.has_value());
  auto hs512 = hs_token(R"({"alg":"HS512"})", claims().dump(), secret, EVP_sha512());
  expect_refused(verifier.verify(hs512, kNow), "algorithm not allowed");
  EXPECT_EQ(JwtVerifier::with_secret(std::string(48, 's')).allowed_algorithms(), (Strings{"HS256", "HS384"}));
}

// ---- header ------------------------------------------------------------------------

TEST(JwtVerifier, TypMustBeJwtWhenPresent) {
  auto verifier = secret_verifier();
  EXPECT_TRUE(verifier.verify(hs_token(R"({"alg":"HS256"})", claims().dump()), kNow).token.has_value());
  EXPECT_TRUE(verifier.verify(hs_token(R"({"alg":"HS256","typ":"jwt"})", claims().dump()), kNow).token.has_value());
  for (const char* header : {R"({"alg":"HS256","typ":"at+jwt"})", R"({"alg":"HS256","typ":1})",
                             R"({"alg":"HS256","typ":null})"}) {
    SCOPED_TRACE(header);
    expect_refused(verifier.verify(hs_token(header, claims().dump()), kNow), "unsupported token type");
  }
}

TEST(JwtVerifier, RefusesCriticalHeader) {
  auto token = hs_token(R"({"alg":"HS256","crit":["b64"],"b64":false})", claims().dump());
  expect_refused(secret_verifier().verify(token, kNow), "unsupported critical header");
}

// ---- time --------------------------------------------------------------------------

TEST(JwtVerifier, RefusesExpiredAtAndAfterExp) {
  auto token = hs_token(claims());
  EXPECT_TRUE(secret_verifier().verify(token, kNow + 3599).token.has_value());
  expect_refused(secret_verifier().verify(token, kNow + 3600), "token expired");
  expect_refused(secret_verifier().verify(token, kNow + 86400), "token expired");
}

TEST(JwtVerifier, HonoursNbf) {
  Json payload = claims();
  payload["nbf"] = kNow + 10;
  auto token = hs_token(payload);
  expect_refused(secret_verifier().verify(token, kNow + 9), "token not yet valid");
  EXPECT_TRUE(secret_verifier().verify(token, kNow + 10).token.has_value());
  payload["nbf"] = "soon";
  expect_refused(secret_verifier().verify(hs_token(payload), kNow + 20), "token has no usable nbf");
}

TEST(JwtVerifier, RequiresNumericExp) {
  Json payload = claims();
  payload.erase("exp");
  expect_refused(secret_verifier().verify(hs_token(payload), kNow), "token has no usable exp");
  for (Json exp : {Json(std::to_string(kNow + 3600)), Json(nullptr), Json(true), Json::array({kNow + 3600}),
                   Json(-1), Json(1e300), Json(std::numeric_limits<std::int64_t>::max())}) {
    SCOPED_TRACE(exp.dump());
    payload["exp"] = exp;
    expect_refused(secret_verifier().verify(hs_token(payload), kNow), "token has no usable exp");
  }
}

TEST(JwtVerifier, FractionalExpRoundsDown) {
  Json payload = claims();
  payload["exp"] = static_cast<double>(kNow) + 100.9;
  auto result = secret_verifier().verify(hs_token(payload), kNow);
  ASSERT_TRUE(result.token.has_value()) << result.error;
  EXPECT_EQ(result.token->expires_at_s, kNow + 100);
  expect_refused(secret_verifier().verify(hs_token(payload), kNow + 100), "token expired");
}

// ---- sub and role ---------------------------------------------------------------------

TEST(JwtVerifier, RequiresSubUnlessServiceRole) {
  Json payload = claims();
  payload.erase("sub");
  expect_refused(secret_verifier().verify(hs_token(payload), kNow), "token has no usable sub");
  payload["role"] = "service_role";
  auto result = secret_verifier().verify(hs_token(payload), kNow);
  ASSERT_TRUE(result.token.has_value()) << result.error;
  EXPECT_EQ(result.token->sub, "");
  EXPECT_EQ(result.token->role, "service_role");
  payload["sub"] = "";  // a present sub must still be usable
  expect_refused(secret_verifier().verify(hs_token(payload), kNow), "token has no usable sub");
}

TEST(JwtVerifier, RefusesUnusableSub) {
  Json payload = claims();
  for (Json sub : {Json(""), Json("   "), Json("a\x01z"), Json("line\nbreak"), Json("del\x7f"), Json("\u202eevil"),
                   Json(std::string(201, 'u')), Json(42), Json::object({{"id", 1}}), Json(nullptr)}) {
    SCOPED_TRACE(sub.dump());
    payload["sub"] = sub;
    expect_refused(secret_verifier().verify(hs_token(payload), kNow), "token has no usable sub");
  }
}

// libjwt's JSON parser refuses \u0000 in strings, so such a token never reaches
// the claim checks; it must not be cut to "alice" on its way anywhere.
TEST(JwtVerifier, RefusesSubWithNul) {
  std::string payload = R"({"sub":"alice\u0000mallory","exp":)" + std::to_string(kNow + 60) + "}";
  expect_refused(secret_verifier().verify(hs_token(kHs256Header, payload), kNow), "malformed token");
}

TEST(JwtVerifier, SubLengthCountsCodePoints) {
  Json payload = claims();
  std::string two_hundred;
  for (int i = 0; i < 200; ++i) two_hundred += "\xc3\xa9";  // é, 2 bytes each
  payload["sub"] = two_hundred;
  auto result = secret_verifier().verify(hs_token(payload), kNow);
  ASSERT_TRUE(result.token.has_value()) << result.error;
  EXPECT_EQ(result.token->sub, two_hundred);
  payload["sub"] = two_hundred + "\xc3\xa9";
  expect_refused(secret_verifier().verify(hs_token(payload), kNow), "token has no usable sub");
}

TEST(JwtVerifier, RoleIsOptionalButMustBeAName) {
  Json payload = claims();
  payload.erase("role");
  auto result = secret_verifier().verify(hs_token(payload), kNow);
  ASSERT_TRUE(result.token.has_value()) << result.error;
  EXPECT_EQ(result.token->role, "");
  for (Json role : {Json(1), Json(""), Json("a\nb"), Json(std::string(64, 'r'))}) {
    SCOPED_TRACE(role.dump());
    payload["role"] = role;
    expect_refused(secret_verifier().verify(hs_token(payload), kNow), "token has no usable role");
  }
}

// ---- structure -------------------------------------------------------------------------

TEST(JwtVerifier, RefusesMalformedTokens) {
  auto verifier = secret_verifier();
  auto good = hs_token(claims());
  auto header = base64url(kHs256Header), payload = base64url(claims().dump());
  for (const std::string& token : {
           std::string(), std::string("."), std::string(".."), header + "." + payload,  // two segments
           good + ".AAAA",                                                             // four segments
           "!" + good,                                                                 // not base64url
           header + "=." + payload + ".AAAA",                                          // padding
           good + " ",                                                                 // whitespace
           base64url("{not json") + "." + payload + ".AAAA",                              // header not JSON
           base64url("[]") + "." + payload + ".AAAA",                                     // header not an object
           hs_token(kHs256Header, R"([{"sub":"user-1"}])"),                             // payload an array
           hs_token(kHs256Header, "null"), hs_token(kHs256Header, R"({"sub":"x"} trailing)"),
           hs_token(kHs256Header, "{\"sub\":\"\xff\"}"),                                // invalid UTF-8
           "A." + payload + ".AAAA",                                                    // impossible length
       }) {
    SCOPED_TRACE(token);
    expect_refused(verifier.verify(token, kNow), "malformed token");
  }
}

TEST(JwtVerifier, CapsTokenSize) {
  Json payload = claims();
  payload["pad"] = std::string(5500, 'p');
  auto near_cap = hs_token(payload);
  ASSERT_LE(near_cap.size(), JwtVerifier::kMaxTokenBytes);
  EXPECT_TRUE(secret_verifier().verify(near_cap, kNow).token.has_value());
  payload["pad"] = std::string(6200, 'p');
  auto over = hs_token(payload);
  ASSERT_GT(over.size(), JwtVerifier::kMaxTokenBytes);
  expect_refused(secret_verifier().verify(over, kNow), "token too large");
  expect_refused(secret_verifier().verify(std::string(1 << 20, 'A'), kNow), "token too large");
}

// ---- configuration ---------------------------------------------------------------------

TEST(JwtVerifier, ConfigNeedsExactlyOneKey) {
  EXPECT_THROW(JwtVerifier::from_config("", ""), std::invalid_argument);
  EXPECT_THROW(JwtVerifier::from_config(kSecret, rsa().public_pem), std::invalid_argument);
  EXPECT_THROW(JwtVerifier::with_secret(""), std::invalid_argument);
  EXPECT_THROW(JwtVerifier::with_public_key(""), std::invalid_argument);
  EXPECT_EQ(JwtVerifier::from_config(kSecret, "").allowed_algorithms().front(), "HS256");
  EXPECT_EQ(JwtVerifier::from_config("", rsa().public_pem).allowed_algorithms().front(), "RS256");
}

TEST(JwtVerifier, RefusesWeakOrUnusableKeys) {
  EXPECT_THROW(JwtVerifier::with_secret(std::string(31, 's')), std::invalid_argument);
  EXPECT_NO_THROW(JwtVerifier::with_secret(std::string(32, 's')));
  EXPECT_THROW(JwtVerifier::with_public_key("-----BEGIN PUBLIC KEY-----\ngarbage\n-----END PUBLIC KEY-----\n"),
               std::invalid_argument);
  EXPECT_THROW(JwtVerifier::with_public_key("not a pem at all"), std::invalid_argument);
  EXPECT_THROW(JwtVerifier::with_public_key(rsa().private_pem), std::invalid_argument);  // a private key
  EXPECT_THROW(JwtVerifier::with_public_key(rsa_keys(1024).public_pem), std::invalid_argument);
  EXPECT_THROW(JwtVerifier::with_public_key(ec_keys("P-521").public_pem), std::invalid_argument);
  EXPECT_THROW(JwtVerifier::with_public_key(ec_keys("secp256k1").public_pem), std::invalid_argument);
}

// ---- concurrency -----------------------------------------------------------------------

TEST(JwtVerifier, OneVerifierServesManyThreads) {
  auto verifier = JwtVerifier::with_public_key(rsa().public_pem);
  auto good = libjwt_token(JWT_ALG_RS256, rsa().private_pem, claims());
  auto bad = libjwt_token(JWT_ALG_RS256, other_rsa().private_pem, claims());
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        if (!verifier.verify(good, kNow).token) ++wrong;
        if (verifier.verify(bad, kNow).error != "bad signature") ++wrong;
      }
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace

// ---- required claims (--jwt-aud, --jwt-iss) --------------------------------------

TEST(JwtVerifier, RequiredAudienceAndIssuerAreChecked) {
  auto verifier = secret_verifier();
  verifier.require({"authenticated", "https://ref.supabase.co/auth/v1"});
  Json payload = claims();
  payload["aud"] = "authenticated";
  payload["iss"] = "https://ref.supabase.co/auth/v1";
  EXPECT_TRUE(verifier.verify(hs_token(payload), kNow).token.has_value());
  payload["aud"] = Json::array({"other", "authenticated"});  // an array holding it will do
  EXPECT_TRUE(verifier.verify(hs_token(payload), kNow).token.has_value());
  payload["aud"] = "anon";
  expect_refused(verifier.verify(hs_token(payload), kNow), "wrong audience");
  payload.erase("aud");
  expect_refused(verifier.verify(hs_token(payload), kNow), "wrong audience");
  payload["aud"] = "authenticated";
  payload["iss"] = "https://evil.example/auth/v1";
  expect_refused(verifier.verify(hs_token(payload), kNow), "wrong issuer");
  payload["iss"] = 7;
  expect_refused(verifier.verify(hs_token(payload), kNow), "wrong issuer");
  // Unset, nothing is required (the default).
  payload.erase("iss");
  payload.erase("aud");
  EXPECT_TRUE(secret_verifier().verify(hs_token(payload), kNow).token.has_value());
}
