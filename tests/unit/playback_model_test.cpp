#include "core/playback_model.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "core/sql_error.hpp"

namespace core = session_clock::core;
using core::Micros;

namespace {

constexpr Micros kMs = 1000;
constexpr Micros kT0 = 1'790'000'000'000 * kMs;
const core::Track kSong{"https://example.test/a.mp3", "A", "a.mp3"};

}  // namespace

TEST(PlaybackModel, PlayStartsAtTheScheduledInstantFromThePosition) {
  auto p = core::play(kSong, 30'000, kT0 + 1200 * kMs);
  EXPECT_STREQ(core::status_at(p, kT0), "preparing");
  EXPECT_DOUBLE_EQ(core::position_ms(p, kT0), 30'000);  // early members wait at the start position
  EXPECT_STREQ(core::status_at(p, kT0 + 1200 * kMs), "playing");
  EXPECT_DOUBLE_EQ(core::position_ms(p, kT0 + 1200 * kMs), 30'000);
  EXPECT_DOUBLE_EQ(core::position_ms(p, kT0 + 61'200 * kMs + 500), 90'000.5);  // a late joiner a minute on
}

TEST(PlaybackModel, PauseFreezesWhereThePlaybackWillBe) {
  auto p = core::play(kSong, 0, kT0);
  auto paused = *core::pause(p, std::nullopt, kT0 + 10'000 * kMs);
  EXPECT_EQ(paused.status, core::PlaybackStatus::paused);
  EXPECT_DOUBLE_EQ(core::position_ms(paused, kT0 + 10'000 * kMs), 10'000);
  EXPECT_DOUBLE_EQ(core::position_ms(paused, kT0 + 99'000 * kMs), 10'000);
  EXPECT_STREQ(core::status_at(paused, kT0 + 99'000 * kMs), "paused");
  auto at = *core::pause(p, 4'000.0, kT0 + 10'000 * kMs);  // pause and jump
  EXPECT_DOUBLE_EQ(core::position_ms(at, kT0 + 20'000 * kMs), 4'000);
}

TEST(PlaybackModel, SeekKeepsPlayingOrPaused) {
  auto p = core::play(kSong, 0, kT0);
  auto moved = core::seek(p, 120'000, kT0 + 5'000 * kMs);
  EXPECT_EQ(moved.status, core::PlaybackStatus::playing);
  EXPECT_DOUBLE_EQ(core::position_ms(moved, kT0 + 6'000 * kMs), 121'000);
  auto paused = *core::pause(p, std::nullopt, kT0 + 1'000 * kMs);
  EXPECT_FALSE(core::pause(paused, std::nullopt, kT0 + 1'500 * kMs));  // already paused: nothing to do
  auto still = core::seek(paused, 50'000, kT0 + 2'000 * kMs);
  EXPECT_EQ(still.status, core::PlaybackStatus::paused);
  EXPECT_DOUBLE_EQ(core::position_ms(still, kT0 + 9'000 * kMs), 50'000);
  // Resuming is playing again from where it is.
  auto resumed = core::play(still.track, core::position_ms(still, kT0 + 10'000 * kMs), kT0 + 11'000 * kMs);
  EXPECT_DOUBLE_EQ(core::position_ms(resumed, kT0 + 12'000 * kMs), 51'000);
}

TEST(PlaybackModel, StopAndIdle) {
  auto idle = *core::stop(core::play(kSong, 0, kT0));
  EXPECT_FALSE(core::stop(idle));
  EXPECT_EQ(idle.status, core::PlaybackStatus::idle);
  EXPECT_DOUBLE_EQ(core::position_ms(idle, kT0), 0);
  EXPECT_STREQ(core::status_at(idle, kT0), "idle");
  EXPECT_THROW(core::pause(idle, std::nullopt, kT0), core::SqlError);
  EXPECT_THROW(core::seek(idle, 1, kT0), core::SqlError);
}

TEST(PlaybackModel, PositionsAreValidated) {
  EXPECT_THROW(core::play(kSong, -1, kT0), core::SqlError);
  EXPECT_THROW(core::play(kSong, NAN, kT0), core::SqlError);
  EXPECT_THROW(core::play(kSong, INFINITY, kT0), core::SqlError);
  EXPECT_THROW(core::play(kSong, 86'400'001, kT0), core::SqlError);
  EXPECT_NO_THROW(core::play(kSong, 86'400'000, kT0));
  EXPECT_FALSE(std::signbit(core::play(kSong, -0.0, kT0).start_position_ms));
  auto p = core::play(kSong, 0, kT0);
  EXPECT_THROW(core::pause(p, -5.0, kT0), core::SqlError);
}

TEST(PlaybackModel, StatusNamesRoundTrip) {
  for (auto s : {core::PlaybackStatus::idle, core::PlaybackStatus::playing, core::PlaybackStatus::paused})
    EXPECT_EQ(core::parse_playback_status(core::playback_status_name(s)), s);
  EXPECT_FALSE(core::parse_playback_status("preparing"));
}
