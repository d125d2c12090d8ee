#include "protocol/inbound.hpp"

#include <gtest/gtest.h>

#include <string>

#include "protocol/json_depth.hpp"
#include "protocol/message_types.hpp"

namespace protocol = session_clock::worker::protocol;
using nlohmann::json;

namespace {

constexpr std::size_t kDepth = 16;

protocol::Inbound parse(const std::string& frame) { return protocol::parse_inbound(frame, kDepth); }

// The error a frame produces; fails the test if it parsed.
protocol::ProtocolError error_of(const std::string& frame) {
  auto in = parse(frame);
  auto* e = std::get_if<protocol::ProtocolError>(&in);
  EXPECT_NE(e, nullptr) << "expected an error for " << frame;
  return e ? *e : protocol::ProtocolError{};
}

template <typename T>
T as(const std::string& frame) {
  auto in = parse(frame);
  auto* v = std::get_if<T>(&in);
  if (!v) {
    auto* e = std::get_if<protocol::ProtocolError>(&in);
    ADD_FAILURE() << "unexpected result for " << frame << (e ? ": " + e->code + " " + e->message : "");
    return T{};
  }
  return *v;
}

void expect_bad_field(const std::string& frame, const std::string& field) {
  auto e = error_of(frame);
  EXPECT_EQ(e.code, "bad_field") << frame;
  EXPECT_EQ(e.message.rfind(field + ":", 0), 0u) << frame << " -> " << e.message;
}

std::string nested(std::size_t depth) {
  // depth-1 arrays inside the message object: {"t":"TIME_PING","x":[[…]],…}
  std::string open(depth - 1, '['), close(depth - 1, ']');
  return R"({"t":"UNSUBSCRIBE_TIME","x":)" + open + close + "}";
}

}  // namespace

// --- each message ---------------------------------------------------------

TEST(Inbound, TimePing) {
  auto p = as<protocol::TimePing>(R"({"t":"TIME_PING","clientNowMs":1790000000000.123,"pingId":7})");
  EXPECT_DOUBLE_EQ(p.client_now_ms, 1790000000000.123);
  EXPECT_EQ(p.ping_id, json(7));
  EXPECT_TRUE(p.ping_id.is_number_integer());
}

TEST(Inbound, TimePingWithStringOrNoPingId) {
  auto s = as<protocol::TimePing>(R"({"t":"TIME_PING","clientNowMs":0,"pingId":"a-1"})");
  EXPECT_EQ(s.client_now_ms, 0.0);
  EXPECT_EQ(s.ping_id, json("a-1"));
  auto none = as<protocol::TimePing>(R"({"t":"TIME_PING","clientNowMs":5})");
  EXPECT_TRUE(none.ping_id.is_null());
  auto edge = as<protocol::TimePing>(R"({"t":"TIME_PING","clientNowMs":1e13,"pingId":9007199254740992})");
  EXPECT_EQ(edge.client_now_ms, 1e13);
  EXPECT_EQ(edge.ping_id.get<std::uint64_t>(), 9007199254740992u);
  auto long_id = std::string(64, 'x');
  EXPECT_EQ(as<protocol::TimePing>(R"({"t":"TIME_PING","clientNowMs":1,"pingId":")" + long_id + "\"}").ping_id,
            json(long_id));
}

TEST(Inbound, TimePingBadClientNowMs) {
  for (const char* v : {"\"1790000000000\"", "true", "null", "-1", "-0.001", "1.0000001e13", "1e300",
                        "18446744073709551616", "[1]", "{}"})
    expect_bad_field(std::string(R"({"t":"TIME_PING","pingId":1,"clientNowMs":)") + v + "}", "clientNowMs");
  expect_bad_field(R"({"t":"TIME_PING","pingId":1})", "clientNowMs");
}

TEST(Inbound, TimePingBadPingId) {
  for (const char* v : {"-1", "1.5", "7.0", "9007199254740993", "true", "null", "[]", "{}",
                        "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\""})
    expect_bad_field(std::string(R"({"t":"TIME_PING","clientNowMs":1,"pingId":)") + v + "}", "pingId");
}

