// A room's playback as a pure state machine: no I/O, no PostgreSQL.
//
// The playback position is the session clock's arithmetic (clock_model.hpp)
// on a clock anchored so that it reads startPosition at startAt: running, it
// advances at rate 1 from there; paused, it is frozen. Before startAt it
// reads startPosition (elapsed_ms clamps times before the last change), so a
// member who is early simply waits. Every change is scheduled: it takes
// effect at `at` (now + the room's lead time), which every member knows in
// advance, so all of them start, pause or jump on the same frame.
#pragma once
#ifdef POSTGRES_H
#error "pure core headers must be included before postgres.h"
#endif

#include <cstdint>
#include <optional>
#include <string>

#include "clock_model.hpp"

namespace session_clock::core {

enum class PlaybackStatus { idle, playing, paused };
const char* playback_status_name(PlaybackStatus status);
std::optional<PlaybackStatus> parse_playback_status(const std::string& name);

struct Track {
  std::string url, title, filename;
  bool operator==(const Track& o) const { return url == o.url && title == o.title && filename == o.filename; }
};

struct Playback {
  PlaybackStatus status = PlaybackStatus::idle;
  Track track;
  Micros start_at_us = 0;          // when the current play/pause/seek takes effect
  double start_position_ms = 0;    // the position at start_at_us
  bool operator==(const Playback& o) const {
    return status == o.status && track == o.track && start_at_us == o.start_at_us &&
           start_position_ms == o.start_position_ms;
  }
};

// What members are told, and why.
enum class PlaybackChange { play, pause, seek, stop };
const char* playback_change_name(PlaybackChange change);

// The position in milliseconds at `at_us` (0 when idle). Paused, it is the
// position the pause takes effect at, from the moment the pause is decided
// (members still play on until start_at_us, and stop there on it).
double position_ms(const Playback& p, Micros at_us);

// "preparing": playing, but start_at_us is still ahead. Otherwise the status.
const char* status_at(const Playback& p, Micros now_us);

// The host's commands, taking effect at `at_us` (now + lead). Positions are
// validated: finite, 0..24 h; throws SqlError 22023 otherwise, and 55000 for
// pause/seek of an idle room.
Playback play(const Track& track, double position_ms, Micros at_us);
// Pause where the playback will be at at_us, or at `position_ms` if given.
// Pausing a paused playback without a position changes nothing (nullopt).
std::optional<Playback> pause(const Playback& p, std::optional<double> position_ms, Micros at_us);
// Jump to position_ms at at_us, keeping playing or paused as it was.
Playback seek(const Playback& p, double position_ms, Micros at_us);
// Stopping an idle room changes nothing (nullopt).
std::optional<Playback> stop(const Playback& p);

// Throws SqlError 22023 unless 0..24 h and finite; returns it with -0 as 0.
double validate_position_ms(double position_ms);

}  // namespace session_clock::core
