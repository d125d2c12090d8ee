// Tokens verified against a JWKS (auth/jwk_set.hpp, auth/jwks_source.hpp):
// keys made here by OpenSSL, published as JWKs, tokens signed here.
#include <gtest/gtest.h>
#include <openssl/hmac.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "auth/jwks_source.hpp"
#include "auth/jwt_verifier.hpp"
#include "test_jwk.hpp"

namespace auth = session_clock::worker::auth;
using session_clock::testing::base64url;
using session_clock::testing::jwks_document;
using session_clock::testing::TestJwk;
using Json = nlohmann::json;
using namespace std::chrono;

namespace {

constexpr std::int64_t kNow = 1'700'000'000;
const std::string kSecret = "0123456789abcdef0123456789abcdef";

Json claims() { return {{"sub", "user-1"}, {"role", "authenticated"}, {"exp", kNow + 3600}, {"aud", "authenticated"}}; }

// Generated once per run: RSA key generation is slow.
const TestJwk& es() {
  static const TestJwk key = TestJwk::ec("es-1");
  return key;
}
const TestJwk& rs() {
  static const TestJwk key = TestJwk::rsa("rs-1");
  return key;
}

struct FixedKeys : auth::KeyLookup {
  explicit FixedKeys(const std::string& document) : set(auth::JwkSet::parse(document)) {}
  std::shared_ptr<const auth::Jwk> find(const std::string& kid) const override { return set.find(kid); }
  auth::JwkSet set;
};

auth::JwtVerifier verifier(std::string secret = {}) {
  return auth::JwtVerifier::with_key_set(std::make_shared<FixedKeys>(jwks_document({&es(), &rs()})), std::move(secret));
}

// The same signature over other claims (another sub).
std::string tamper(const std::string& token) {
  auto first = token.find('.'), second = token.rfind('.');
  auto other = claims();
  other["sub"] = "mallory";
  return token.substr(0, first + 1) + base64url(other.dump()) + token.substr(second);
}

}  // namespace

TEST(Jwks, ES256AndRS256TokensAreAdmittedByKid) {
  auto v = verifier();
  auto by_es = v.verify(es().sign(claims()), kNow);
  ASSERT_TRUE(by_es.token) << by_es.error;
  EXPECT_EQ(by_es.token->sub, "user-1");
  auto by_rs = v.verify(rs().sign(claims()), kNow);
  ASSERT_TRUE(by_rs.token) << by_rs.error;
  auto p384 = TestJwk::ec("es-384", "P-384");
  auto with_p384 = auth::JwtVerifier::with_key_set(std::make_shared<FixedKeys>(jwks_document({&p384})));
  EXPECT_TRUE(with_p384.verify(p384.sign(claims()), kNow).token);
}

TEST(Jwks, TamperedUnknownAndMismatchedTokensAreRefused) {
  auto v = verifier();
  EXPECT_EQ(v.verify(tamper(es().sign(claims())), kNow).error, "bad signature");
  EXPECT_EQ(v.verify(tamper(rs().sign(claims())), kNow).error, "bad signature");
  auto stranger = TestJwk::ec("nobody");
  EXPECT_EQ(v.verify(stranger.sign(claims()), kNow).error, "unknown key");
  // Signed by another key under a known kid.
  EXPECT_EQ(v.verify(stranger.sign(claims(), "ES256", {{"kid", "es-1"}}), kNow).error, "bad signature");
  EXPECT_EQ(v.verify(es().sign(claims(), "ES256", {{"kid", 7}}), kNow).error, "token has no kid");
  // The key decides the algorithm: an EC key never verifies RS256 (nor
  // ES384), an RSA key never ES256.
  EXPECT_EQ(v.verify(es().sign(claims(), "RS256"), kNow).error, "algorithm not allowed");
  EXPECT_EQ(v.verify(rs().sign(claims(), "ES256"), kNow).error, "algorithm not allowed");
  EXPECT_EQ(v.verify(es().sign(claims(), "ES384"), kNow).error, "algorithm not allowed");
  // Claims are still checked after the signature.
  auto expired = claims();
  expired["exp"] = kNow - 1;
  EXPECT_EQ(v.verify(es().sign(expired), kNow).error, "token expired");
  EXPECT_EQ(verifier().require({"other", ""}).verify(es().sign(claims()), kNow).error, "wrong audience");
}

// Algorithm confusion: HS256 "signed" with the public key's own bytes, or no
// signature at all, is never accepted, with or without an HS secret.
TEST(Jwks, NoHmacWithAPublicKeyAndNoAlgNone) {
  auto public_jwk = es().jwk().dump();
  std::string input = base64url(Json{{"alg", "HS256"}, {"kid", "es-1"}, {"typ", "JWT"}}.dump()) + "." +
                      base64url(claims().dump());
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), public_jwk.data(), static_cast<int>(public_jwk.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &length);
  auto confused = input + "." + base64url(std::string(reinterpret_cast<char*>(mac), length));
  EXPECT_EQ(verifier().verify(confused, kNow).error, "algorithm not allowed");
  EXPECT_EQ(verifier(kSecret).verify(confused, kNow).error, "bad signature");
  auto none = base64url(Json{{"alg", "none"}, {"kid", "es-1"}}.dump()) + "." + base64url(claims().dump()) + ".";
  EXPECT_FALSE(verifier(kSecret).verify(none, kNow).token);
}

