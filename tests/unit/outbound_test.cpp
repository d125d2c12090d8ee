#include "protocol/outbound.hpp"

#include "protocol/json_numbers.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>

namespace protocol = session_clock::worker::protocol;
namespace core = session_clock::core;
using nlohmann::json;

namespace {

json parsed(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << text;
  return j;
}

core::ClockState running_clock() {
  core::ClockState s;
  s.started_at_us = 1'790'000'000'000'000;
  s.last_change_us = 1'790'000'030'000'000;
  s.total_paused_ms = 1200;
  s.version = 4;
  return s;
}

}  // namespace

// --- TIME_PONG --------------------------------------------------------------

TEST(Outbound, TimePongAsDocumented) {
  protocol::TimePing ping{1790000000000.123, 7};
  EXPECT_EQ(protocol::time_pong(ping, 1790000000003.411, 1790000000003.452, false, 4.5),
            R"({"t":"TIME_PONG","clientNowMs":1790000000000.123,"pingId":7,"serverReceiveMs":1790000000003.411,)"
            R"("serverSendMs":1790000000003.452,"serverNowMs":1790000000003.452,"syncWarning":false,"maxErrorMs":4.5})");
}

TEST(Outbound, TimePongEchoesClientValuesUnchanged) {
  auto j = parsed(protocol::time_pong({1790000000000, "p-1"}, 1790000000001, 1790000000002, true, 16000));
  EXPECT_TRUE(j["clientNowMs"].is_number_integer());
  EXPECT_EQ(j["clientNowMs"], 1790000000000);
  EXPECT_EQ(j["pingId"], "p-1");
  EXPECT_EQ(j["serverReceiveMs"], 1790000000001);
  EXPECT_EQ(j["serverSendMs"], 1790000000002);
  EXPECT_EQ(j["serverNowMs"], j["serverSendMs"]);
  EXPECT_EQ(j["syncWarning"], true);
  EXPECT_EQ(j["maxErrorMs"], 16000);
  // Sub-microsecond client precision is the client's business: echoed as sent.
  auto fine = parsed(protocol::time_pong({0.0001234, 0}, 1, 1, false, 0));
  EXPECT_EQ(fine["clientNowMs"].get<double>(), 0.0001234);
  EXPECT_EQ(fine["pingId"], 0);
}

TEST(Outbound, TimePongLeavesOutAMissingPingId) {
  auto j = parsed(protocol::time_pong({5, nullptr}, 10, 11, false, 1));
  EXPECT_FALSE(j.contains("pingId"));
  EXPECT_EQ(j.size(), 7u);
}

// (At 1.79e12 ms a double resolves about 0.24 µs, so the inputs keep clear of ties.)
TEST(Outbound, ServerTimesRoundToMicroseconds) {
  auto j = parsed(protocol::time_pong({1, 1}, 1790000000003.4111, 1790000000003.4119, false, 0.0004));
  EXPECT_EQ(j["serverReceiveMs"].get<double>(), 1790000000003.411);
  EXPECT_EQ(j["serverSendMs"].get<double>(), 1790000000003.412);
  EXPECT_EQ(j["maxErrorMs"], 0);
  EXPECT_TRUE(j["maxErrorMs"].is_number_integer());
}

TEST(Outbound, NonFiniteServerTimesBecomeNull) {
  double nan = std::numeric_limits<double>::quiet_NaN();
  auto j = parsed(protocol::time_pong({1, 1}, nan, std::numeric_limits<double>::infinity(), true, nan));
  EXPECT_TRUE(j["serverReceiveMs"].is_null());
  EXPECT_TRUE(j["serverSendMs"].is_null());
  EXPECT_TRUE(j["maxErrorMs"].is_null());
}

