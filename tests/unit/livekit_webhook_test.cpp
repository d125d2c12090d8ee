#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>

#include "livekit/webhook_verifier.hpp"
#include "livekit_signer.hpp"

namespace {

using session_clock::testing::sign_livekit_webhook;
using session_clock::worker::livekit::WebhookVerifier;
using session_clock::worker::livekit::WebhookVerifyResult;
using Json = nlohmann::json;

constexpr std::int64_t kNow = 1'700'000'000;
const std::string kKey = "APIw8pLx2cQeZ";
const std::string kSecret = "Wq3kOpvS1xYfZ8mGtA5nR7cJ2uLhE9dBvK4sN6yT0iP";  // LiveKit's are 43 characters
const std::string kBody =
    R"({"event":"participant_joined","room":{"sid":"RM_hycBMAjmt6Ub","name":"lobby"},)"
    R"("participant":{"sid":"PA_THeNL6UQu2Hf","identity":"user-42"},"id":"EV_eugWmGhovZmm","createdAt":"1700000000"})";

// ---- tokens built by hand, so headers and claims can be anything ------------

std::string b64url(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

std::string hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &length);
  return std::string(reinterpret_cast<char*>(mac), length);
}

std::string hand_token(const Json& header, const Json& payload, std::string_view secret = kSecret,
                       const EVP_MD* md = EVP_sha256()) {
  std::string input = b64url(header.dump()) + "." + b64url(payload.dump());
  return input + "." + b64url(hmac(md, secret, input));
}

const Json kHeader = {{"alg", "HS256"}, {"typ", "JWT"}};

// The claims sign_livekit_webhook puts in, for kBody; the sha256 value is the
// one the signer computes, read back out of a signed token.
Json claims() {
  std::string token = sign_livekit_webhook(kKey, kSecret, kBody, kNow);
  std::string payload = token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1);
  while (payload.size() % 4 != 0) payload += '=';
  for (char& c : payload) c = c == '-' ? '+' : c == '_' ? '/' : c;
  std::string decoded(payload.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                          reinterpret_cast<const unsigned char*>(payload.data()), static_cast<int>(payload.size()));
  decoded.resize(static_cast<std::size_t>(n));
  while (!decoded.empty() && decoded.back() == '\0') decoded.pop_back();  // EVP_DecodeBlock pads with NULs
  return Json::parse(decoded);
}

WebhookVerifier verifier(std::int64_t leeway_s = WebhookVerifier::kDefaultLeewayS) {
  return WebhookVerifier({{kKey, kSecret}}, leeway_s);
}

void expect_refused(const WebhookVerifyResult& result, const std::string& error) {
  EXPECT_FALSE(result.webhook.has_value());
  EXPECT_EQ(result.error, error);
}

void expect_accepted(const WebhookVerifyResult& result) {
  ASSERT_TRUE(result.webhook.has_value()) << result.error;
  EXPECT_EQ(result.error, "");
}

static_assert(noexcept(std::declval<const WebhookVerifier&>().verify("", "", 0)));

// ---- what LiveKit sends ---------------------------------------------------------

TEST(LiveKitWebhookVerifier, AcceptsWhatLiveKitSigns) {
  auto token = sign_livekit_webhook(kKey, kSecret, kBody, kNow);
  auto result = verifier().verify(token, kBody, kNow);
  expect_accepted(result);
  EXPECT_EQ(result.webhook->api_key, kKey);
  EXPECT_EQ(result.webhook->expires_at_s, kNow + 300);
}

TEST(LiveKitWebhookVerifier, SignerWritesTheClaimsLiveKitDoes) {
  Json payload = claims();
  EXPECT_EQ(payload.at("iss"), kKey);
  EXPECT_EQ(payload.at("nbf"), kNow);
  EXPECT_EQ(payload.at("exp"), kNow + 300);
  EXPECT_EQ(payload.at("sha256").get<std::string>().size(), 44u);  // padded standard base64 of 32 bytes
}

// The body and digest from the JS server SDK's own WebhookReceiver test: the
// hash format is LiveKit's, not merely the one our signer agrees with.
TEST(LiveKitWebhookVerifier, MatchesLiveKitsOwnTestVector) {
  const std::string body =
      R"({"event":"room_started", "room":{"sid":"RM_TkVjUvAqgzKz", "name":"mytestroom", "emptyTimeout":300, )"
      R"("creationTime":"1628545903", "turnPassword":"ICkSr2rEeslkN6e9bXL4Ji5zzMD5Z7zzr6ulOaxMj6N", )"
      R"("enabledCodecs":[{"mime":"audio/opus"}, {"mime":"video/VP8"}]}})";
  Json payload = {{"iss", kKey}, {"nbf", kNow}, {"exp", kNow + 300},
                  {"sha256", "CoEQz1chqJ9bnZRcORddjplkvpjmPujmLTR42DbefYI="}};
  expect_accepted(verifier().verify(hand_token(kHeader, payload), body, kNow));
  payload["sha256"] = "CoEQz1chqJ9bnZRcORddjplkvpjmPujmLTR42DbefYI";  // unpadded: LiveKit compares exact text
  expect_refused(verifier().verify(hand_token(kHeader, payload), body, kNow), "body hash mismatch");
}

