#include "ws/routes.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <variant>

#include "protocol/message_types.hpp"

namespace w = session_clock::worker;
namespace type = session_clock::worker::protocol::message_type;

TEST(Routes, EveryInboundTypeHasOneRouteAndItsOwnName) {
  const auto& routes = w::routes();
  ASSERT_EQ(routes.size(), std::variant_size_v<w::protocol::Inbound>);
  std::set<std::string> names;
  for (const auto& route : routes) {
    ASSERT_NE(route.type, nullptr);
    EXPECT_TRUE(route.handle) << route.type;
    EXPECT_TRUE(names.insert(route.type).second) << route.type << " named twice";
  }
  // The four clock commands used to share one counter ("other").
  for (const char* t : {type::kStartClock, type::kPauseClock, type::kResumeClock, type::kStopClock, type::kInvalid})
    EXPECT_EQ(names.count(t), 1u) << t;
}

TEST(Routes, EachParsedMessageFindsTheRouteNamedForIt) {
  auto route_of = [](const char* frame) {
    return std::string(w::routes()[w::protocol::parse_inbound(frame, 16).index()].type);
  };
  EXPECT_EQ(route_of(R"({"t":"TIME_PING","clientNowMs":1})"), type::kTimePing);
  EXPECT_EQ(route_of(R"({"event":"time_sync.request","sequence":1})"), type::kLegacyTimeSyncRequest);
  EXPECT_EQ(route_of(R"({"jsonrpc":"2.0","id":1,"method":"timesync"})"), type::kJsonRpcTimesync);
  EXPECT_EQ(route_of(R"({"t":"PAUSE_CLOCK","sessionId":"6f1c0000-0000-4000-8000-000000000001"})"), type::kPauseClock);
  EXPECT_EQ(route_of(R"({"t":"STOP_CLOCK","sessionId":"6f1c0000-0000-4000-8000-000000000001"})"), type::kStopClock);
  EXPECT_EQ(route_of(R"({"t":"HOST_SEEK","positionSec":3})"), type::kHostSeek);
  EXPECT_EQ(route_of("not json"), type::kInvalid);
  EXPECT_EQ(route_of(R"({"t":"NO_SUCH"})"), type::kInvalid);
}
