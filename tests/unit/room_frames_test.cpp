#include "protocol/room_frames.hpp"

#include <gtest/gtest.h>

#include "protocol/inbound.hpp"

namespace protocol = session_clock::worker::protocol;
using nlohmann::json;

namespace {

protocol::RoomView playing_room() {
  protocol::RoomView r;
  r.code = "K7Q2PX";
  r.host = "hana";
  r.status = "playing";
  r.track_url = "https://media.test/a.mp3";
  r.title = "A";
  r.filename = "a.mp3";
  r.start_at_us = 1'790'000'001'200'500;
  r.start_position_ms = 30'000;
  r.version = 4;
  r.members = json::array({{{"id", "hana"}, {"ready", true}}});
  r.member_count = 1;
  return r;
}

template <typename T>
T as(const std::string& frame) {
  auto parsed = protocol::parse_inbound(frame, 16);
  EXPECT_TRUE(std::holds_alternative<T>(parsed)) << frame;
  return std::holds_alternative<T>(parsed) ? std::get<T>(parsed) : T{};
}

std::string error_code_of(const std::string& frame) {
  auto parsed = protocol::parse_inbound(frame, 16);
  if (!std::holds_alternative<protocol::ProtocolError>(parsed)) return "";
  return std::get<protocol::ProtocolError>(parsed).code;
}

}  // namespace

TEST(RoomFrames, StateIsPreparingUntilTheStart) {
  auto r = playing_room();
  auto before = json::parse(protocol::room_state(r, 1'790'000'001'000.0));
  EXPECT_EQ(before["t"], "ROOM_STATE");
  EXPECT_EQ(before["currentTrack"]["status"], "preparing");
  EXPECT_EQ(before["currentTrack"]["startAtServerMs"].get<double>(), 1790000001200.5);
  EXPECT_EQ(before["currentTrack"]["startPositionSec"], 30);
  EXPECT_EQ(before["memberCount"], 1);
  auto after = json::parse(protocol::room_state(r, 1'790'000'001'201.0));
  EXPECT_EQ(after["currentTrack"]["status"], "playing");
}

// Seed 004's tab resume passes currentTrack to its PLAY_AT handler as it is.
TEST(RoomFrames, CurrentTrackCarriesEveryFieldOfPlayAt) {
  auto r = playing_room();
  auto track = json::parse(protocol::room_state(r, 1'790'000'001'300.0))["currentTrack"];
  auto play = json::parse(protocol::play_at(r));
  for (const char* key : {"t", "code", "version"}) play.erase(key);
  for (auto& [key, value] : play.items()) EXPECT_EQ(track[key], value) << key;
  EXPECT_EQ(track["url"], track["trackUrl"]);
}

TEST(RoomFrames, GuestRoomsAndNamesAreRead) {
  EXPECT_TRUE(as<protocol::CreateRoom>(R"({"t":"CREATE_ROOM","guests":true})").guests);
  EXPECT_FALSE(as<protocol::CreateRoom>(R"({"t":"CREATE_ROOM","code":"abcd"})").guests);
  EXPECT_EQ(error_code_of(R"({"t":"CREATE_ROOM","guests":"yes"})"), "bad_field");
  auto join = as<protocol::JoinRoom>(R"({"t":"JOIN_ROOM","code":"party00001","name":"Ann"})");
  EXPECT_EQ(join.code, "PARTY00001");
  EXPECT_EQ(join.name, "Ann");
  EXPECT_FALSE(as<protocol::JoinRoom>(R"({"t":"JOIN_ROOM","code":"PARTY00001"})").name);
  EXPECT_EQ(error_code_of(R"({"t":"JOIN_ROOM","code":"PARTY00001","name":7})"), "bad_field");
  EXPECT_EQ(error_code_of(R"({"t":"JOIN_ROOM","code":"PARTY00001","name":")" + std::string(300, 'n') + R"("})"),
            "bad_field");
}

TEST(RoomFrames, IdleRoomsHaveNoTrack) {
  protocol::RoomView idle;
  idle.code = "ROOM1";
  auto state = json::parse(protocol::room_state(idle, 1.0));
  EXPECT_EQ(state["currentTrack"]["status"], "idle");
  EXPECT_TRUE(state["currentTrack"]["url"].is_null());
  EXPECT_TRUE(state["currentTrack"]["startAtServerMs"].is_null());
}

