#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "config/options.hpp"
#include "livekit/room_mapping.hpp"
#include "livekit/webhook_event.hpp"
#include "livekit/webhook_verifier.hpp"
#include "livekit_signer.hpp"
#include "test_jwk.hpp"

namespace {

using session_clock::testing::sign_livekit_webhook;
using session_clock::worker::livekit::ParsedWebhookEvent;
using session_clock::worker::livekit::RoomMapping;
using session_clock::worker::livekit::parse_webhook_event;
using session_clock::worker::livekit::WebhookVerifier;
using session_clock::worker::livekit::WebhookVerifyResult;
using session_clock::testing::base64url;
using Json = nlohmann::json;

constexpr std::int64_t kNow = 1'700'000'000;
const std::string kKey = "APIw8pLx2cQeZ";
const std::string kSecret = "Wq3kOpvS1xYfZ8mGtA5nR7cJ2uLhE9dBvK4sN6yT0iP";  // LiveKit's are 43 characters
const std::string kBody =
    R"({"event":"participant_joined","room":{"sid":"RM_hycBMAjmt6Ub","name":"lobby"},)"
    R"("participant":{"sid":"PA_THeNL6UQu2Hf","identity":"user-42"},"id":"EV_eugWmGhovZmm","createdAt":"1700000000"})";

// ---- tokens built by hand, so headers and claims can be anything ------------

std::string hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &length);
  return std::string(reinterpret_cast<char*>(mac), length);
}