// TIME_PONG writes its numbers without nlohmann: each reads back as the
// same double, of the same kind (integer or not), as nlohmann's text of it.
// The text itself may differ where two shortest digit strings denote the
// same double (nlohmann writes 9702054653827.5625 as ...827.563, the
// standard library as ...827.562), and for floats of 16 integer digits
// (9007199254740994.0 against 9.007199254740994e+15); TimePongAsDocumented
// has the usual case letter for letter.
TEST(Outbound, DirectNumbersReadBackAsNlohmannsDo) {
  auto same_number = [](double v) {
    std::string direct;
    protocol::append_number(direct, v);
    json mine = json::parse(direct), theirs = json::parse(protocol::number(v).dump());
    EXPECT_EQ(mine.type(), theirs.type()) << direct;
    if (mine.is_number_float())
      EXPECT_EQ(mine.get<double>(), theirs.get<double>()) << direct;
    else
      EXPECT_EQ(mine, theirs) << direct;
  };
  double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  for (double v : {0.0, -0.0, 1.0, -1.5, 4.5, 0.1, 1e-7, 0.0001234, 0.00001234, 1790000000000.123, 1e13, 123456.789012,
                   9007199254740992.0, 9007199254740994.0, -9007199254740994.0, 1e22, 1e300, 5e-324,
                   1.7976931348623157e308, 9702054653827.5625, nan, inf, -inf})
    same_number(v);
  std::mt19937_64 bits(18);
  for (int i = 0; i < 100000; ++i) {
    std::uint64_t b = bits();
    double v;
    std::memcpy(&v, &b, sizeof v);
    same_number(v);  // any double, every magnitude
  }
  std::uniform_real_distribution<double> ms(0, 1e13), error_ms(0, 1e6);
  for (int i = 0; i < 100000; ++i) {
    same_number(ms(bits));  // a client's time, echoed
    same_number(protocol::to_server_ms(ms(bits)));
  }
}

// Server times are written from their whole microseconds: the same number
// as server_ms() gives nlohmann, for any double.
TEST(Outbound, ServerTimesWrittenFromMicrosecondsReadBackAsNlohmannsDo) {
  auto same = [](double ms) {
    std::string direct;
    protocol::append_server_ms(direct, ms);
    json mine = json::parse(direct), theirs = json::parse(protocol::server_ms(ms).dump());
    EXPECT_EQ(mine.type(), theirs.type()) << direct << " for " << ms;
    if (mine.is_number_float())
      EXPECT_EQ(mine.get<double>(), theirs.get<double>()) << direct << " for " << ms;
    else
      EXPECT_EQ(mine, theirs) << direct << " for " << ms;
  };
  double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  for (double ms : {0.0, -0.0, 4.5, 0.0004, 0.0005, -0.0005, -1.25, 0.1, 0.01, 0.001, 1790000000003.4111,
                    9702054653827.5625, 9007199254740.991, 9007199254740.993, 9007199254740992.0, -9007199254740.993,
                    1e300, nan, inf, -inf})
    same(ms);
  std::mt19937_64 bits(19);
  std::uniform_real_distribution<double> now(0, 1e13), bound(0, 1e6), negative(-1e13, 0);
  for (int i = 0; i < 100000; ++i) {
    same(now(bits));
    same(bound(bits));
    same(negative(bits));
    std::uint64_t b = bits();
    double any;
    std::memcpy(&any, &b, sizeof any);
    same(any);
  }
  std::string text;
  protocol::append_server_ms(text, 1790000000003.4);
  EXPECT_EQ(text, "1790000000003.4");  // no trailing zeros
}

// --- legacy and JSON-RPC ------------------------------------------------------

TEST(Outbound, LegacyResponseAsDocumented) {
  protocol::LegacyTimeSync request{3, 1790000000000.1};
  EXPECT_EQ(protocol::legacy_time_sync_response("time_sync.response", request, 1790000000002.5, 1790000000002.6, 30000, false),
            R"({"event":"time_sync.response","sequence":3,"client_send":1790000000000.1,)"
            R"("server_receive":1790000000002.5,"server_send":1790000000002.6,)"
            R"("recommended_interval_ms":30000,"sync_warning":false})");
}

TEST(Outbound, LegacyResponseWithoutOptionalFields) {
  auto j = parsed(protocol::legacy_time_sync_response("time_sync.response", {}, 10.25, 10.5, 15000, true));
  EXPECT_EQ(j, json::parse(R"({"event":"time_sync.response","server_receive":10.25,"server_send":10.5,)"
                           R"("recommended_interval_ms":15000,"sync_warning":true})"));
}

