// The pure parts of the RoomService client: the LiveKit URL, the access
// token's claims, Twirp errors and the two answers' JSON in both spellings
// LiveKit's servers use.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "auth/compact_jws.hpp"
#include "livekit/access_token.hpp"
#include "livekit/room_listing.hpp"
#include "livekit/service_url.hpp"
#include "livekit/twirp_error.hpp"

namespace {

using namespace session_clock::worker::livekit;
using Json = nlohmann::json;

// ---- URL ----------------------------------------------------------------------

TEST(RoomServiceUrl, SchemesPickTlsAndDefaultPort) {
  auto http = parse_service_url("http://livekit.local");
  EXPECT_FALSE(http.tls);
  EXPECT_EQ(http.host, "livekit.local");
  EXPECT_EQ(http.port, "80");
  EXPECT_EQ(http.host_header, "livekit.local");
  EXPECT_EQ(http.path_prefix, "");
  auto wss = parse_service_url("wss://example.livekit.cloud");
  EXPECT_TRUE(wss.tls);
  EXPECT_EQ(wss.port, "443");
  EXPECT_FALSE(parse_service_url("ws://h").tls);
  EXPECT_TRUE(parse_service_url("HTTPS://h").tls);
}

TEST(RoomServiceUrl, PortAndPathPrefix) {
  auto url = parse_service_url("ws://127.0.0.1:7880/");
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.port, "7880");
  EXPECT_EQ(url.host_header, "127.0.0.1:7880");
  EXPECT_EQ(url.path_prefix, "");
  auto proxied = parse_service_url("https://example.com:8443/live//kit/");
  EXPECT_EQ(proxied.path_prefix, "/live/kit");
  EXPECT_EQ(room_service_target(proxied, "ListRooms"), "/live/kit/twirp/livekit.RoomService/ListRooms");
  EXPECT_EQ(room_service_target(url, "ListParticipants"), "/twirp/livekit.RoomService/ListParticipants");
  EXPECT_EQ(parse_service_url("http://h:00080").port, "80");
}

TEST(RoomServiceUrl, Ipv6InBrackets) {
  auto url = parse_service_url("http://[::1]:7880");
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, "7880");
  EXPECT_EQ(url.host_header, "[::1]:7880");
  EXPECT_EQ(parse_service_url("https://[2001:db8::7]").port, "443");
}

TEST(RoomServiceUrl, RefusesWhatItCannotUse) {
  for (const char* bad :
       {"", "livekit.local", "ftp://h", "http://", "http://:80", "http://h:0", "http://h:65536", "http://h:x",
        "http://user:pw@h", "http://h/?q=1", "http://h#frag", "http://h o", "http://[::1", "http://[]", "http://[::1]x",
        "http://[fe80::1%eth0]", "http://h/a b", "http://h:"})
    EXPECT_THROW(parse_service_url(bad), std::invalid_argument) << bad;
}

// ---- access token -----------------------------------------------------------

const std::string kKey = "APIw8pLx2cQeZ";
const std::string kSecret = "Wq3kOpvS1xYfZ8mGtA5nR7cJ2uLhE9dBvK4sN6yT0iP";
constexpr std::int64_t kNow = 1'700'000'000;

TEST(RoomServiceToken, ClaimsCarryOnlyTheGrantAsked) {
  EXPECT_EQ(access_token_claims(kKey, VideoGrant{true, false, {}}, kNow),
            Json::parse(R"({"iss":"APIw8pLx2cQeZ","nbf":1700000000,"exp":1700000060,"video":{"roomList":true}})"));
  EXPECT_EQ(access_token_claims(kKey, VideoGrant{false, true, "call-1"}, kNow, 30)["video"],
            Json::parse(R"({"roomAdmin":true,"room":"call-1"})"));
}

TEST(RoomServiceToken, SignedHs256WithTheSecret) {
  std::string token = sign_access_token(kKey, kSecret, VideoGrant{false, true, "call-1"}, kNow);
  auto jws = session_clock::worker::auth::decode_compact_jws(token);
  ASSERT_TRUE(jws) << token;
  EXPECT_EQ(jws->header["alg"], "HS256");
  EXPECT_TRUE(session_clock::worker::auth::hmac_matches(EVP_sha256(), kSecret, jws->signing_input, jws->signature));
  EXPECT_FALSE(
      session_clock::worker::auth::hmac_matches(EVP_sha256(), "another secret", jws->signing_input, jws->signature));
  EXPECT_EQ(jws->payload, access_token_claims(kKey, VideoGrant{false, true, "call-1"}, kNow));
}

// ---- Twirp errors ------------------------------------------------------------

