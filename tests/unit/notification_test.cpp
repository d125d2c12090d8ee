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