TEST(Outbound, LegacyResponseEchoesANullClientSendAndNamesTheDeviceEvent) {
  protocol::LegacyTimeSync request{5, json(nullptr)};
  auto j = parsed(protocol::legacy_time_sync_response("device_time_sync.response", request, 10.25, 10.5, 15000, false));
  EXPECT_EQ(j["event"], "device_time_sync.response");
  ASSERT_TRUE(j.contains("client_send"));
  EXPECT_TRUE(j["client_send"].is_null());
  EXPECT_EQ(j["server_receive"], 10.25);
}

TEST(Outbound, JsonRpcResultKeepsTheIdsType) {
  EXPECT_EQ(protocol::jsonrpc_timesync_result("a1", 1790000000002.613),
            R"({"jsonrpc":"2.0","id":"a1","result":1790000000002.613})");
  EXPECT_EQ(protocol::jsonrpc_timesync_result(12, 1790000000002),
            R"({"jsonrpc":"2.0","id":12,"result":1790000000002})");
  EXPECT_EQ(protocol::jsonrpc_timesync_result(nullptr, 0.5), R"({"jsonrpc":"2.0","id":null,"result":0.5})");
}

// --- subscriptions, auth, errors --------------------------------------------

TEST(Outbound, SubscribedAndUnsubscribed) {
  EXPECT_EQ(protocol::subscribed("time", {{"timezone", "Europe/Berlin"}}),
            R"({"t":"SUBSCRIBED","topic":"time","timezone":"Europe/Berlin"})");
  EXPECT_EQ(protocol::subscribed("time"), R"({"t":"SUBSCRIBED","topic":"time"})");
  EXPECT_EQ(protocol::unsubscribed("time"), R"({"t":"UNSUBSCRIBED","topic":"time"})");
  EXPECT_EQ(protocol::unsubscribed("clock", {{"sessionId", "0a1b2c3d-4e5f-6789-abcd-ef0123456789"}}),
            R"({"t":"UNSUBSCRIBED","topic":"clock","sessionId":"0a1b2c3d-4e5f-6789-abcd-ef0123456789"})");
  EXPECT_EQ(protocol::subscribed("time", json::array({1, 2})), R"({"t":"SUBSCRIBED","topic":"time"})");
}

TEST(Outbound, AuthOk) {
  EXPECT_EQ(protocol::auth_ok("user-1", "authenticated", 1790000600000),
            R"({"t":"AUTH_OK","sub":"user-1","role":"authenticated","expiresAtMs":1790000600000})");
}

TEST(Outbound, Error) {
  protocol::ProtocolError e{"bad_field", "pingId: nope", json::parse(R"({"t":"TIME_PING","pingId":7})")};
  auto j = parsed(protocol::error(e));
  EXPECT_EQ(j, json::parse(R"({"t":"ERROR","code":"bad_field","message":"pingId: nope",)"
                           R"("ref":{"t":"TIME_PING","pingId":7}})"));
  EXPECT_EQ(protocol::error({"bad_json", "not valid JSON", nullptr}),
            R"({"t":"ERROR","code":"bad_json","message":"not valid JSON","ref":null})");
}

TEST(Outbound, InvalidUtf8IsReplacedNotThrown) {
  std::string out;
  EXPECT_NO_THROW(out = protocol::auth_ok("bad\xff", "r", 1));
  EXPECT_EQ(parsed(out)["sub"], "bad\xEF\xBF\xBD");
}

// --- CLOCK_STATE --------------------------------------------------------------

TEST(Outbound, ClockStateRunning) {
  auto s = running_clock();
  // 62.4345 s after the start, of which 1.2 s paused.
  auto j = parsed(protocol::clock_state("0a1b2c3d-4e5f-6789-abcd-ef0123456789", s, 1790000062434.5));
  EXPECT_EQ(j, json::parse(R"({"t":"CLOCK_STATE","sessionId":"0a1b2c3d-4e5f-6789-abcd-ef0123456789",)"
                           R"("startedAtMs":1790000000000,"isPaused":false,"totalPausedMs":1200,)"
                           R"("lastStateChangeAtMs":1790000030000,"endedAtMs":null,"elapsedMs":61234.5,)"
                           R"("serverNowMs":1790000062434.5,"version":4,"participants":0,"graceDeadlineMs":null,)"
                           R"("autoPaused":false,"presenceTracked":false})"));
}