TEST(RoomServiceTwirpError, ReadsTwirpJson) {
  auto error = read_twirp_error(404, "application/json",
                                R"({"code":"not_found","msg":"requested room does not exist","meta":{"a":"b"}})");
  EXPECT_EQ(error.code, kTwirpNotFound);
  EXPECT_EQ(error.msg, "requested room does not exist");
  error = read_twirp_error(401, "Application/JSON; charset=utf-8",
                           R"({"code":"unauthenticated","msg":"permissions denied"})");
  EXPECT_EQ(error.code, "unauthenticated");
  EXPECT_EQ(error.msg, "permissions denied");
  EXPECT_EQ(read_twirp_error(503, "application/json", R"({"code":"unavailable"})").msg, "");
}

// LiveKit's auth middleware answers a bad token in plain text, echoing it.
TEST(RoomServiceTwirpError, NonTwirpBodiesGoByStatusAndAreNotEchoed) {
  auto error = read_twirp_error(401, "text/plain; charset=utf-8", "invalid token: eyJhbGciOi.x.y, error: bad");
  EXPECT_EQ(error.code, "unauthenticated");
  EXPECT_EQ(error.msg, "http 401");
  EXPECT_EQ(read_twirp_error(502, "text/html", "<html>").code, "unavailable");
  EXPECT_EQ(read_twirp_error(404, "application/json", R"({"error":"x"})").code, "bad_route");
  EXPECT_EQ(read_twirp_error(500, "application/json", "not json").code, "unknown");
  EXPECT_EQ(read_twirp_error(400, "application/json", R"({"code":"Not Found!","msg":"x"})").code, "internal");
  EXPECT_EQ(read_twirp_error(403, "", "").code, "permission_denied");
  EXPECT_EQ(read_twirp_error(302, "", "").code, "internal");
  EXPECT_EQ(read_twirp_error(418, "", "").code, "unknown");
  EXPECT_EQ(read_twirp_error(429, "", "").code, "unavailable");
}

TEST(RoomServiceTwirpError, MessageIsPrintableAndBounded) {
  Json body = {{"code", "internal"}, {"msg", "line\nbreak\x01" + std::string(300, 'x')}};
  auto error = read_twirp_error(500, "application/json", body.dump());
  EXPECT_EQ(error.msg.size(), kMaxTwirpMessageBytes);
  EXPECT_EQ(error.msg.substr(0, 12), "line break x");
  // Cut on a character boundary: 199 bytes of 'a', then a 2-byte character.
  body["msg"] = std::string(199, 'a') + "\xC3\xA9" + "tail";
  EXPECT_EQ(read_twirp_error(500, "application/json", body.dump()).msg, std::string(199, 'a'));
  std::string deep = R"({"code":"internal","msg":"m","meta":)" + std::string(20, '[') + std::string(20, ']') + "}";
  EXPECT_EQ(read_twirp_error(500, "application/json", deep).msg, "http 500");
}

// ---- ListRooms ------------------------------------------------------------------

// livekit-server's Twirp server: proto field names, every default present.
const std::string kRoomsServerStyle = R"({"rooms":[
  {"sid":"RM_other","name":"lobby","empty_timeout":300,"departure_timeout":20,"max_participants":0,
   "creation_time":"1700000000","creation_time_ms":"1700000000123","turn_password":"","enabled_codecs":[],
   "metadata":"","num_participants":0,"num_publishers":0,"active_recording":false,"version":null},
  {"sid":"RM_hycBMAjmt6Ub","name":"call-1","empty_timeout":300,"departure_timeout":20,"max_participants":0,
   "creation_time":"1700000000","creation_time_ms":"1700000000123","turn_password":"","enabled_codecs":[],
   "metadata":"","num_participants":2,"num_publishers":0,"active_recording":false,"version":null}]})";

TEST(RoomServiceListing, FindsTheNamedRoomInEitherSpelling) {
  auto room = read_listed_room(kRoomsServerStyle, "call-1");
  EXPECT_TRUE(room.error.empty()) << room.error;
  EXPECT_TRUE(room.exists);
  EXPECT_EQ(room.sid, "RM_hycBMAjmt6Ub");
  // Go's protojson: lowerCamelCase, defaults left out.
  room = read_listed_room(R"({"rooms":[{"sid":"RM_1","name":"call-1","emptyTimeout":300,"creationTime":"1700000000",
                              "numParticipants":2,"enabledCodecs":[{"mime":"audio/opus"}]}]})",
                          "call-1");
  EXPECT_TRUE(room.exists) << room.error;
  EXPECT_EQ(room.sid, "RM_1");
}

TEST(RoomServiceListing, NoSuchRoomIsNotAnError) {
  for (const char* body : {R"({"rooms":[]})", "{}", R"({"rooms":null})", kRoomsServerStyle.c_str()}) {
    auto room = read_listed_room(body, "call-2");
    EXPECT_FALSE(room.exists) << body;
    EXPECT_EQ(room.error, "") << body;
  }
}