TEST(LiveKitWebhookVerifier, AcceptsBearerPrefix) {
  auto token = sign_livekit_webhook(kKey, kSecret, kBody, kNow);
  expect_accepted(verifier().verify("Bearer " + token, kBody, kNow));
  expect_accepted(verifier().verify("bearer " + token, kBody, kNow));
  expect_refused(verifier().verify("Bearer" + token, kBody, kNow), "malformed token");
  expect_refused(verifier().verify("Bearer  " + token, kBody, kNow), "malformed token");
  expect_refused(verifier().verify("Basic " + token, kBody, kNow), "malformed token");
}

TEST(LiveKitWebhookVerifier, RefusesMissingAuthorization) {
  expect_refused(verifier().verify("", kBody, kNow), "missing authorization");
  expect_refused(verifier().verify("Bearer ", kBody, kNow), "missing authorization");
}

// ---- keys -----------------------------------------------------------------------

TEST(LiveKitWebhookVerifier, RefusesWrongSecret) {
  auto token = sign_livekit_webhook(kKey, kSecret + "x", kBody, kNow);
  expect_refused(verifier().verify(token, kBody, kNow), "bad signature");
}

TEST(LiveKitWebhookVerifier, RefusesUnknownKey) {
  auto token = sign_livekit_webhook("APIother", kSecret, kBody, kNow);
  expect_refused(verifier().verify(token, kBody, kNow), "unknown api key");
  Json payload = claims();
  payload.erase("iss");
  expect_refused(verifier().verify(hand_token(kHeader, payload), kBody, kNow), "unknown api key");
  payload["iss"] = Json::array({kKey});
  expect_refused(verifier().verify(hand_token(kHeader, payload), kBody, kNow), "unknown api key");
  payload["iss"] = "";
  expect_refused(verifier().verify(hand_token(kHeader, payload), kBody, kNow), "unknown api key");
}

TEST(LiveKitWebhookVerifier, IssSelectsTheSecret) {
  WebhookVerifier both({{kKey, kSecret}, {"APIsecond", "second-secret"}});
  auto first = both.verify(sign_livekit_webhook(kKey, kSecret, kBody, kNow), kBody, kNow);
  expect_accepted(first);
  EXPECT_EQ(first.webhook->api_key, kKey);
  auto second = both.verify(sign_livekit_webhook("APIsecond", "second-secret", kBody, kNow), kBody, kNow);
  expect_accepted(second);
  EXPECT_EQ(second.webhook->api_key, "APIsecond");
  // Another configured key's secret is no good: the iss names the one to use.
  expect_refused(both.verify(sign_livekit_webhook(kKey, "second-secret", kBody, kNow), kBody, kNow), "bad signature");
}

// ---- body -----------------------------------------------------------------------

TEST(LiveKitWebhookVerifier, RefusesTamperedBody) {
  auto token = sign_livekit_webhook(kKey, kSecret, kBody, kNow);
  std::string tampered = kBody;
  tampered.replace(tampered.find("user-42"), 7, "user-43");
  expect_refused(verifier().verify(token, tampered, kNow), "body hash mismatch");
  expect_refused(verifier().verify(token, Json::parse(kBody).dump(2), kNow), "body hash mismatch");  // same JSON, new bytes
  expect_refused(verifier().verify(token, kBody + "\n", kNow), "body hash mismatch");
  expect_refused(verifier().verify(token, "", kNow), "body hash mismatch");
}

TEST(LiveKitWebhookVerifier, RequiresSha256Claim) {
  Json payload = claims();
  payload.erase("sha256");
  expect_refused(verifier().verify(hand_token(kHeader, payload), kBody, kNow), "missing body hash");
  payload["sha256"] = 42;
  expect_refused(verifier().verify(hand_token(kHeader, payload), kBody, kNow), "missing body hash");
  payload["sha256"] = "";
  expect_refused(verifier().verify(hand_token(kHeader, payload), kBody, kNow), "body hash mismatch");
}

// ---- algorithm and header ----------------------------------------------------------

TEST(LiveKitWebhookVerifier, RefusesAnyAlgorithmButHs256) {
  Json payload = claims();
  std::string unsigned_part = b64url(R"({"alg":"none"})") + "." + b64url(payload.dump());
  expect_refused(verifier().verify(unsigned_part + ".", kBody, kNow), "algorithm not allowed");
  expect_refused(verifier().verify(unsigned_part + "." + b64url(hmac(EVP_sha256(), kSecret, unsigned_part)), kBody,
                                   kNow),
                 "algorithm not allowed");
  // Genuine MACs with the right secret, under an algorithm LiveKit never uses.
  expect_refused(verifier().verify(hand_token({{"alg", "HS512"}}, payload, kSecret, EVP_sha512()), kBody, kNow),
                 "algorithm not allowed");
  expect_refused(verifier().verify(hand_token({{"alg", "HS384"}}, payload, kSecret, EVP_sha384()), kBody, kNow),
                 "algorithm not allowed");
  for (const Json& header : {Json{{"alg", "RS256"}}, Json{{"alg", "ES256"}}, Json{{"alg", "hs256"}},
                             Json{{"alg", "None"}}, Json::object(), Json{{"alg", Json::array({"HS256"})}}}) {
    SCOPED_TRACE(header.dump());
    expect_refused(verifier().verify(hand_token(header, payload), kBody, kNow), "algorithm not allowed");
  }
}