TEST(Outbound, ClockStateCarriesTheGraceDeadline) {
  core::GraceState grace;
  grace.tracked = true;
  grace.participants = 1;
  grace.deadline_us = 1'790'000'090'000'500;
  auto j = parsed(protocol::clock_state("id", running_clock(), grace, 1790000062434.5));
  EXPECT_EQ(j["participants"], 1);
  EXPECT_EQ(j["graceDeadlineMs"].get<double>(), 1790000090000.5);
  EXPECT_EQ(j["presenceTracked"], true);
  EXPECT_EQ(j["autoPaused"], false);
}

TEST(Outbound, JoinedAndLeft) {
  EXPECT_EQ(protocol::joined("s1"), R"({"t":"JOINED","sessionId":"s1"})");
  EXPECT_EQ(protocol::left("s1"), R"({"t":"LEFT","sessionId":"s1"})");
}

TEST(Outbound, ClockStateFieldOrder) {
  auto text = protocol::clock_state("id", running_clock(), 1790000062434.5);
  EXPECT_EQ(text, R"({"t":"CLOCK_STATE","sessionId":"id","startedAtMs":1790000000000,"isPaused":false,)"
                  R"("totalPausedMs":1200,"lastStateChangeAtMs":1790000030000,"endedAtMs":null,)"
                  R"("elapsedMs":61234.5,"serverNowMs":1790000062434.5,"version":4,"participants":0,)"
                  R"("graceDeadlineMs":null,"autoPaused":false,"presenceTracked":false})");
}

TEST(Outbound, ClockStatePausedIsFrozen) {
  auto s = running_clock();
  s.is_paused = true;
  s.last_change_us = 1'790'000'010'000'123;  // paused at 10.000123 s
  s.total_paused_ms = 0;
  auto j = parsed(protocol::clock_state("id", s, 1790000099999.999));
  EXPECT_EQ(j["isPaused"], true);
  EXPECT_EQ(j["lastStateChangeAtMs"].get<double>(), 1790000010000.123);
  EXPECT_EQ(j["elapsedMs"].get<double>(), 10000.123);
  EXPECT_EQ(j["serverNowMs"].get<double>(), 1790000099999.999);
}

TEST(Outbound, ClockStateEnded) {
  auto s = running_clock();
  s.ended_at_us = 1'790'000'100'000'500;
  s.last_change_us = *s.ended_at_us;
  s.version = 9;
  auto j = parsed(protocol::clock_state("id", s, 1790000500000));
  EXPECT_EQ(j["endedAtMs"].get<double>(), 1790000100000.5);
  EXPECT_EQ(j["elapsedMs"].get<double>(), 100000.5 - 1200);
  EXPECT_EQ(j["serverNowMs"], 1790000500000);
  EXPECT_EQ(j["version"], 9);
}

TEST(Outbound, ClockStateBeforeTheLastChangeDoesNotRunBackwards) {
  auto j = parsed(protocol::clock_state("id", running_clock(), 1790000020000));
  EXPECT_EQ(j["elapsedMs"], 30000 - 1200);
}