TEST(Inbound, LegacyTimeSync) {
  auto r = as<protocol::LegacyTimeSync>(R"({"event":"time_sync.request","sequence":3,"client_send":1790000000000.1})");
  EXPECT_EQ(r.sequence, json(3));
  ASSERT_TRUE(r.client_send.has_value());
  EXPECT_DOUBLE_EQ(r.client_send->get<double>(), 1790000000000.1);
  auto bare = as<protocol::LegacyTimeSync>(R"({"event":"time_sync.request"})");
  EXPECT_TRUE(bare.sequence.is_null());
  EXPECT_FALSE(bare.client_send.has_value());
  EXPECT_EQ(as<protocol::LegacyTimeSync>(R"({"event":"time_sync.request","sequence":"s9"})").sequence, json("s9"));
  // Seed 000's unsynced browser: answered, and null echoed as it came.
  auto unsynced = as<protocol::LegacyTimeSync>(R"({"event":"time_sync.request","sequence":5,"client_send":null})");
  ASSERT_TRUE(unsynced.client_send.has_value());
  EXPECT_TRUE(unsynced.client_send->is_null());
}

TEST(Inbound, DeviceTimeSyncHasTheSameFields) {
  auto r = as<protocol::DeviceTimeSync>(R"({"event":"device_time_sync.request","sequence":"d1","client_send":12.5})");
  EXPECT_EQ(r.sequence, json("d1"));
  EXPECT_EQ(*r.client_send, json(12.5));
  expect_bad_field(R"({"event":"device_time_sync.request","client_send":"now"})", "client_send");
}

TEST(Inbound, LegacyTimeSyncBadFields) {
  expect_bad_field(R"({"event":"time_sync.request","sequence":-3})", "sequence");
  expect_bad_field(R"({"event":"time_sync.request","sequence":{"a":1}})", "sequence");
  expect_bad_field(R"({"event":"time_sync.request","client_send":"now"})", "client_send");
  expect_bad_field(R"({"event":"time_sync.request","client_send":-5})", "client_send");
  expect_bad_field(R"({"event":"time_sync.request","client_send":1e14})", "client_send");
  auto e = error_of(R"({"event":"time_sync.request","sequence":4,"client_send":false})");
  EXPECT_EQ(e.ref, json::parse(R"({"event":"time_sync.request","sequence":4})"));
}

TEST(Inbound, JsonRpcTimesyncIds) {
  EXPECT_EQ(as<protocol::JsonRpcTimesync>(R"({"jsonrpc":"2.0","id":"a1","method":"timesync"})").id, json("a1"));
  EXPECT_EQ(as<protocol::JsonRpcTimesync>(R"({"jsonrpc":"2.0","id":12,"method":"timesync"})").id, json(12));
  EXPECT_EQ(as<protocol::JsonRpcTimesync>(R"({"jsonrpc":"2.0","id":-1.5,"method":"timesync"})").id, json(-1.5));
  auto null_id = as<protocol::JsonRpcTimesync>(R"({"jsonrpc":"2.0","id":null,"method":"timesync","params":[]})");
  EXPECT_TRUE(null_id.id.is_null());
}

TEST(Inbound, JsonRpcTimesyncBadIds) {
  expect_bad_field(R"({"jsonrpc":"2.0","method":"timesync"})", "id");
  expect_bad_field(R"({"jsonrpc":"2.0","id":[1],"method":"timesync"})", "id");
  expect_bad_field(R"({"jsonrpc":"2.0","id":{},"method":"timesync"})", "id");
  expect_bad_field(R"({"jsonrpc":"2.0","id":true,"method":"timesync"})", "id");
  auto e = error_of(R"({"jsonrpc":"2.0","id":true,"method":"timesync"})");
  EXPECT_EQ(e.ref, json::parse(R"({"method":"timesync","id":true})"));
}

TEST(Inbound, OtherJsonRpcIsNotDispatched) {
  auto wrong_version = error_of(R"({"jsonrpc":"1.0","id":1,"method":"timesync"})");
  EXPECT_EQ(wrong_version.code, "bad_message");
  EXPECT_EQ(wrong_version.message, "missing t");
  EXPECT_EQ(wrong_version.ref, json::parse(R"({"method":"timesync","id":1})"));
  EXPECT_EQ(error_of(R"({"jsonrpc":"2.0","id":1,"method":"ping"})").code, "bad_message");
}