std::string hand_token(const Json& header, const Json& payload, std::string_view secret = kSecret,
                       const EVP_MD* md = EVP_sha256()) {
  std::string input = base64url(header.dump()) + "." + base64url(payload.dump());
  return input + "." + base64url(hmac(md, secret, input));
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
  std::string unsigned_part = base64url(R"({"alg":"none"})") + "." + base64url(payload.dump());
  expect_refused(verifier().verify(unsigned_part + ".", kBody, kNow), "algorithm not allowed");
  expect_refused(verifier().verify(unsigned_part + "." + base64url(hmac(EVP_sha256(), kSecret, unsigned_part)), kBody,
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
                                    std::string("\x01\x02.\xff.\n"), base64url("[]") + ".e30.AAAA"}) {
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

// ---- events --------------------------------------------------------------------------

static_assert(noexcept(parse_webhook_event("")));

// As livekit-server posts them (protojson): int64 fields as strings, enum
// names, defaults left out, plus fields this parser does not need.
const std::string kRoomJson =
    R"({"sid":"RM_hycBMAjmt6Ub","name":"call-6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f","emptyTimeout":300,)"
    R"("departureTimeout":20,"creationTime":"1699999990","creationTimeMs":"1699999990532",)"
    R"("turnPassword":"2Pmg7rDdxkjrIFW4g1lOPqh3aFvd0oJ8qDdWp5DXhFuB",)"
    R"("enabledCodecs":[{"mime":"audio/opus"},{"mime":"audio/red"},{"mime":"video/VP8"},{"mime":"video/H264"}],)"
    R"("numParticipants":1,"version":{"unixMicro":"1699999990532771","ticks":3}})";
const std::string kParticipantJson =
    R"({"sid":"PA_THeNL6UQu2Hf","identity":"user-42","state":"ACTIVE","joinedAt":"1700000000",)"
    R"("joinedAtMs":"1700000000411","name":"Ada","version":2,"permission":{"canSubscribe":true,)"
    R"("canPublish":true,"canPublishData":true,"canUpdateMetadata":true},"region":"eu-west",)"
    R"("tracks":[{"sid":"TR_AMkSd7qXQt9pLz","type":"AUDIO","source":"MICROPHONE","mimeType":"audio/red"}],)"
    R"("kind":"STANDARD","attributes":{"seat":"3"}})";

std::string event_json(const std::string& kind, const std::string& created_at, bool with_participant = true) {
  return R"({"event":")" + kind + R"(","room":)" + kRoomJson +
         (with_participant ? R"(,"participant":)" + kParticipantJson : std::string()) +
         R"(,"id":"EV_eugWmGhovZmm","createdAt":)" + created_at + R"(,"numDropped":0})";
}

void expect_event_error(const ParsedWebhookEvent& parsed, const std::string& error) {
  EXPECT_FALSE(parsed.event.has_value());
  EXPECT_FALSE(parsed.handled);
  EXPECT_EQ(parsed.error, error);
}

Json event_object(const std::string& kind) { return Json::parse(event_json(kind, R"("1700000001")")); }

TEST(LiveKitWebhookEvent, ParsesParticipantJoined) {
  auto parsed = parse_webhook_event(event_json("participant_joined", R"("1700000001")"));
  ASSERT_TRUE(parsed.event.has_value()) << parsed.error;
  EXPECT_TRUE(parsed.handled);
  EXPECT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.event->event, "participant_joined");
  EXPECT_EQ(parsed.event->id, "EV_eugWmGhovZmm");
  EXPECT_EQ(parsed.event->created_at_s, 1700000001);
  EXPECT_EQ(parsed.event->room_name, "call-6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f");
  EXPECT_EQ(parsed.event->room_sid, "RM_hycBMAjmt6Ub");
  EXPECT_EQ(parsed.event->participant_sid, "PA_THeNL6UQu2Hf");
  EXPECT_EQ(parsed.event->identity, "user-42");
}

TEST(LiveKitWebhookEvent, ParsesParticipantLeftWithNumericCreatedAt) {
  auto parsed = parse_webhook_event(event_json("participant_left", "1700000002"));
  ASSERT_TRUE(parsed.event.has_value()) << parsed.error;
  EXPECT_TRUE(parsed.handled);
  EXPECT_EQ(parsed.event->event, "participant_left");
  EXPECT_EQ(parsed.event->created_at_s, 1700000002);
  EXPECT_EQ(parsed.event->identity, "user-42");
}

TEST(LiveKitWebhookEvent, ParsesParticipantConnectionAborted) {
  auto parsed = parse_webhook_event(event_json("participant_connection_aborted", R"("1700000003")"));
  ASSERT_TRUE(parsed.event.has_value()) << parsed.error;
  EXPECT_TRUE(parsed.handled);
  EXPECT_EQ(parsed.event->event, "participant_connection_aborted");
  EXPECT_EQ(parsed.event->participant_sid, "PA_THeNL6UQu2Hf");
  EXPECT_EQ(parsed.event->created_at_s, 1700000003);
}

TEST(LiveKitWebhookEvent, ParsesRoomFinishedWithoutParticipant) {
  auto parsed = parse_webhook_event(event_json("room_finished", R"("1700000004")", false));
  ASSERT_TRUE(parsed.event.has_value()) << parsed.error;
  EXPECT_TRUE(parsed.handled);
  EXPECT_EQ(parsed.event->event, "room_finished");
  EXPECT_EQ(parsed.event->room_sid, "RM_hycBMAjmt6Ub");
  EXPECT_EQ(parsed.event->participant_sid, "");
  EXPECT_EQ(parsed.event->identity, "");
  EXPECT_EQ(parsed.event->created_at_s, 1700000004);
}

TEST(LiveKitWebhookEvent, OtherKindsParseButAreNotHandled) {
  for (const char* kind : {"room_started", "track_published", "egress_ended", "some_future_event"}) {
    SCOPED_TRACE(kind);
    auto parsed = parse_webhook_event(event_json(kind, R"("1700000005")"));
    ASSERT_TRUE(parsed.event.has_value()) << parsed.error;
    EXPECT_FALSE(parsed.handled);
    EXPECT_EQ(parsed.event->event, kind);
  }
  // An ignored kind needs none of what a handled one does.
  auto bare = parse_webhook_event(R"({"event":"egress_started","egressInfo":{"egressId":"EG_x"}})");
  ASSERT_TRUE(bare.event.has_value()) << bare.error;
  EXPECT_FALSE(bare.handled);
  EXPECT_EQ(bare.event->id, "");
}

TEST(LiveKitWebhookEvent, RefusesMalformedJson) {
  for (const std::string& body : {std::string(), std::string("{"), std::string("[]"), std::string("null"),
                                  std::string("\"participant_joined\""), std::string(R"({"event":"room_finished"} x)"),
                                  std::string("{\"event\":\"\xff\"}")}) {
    SCOPED_TRACE(body);
    expect_event_error(parse_webhook_event(body), "malformed event json");
  }
}

TEST(LiveKitWebhookEvent, CapsSizeAndDepth) {
  std::string deep = R"({"event":"room_started","room":{"metadata":)" + std::string(40, '[') + std::string(40, ']') + "}}";
  expect_event_error(parse_webhook_event(deep), "event nested too deeply");
  Json big = event_object("participant_joined");
  big["room"]["metadata"] = std::string(session_clock::worker::livekit::kMaxEventBytes, 'm');
  expect_event_error(parse_webhook_event(big.dump()), "event too large");
}

TEST(LiveKitWebhookEvent, RequiresKind) {
  Json event = event_object("participant_joined");
  event.erase("event");
  expect_event_error(parse_webhook_event(event.dump()), "event: missing");
  event["event"] = "";
  expect_event_error(parse_webhook_event(event.dump()), "event: missing");
  event["event"] = 7;
  expect_event_error(parse_webhook_event(event.dump()), "event: must be a string");
}

TEST(LiveKitWebhookEvent, HandledKindsNeedTheirFields) {
  struct Case {
    const char* kind;
    std::vector<std::string> path;
    std::string error;
  };
  for (const auto& c : std::vector<Case>{
           {"participant_joined", {"id"}, "id: missing"},
           {"participant_joined", {"createdAt"}, "createdAt: missing"},
           {"participant_joined", {"room"}, "room.name: missing"},
           {"participant_joined", {"room", "name"}, "room.name: missing"},
           {"participant_joined", {"participant"}, "participant.sid: missing"},
           {"participant_joined", {"participant", "sid"}, "participant.sid: missing"},
           {"participant_joined", {"participant", "identity"}, "participant.identity: missing"},
           {"participant_left", {"participant", "identity"}, "participant.identity: missing"},
           {"participant_connection_aborted", {"participant", "sid"}, "participant.sid: missing"},
           {"room_finished", {"id"}, "id: missing"},
           {"room_finished", {"room"}, "room.name: missing"},
       }) {
    Json event = event_object(c.kind);
    if (c.path.size() == 1) event.erase(c.path[0]);
    else event[c.path[0]].erase(c.path[1]);
    SCOPED_TRACE(event.dump());
    expect_event_error(parse_webhook_event(event.dump()), c.error);
  }
}

TEST(LiveKitWebhookEvent, NullMeansNotSet) {
  Json event = event_object("participant_joined");
  event["id"] = nullptr;
  expect_event_error(parse_webhook_event(event.dump()), "id: missing");
  event = event_object("room_finished");
  event["participant"] = nullptr;
  EXPECT_TRUE(parse_webhook_event(event.dump()).handled);
}

TEST(LiveKitWebhookEvent, FieldsMustHaveTheirTypes) {
  struct Case {
    std::vector<std::string> path;
    Json value;
    std::string error;
  };
  for (const auto& c : std::vector<Case>{
           {{"id"}, 12, "id: must be a string"},
           {{"room"}, "call-1", "room: must be an object"},
           {{"participant"}, Json::array(), "participant: must be an object"},
           {{"room", "name"}, Json::object(), "room.name: must be a string"},
           {{"participant", "identity"}, 42, "participant.identity: must be a string"},
           {{"participant", "sid"}, true, "participant.sid: must be a string"},
       }) {
    Json event = event_object("track_published");  // types are checked for every kind
    if (c.path.size() == 1) event[c.path[0]] = c.value;
    else event[c.path[0]][c.path[1]] = c.value;
    SCOPED_TRACE(event.dump());
    expect_event_error(parse_webhook_event(event.dump()), c.error);
  }
}

TEST(LiveKitWebhookEvent, CreatedAtIsWholeSeconds) {
  const std::string error = "createdAt: must be whole seconds since 1970, as a decimal string or number";
  for (Json created_at : {Json("abc"), Json(""), Json("-5"), Json("1.5"), Json(" 1700000000"), Json("1e9"),
                          Json("9999999999999"), Json(-5), Json(1.5), Json(true), Json::object()}) {
    SCOPED_TRACE(created_at.dump());
    Json event = event_object("participant_joined");
    event["createdAt"] = created_at;
    expect_event_error(parse_webhook_event(event.dump()), error);
  }
  Json event = event_object("participant_joined");
  event["createdAt"] = "0";  // protojson leaves 0 out: a handled kind needs a real time
  expect_event_error(parse_webhook_event(event.dump()), "createdAt: missing");
}

TEST(LiveKitWebhookEvent, IdentityFollowsTheParticipantIdRule) {
  Json event = event_object("participant_joined");
  event["participant"]["identity"] = std::string(200, 'u');
  EXPECT_TRUE(parse_webhook_event(event.dump()).handled);
  std::string two_hundred_accented;
  for (int i = 0; i < 200; ++i) two_hundred_accented += "\xc3\xa9";  // é: 2 bytes, 1 character
  event["participant"]["identity"] = two_hundred_accented;
  EXPECT_TRUE(parse_webhook_event(event.dump()).handled);
  const std::string error = "participant.identity: must be at most 200 characters, not blank, without control characters";
  for (const std::string& identity : {std::string(201, 'u'), std::string("a\nb"), std::string("   "),
                                      std::string("\u202eevil")}) {
    SCOPED_TRACE(identity);
    event["participant"]["identity"] = identity;
    expect_event_error(parse_webhook_event(event.dump()), error);
  }
  event["participant"]["identity"] = std::string(801, 'u');
  expect_event_error(parse_webhook_event(event.dump()), "participant.identity: is too long");
}

TEST(LiveKitWebhookEvent, CapsIdLengths) {
  using session_clock::worker::livekit::kMaxIdBytes;
  Json event = event_object("room_finished");
  event["room"]["name"] = std::string(kMaxIdBytes, 'r');
  EXPECT_TRUE(parse_webhook_event(event.dump()).handled);
  event["room"]["name"] = std::string(kMaxIdBytes + 1, 'r');
  expect_event_error(parse_webhook_event(event.dump()), "room.name: is too long");
  event = event_object("room_finished");
  event["id"] = std::string(kMaxIdBytes + 1, 'e');
  expect_event_error(parse_webhook_event(event.dump()), "id: is too long");
}

// ---- room mapping ----------------------------------------------------------------------

const std::string kUuid = "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f";

TEST(LiveKitRoomMapping, DefaultPatternIsTheBareUuid) {
  RoomMapping mapping;
  EXPECT_EQ(mapping.pattern(), "{session}");
  EXPECT_EQ(mapping.session_id(kUuid), kUuid);
  EXPECT_EQ(mapping.session_id("6F1C2D3E-4B5A-4C6D-8E7F-9A0B1C2D3E4F"), kUuid);  // canonical lower case
  EXPECT_EQ(mapping.session_id("call-" + kUuid), std::nullopt);
  EXPECT_EQ(mapping.session_id(""), std::nullopt);
}

TEST(LiveKitRoomMapping, PrefixAndSuffix) {
  RoomMapping prefix("call-{session}");
  EXPECT_EQ(prefix.session_id("call-" + kUuid), kUuid);
  EXPECT_EQ(prefix.session_id(kUuid), std::nullopt);
  EXPECT_EQ(prefix.session_id("Call-" + kUuid), std::nullopt);
  EXPECT_EQ(prefix.session_id("xcall-" + kUuid), std::nullopt);
  EXPECT_EQ(prefix.session_id("call-" + kUuid + "-2"), std::nullopt);
  RoomMapping both("org/7/{session}/main");
  EXPECT_EQ(both.session_id("org/7/" + kUuid + "/main"), kUuid);
  EXPECT_EQ(both.session_id("org/7/" + kUuid + "/mainx"), std::nullopt);
  EXPECT_EQ(both.session_id("org/7/" + kUuid + "/MAIN"), std::nullopt);  // same length, other suffix
  EXPECT_EQ(both.session_id("org/8/" + kUuid + "/main"), std::nullopt);
  RoomMapping suffix("{session}-room");
  EXPECT_EQ(suffix.session_id(kUuid + "-room"), kUuid);
  EXPECT_EQ(suffix.session_id(kUuid), std::nullopt);
  EXPECT_EQ(suffix.session_id(kUuid + "-roam"), std::nullopt);
}

TEST(LiveKitRoomMapping, OnlyCanonicalUuidText) {
  RoomMapping mapping("call-{session}");
  for (const std::string& id : {std::string("6f1c2d3e4b5a4c6d8e7f9a0b1c2d3e4f"), "{" + kUuid + "}",
                                "urn:uuid:" + kUuid, std::string("6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4g"),
                                std::string("6f1c2d3e4-b5a-4c6d-8e7f-9a0b1c2d3e4f"), std::string("lobby"),
                                std::string("6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4"), std::string(36, '-')}) {
    SCOPED_TRACE(id);
    EXPECT_EQ(mapping.session_id("call-" + id), std::nullopt);
  }
}

TEST(LiveKitRoomMapping, PatternNeedsExactlyOnePlaceholder) {
  for (const char* pattern : {"", "call", "{Session}", "{session", "call-{session}-{session}", "{session}{session}"}) {
    SCOPED_TRACE(pattern);
    EXPECT_THROW(RoomMapping{pattern}, std::invalid_argument);
  }
  EXPECT_NO_THROW(RoomMapping{"{session}"});
  EXPECT_NO_THROW(RoomMapping{"a{b}-{session}"});
}

// ---- options ---------------------------------------------------------------------------

using session_clock::worker::ParsedOptions;

class LiveKitOptions : public ::testing::Test {
 protected:
  void SetUp() override { clear_environment(); }
  void TearDown() override { clear_environment(); }

  static void clear_environment() {
    for (const char* name : {"LIVEKIT_API_KEY", "LIVEKIT_API_SECRET", "SESSION_CLOCK_LIVEKIT_ROOM_PATTERN"})
      unsetenv(name);
  }

  static ParsedOptions parse(std::vector<std::string> args) {
    args.insert(args.begin(), {"session-clock-worker", "--database-url", "postgresql:///test"});
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    return session_clock::worker::parse_options(static_cast<int>(argv.size()), argv.data());
  }
};

TEST_F(LiveKitOptions, OffByDefault) {
  auto parsed = parse({});
  ASSERT_TRUE(parsed.options.has_value());
  EXPECT_EQ(parsed.options->livekit.api_key, "");
  EXPECT_EQ(parsed.options->livekit.api_secret, "");
  EXPECT_EQ(parsed.options->livekit.room_pattern, "{session}");
}

TEST_F(LiveKitOptions, FlagsAndEnvironment) {
  auto flags = parse({"--livekit-api-key", kKey, "--livekit-api-secret", kSecret, "--livekit-room-pattern",
                      "call-{session}"});
  ASSERT_TRUE(flags.options.has_value());
  EXPECT_EQ(flags.options->livekit.api_key, kKey);
  EXPECT_EQ(flags.options->livekit.api_secret, kSecret);
  EXPECT_EQ(flags.options->livekit.room_pattern, "call-{session}");
  setenv("LIVEKIT_API_KEY", "APIfromenv", 1);
  setenv("LIVEKIT_API_SECRET", "secret-from-env", 1);
  setenv("SESSION_CLOCK_LIVEKIT_ROOM_PATTERN", "{session}-room", 1);
  auto env = parse({});
  ASSERT_TRUE(env.options.has_value());
  EXPECT_EQ(env.options->livekit.api_key, "APIfromenv");
  EXPECT_EQ(env.options->livekit.api_secret, "secret-from-env");
  EXPECT_EQ(env.options->livekit.room_pattern, "{session}-room");
}

TEST_F(LiveKitOptions, KeyAndSecretGoTogether) {
  for (const auto& args : {std::vector<std::string>{"--livekit-api-key", kKey},
                           std::vector<std::string>{"--livekit-api-secret", kSecret}}) {
    SCOPED_TRACE(args[0]);
    auto parsed = parse(args);
    EXPECT_FALSE(parsed.options.has_value());
    EXPECT_EQ(parsed.exit_status, 2);
  }
  setenv("LIVEKIT_API_SECRET", "secret-from-env", 1);
  EXPECT_EQ(parse({}).exit_status, 2);
  EXPECT_TRUE(parse({"--livekit-api-key", kKey}).options.has_value());
}

TEST_F(LiveKitOptions, RoomPatternIsChecked) {
  auto parsed = parse({"--livekit-room-pattern", "call-{session}-{session}"});
  EXPECT_FALSE(parsed.options.has_value());
  EXPECT_EQ(parsed.exit_status, 2);
  EXPECT_EQ(parse({"--livekit-room-pattern", "call"}).exit_status, 2);
}

}  // namespace