TEST(Outbound, ClockStateWithAbsurdValuesHasNoElapsed) {
  auto s = running_clock();
  s.total_paused_ms = std::numeric_limits<std::int64_t>::max();
  std::string text;
  EXPECT_NO_THROW(text = protocol::clock_state("id", s, 1790000062434.5));
  auto j = parsed(text);
  EXPECT_TRUE(j["elapsedMs"].is_null());
  EXPECT_EQ(j["totalPausedMs"], std::numeric_limits<std::int64_t>::max());
  // A server time no clock reads saturates instead of overflowing.
  EXPECT_NO_THROW(text = protocol::clock_state("id", running_clock(), 1e300));
  EXPECT_EQ(parsed(text)["serverNowMs"], 9'000'000'000'000'000);
}

// --- POST /timesync -------------------------------------------------------------

TEST(Outbound, JsonRpcHttpSingleRequest) {
  EXPECT_EQ(protocol::jsonrpc_timesync_http(R"({"jsonrpc":"2.0","id":"a1","method":"timesync"})", 1790000000002.613),
            R"({"jsonrpc":"2.0","id":"a1","result":1790000000002.613})");
  EXPECT_EQ(protocol::jsonrpc_timesync_http(R"({"jsonrpc":"2.0","id":null,"method":"timesync"})", 3),
            R"({"jsonrpc":"2.0","id":null,"result":3})");
}

TEST(Outbound, JsonRpcHttpSingleErrors) {
  EXPECT_EQ(protocol::jsonrpc_timesync_http(R"({"jsonrpc":"2.0","id":4,"method":"add"})", 1),
            R"({"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":4})");
  EXPECT_EQ(protocol::jsonrpc_timesync_http(R"({"jsonrpc":"1.0","id":4,"method":"timesync"})", 1),
            R"({"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request"},"id":4})");
  EXPECT_EQ(protocol::jsonrpc_timesync_http(R"({"jsonrpc":"2.0","id":4,"method":7})", 1),
            R"({"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request"},"id":4})");
  EXPECT_EQ(protocol::jsonrpc_timesync_http(R"({"jsonrpc":"2.0","id":{"x":1},"method":"timesync"})", 1),
            R"({"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request"},"id":null})");
  EXPECT_EQ(protocol::jsonrpc_timesync_http("42", 1),
            R"({"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request"},"id":null})");
}

TEST(Outbound, JsonRpcHttpNotificationsGetNoReply) {
  EXPECT_EQ(protocol::jsonrpc_timesync_http(R"({"jsonrpc":"2.0","method":"timesync"})", 1), "");
  EXPECT_EQ(protocol::jsonrpc_timesync_http(R"({"jsonrpc":"2.0","method":"other"})", 1), "");
  EXPECT_EQ(protocol::jsonrpc_timesync_http(R"([{"jsonrpc":"2.0","method":"timesync"}])", 1), "");
}

TEST(Outbound, JsonRpcHttpBatch) {
  auto reply = protocol::jsonrpc_timesync_http(
      R"([{"jsonrpc":"2.0","id":"a","method":"timesync"},{"jsonrpc":"2.0","id":2,"method":"timesync"},)"
      R"({"jsonrpc":"2.0","method":"timesync"},{"jsonrpc":"2.0","id":3,"method":"echo"},)"
      R"({"jsonrpc":"2.0","id":4},5,{"jsonrpc":"2.0","id":[6],"method":"timesync"}])",
      100.25);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(parsed(*reply), json::parse(R"([
    {"jsonrpc":"2.0","id":"a","result":100.25},
    {"jsonrpc":"2.0","id":2,"result":100.25},
    {"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":3},
    {"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request"},"id":4},
    {"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request"},"id":null},
    {"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request"},"id":null}])"));
}

TEST(Outbound, JsonRpcHttpBatchBounds) {
  const std::string invalid = R"({"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request"},"id":null})";
  EXPECT_EQ(protocol::jsonrpc_timesync_http("[]", 1), invalid);
  std::string batch = "[";
  for (int i = 0; i < 64; ++i) batch += (i ? "," : "") + std::string(R"({"jsonrpc":"2.0","id":)") + std::to_string(i) +
                                        R"(,"method":"timesync"})";
  auto full = protocol::jsonrpc_timesync_http(batch + "]", 1);
  ASSERT_TRUE(full.has_value());
  auto replies = parsed(*full);
  ASSERT_EQ(replies.size(), 64u);
  EXPECT_EQ(replies[63], json::parse(R"({"jsonrpc":"2.0","id":63,"result":1})"));
  EXPECT_EQ(protocol::jsonrpc_timesync_http(batch + R"(,{"jsonrpc":"2.0","id":64,"method":"timesync"}])", 1), invalid);
}

TEST(Outbound, JsonRpcHttpNotJson) {
  EXPECT_EQ(protocol::jsonrpc_timesync_http("", 1), std::nullopt);
  EXPECT_EQ(protocol::jsonrpc_timesync_http("{\"jsonrpc\":", 1), std::nullopt);
  EXPECT_EQ(protocol::jsonrpc_timesync_http("timesync", 1), std::nullopt);
  EXPECT_EQ(protocol::jsonrpc_timesync_http(std::string(17, '[') + std::string(17, ']'), 1), std::nullopt);
  EXPECT_EQ(protocol::jsonrpc_timesync_http(std::string(2, '[') + std::string(2, ']'), 1, 1), std::nullopt);
  // Exactly at the limit it is a batch holding one (invalid) request.
  EXPECT_EQ(protocol::jsonrpc_timesync_http(std::string(16, '[') + std::string(16, ']'), 1),
            R"([{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request"},"id":null}])");
}