TEST(Inbound, SubscribeTime) {
  EXPECT_EQ(as<protocol::SubscribeTime>(R"({"t":"SUBSCRIBE_TIME"})").timezone, "UTC");
  EXPECT_EQ(as<protocol::SubscribeTime>(R"({"t":"SUBSCRIBE_TIME","timezone":"Europe/Berlin"})").timezone,
            "Europe/Berlin");
  EXPECT_EQ(as<protocol::SubscribeTime>(R"({"t":"SUBSCRIBE_TIME","timezone":"Etc/GMT+5"})").timezone, "Etc/GMT+5");
  EXPECT_EQ(as<protocol::SubscribeTime>(R"({"t":"SUBSCRIBE_TIME","timezone":"America/Port-au-Prince"})").timezone,
            "America/Port-au-Prince");
  // Syntax only: whether the zone exists is the time module's question.
  EXPECT_EQ(as<protocol::SubscribeTime>(R"({"t":"SUBSCRIBE_TIME","timezone":"Mars/Olympus_Mons"})").timezone,
            "Mars/Olympus_Mons");
}

TEST(Inbound, SubscribeTimeBadZone) {
  for (const char* v : {"\"\"", "\"../../etc/passwd\"", "\"Europe/Berlin \"", "\"Europe\\\\Berlin\"", "\"Zürich\"",
                        "1", "null", "[\"UTC\"]"})
    expect_bad_field(std::string(R"({"t":"SUBSCRIBE_TIME","timezone":)") + v + "}", "timezone");
  expect_bad_field(R"({"t":"SUBSCRIBE_TIME","timezone":")" + std::string(65, 'A') + "\"}", "timezone");
  EXPECT_EQ(as<protocol::SubscribeTime>(R"({"t":"SUBSCRIBE_TIME","timezone":")" + std::string(64, 'A') + "\"}")
                .timezone.size(),
            64u);
}

TEST(Inbound, UnsubscribeTime) {
  auto in = parse(R"({"t":"UNSUBSCRIBE_TIME","extra":[1,2]})");
  EXPECT_TRUE(std::holds_alternative<protocol::UnsubscribeTime>(in));
}

TEST(Inbound, Auth) {
  EXPECT_EQ(as<protocol::Auth>(R"({"t":"AUTH","token":"eyJ.abc.def"})").token, "eyJ.abc.def");
  std::string longest(8192, 'a');
  EXPECT_EQ(as<protocol::Auth>(R"({"t":"AUTH","token":")" + longest + "\"}").token, longest);
}

TEST(Inbound, AuthBadToken) {
  expect_bad_field(R"({"t":"AUTH"})", "token");
  expect_bad_field(R"({"t":"AUTH","token":""})", "token");
  expect_bad_field(R"({"t":"AUTH","token":42})", "token");
  expect_bad_field(R"({"t":"AUTH","token":null})", "token");
  expect_bad_field(R"({"t":"AUTH","token":")" + std::string(8193, 'a') + "\"}", "token");
}

TEST(Inbound, SubscribeClockCanonicalisesUuid) {
  EXPECT_EQ(as<protocol::SubscribeClock>(R"({"t":"SUBSCRIBE_CLOCK","sessionId":"0a1b2c3d-4e5f-6789-abcd-ef0123456789"})")
                .session_id,
            "0a1b2c3d-4e5f-6789-abcd-ef0123456789");
  EXPECT_EQ(as<protocol::SubscribeClock>(R"({"t":"SUBSCRIBE_CLOCK","sessionId":"0A1B2C3D-4E5F-6789-ABCD-EF0123456789"})")
                .session_id,
            "0a1b2c3d-4e5f-6789-abcd-ef0123456789");
  EXPECT_EQ(
      as<protocol::UnsubscribeClock>(R"({"t":"UNSUBSCRIBE_CLOCK","sessionId":"00000000-0000-0000-0000-00000000000F"})")
          .session_id,
      "00000000-0000-0000-0000-00000000000f");
}

