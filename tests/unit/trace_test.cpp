#include "protocol/trace.hpp"

#include <gtest/gtest.h>

namespace protocol = session_clock::worker::protocol;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

protocol::Trace trace_of(const std::string& frame, double receive_ms = 1000.25) {
  auto read = protocol::read_trace(frame, receive_ms);
  EXPECT_TRUE(std::holds_alternative<protocol::Trace>(read)) << frame;
  return std::holds_alternative<protocol::Trace>(read) ? std::get<protocol::Trace>(read) : nullptr;
}

}  // namespace

TEST(Trace, ServerReceiveIsStampedAndTheClientsFieldsKeptInOrder) {
  auto trace = trace_of(R"({"t":"TIME_PING","clientNowMs":1,"trace":{"client_send":null,"device_receive":7,"a":[1]}})",
                        1790000000003.4111);
  ASSERT_TRUE(trace);
  EXPECT_EQ(trace->dump(), R"({"client_send":null,"device_receive":7,"a":[1],"server_receive":1790000000003.411})");
}

TEST(Trace, AStampFromTheClientIsReplacedByOurs) {
  auto trace = trace_of(R"({"t":"AUTH","token":"x","trace":{"server_receive":5,"server_send":6}})", 42);
  ASSERT_TRUE(trace);
  EXPECT_EQ((*trace)["server_receive"], 42);
  auto reply = json::parse(protocol::with_trace(R"({"t":"AUTH_OK"})", *trace, 43.5));
  EXPECT_EQ(reply["trace"], json::parse(R"({"server_receive":42,"server_send":43.5})"));
}

TEST(Trace, OnlyATraceObjectIsOurs) {
  EXPECT_EQ(trace_of(R"({"t":"TIME_PING"})"), nullptr);
  EXPECT_EQ(trace_of(R"({"t":"TIME_PING","trace":null})"), nullptr);
  EXPECT_EQ(trace_of(R"({"t":"TIME_PING","trace":"abc"})"), nullptr);
  EXPECT_EQ(trace_of(R"({"t":"TIME_PING","note":"\"trace\""})"), nullptr);
  EXPECT_EQ(trace_of(R"(["trace"])"), nullptr);
  EXPECT_NE(trace_of(R"({"trace":{}})"), nullptr);
}

TEST(Trace, AnOversizedTraceIsRefused) {
  std::string big(protocol::kMaxTraceBytes, 'x');
  auto read = protocol::read_trace(R"({"t":"TIME_PING","trace":{"note":")" + big + R"("}})", 1);
  EXPECT_TRUE(std::holds_alternative<protocol::TraceTooLarge>(read));
}

TEST(Trace, TheReplyCarriesItAtTheEnd) {
  ordered_json trace = ordered_json::parse(R"({"client_send":12.5,"server_receive":20})");
  EXPECT_EQ(protocol::with_trace(R"({"t":"TIME_PONG","pingId":1})", trace, 21.0004),
            R"({"t":"TIME_PONG","pingId":1,"trace":{"client_send":12.5,"server_receive":20,"server_send":21}})");
  EXPECT_EQ(protocol::with_trace("{}", trace, 21), R"({"trace":{"client_send":12.5,"server_receive":20,"server_send":21}})");
  EXPECT_EQ(protocol::with_trace("[1]", trace, 21), "[1]");  // not an object: unchanged
}
