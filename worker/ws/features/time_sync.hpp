// Time sync over the connection, in the three dialects clients speak
// (docs/protocol.md): TIME_PING → TIME_PONG with the NTP receive/transmit
// stamps, the older {"event":"time_sync.request"} (and its devices'
// device_time_sync.request), and the `timesync` library's JSON-RPC. Answers
// are stamped when their write starts, so the send stamp is the moment the
// frame goes to the socket. The stamps are the database's time; syncWarning
// and maxErrorMs say how far they may be off it (time/server_clock.hpp), so a
// client adds that to its own bound.
#pragma once

#include <functional>

#include "metrics/metrics.hpp"
#include "protocol/inbound.hpp"
#include "time/server_clock.hpp"
#include "ws/outbox.hpp"

namespace session_clock::worker {

class TimeSync {
 public:
  // on_rtt: the client's own latest round trip (TIME_PING's rttMs), which
  // rooms size their lead time by.
  TimeSync(Outbox& out, Metrics& metrics, const ServerClock& clock,
           std::function<void(double rtt_ms)> on_rtt)
      : out_(out), metrics_(metrics), clock_(clock), on_rtt_(std::move(on_rtt)) {}

  void on_ping(const protocol::TimePing& ping, double receive_ms);
  void on_legacy(const protocol::LegacyTimeSync& request, double receive_ms);
  void on_device(const protocol::DeviceTimeSync& request, double receive_ms);
  void on_jsonrpc(const protocol::JsonRpcTimesync& request);

 private:
  void answer_legacy(const char* event, const protocol::LegacyTimeSync& request, double receive_ms);

  Outbox& out_;
  Metrics& metrics_;
  const ServerClock& clock_;
  std::function<void(double)> on_rtt_;
};

}  // namespace session_clock::worker
