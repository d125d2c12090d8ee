#include "playback_model.hpp"

#include <cmath>

#include "sql_error.hpp"

namespace session_clock::core {
namespace {

constexpr double kMaxPositionMs = 24.0 * 60 * 60 * 1000;

Micros to_us(double ms) { return static_cast<Micros>(std::llround(ms * 1000)); }

// The playback as a session clock: anchored so it reads start_position at
// start_at; running while playing, frozen while paused.
ClockState as_clock(const Playback& p) {
  ClockState c;
  c.started_at_us = p.start_at_us - to_us(p.start_position_ms);
  c.last_change_us = p.start_at_us;
  c.is_paused = p.status == PlaybackStatus::paused;
  c.version = 1;
  return c;
}

void require_track(const Playback& p, const char* action) {
  if (p.status == PlaybackStatus::idle)
    throw SqlError(sqlstate::kObjectNotInPrerequisiteState, std::string("nothing is playing to ") + action);
}

}  // namespace

const char* playback_status_name(PlaybackStatus status) {
  switch (status) {
    case PlaybackStatus::idle: return "idle";
    case PlaybackStatus::playing: return "playing";
    case PlaybackStatus::paused: return "paused";
  }
  return "idle";
}

std::optional<PlaybackStatus> parse_playback_status(const std::string& name) {
  for (auto s : {PlaybackStatus::idle, PlaybackStatus::playing, PlaybackStatus::paused})
    if (name == playback_status_name(s)) return s;
  return std::nullopt;
}

const char* playback_change_name(PlaybackChange change) {
  switch (change) {
    case PlaybackChange::play: return "play";
    case PlaybackChange::pause: return "pause";
    case PlaybackChange::seek: return "seek";
    case PlaybackChange::stop: return "stop";
  }
  return "stop";
}

double validate_position_ms(double position_ms) {
  if (!std::isfinite(position_ms) || position_ms < 0 || position_ms > kMaxPositionMs)
    throw SqlError(sqlstate::kInvalidParameterValue, "position must be between 0 and 86400 seconds");
  return position_ms + 0.0;  // -0 + 0 is +0
}

double position_ms(const Playback& p, Micros at_us) {
  if (p.status == PlaybackStatus::idle) return 0;
  return elapsed_ms(as_clock(p), at_us);
}

const char* status_at(const Playback& p, Micros now_us) {
  if (p.status == PlaybackStatus::playing && now_us < p.start_at_us) return "preparing";
  return playback_status_name(p.status);
}

Playback play(const Track& track, double position_ms, Micros at_us) {
  return {PlaybackStatus::playing, track, at_us, validate_position_ms(position_ms)};
}

std::optional<Playback> pause(const Playback& p, std::optional<double> position, Micros at_us) {
  require_track(p, "pause");
  if (p.status == PlaybackStatus::paused && !position) return std::nullopt;
  double at_position = position ? *position : position_ms(p, at_us);
  return Playback{PlaybackStatus::paused, p.track, at_us, validate_position_ms(at_position)};
}

Playback seek(const Playback& p, double position, Micros at_us) {
  require_track(p, "seek in");
  return {p.status, p.track, at_us, validate_position_ms(position)};
}

std::optional<Playback> stop(const Playback& p) {
  if (p.status == PlaybackStatus::idle) return std::nullopt;
  return Playback{};
}

}  // namespace session_clock::core
