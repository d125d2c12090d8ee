// Anything that can be handed a ready-made frame from another thread: the
// hub and the ticker fan out one serialised frame to many of these.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace session_clock::worker {

using Frame = std::shared_ptr<const std::string>;

// One clock change, built once per change and shared by every subscriber: a
// fan-out to a thousand connections copies a pointer, not the session id.
struct ClockPush {
  std::string session_id;
  std::int64_t version;
  Frame frame;
};
using ClockPushPtr = std::shared_ptr<const ClockPush>;

class Subscriber {
 public:
  virtual ~Subscriber() = default;
  // A CLOCK_STATE for session_id at version; the subscriber drops versions it
  // has already seen. Thread-safe.
  virtual void push_clock(ClockPushPtr push) = 0;
  // Any other frame (a room's PREPARE_PLAY, PLAY_AT...): never dropped.
  // Thread-safe.
  virtual void push(Frame frame) = 0;
  // A time tick: a newer one replaces one not yet sent. Thread-safe.
  virtual void push_tick(Frame frame) = 0;
};

}  // namespace session_clock::worker