TEST(Jwks, TheHsSecretMayGoAlongside) {
  auto v = verifier(kSecret);
  std::string input = base64url(Json{{"alg", "HS256"}, {"typ", "JWT"}}.dump()) + "." + base64url(claims().dump());
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &length);
  EXPECT_TRUE(v.verify(input + "." + base64url(std::string(reinterpret_cast<char*>(mac), length)), kNow).token);
  EXPECT_TRUE(v.verify(es().sign(claims()), kNow).token);
}

TEST(Jwks, UnusableKeysAreSkippedAndASetWithoutOneIsRefused) {
  auto good = es().jwk();
  auto no_kid = es().jwk();
  no_kid.erase("kid");
  auto off_curve = es().jwk();
  off_curve["kid"] = "off-curve";
  off_curve["y"] = off_curve["x"];
  auto secret = Json{{"kty", "oct"}, {"kid", "hs"}, {"k", base64url(kSecret)}};
  auto small_rsa = TestJwk::rsa("small", 1024).jwk();
  auto wrong_alg = es().jwk();
  wrong_alg["kid"] = "wrong-alg";
  wrong_alg["alg"] = "RS256";
  auto encryption = es().jwk();
  encryption["kid"] = "enc";
  encryption["use"] = "enc";
  Json doc = {{"keys", {good, no_kid, off_curve, secret, small_rsa, wrong_alg, encryption}}};
  auto set = auth::JwkSet::parse(doc.dump());
  EXPECT_EQ(set.size(), 1u);
  EXPECT_EQ(set.skipped().size(), 6u);
  EXPECT_TRUE(set.find("es-1"));
  EXPECT_FALSE(set.find("off-curve"));
  EXPECT_THROW(auth::JwkSet::parse(R"({"keys":[]})"), std::invalid_argument);
  EXPECT_THROW(auth::JwkSet::parse("not json"), std::invalid_argument);
  EXPECT_THROW(auth::JwkSet::parse(Json{{"keys", {secret}}}.dump()), std::invalid_argument);
}

// Rotation: an unknown kid makes the source read again (once, however many
// such tokens), a second unknown kid within the interval does not, and the
// new key verifies without a restart.
TEST(Jwks, AnUnknownKidReadsTheSetAgainAtMostOncePerInterval) {
  std::atomic<int> loads{0};
  std::string document = jwks_document({&es()});
  std::mutex document_mutex;
  auth::JwksSource::Load load = [&] {
    ++loads;
    std::lock_guard lock(document_mutex);
    return document;
  };
  auto source = std::make_shared<auth::JwksSource>("test", load, true, milliseconds(2000));
  auto v = auth::JwtVerifier::with_key_set(source);
  EXPECT_EQ(loads, 1);
  auto rotated = TestJwk::ec("es-2");
  {
    std::lock_guard lock(document_mutex);
    document = jwks_document({&es(), &rotated});
  }
  auto start = steady_clock::now();
  EXPECT_EQ(v.verify(rotated.sign(claims()), kNow).error, "unknown key");  // not waited for
  for (int i = 0; i < 200 && source->reads() < 2; ++i) std::this_thread::sleep_for(milliseconds(5));
  EXPECT_EQ(source->reads(), 2u);
  for (int i = 0; i < 200 && !v.verify(rotated.sign(claims()), kNow).token; ++i)
    std::this_thread::sleep_for(milliseconds(5));
  EXPECT_TRUE(v.verify(rotated.sign(claims()), kNow).token);
  auto other = TestJwk::ec("es-3");
  for (int i = 0; i < 10; ++i) EXPECT_EQ(v.verify(other.sign(claims()), kNow).error, "unknown key");
  std::this_thread::sleep_for(milliseconds(100));
  if (steady_clock::now() - start < milliseconds(1900)) {
    EXPECT_EQ(loads, 2);
  }
  std::this_thread::sleep_for(milliseconds(2100) - (steady_clock::now() - start));
  EXPECT_EQ(v.verify(other.sign(claims()), kNow).error, "unknown key");
  for (int i = 0; i < 200 && source->reads() < 3; ++i) std::this_thread::sleep_for(milliseconds(5));
  EXPECT_EQ(source->reads(), 3u);
}

TEST(Jwks, AFileSourceThatCannotBeReadAtStartIsAnError) {
  EXPECT_THROW(auth::JwksSource("missing", auth::jwks_file_loader("/nonexistent/jwks.json"), true), std::invalid_argument);
  auth::JwksSource lenient("missing", auth::jwks_file_loader("/nonexistent/jwks.json"), false);
  EXPECT_FALSE(lenient.find("any"));
}

TEST(Jwks, AUrlMustBeHttpsUnlessOnLoopback) {
  EXPECT_THROW(auth::jwks_url_loader("http://example.com/jwks.json"), std::invalid_argument);
  EXPECT_NO_THROW(auth::jwks_url_loader("http://127.0.0.1:56201/jwks.json"));
  EXPECT_NO_THROW(auth::jwks_url_loader("http://localhost:56201/auth/v1/.well-known/jwks.json"));
  EXPECT_NO_THROW(auth::jwks_url_loader("https://project.supabase.co/auth/v1/.well-known/jwks.json"));
}
