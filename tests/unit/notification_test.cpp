#include "core/notification.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace core = session_clock::core;

TEST(Notification, PayloadNamesSessionEventAndVersion) {
  auto j = nlohmann::json::parse(core::change_payload("0a1b", core::EventKind::resume, 7));
  EXPECT_EQ(j["session_id"], "0a1b");
  EXPECT_EQ(j["event"], "resume");
  EXPECT_EQ(j["version"], 7);
}

TEST(Notification, UuidTextIsCanonical) {
  unsigned char bytes[16] = {0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3,
                             0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00};
  EXPECT_EQ(core::uuid_text(bytes), "123e4567-e89b-12d3-a456-426614174000");
}

TEST(Notification, MemberRemovedRoundTrips) {
  auto n = core::parse_notification(core::member_removed_payload("0a1b", "bob \"the\" builder"));
  EXPECT_EQ(n.kind, core::Notification::Kind::member_removed);
  EXPECT_EQ(n.session_id, "0a1b");
  EXPECT_EQ(n.participant_id, "bob \"the\" builder");
}

TEST(Notification, DeviceClaimedRoundTrips) {
  auto n = core::parse_notification(core::device_claimed_payload("0a1b", "bob", "w1/17", 42));
  EXPECT_EQ(n.kind, core::Notification::Kind::device_claimed);
  EXPECT_EQ(n.session_id, "0a1b");
  EXPECT_EQ(n.participant_id, "bob");
  EXPECT_EQ(n.device, "w1/17");
  EXPECT_EQ(n.claim, 42);
}

TEST(Notification, ParsesEveryPayloadTheExtensionSends) {
  auto clock = core::parse_notification(core::change_payload("0a1b", core::EventKind::pause, 3));
  EXPECT_EQ(clock.kind, core::Notification::Kind::clock);
  EXPECT_EQ(clock.session_id, "0a1b");
  EXPECT_EQ(clock.event, "pause");
  EXPECT_EQ(clock.version, 3);
  auto room = core::parse_notification(core::room_payload("K7Q2PX", "play", 5));
  EXPECT_EQ(room.kind, core::Notification::Kind::room);
  EXPECT_EQ(room.room, "K7Q2PX");
  EXPECT_EQ(room.event, "room_play");
  EXPECT_EQ(room.version, 5);
}

TEST(Notification, AnythingElseIsOther) {
  for (const char* payload : {"", "selftest-abc", "[]", "{}", R"({"event":"pause"})", R"({"session_id":"x"})",
                              R"({"event":"member_removed","session_id":"x"})", R"({"event":3,"session_id":"x"})",
                              R"({"event":"room_play","room":7})",
                              R"({"event":"device_claimed","session_id":"x","participant_id":"b","device":"d"})",
                              R"({"event":"device_claimed","session_id":"x","participant_id":"b","claim":1})"}) {
    auto n = core::parse_notification(payload);
    EXPECT_EQ(n.kind, core::Notification::Kind::other) << payload;
    EXPECT_TRUE(n.session_id.empty() && n.room.empty() && n.participant_id.empty()) << payload;
  }
}