TEST(RoomFrames, PrepareAndPlayAtCarryTheSameSchedule) {
  auto r = playing_room();
  auto prepare = json::parse(protocol::prepare_play(r));
  auto play = json::parse(protocol::play_at(r));
  EXPECT_EQ(prepare["t"], "PREPARE_PLAY");
  EXPECT_EQ(play["t"], "PLAY_AT");
  prepare.erase("t");
  play.erase("t");
  EXPECT_EQ(prepare, play);
  EXPECT_EQ(play["trackUrl"], "https://media.test/a.mp3");
  EXPECT_EQ(play["filename"], "a.mp3");
  EXPECT_EQ(play["version"], 4);
}

TEST(RoomFrames, PauseAtAndStopped) {
  auto r = playing_room();
  r.status = "paused";
  auto pause = json::parse(protocol::pause_at(r));
  EXPECT_EQ(pause["atServerMs"].get<double>(), 1790000001200.5);
  EXPECT_EQ(pause["positionSec"], 30);
  EXPECT_EQ(json::parse(protocol::stopped(r))["t"], "STOPPED");
  EXPECT_EQ(json::parse(protocol::left_room("ROOM1"))["code"], "ROOM1");
}

TEST(RoomMessages, CodesAreCaseInsensitiveAndValidated) {
  EXPECT_EQ(as<protocol::JoinRoom>(R"({"t":"JOIN_ROOM","code":"k7q2px"})").code, "K7Q2PX");
  EXPECT_FALSE(as<protocol::CreateRoom>(R"({"t":"CREATE_ROOM"})").code);
  EXPECT_EQ(*as<protocol::CreateRoom>(R"({"t":"CREATE_ROOM","code":"party1"})").code, "PARTY1");
  for (const char* bad : {R"({"t":"JOIN_ROOM"})", R"({"t":"JOIN_ROOM","code":"abc"})",
                          R"({"t":"JOIN_ROOM","code":"abcdefghijklm"})", R"({"t":"JOIN_ROOM","code":"ab-cd"})",
                          R"({"t":"JOIN_ROOM","code":7})", R"({"t":"CREATE_ROOM","code":"x"})"})
    EXPECT_EQ(error_code_of(bad), "bad_field") << bad;
}

TEST(RoomMessages, HostCommands) {
  auto play = as<protocol::HostPlay>(
      R"({"t":"HOST_PLAY","trackUrl":"u","title":"T","filename":"f","startPositionSec":12.5,"requestId":"r1"})");
  EXPECT_EQ(play.track_url, "u");
  EXPECT_DOUBLE_EQ(play.start_position_sec, 12.5);
  EXPECT_EQ(*play.request_id, "r1");
  EXPECT_FALSE(as<protocol::HostPause>(R"({"t":"HOST_PAUSE"})").position_sec);
  EXPECT_DOUBLE_EQ(*as<protocol::HostPause>(R"({"t":"HOST_PAUSE","positionSec":3})").position_sec, 3);
  EXPECT_DOUBLE_EQ(as<protocol::HostSeek>(R"({"t":"HOST_SEEK","positionSec":90})").position_sec, 90);
  EXPECT_EQ(as<protocol::Ready>(R"({"t":"READY","version":5})").version, 5);
  for (const char* bad :
       {R"({"t":"HOST_PLAY"})", R"({"t":"HOST_PLAY","trackUrl":""})", R"({"t":"HOST_PLAY","trackUrl":"u","startPositionSec":-1})",
        R"({"t":"HOST_PLAY","trackUrl":"u","startPositionSec":1e9})", R"({"t":"HOST_PLAY","trackUrl":"u","title":5})",
        R"({"t":"HOST_SEEK"})", R"({"t":"HOST_PAUSE","positionSec":"x"})", R"({"t":"READY"})",
        R"({"t":"READY","version":0})", R"({"t":"HOST_STOP","requestId":7})"})
    EXPECT_EQ(error_code_of(bad), "bad_field") << bad;
  EXPECT_EQ(error_code_of(R"({"t":"HOST_PLAY","trackUrl":")" + std::string(2049, 'u') + "\"}"), "bad_field");
}

TEST(RoomMessages, TimePingMayReportTheRoundTrip) {
  EXPECT_DOUBLE_EQ(*as<protocol::TimePing>(R"({"t":"TIME_PING","clientNowMs":1,"rttMs":12.5})").rtt_ms, 12.5);
  EXPECT_FALSE(as<protocol::TimePing>(R"({"t":"TIME_PING","clientNowMs":1})").rtt_ms);
  EXPECT_EQ(error_code_of(R"({"t":"TIME_PING","clientNowMs":1,"rttMs":-1})"), "bad_field");
  EXPECT_EQ(error_code_of(R"({"t":"TIME_PING","clientNowMs":1,"rttMs":60001})"), "bad_field");
}