TEST(Inbound, BadSessionIds) {
  for (const char* v : {"\"{0a1b2c3d-4e5f-6789-abcd-ef0123456789}\"", "\"0a1b2c3d4e5f6789abcdef0123456789\"",
                        "\"urn:uuid:0a1b2c3d-4e5f-6789-abcd-ef0123456789\"", "\"0a1b2c3d-4e5f-6789-abcd-ef012345678\"",
                        "\"0a1b2c3d-4e5f-6789-abcd-ef01234567890\"", "\"0a1b2c3d-4e5f-6789-abcd_ef0123456789\"",
                        "\"0a1b2c3d-4e5f-6789-abcd-ef012345678g\"", "\"0a1b2c3-d4e5f-6789-abcd-ef0123456789\"",
                        "\"\"", "12", "null"}) {
    expect_bad_field(std::string(R"({"t":"SUBSCRIBE_CLOCK","sessionId":)") + v + "}", "sessionId");
    expect_bad_field(std::string(R"({"t":"UNSUBSCRIBE_CLOCK","sessionId":)") + v + "}", "sessionId");
    expect_bad_field(std::string(R"({"t":"JOIN_SESSION","sessionId":)") + v + "}", "sessionId");
    expect_bad_field(std::string(R"({"t":"LEAVE_SESSION","sessionId":)") + v + "}", "sessionId");
  }
  expect_bad_field(R"({"t":"SUBSCRIBE_CLOCK"})", "sessionId");
  expect_bad_field(R"({"t":"UNSUBSCRIBE_CLOCK"})", "sessionId");
  expect_bad_field(R"({"t":"JOIN_SESSION"})", "sessionId");
}

TEST(Inbound, JoinAndLeaveSession) {
  EXPECT_EQ(as<protocol::JoinSession>(R"({"t":"JOIN_SESSION","sessionId":"0A1B2C3D-4E5F-6789-ABCD-EF0123456789"})")
                .session_id,
            "0a1b2c3d-4e5f-6789-abcd-ef0123456789");
  EXPECT_EQ(as<protocol::LeaveSession>(R"({"t":"LEAVE_SESSION","sessionId":"0a1b2c3d-4e5f-6789-abcd-ef0123456789"})")
                .session_id,
            "0a1b2c3d-4e5f-6789-abcd-ef0123456789");
}

// --- framing errors -------------------------------------------------------

TEST(Inbound, NotJson) {
  for (const char* frame : {"", "   ", "{", "{\"t\":\"TIME_PING\",}", "TIME_PING", "{'t':'AUTH'}", "[1e400]",
                            "{\"t\":\"AUTH\"} trailing", "/* c */ {}"}) {
    auto e = error_of(frame);
    EXPECT_EQ(e.code, "bad_json") << frame;
    EXPECT_EQ(e.message, "not valid JSON") << frame;
    EXPECT_TRUE(e.ref.is_null()) << frame;
  }
}

TEST(Inbound, InvalidUtf8IsNotJson) {
  EXPECT_EQ(error_of("{\"t\":\"AUTH\",\"token\":\"\xff\xfe\"}").code, "bad_json");
}

TEST(Inbound, NotAnObject) {
  for (const char* frame : {"[]", "[{\"t\":\"TIME_PING\"}]", "\"TIME_PING\"", "42", "null", "true"}) {
    auto e = error_of(frame);
    EXPECT_EQ(e.code, "bad_message") << frame;
    EXPECT_EQ(e.message, "not a JSON object") << frame;
    EXPECT_TRUE(e.ref.is_null()) << frame;
  }
}

TEST(Inbound, MissingT) {
  auto e = error_of(R"({"pingId":3,"clientNowMs":1})");
  EXPECT_EQ(e.code, "bad_message");
  EXPECT_EQ(e.message, "missing t");
  EXPECT_EQ(e.ref, json::parse(R"({"pingId":3})"));
  auto other_event = error_of(R"({"event":"time_sync.reply","sequence":1})");
  EXPECT_EQ(other_event.code, "bad_message");
  EXPECT_EQ(other_event.ref, json::parse(R"({"event":"time_sync.reply","sequence":1})"));
  EXPECT_EQ(error_of("{}").ref, json::object());
}

TEST(Inbound, TMustBeAString) {
  auto e = error_of(R"({"t":7,"ref":"r1"})");
  EXPECT_EQ(e.code, "bad_message");
  EXPECT_EQ(e.message, "t: must be a string");
  EXPECT_EQ(e.ref, json::parse(R"({"ref":"r1"})"));
  // t wins over the other dialects, even when it is wrong.
  EXPECT_EQ(error_of(R"({"t":null,"event":"time_sync.request"})").code, "bad_message");
}

