// One client frame, parsed and validated. Pure: no I/O, never throws, so the
// worker can call it straight from an Asio handler on untrusted input.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

namespace session_clock::worker::protocol {

// {"t":"TIME_PING","clientNowMs":…,"pingId":…,"rttMs":…}. pingId is
// optional: null when absent (and then not echoed), else an integer in
// [0, 2^53] or a string. rttMs, optional, is the client's own latest round
// trip (0..60000): rooms size their lead time by their slowest member.
struct TimePing {
  double client_now_ms = 0;
  nlohmann::json ping_id;
  std::optional<double> rtt_ms{};  // the client's reported round trip (rooms size their lead by it)
};

// {"event":"time_sync.request","sequence":…,"client_send":…}; both optional,
// sequence null when absent. client_send may be null (seed 000's browsers
// send null when their own clock never synced): it is echoed as it came.
struct LegacyTimeSync {
  nlohmann::json sequence;
  std::optional<nlohmann::json> client_send;  // null or a number; nullopt: absent
};

// {"event":"device_time_sync.request",…}: the same fields, from a device.
struct DeviceTimeSync : LegacyTimeSync {};

// {"jsonrpc":"2.0","id":…,"method":"timesync"}; id is a string, number or null.
struct JsonRpcTimesync {
  nlohmann::json id;
};

struct SubscribeTime {
  std::string timezone = "UTC";  // syntax checked; whether the zone exists is not
};

struct UnsubscribeTime {};

struct Auth {
  std::string token;
};

// session ids are canonical: lower-case 8-4-4-4-12 hex.
struct SubscribeClock {
  std::string session_id;
};

struct UnsubscribeClock {
  std::string session_id;
};

// START_CLOCK / PAUSE_CLOCK / RESUME_CLOCK / STOP_CLOCK {sessionId, reason?}:
// the clock RPC, run as the token's user (the database decides who may).
// One type per message, so each is dispatched and counted under its name.
enum class ClockAction { start, pause, resume, stop };
template <ClockAction A>
struct ClockCommand {
  static constexpr ClockAction action = A;
  std::string session_id;
  std::optional<std::string> reason;
};
using StartClock = ClockCommand<ClockAction::start>;
using PauseClock = ClockCommand<ClockAction::pause>;
using ResumeClock = ClockCommand<ClockAction::resume>;
using StopClock = ClockCommand<ClockAction::stop>;

// Rooms. A connection is in at most one room; host commands act on it.
// Codes are 4-12 of A-Z0-9 (any case on the wire, upper-cased here).
struct CreateRoom {
  std::optional<std::string> code;
  bool guests = false;  // admits tokenless guests (seed 004)
};
struct JoinRoom {
  std::string code;
  std::optional<std::string> name;  // a guest's name, shown to the room
};
struct LeaveRoom {};
struct HostPlay {
  std::string track_url, title, filename;
  double start_position_sec = 0;
  std::optional<std::string> request_id;
};
struct HostPause {
  std::optional<double> position_sec;
  std::optional<std::string> request_id;
};
struct HostSeek {
  double position_sec = 0;
  std::optional<std::string> request_id;
};
struct HostStop {
  std::optional<std::string> request_id;
};
struct Ready {
  std::int64_t version = 0;
};

// Presence: the token's user is in the call (and follows its clock) / left it.
struct JoinSession {
  std::string session_id;
};

struct LeaveSession {
  std::string session_id;
};

// An ERROR frame to send back. `ref` is null when the frame was not a JSON
// object; otherwise an object holding, when present:
//   - the request's type under the key it came in: "t", or else "event", or
//     else "method" (only if a string of at most 64 characters);
//   - each of "ref", "pingId", "sessionId", "sequence" and "id" that is a
//     scalar (null, boolean, number, or a string of at most 64 characters).
// e.g. {"t":"TIME_PING","pingId":7}. Long strings are left out so an error
// never echoes an attacker's payload back at full size.
struct ProtocolError {
  std::string code;
  std::string message;
  nlohmann::json ref;
};

using Inbound = std::variant<TimePing, LegacyTimeSync, DeviceTimeSync, JsonRpcTimesync, SubscribeTime, UnsubscribeTime, Auth,
                             SubscribeClock, UnsubscribeClock, StartClock, PauseClock, ResumeClock, StopClock,
                             JoinSession, LeaveSession, CreateRoom, JoinRoom, LeaveRoom, HostPlay, HostPause, HostSeek,
                             HostStop, Ready, ProtocolError>;

// Parses one text frame (protocol/flat_object.hpp: nesting deeper than
// max_json_depth is refused at the first container past it).
Inbound parse_inbound(std::string_view frame, std::size_t max_json_depth);

}  // namespace session_clock::worker::protocol
