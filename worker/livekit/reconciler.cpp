#include "livekit/reconciler.hpp"

#include <boost/asio/post.hpp>
#include <future>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace session_clock::worker::livekit {

namespace net = boost::asio;
using namespace std::chrono;

namespace {

// After a pass that could not finish: soon, but not in a loop.
constexpr milliseconds kRetryDelay{5000};

// Runs an asynchronous database call and waits for its answer (the pass
// thread may block; the database's own threads answer).
template <typename Result, typename Call>
Result wait_for(Call call) {
  std::promise<Result> answer;
  auto future = answer.get_future();
  call([&answer](Result result) { answer.set_value(std::move(result)); });
  return future.get();
}

std::string participants_json(const RoomListing& listing) {
  auto list = nlohmann::json::array();
  for (const auto& p : listing.participants) list.push_back({{"sid", p.sid}, {"identity", p.identity}});
  return list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

Reconciler::Reconciler(net::io_context& io, db::LiveKitQueries& db, Metrics& metrics, const ServerClock& clock,
                                     RoomServiceClient client, milliseconds interval)
    : io_(io), db_(db), metrics_(metrics), clock_(clock), client_(std::move(client)), interval_(interval), timer_(io) {}

void Reconciler::start() {
  const auto& url = client_.url();
  spdlog::info("livekit: reconciling presence with {}://{}{} every {} s", url.tls ? "https" : "http", url.host_header,
               url.path_prefix, duration_cast<seconds>(interval_).count());
  net::post(io_, [self = shared_from_this()] { self->schedule(self->interval_); });
}

void Reconciler::poke() {
  net::post(io_, [self = shared_from_this()] { self->begin_pass(); });
}

void Reconciler::stop() {
  stopped_ = true;
  net::post(io_, [self = shared_from_this()] { self->timer_.cancel(); });
}

void Reconciler::join() {
  stopped_ = true;
  pass_thread_.join();
}

void Reconciler::schedule(milliseconds delay) {
  timer_.expires_after(delay);
  timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) self->begin_pass();
  });
}

void Reconciler::begin_pass() {
  if (stopped_) return;
  if (running_) {
    again_ = true;
    return;
  }
  running_ = true;
  timer_.cancel();
  net::post(pass_thread_, [self = shared_from_this()] {
    bool ok = self->pass();
    net::post(self->io_, [self, ok] { self->end_pass(ok); });
  });
}

void Reconciler::end_pass(bool ok) {
  running_ = false;
  if (ok && failing_) spdlog::info("livekit: reconciliation works again");
  failing_ = !ok;
  if (stopped_) return;
  if (again_) {
    again_ = false;
    return begin_pass();
  }
  schedule(ok ? interval_ : std::min(interval_, kRetryDelay));
}

bool Reconciler::pass() {
  auto due = wait_for<db::RoomsToReconcile>(
      [&](auto done) { db_.rooms_to_reconcile(kMaxRoomsPerPass, std::move(done)); });
  if (!due.error.empty()) {
    metrics_.livekit_reconcile_failures++;
    spdlog::warn("livekit: cannot list rooms to reconcile: {}", due.error);
    return false;
  }
  for (const auto& room : due.rooms) {
    if (stopped_) return true;
    if (!reconcile(room)) return false;  // LiveKit or the database is away: the next pass redoes them all
  }
  return true;
}

bool Reconciler::reconcile(const db::ReconcileRoom& room) {
  auto asked = client_.list_room(room.room_name, clock_.now_s());
  if (!asked.listing) {
    metrics_.livekit_reconcile_failures++;
    spdlog::warn("livekit: cannot list room {}: {}", room.room_name, asked.error);
    return false;
  }
  const auto& listing = *asked.listing;
  std::optional<std::string> room_sid;
  if (listing.exists) room_sid = listing.room_sid;
  auto outcome = wait_for<db::ReconcileOutcome>([&](auto done) {
    db_.reconcile(room, room_sid, participants_json(listing), std::move(done));
  });
  if (!outcome.error.empty()) {
    metrics_.livekit_reconcile_failures++;
    spdlog::warn("livekit: cannot reconcile room {}: {}", room.room_name, outcome.error);
    return false;
  }
  metrics_.livekit_rooms_reconciled++;
  metrics_.livekit_reconcile_changes += static_cast<std::uint64_t>(outcome.changed);
  if (outcome.changed > 0)
    spdlog::info("livekit: room {} reconciled: {} participant(s) changed (webhooks were missed)", room.room_name,
                 outcome.changed);
  return true;
}

}  // namespace session_clock::worker::livekit
