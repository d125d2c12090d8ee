#include "fanout/room_hub.hpp"

#include <algorithm>
#include <utility>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>


namespace session_clock::worker {

namespace net = boost::asio;
using namespace std::chrono;

namespace {

constexpr int kMinLeadMs = 250;
constexpr int kMaxLeadMs = 3000;

Frame frame_of(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

}  // namespace

RoomHub::RoomHub(net::io_context& io, db::RoomQueries& db, Metrics& metrics, const ServerClock& clock)
    : io_(io), db_(db), metrics_(metrics), clock_(clock) {}

void RoomHub::enter(const protocol::RoomView& view, std::weak_ptr<Subscriber> member, const Subscriber* key,
                    const std::string& user, double rtt_ms) {
  std::lock_guard lock(mutex_);
  Room& room = rooms_[view.code];
  bool known = !room.playback.empty();
  auto subscriber = member.lock();
  room.members[key] = Member{std::move(member), user, rtt_ms};
  apply_locked(room, view);  // a first sight announces a pending play to everyone here, the newcomer included
  bool pending = view.status == "playing" && view.start_at_us &&
                 static_cast<double>(*view.start_at_us) > clock_.now_ms() * 1000;
  if (known && pending && subscriber && room.version == view.version)
    subscriber->push(frame_of(protocol::prepare_play(view)));
}

void RoomHub::leave(const std::string& code, const Subscriber* key) {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(code);
  if (it == rooms_.end()) return;
  it->second.members.erase(key);
  if (it->second.members.empty()) {
    if (it->second.play_timer) it->second.play_timer->cancel();
    rooms_.erase(it);
  }
}

void RoomHub::update_rtt(const std::string& code, const Subscriber* key, double rtt_ms) {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(code);
  if (it == rooms_.end()) return;
  auto member = it->second.members.find(key);
  if (member != it->second.members.end()) member->second.rtt_ms = rtt_ms;
}

// Jellyfin's rule of thumb, bounded: twice the slowest round trip (the
// frame must reach everyone, with margin) plus time to buffer.
std::optional<int> RoomHub::lead_ms(const std::string& code) const {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(code);
  if (it == rooms_.end() || it->second.members.empty()) return std::nullopt;
  double slowest = 0;
  for (const auto& [key, m] : it->second.members) {
    if (m.rtt_ms < 0) return std::nullopt;
    slowest = std::max(slowest, m.rtt_ms);
  }
  return std::clamp(static_cast<int>(2 * slowest + kPreparationMs), kMinLeadMs, kMaxLeadMs);
}

void RoomHub::tell_host(Room& room, const Frame& frame) {
  for (auto& [key, m] : room.members)
    if (m.user == room.host)
      if (auto s = m.subscriber.lock()) s->push(frame);
}

void RoomHub::broadcast(Room& room, const Frame& frame) {
  for (auto& [key, m] : room.members)
    if (auto s = m.subscriber.lock()) s->push(frame);
  metrics_.pushes += room.members.size();
}

namespace {

// What members act on; a new version that keeps it (a hand-over) announces
// nothing but the state. Judged from the state itself, not from which
// NOTIFY led to the read: reads coalesce.
std::string playback_key(const protocol::RoomView& v) {
  return v.status + '|' + std::to_string(v.start_at_us.value_or(0)) + '|' + std::to_string(v.start_position_ms) +
         '|' + v.track_url;
}

}  // namespace

// Each change is told once, in small frames: a play's PREPARE_PLAY at once
// and PLAY_AT at its instant, a pause's PAUSE_AT, a stop's STOPPED; a new
// version that leaves the playback as it was (a hand-over) sends the state.
// Joins, leaves and READY (same version) update the host's view only: a
// room of thousands is not sent its member list on every join.
void RoomHub::apply(const protocol::RoomView& view) {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(view.code);
  if (it == rooms_.end()) return;  // nobody here is in it
  apply_locked(it->second, view);
}

void RoomHub::apply_locked(Room& room, const protocol::RoomView& view) {
  bool newer = view.version > room.version;
  if (!newer && (view.version < room.version || view.members == room.member_list)) return;
  room.member_list = view.members;
  room.host = view.host;
  if (!newer) return tell_host(room, frame_of(protocol::room_state(view, clock_.now_ms())));
  room.version = view.version;
  std::string key = playback_key(view);
  bool first = room.playback.empty();  // this worker's first sight of the room
  if (key == room.playback) {
    if (!first) broadcast(room, frame_of(protocol::room_state(view, clock_.now_ms())));
    return;
  }
  room.playback = key;
  if (room.play_timer) room.play_timer->cancel();
  bool pending = view.start_at_us && static_cast<double>(*view.start_at_us) > clock_.now_ms() * 1000;
  if (view.status == "playing" && (!first || pending)) {
    broadcast(room, frame_of(protocol::prepare_play(view)));
    schedule_play_at(view.code, room, view);
  } else if (view.status == "paused" && !first) {
    broadcast(room, frame_of(protocol::pause_at(view)));
  } else if (view.status == "idle" && !first) {
    broadcast(room, frame_of(protocol::stopped(view)));
  }
}

// The start instant is the database's time; the timer runs on this host's
// monotonic clock at the instant the measured offset maps it to
// (ServerClock::steady_at), so this host's wall clock cannot move it. A start
// already past fires at once.
void RoomHub::schedule_play_at(const std::string& code, Room& room, const protocol::RoomView& view) {
  if (!view.start_at_us) return;
  auto timer = std::make_shared<net::steady_timer>(io_);
  room.play_timer = timer;
  wait_for_start(timer, code, view.version, static_cast<double>(*view.start_at_us) / 1000.0,
                 frame_of(protocol::play_at(view)));
}

// The offset may have changed while the timer ran (the worker's first
// reading of the database's clock, set at start-up from a resync, can step
// it by seconds): on waking early by the database's clock, wait the rest.
void RoomHub::wait_for_start(std::shared_ptr<net::steady_timer> timer, const std::string& code,
                             std::int64_t version, double start_ms, Frame frame) {
  timer->expires_at(clock_.steady_at(start_ms));
  timer->async_wait([self = shared_from_this(), timer, code, version, start_ms, frame](boost::system::error_code ec) {
    if (ec) return;
    std::lock_guard lock(self->mutex_);
    auto it = self->rooms_.find(code);
    if (it == self->rooms_.end() || it->second.version != version) return;  // superseded
    if (self->clock_.now_ms() < start_ms - kEarlyToleranceMs)
      return self->wait_for_start(timer, code, version, start_ms, frame);
    self->broadcast(it->second, frame);
  });
}

// A NOTIFY {"event":"room_…","room":"CODE","version":N}; rooms nobody here
// is in are not read.
void RoomHub::on_change(const std::string& code, const std::string& event, std::int64_t version) {
  std::string change = event.rfind("room_", 0) == 0 ? event.substr(5) : event;
  {
    std::lock_guard lock(mutex_);
    auto it = rooms_.find(code);
    if (it == rooms_.end()) return;
    // Joins, leaves and READY keep the version: read them at the version we
    // have. Any other change bumps it: the version we have (a command this
    // worker applied from its own answer) is already told.
    bool keeps_version = change == "join" || change == "leave" || change == "ready";
    if (version < it->second.version || (!keeps_version && version == it->second.version)) return;
    if (!reads_.ring(code)) return;
  }
  read(code);
}

void RoomHub::resync() {
  std::vector<std::string> codes;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [code, room] : rooms_)
      if (reads_.ring(code)) codes.push_back(code);
  }
  for (const auto& code : codes) read(code);
}

void RoomHub::read(const std::string& code) {
  db_.call({"session_clock_room_state", {code}}, [self = shared_from_this(), code](db::RoomRead read) {
    net::post(self->io_, [self, code, read = std::move(read)] {
      if (read.room)
        self->apply(protocol::room_view(*read.room));
      else if (!read.error.empty())
        spdlog::warn("rooms: cannot read room {}: {}", code, read.error);
      bool again = false;
      {
        std::lock_guard lock(self->mutex_);
        again = self->reads_.finished(code);
        if (again && !self->rooms_.count(code)) {  // everyone here left meanwhile
          self->reads_.drop(code);
          again = false;
        }
      }
      if (again) self->read(code);
    });
  });
}

}  // namespace session_clock::worker