TEST(Inbound, UnknownType) {
  for (const char* type : {"TIME_PONG", "time_ping", "CLOCK_STATE", "ERROR", "SUBSCRIBED", ""}) {
    auto e = error_of(std::string(R"({"t":")") + type + R"(","ref":5})");
    EXPECT_EQ(e.code, "unknown_type") << type;
    EXPECT_EQ(e.ref, (json{{"t", type}, {"ref", 5}})) << type;
  }
}

// --- ref --------------------------------------------------------------------

TEST(Inbound, ErrorRefEchoesTypeAndScalarCorrelationFields) {
  auto e = error_of(R"({"t":"SUBSCRIBE_CLOCK","sessionId":"nope","ref":"r-9","pingId":2,"other":1})");
  EXPECT_EQ(e.ref, json::parse(R"({"t":"SUBSCRIBE_CLOCK","sessionId":"nope","ref":"r-9","pingId":2})"));
  auto ping = error_of(R"({"t":"TIME_PING","clientNowMs":"x","pingId":7})");
  EXPECT_EQ(ping.ref, json::parse(R"({"t":"TIME_PING","pingId":7})"));
}

TEST(Inbound, ErrorRefLeavesOutStructuresAndLongStrings) {
  std::string long_text(65, 'r');
  auto e = error_of(R"({"t":"TIME_PING","clientNowMs":-1,"ref":{"a":1},"pingId":[7],"sessionId":")" + long_text +
                    "\"}");
  EXPECT_EQ(e.ref, json::parse(R"({"t":"TIME_PING"})"));
  auto long_type = error_of(R"({"t":")" + long_text + R"(","ref":null})");
  EXPECT_EQ(long_type.code, "unknown_type");
  EXPECT_EQ(long_type.ref, json::parse(R"({"ref":null})"));
}

// --- depth --------------------------------------------------------------------

TEST(Inbound, DepthExactlyAtTheLimitParses) {
  EXPECT_TRUE(std::holds_alternative<protocol::UnsubscribeTime>(parse(nested(kDepth))));
}

TEST(Inbound, DepthOverTheLimitIsRefusedAtTheFirstContainerPastIt) {
  auto e = error_of(nested(kDepth + 1));
  EXPECT_EQ(e.code, "bad_json");
  EXPECT_EQ(e.message, "nesting deeper than 16");
  EXPECT_TRUE(e.ref.is_null());
  // Unbalanced and huge: still one cheap refusal, the rest never read.
  EXPECT_EQ(error_of(std::string(100000, '[')).message, "nesting deeper than 16");
  // The limit is the caller's: 2 admits the message object plus one array.
  EXPECT_TRUE(std::holds_alternative<protocol::UnsubscribeTime>(protocol::parse_inbound(nested(2), 2)));
  auto over = protocol::parse_inbound(nested(3), 2);
  ASSERT_TRUE(std::holds_alternative<protocol::ProtocolError>(over));
  EXPECT_EQ(std::get<protocol::ProtocolError>(over).message, "nesting deeper than 2");
}

TEST(Inbound, BracketsInsideStringsDoNotCount) {
  std::string deep_text(100, '[');
  auto ping = as<protocol::TimePing>(R"({"t":"TIME_PING","clientNowMs":1,"pingId":")" + std::string(40, '{') +
                                     R"(\"[\\"})");
  EXPECT_EQ(ping.ping_id, json(std::string(40, '{') + "\"[\\"));
  auto unknown = error_of(R"({"t":")" + deep_text + R"(","x":"]]]"})");
  EXPECT_EQ(unknown.code, "unknown_type");
}

TEST(JsonDepth, CountsOnlyStructure) {
  EXPECT_FALSE(protocol::nests_deeper_than("", 0));
  EXPECT_FALSE(protocol::nests_deeper_than("1", 0));
  EXPECT_TRUE(protocol::nests_deeper_than("{}", 0));
  EXPECT_FALSE(protocol::nests_deeper_than("{}", 1));
  EXPECT_TRUE(protocol::nests_deeper_than("[[],[],{\"a\":[]}]", 2));
  EXPECT_FALSE(protocol::nests_deeper_than("[[],[],{\"a\":[]}]", 3));
  EXPECT_TRUE(protocol::nests_deeper_than("[[],[],{\"a\":[{}]}]", 3));
  EXPECT_FALSE(protocol::nests_deeper_than("[[[]],[[]],[[]]]", 3));  // siblings do not add up
  EXPECT_FALSE(protocol::nests_deeper_than(R"(["\"[[[", "\\", "{{"])", 1));
  EXPECT_TRUE(protocol::nests_deeper_than(R"(["\\"[[)", 2));  // the escape is escaped: the string ends
}
