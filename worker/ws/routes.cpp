#include "ws/routes.hpp"

#include <type_traits>
#include <variant>

#include "protocol/message_types.hpp"
#include "protocol/outbound.hpp"

namespace session_clock::worker {

namespace {

namespace type = protocol::message_type;
using namespace protocol;

template <typename T, std::size_t I = 0>
constexpr std::size_t index_of() {
  if constexpr (std::is_same_v<std::variant_alternative_t<I, Inbound>, T>)
    return I;
  else
    return index_of<T, I + 1>();
}

// Puts the route for message type M at M's index; handle gets M itself.
template <typename M, typename Handle>
void place(std::vector<Route>& table, const char* name, Handle handle) {
  table[index_of<M>()] = {name, [handle](Features& f, const Inbound& m, double at) { handle(f, std::get<M>(m), at); }};
}

std::vector<Route> build() {
  std::vector<Route> t(std::variant_size_v<Inbound>);
  // Time
  place<TimePing>(t, type::kTimePing, [](Features& f, const TimePing& m, double at) { f.time.on_ping(m, at); });
  place<LegacyTimeSync>(t, type::kLegacyTimeSyncRequest,
                        [](Features& f, const LegacyTimeSync& m, double at) { f.time.on_legacy(m, at); });
  place<DeviceTimeSync>(t, type::kDeviceTimeSyncRequest,
                        [](Features& f, const DeviceTimeSync& m, double at) { f.time.on_device(m, at); });
  place<JsonRpcTimesync>(t, type::kJsonRpcTimesync,
                         [](Features& f, const JsonRpcTimesync& m, double) { f.time.on_jsonrpc(m); });
  place<SubscribeTime>(t, type::kSubscribeTime, [](Features& f, const SubscribeTime& m, double) { f.ticks.on_subscribe(m); });
  place<UnsubscribeTime>(t, type::kUnsubscribeTime,
                         [](Features& f, const UnsubscribeTime& m, double) { f.ticks.on_unsubscribe(m); });
  // Identity and live clocks
  place<Auth>(t, type::kAuth, [](Features& f, const Auth& m, double) { f.identity.on_auth(m); });
  place<SubscribeClock>(t, type::kSubscribeClock,
                        [](Features& f, const SubscribeClock& m, double) { f.follows.on_subscribe(m); });
  place<UnsubscribeClock>(t, type::kUnsubscribeClock,
                          [](Features& f, const UnsubscribeClock& m, double) { f.follows.on_unsubscribe(m); });
  place<StartClock>(t, type::kStartClock, [](Features& f, const StartClock& m, double) { f.commands.on(m); });
  place<PauseClock>(t, type::kPauseClock, [](Features& f, const PauseClock& m, double) { f.commands.on(m); });
  place<ResumeClock>(t, type::kResumeClock, [](Features& f, const ResumeClock& m, double) { f.commands.on(m); });
  place<StopClock>(t, type::kStopClock, [](Features& f, const StopClock& m, double) { f.commands.on(m); });
  // Presence
  place<JoinSession>(t, type::kJoinSession, [](Features& f, const JoinSession& m, double) { f.presence.on_join(m); });
  place<LeaveSession>(t, type::kLeaveSession, [](Features& f, const LeaveSession& m, double) { f.presence.on_leave(m); });
  // Rooms
  place<CreateRoom>(t, type::kCreateRoom, [](Features& f, const CreateRoom& m, double) { f.rooms.on_create(m); });
  place<JoinRoom>(t, type::kJoinRoom, [](Features& f, const JoinRoom& m, double) { f.rooms.on_join(m); });
  place<LeaveRoom>(t, type::kLeaveRoom, [](Features& f, const LeaveRoom& m, double) { f.rooms.on_leave(m); });
  place<HostPlay>(t, type::kHostPlay, [](Features& f, const HostPlay& m, double) { f.rooms.on_play(m); });
  place<HostPause>(t, type::kHostPause, [](Features& f, const HostPause& m, double) { f.rooms.on_pause(m); });
  place<HostSeek>(t, type::kHostSeek, [](Features& f, const HostSeek& m, double) { f.rooms.on_seek(m); });
  place<HostStop>(t, type::kHostStop, [](Features& f, const HostStop& m, double) { f.rooms.on_stop(m); });
  place<Ready>(t, type::kReady, [](Features& f, const Ready& m, double) { f.rooms.on_ready(m); });
  // A frame the parser refused: its ERROR.
  place<ProtocolError>(t, type::kInvalid,
                       [](Features& f, const ProtocolError& m, double) { f.out.send_error(m.code.c_str(), m.message, m.ref); });
  return t;
}

}  // namespace

const std::vector<Route>& routes() {
  static const std::vector<Route> table = build();
  return table;
}

std::vector<const char*> route_names() {
  std::vector<const char*> names;
  for (const auto& route : routes()) names.push_back(route.type);
  return names;
}

}  // namespace session_clock::worker
