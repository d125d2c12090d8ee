// Server frames, built as text ready for the socket. Pure and non-throwing.
//
// Times are Unix epoch milliseconds. Server times are rounded to whole
// microseconds; a value that comes out integral is written as a JSON integer
// (1200, not 1200.0), so strictly typed clients can read integers and floats
// alike. Client values are echoed unchanged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "config/options.hpp"
#include "core/clock_model.hpp"
#include "core/grace_policy.hpp"
#include "protocol/inbound.hpp"

namespace session_clock::worker::protocol {

// TIME_PONG; serverNowMs repeats serverSendMs for older clients. pingId is
// left out when the ping had none.
std::string time_pong(const TimePing& ping, double receive_ms, double send_ms, bool sync_warning,
                      double max_error_ms);

// {"event":"time_sync.response",…} (or the device's response event);
// sequence and client_send (also a null one) only if the request had them.
std::string legacy_time_sync_response(const char* event, const LegacyTimeSync& request, double receive_ms,
                                      double send_ms, double recommended_interval_ms, bool sync_warning);

// {"jsonrpc":"2.0","id":…,"result":now_ms}
std::string jsonrpc_timesync_result(const nlohmann::json& id, double now_ms);

// {"t":"SUBSCRIBED","topic":…, …extra}; `extra` (an object) adds fields, e.g.
// {"timezone":"Europe/Berlin"}. Anything but an object adds nothing.
std::string subscribed(std::string_view topic, const nlohmann::json& extra = nlohmann::json::object());
std::string unsubscribed(std::string_view topic, const nlohmann::json& extra = nlohmann::json::object());

std::string auth_ok(const std::string& sub, const std::string& role, std::int64_t expires_at_ms);

// {"t":"ERROR","code":…,"message":…,"ref":…}
std::string error(const ProtocolError& e);

// CLOCK_STATE for a state whose times are Unix-epoch microseconds. elapsedMs
// is the position at serverNowMs (null if the row holds values no clock
// reaches); endedAtMs is null while the clock runs.
std::string clock_state(const std::string& session_id, const core::ClockState& state_in_unix_us,
                        double server_now_ms);
// With the grace state: participants present, graceDeadlineMs (null when no
// deadline is pending), autoPaused, presenceTracked.
std::string clock_state(const std::string& session_id, const core::ClockState& state_in_unix_us,
                        const core::GraceState& grace_in_unix_us, double server_now_ms);

// {"t":"CLOCK_CHANGED","sessionId":…,"action":"pause","changed":true,"version":7}:
// the answer to START/PAUSE/RESUME/STOP_CLOCK (the CLOCK_STATE push follows).
std::string clock_changed(const std::string& session_id, const char* action, bool changed, std::int64_t version);

// {"t":"JOINED","sessionId":…} / {"t":"LEFT","sessionId":…}
std::string joined(const std::string& session_id);
std::string left(const std::string& session_id);

// The response body for POST /timesync: one request object or a batch array.
// Invalid requests get -32600, other methods -32601 (JSON-RPC 2.0).
// Notifications (no id) get no entry; when nothing is left to say the body
// is "" (send 204). A batch that is empty or longer than 64 requests is one
// -32600. nullopt if the body is not JSON (or nests deeper than the limit).
std::optional<std::string> jsonrpc_timesync_http(std::string_view body, double now_ms,
                                                 std::size_t max_json_depth = Limits{}.max_json_depth);

}  // namespace session_clock::worker::protocol
