// The server's time once a second in a time zone of the client's choice
// (the TimeTicker sends them): asked for with SUBSCRIBE_TIME on /ws, or from
// the start on /ws/time/ (seed 002's feed). Either way the current time
// comes at once, so a clock has something to show before the next second.
#pragma once

#include <string>

#include "fanout/time_ticker.hpp"
#include "protocol/inbound.hpp"
#include "time/server_clock.hpp"
#include "ws/outbox.hpp"

namespace session_clock::worker {

class TimeTicks {
 public:
  TimeTicks(Outbox& out, TimeTicker& ticker, const ServerClock& clock) : out_(out), ticker_(ticker), clock_(clock) {}

  void on_subscribe(const protocol::SubscribeTime& request);
  void on_unsubscribe(const protocol::UnsubscribeTime& request);
  // /ws/time/: subscribed by the URL, no SUBSCRIBED acknowledgement (the
  // seed's client reads time_update frames only). `timezone` is known.
  void start_feed(const std::string& timezone);
  void end();

 private:
  void subscribe(const std::string& timezone);

  Outbox& out_;
  TimeTicker& ticker_;
  const ServerClock& clock_;
  bool subscribed_ = false;
};

}  // namespace session_clock::worker
