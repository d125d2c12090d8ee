#include "ws/features/time_sync.hpp"

#include "protocol/message_types.hpp"
#include "protocol/outbound.hpp"

namespace session_clock::worker {

namespace {

// The legacy dialect's advice to its clients on how often to sync.
constexpr double kRecommendedSyncIntervalMs = 30'000;

}  // namespace

void TimeSync::on_ping(const protocol::TimePing& ping, double receive_ms) {
  metrics_.pings++;
  if (ping.rtt_ms) on_rtt_(*ping.rtt_ms);
  auto health = clock_.status();
  out_.send_stamped([ping, receive_ms, health](double send_ms) {
    return protocol::time_pong(ping, receive_ms, send_ms, !health.within_bound, health.error_ms);
  });
}

void TimeSync::on_legacy(const protocol::LegacyTimeSync& request, double receive_ms) {
  answer_legacy(protocol::message_type::kLegacyTimeSyncResponse, request, receive_ms);
}

void TimeSync::on_device(const protocol::DeviceTimeSync& request, double receive_ms) {
  answer_legacy(protocol::message_type::kDeviceTimeSyncResponse, request, receive_ms);
}

void TimeSync::answer_legacy(const char* event, const protocol::LegacyTimeSync& request, double receive_ms) {
  metrics_.pings++;
  auto health = clock_.status();
  out_.send_stamped([event, request, receive_ms, health](double send_ms) {
    return protocol::legacy_time_sync_response(event, request, receive_ms, send_ms, kRecommendedSyncIntervalMs,
                                               !health.within_bound);
  });
}

void TimeSync::on_jsonrpc(const protocol::JsonRpcTimesync& request) {
  metrics_.pings++;
  out_.send_text(protocol::jsonrpc_timesync_result(request.id, clock_.now_ms()));
}

}  // namespace session_clock::worker