TEST(RoomServiceListing, RefusesRoomAnswersItCannotTrust) {
  for (const char* body : {"", "null", "[]", "{", R"({"rooms":{}})", R"({"rooms":[1]})",
                           R"({"rooms":[{"name":"call-1"}]})", R"({"rooms":[{"name":"call-1","sid":""}]})",
                           R"({"rooms":[{"name":7,"sid":"RM_1"}]})", R"({"rooms":[{"name":"call-1","sid":1}]})"}) {
    auto room = read_listed_room(body, "call-1");
    EXPECT_FALSE(room.exists) << body;
    EXPECT_NE(room.error, "") << body;
  }
  EXPECT_EQ(read_listed_room(std::string(kMaxListRoomsBytes + 1, ' '), "call-1").error, "answer too large");
  std::string deep = R"({"rooms":)" + std::string(40, '[') + std::string(40, ']') + "}";
  EXPECT_EQ(read_listed_room(deep, "call-1").error, "answer nested too deeply");
}

// ---- ListParticipants ----------------------------------------------------------

std::string participant_server_style(const std::string& sid, const std::string& identity, const std::string& state) {
  Json p = {{"sid", sid},
            {"identity", identity},
            {"state", state},
            {"tracks", Json::array()},
            {"metadata", ""},
            {"joined_at", "1700000000"},
            {"joined_at_ms", "1700000000000"},
            {"name", ""},
            {"version", 0},
            {"permission", nullptr},
            {"region", ""},
            {"is_publisher", false},
            {"kind", "STANDARD"},
            {"attributes", Json::object()},
            {"disconnect_reason", "UNKNOWN_REASON"},
            {"kind_details", Json::array()}};
  return p.dump();
}

std::vector<std::string> identities(const ListedParticipants& listed) {
  std::vector<std::string> out;
  if (listed.present)
    for (const auto& p : *listed.present) out.push_back(p.sid + "/" + p.identity);
  return out;
}

TEST(RoomServiceListing, LeavesOutDisconnectedParticipants) {
  std::string body = R"({"participants":[)" + participant_server_style("PA_1", "alice", "ACTIVE") + "," +
                     participant_server_style("PA_2", "bob", "DISCONNECTED") + "," +
                     participant_server_style("PA_3", "carol", "JOINING") + "," +
                     participant_server_style("PA_4", "dave", "JOINED") + "]}";
  auto listed = read_listed_participants(body);
  EXPECT_EQ(listed.error, "");
  EXPECT_EQ(identities(listed), (std::vector<std::string>{"PA_1/alice", "PA_3/carol", "PA_4/dave"}));
}

TEST(RoomServiceListing, CamelCaseDefaultsLeftOutAndEnumNumbers) {
  // A JOINING participant has no "state" at all; numbers are enums too.
  auto listed = read_listed_participants(R"({"participants":[
    {"sid":"PA_1","identity":"alice","joinedAt":"1700000000","isPublisher":true},
    {"sid":"PA_2","identity":"bob","state":3},
    {"sid":"PA_3","identity":"carol","state":2,"state_extra":null},
    {"sid":"PA_4","identity":"dave","state":"MIGRATING"},
    {"sid":"PA_5","identity":"eve","state":null}]})");
  EXPECT_EQ(listed.error, "");
  EXPECT_EQ(identities(listed), (std::vector<std::string>{"PA_1/alice", "PA_3/carol", "PA_4/dave", "PA_5/eve"}));
}

TEST(RoomServiceListing, EmptyRoomAndIdentitiesNoSessionCanHold) {
  for (const char* body : {"{}", R"({"participants":[]})", R"({"participants":null})"}) {
    auto listed = read_listed_participants(body);
    ASSERT_TRUE(listed.present) << body;
    EXPECT_TRUE(listed.present->empty()) << body;
  }
  Json body = {{"participants",
                {{{"sid", "PA_1"}, {"identity", "   "}},
                 {{"sid", "PA_2"}, {"identity", "bad\x01id"}},
                 {{"sid", "PA_3"}, {"identity", std::string(201, 'x')}},
                 {{"sid", "PA_4"}, {"identity", "ok"}}}}};
  EXPECT_EQ(identities(read_listed_participants(body.dump())), (std::vector<std::string>{"PA_4/ok"}));
}

TEST(RoomServiceListing, RefusesParticipantAnswersItCannotTrust) {
  for (const char* body :
       {"", "garbage", "[]", R"({"participants":{}})", R"({"participants":["PA_1"]})",
        R"({"participants":[{"identity":"alice"}]})", R"({"participants":[{"sid":"PA_1"}]})",
        R"({"participants":[{"sid":"PA_1","identity":""}]})", R"({"participants":[{"sid":"PA_1","identity":7}]})",
        R"({"participants":[{"sid":"PA_1","identity":"a","state":true}]})",
        R"({"participants":[{"sid":"PA_1","identity":"a","state":2.5}]})",
        R"({"participants":[{"sid":"PA_1","identity":"a"},{"sid":"PA_2"}]})"}) {
    auto listed = read_listed_participants(body);
    EXPECT_FALSE(listed.present) << body;  // never a partial listing
    EXPECT_NE(listed.error, "") << body;
  }
  EXPECT_EQ(read_listed_participants(std::string(kMaxListParticipantsBytes + 1, ' ')).error, "answer too large");
}

}  // namespace
