// SUBSCRIBE_TIME / UNSUBSCRIBE_TIME: the server's time once a second, in a
// time zone of the client's choice (the TimeTicker sends them).
#pragma once

#include "fanout/time_ticker.hpp"
#include "protocol/inbound.hpp"
#include "ws/outbox.hpp"

namespace session_clock::worker {

class TimeTicks {
 public:
  TimeTicks(Outbox& out, TimeTicker& ticker) : out_(out), ticker_(ticker) {}

  void on_subscribe(const protocol::SubscribeTime& request);
  void on_unsubscribe(const protocol::UnsubscribeTime& request);
  void end();

 private:
  Outbox& out_;
  TimeTicker& ticker_;
  bool subscribed_ = false;
};

}  // namespace session_clock::worker