TEST(LiveKitWebhookVerifier, HeaderRules) {
  Json payload = claims();
  expect_accepted(verifier().verify(hand_token({{"alg", "HS256"}}, payload), kBody, kNow));  // the JS SDK sends no typ
  expect_refused(verifier().verify(hand_token({{"alg", "HS256"}, {"typ", "at+jwt"}}, payload), kBody, kNow),
                 "unsupported token type");
  expect_refused(verifier().verify(hand_token({{"alg", "HS256"}, {"crit", {"exp"}}}, payload), kBody, kNow),
                 "unsupported critical header");
}

// ---- time --------------------------------------------------------------------------

TEST(LiveKitWebhookVerifier, RefusesExpiredAfterLeeway) {
  auto token = sign_livekit_webhook(kKey, kSecret, kBody, kNow);  // exp = kNow + 300
  expect_accepted(verifier().verify(token, kBody, kNow + 359));
  expect_refused(verifier().verify(token, kBody, kNow + 360), "token expired");
  expect_accepted(verifier(0).verify(token, kBody, kNow + 299));
  expect_refused(verifier(0).verify(token, kBody, kNow + 300), "token expired");
}

TEST(LiveKitWebhookVerifier, RefusesNbfInTheFuture) {
  auto token = sign_livekit_webhook(kKey, kSecret, kBody, kNow + 120);  // nbf = kNow + 120
  expect_refused(verifier().verify(token, kBody, kNow), "token not yet valid");
  expect_refused(verifier().verify(token, kBody, kNow + 59), "token not yet valid");
  expect_accepted(verifier().verify(token, kBody, kNow + 60));
  expect_refused(verifier(0).verify(token, kBody, kNow + 119), "token not yet valid");
}

TEST(LiveKitWebhookVerifier, RequiresExp) {
  Json payload = claims();
  payload.erase("exp");
  expect_refused(verifier().verify(hand_token(kHeader, payload), kBody, kNow), "token has no usable exp");
  payload["exp"] = std::to_string(kNow + 300);
  expect_refused(verifier().verify(hand_token(kHeader, payload), kBody, kNow), "token has no usable exp");
}

// ---- structure ---------------------------------------------------------------------

TEST(LiveKitWebhookVerifier, CapsTokenSize) {
  Json payload = claims();
  payload["pad"] = std::string(2800, 'p');
  auto near_cap = hand_token(kHeader, payload);
  ASSERT_LE(near_cap.size(), WebhookVerifier::kMaxTokenBytes);
  expect_accepted(verifier().verify(near_cap, kBody, kNow));
  payload["pad"] = std::string(3000, 'p');
  auto over = hand_token(kHeader, payload);
  ASSERT_GT(over.size(), WebhookVerifier::kMaxTokenBytes);
  expect_refused(verifier().verify(over, kBody, kNow), "token too large");
  expect_refused(verifier().verify(std::string(1 << 20, 'A'), kBody, kNow), "token too large");
}

TEST(LiveKitWebhookVerifier, RefusesGarbageHeaders) {
  auto token = sign_livekit_webhook(kKey, kSecret, kBody, kNow);
  for (const std::string& header : {std::string("garbage"), std::string("."), std::string(".."), std::string("a.b"),
                                    token + ".AAAA", token + " ", " " + token, token.substr(0, token.rfind('.')),
                                    std::string("\x01\x02.\xff.\n"), b64url("[]") + ".e30.AAAA"}) {
    SCOPED_TRACE(header);
    expect_refused(verifier().verify(header, kBody, kNow), "malformed token");
  }
}

// ---- configuration -----------------------------------------------------------------

TEST(LiveKitWebhookVerifier, ConfigurationIsChecked) {
  EXPECT_THROW(WebhookVerifier({}), std::invalid_argument);
  EXPECT_THROW(WebhookVerifier({{"", kSecret}}), std::invalid_argument);
  EXPECT_THROW(WebhookVerifier({{kKey, ""}}), std::invalid_argument);
  EXPECT_THROW(WebhookVerifier({{kKey, kSecret}}, -1), std::invalid_argument);
  EXPECT_THROW(WebhookVerifier({{kKey, kSecret}}, WebhookVerifier::kMaxLeewayS + 1), std::invalid_argument);
  EXPECT_NO_THROW(WebhookVerifier({{kKey, kSecret}}, WebhookVerifier::kMaxLeewayS));
}

}  // namespace
