// Every name the wire protocol uses (docs/protocol.md). Code refers to these
// constants, never to the strings.
#pragma once

namespace session_clock::worker::protocol {

// Values of the `t` field (and of the older dialects' `event`/`method`).
namespace message_type {
inline constexpr const char* kTimePing = "TIME_PING";
inline constexpr const char* kTimePong = "TIME_PONG";
inline constexpr const char* kSubscribeTime = "SUBSCRIBE_TIME";
inline constexpr const char* kUnsubscribeTime = "UNSUBSCRIBE_TIME";
inline constexpr const char* kSubscribed = "SUBSCRIBED";
inline constexpr const char* kUnsubscribed = "UNSUBSCRIBED";
inline constexpr const char* kAuth = "AUTH";
inline constexpr const char* kAuthOk = "AUTH_OK";
inline constexpr const char* kSubscribeClock = "SUBSCRIBE_CLOCK";
inline constexpr const char* kUnsubscribeClock = "UNSUBSCRIBE_CLOCK";
inline constexpr const char* kClockState = "CLOCK_STATE";
inline constexpr const char* kStartClock = "START_CLOCK";
inline constexpr const char* kPauseClock = "PAUSE_CLOCK";
inline constexpr const char* kResumeClock = "RESUME_CLOCK";
inline constexpr const char* kStopClock = "STOP_CLOCK";
inline constexpr const char* kClockChanged = "CLOCK_CHANGED";
inline constexpr const char* kJoinSession = "JOIN_SESSION";
inline constexpr const char* kLeaveSession = "LEAVE_SESSION";
inline constexpr const char* kJoined = "JOINED";
inline constexpr const char* kLeft = "LEFT";
// Playback rooms (docs/protocol.md, Rooms).
inline constexpr const char* kCreateRoom = "CREATE_ROOM";
inline constexpr const char* kJoinRoom = "JOIN_ROOM";
inline constexpr const char* kLeaveRoom = "LEAVE_ROOM";
inline constexpr const char* kHostPlay = "HOST_PLAY";
inline constexpr const char* kHostPause = "HOST_PAUSE";
inline constexpr const char* kHostSeek = "HOST_SEEK";
inline constexpr const char* kHostStop = "HOST_STOP";
inline constexpr const char* kReady = "READY";
inline constexpr const char* kRoomState = "ROOM_STATE";
inline constexpr const char* kPreparePlay = "PREPARE_PLAY";
inline constexpr const char* kPlayAt = "PLAY_AT";
inline constexpr const char* kPauseAt = "PAUSE_AT";
inline constexpr const char* kStopped = "STOPPED";
inline constexpr const char* kLeftRoom = "LEFT_ROOM";
inline constexpr const char* kError = "ERROR";
inline constexpr const char* kTimeUpdate = "time_update";
// Not a message: the metric label of frames the parser refused.
inline constexpr const char* kInvalid = "invalid";

// The older dialect: {"event":"time_sync.request", …}, and its devices' twin.
inline constexpr const char* kLegacyTimeSyncRequest = "time_sync.request";
inline constexpr const char* kLegacyTimeSyncResponse = "time_sync.response";
inline constexpr const char* kDeviceTimeSyncRequest = "device_time_sync.request";
inline constexpr const char* kDeviceTimeSyncResponse = "device_time_sync.response";

// JSON-RPC 2.0 as the `timesync` JavaScript library speaks it.
inline constexpr const char* kJsonRpcVersion = "2.0";
inline constexpr const char* kJsonRpcTimesync = "timesync";
}  // namespace message_type

// SUBSCRIBED/UNSUBSCRIBED topics.
namespace topic {
inline constexpr const char* kTime = "time";
inline constexpr const char* kClock = "clock";
}  // namespace topic

// The `code` of an ERROR frame.
namespace error_code {
inline constexpr const char* kBadJson = "bad_json";
inline constexpr const char* kBadMessage = "bad_message";
inline constexpr const char* kUnknownType = "unknown_type";
inline constexpr const char* kBadField = "bad_field";
inline constexpr const char* kUnauthorized = "unauthorized";
inline constexpr const char* kForbidden = "forbidden";
inline constexpr const char* kNotFound = "not_found";
inline constexpr const char* kInvalidTimezone = "invalid_timezone";
inline constexpr const char* kUnavailable = "unavailable";
inline constexpr const char* kRateLimited = "rate_limited";
inline constexpr const char* kConflict = "conflict";            // e.g. a room code already taken
inline constexpr const char* kInvalidState = "invalid_state";   // e.g. pause with nothing playing
inline constexpr const char* kSuperseded = "superseded";        // the user joined from another connection
inline constexpr const char* kLimitReached = "limit_reached";  // e.g. a room's guest places are all taken
}  // namespace error_code

// JSON-RPC 2.0 error codes (POST /timesync).
namespace jsonrpc_error {
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
}  // namespace jsonrpc_error

}  // namespace session_clock::worker::protocol
