#include "presence/presence_tracker.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "core/sql_error.hpp"

namespace session_clock::worker {

namespace net = boost::asio;

namespace {

// Answers that no retry can change: the session is gone, or the user is not
// (or no longer) one of its members.
bool final_refusal(const std::string& sqlstate) {
  return sqlstate == core::sqlstate::kNoDataFound || sqlstate == core::sqlstate::kInsufficientPrivilege;
}

}  // namespace

PresenceTracker::PresenceTracker(net::io_context& io, db::PresenceQueries& db, std::string worker_id)
    : io_(io), db_(db), worker_id_(std::move(worker_id)) {}

std::string PresenceTracker::new_device() {
  std::lock_guard lock(mutex_);
  return worker_id_ + "/" + std::to_string(++devices_);
}

void PresenceTracker::join(const std::string& session_id, const std::string& user, DeviceClaim claim) {
  std::lock_guard lock(mutex_);
  Key key{session_id, user};
  Entry& e = entries_[key];
  ++e.connections;
  e.claims.push_back(std::move(claim));
  flush(key);
}

// A claim not yet sent is dropped with its connection.
void PresenceTracker::leave(const std::string& session_id, const std::string& user, const std::string& device) {
  std::lock_guard lock(mutex_);
  Key key{session_id, user};
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.connections == 0) return;
  auto& claims = it->second.claims;
  bool sending = it->second.in_flight;
  for (auto c = claims.begin(); c != claims.end(); ++c)
    if (c->device == device && !(sending && c == claims.begin())) {
      claims.erase(c);
      break;
    }
  if (--it->second.connections == 0) flush(key);
}

void PresenceTracker::report_all() {
  std::lock_guard lock(mutex_);
  for (auto& [key, entry] : entries_) entry.reported.reset();
  for (auto& [key, entry] : entries_) flush(key);
}

std::size_t PresenceTracker::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::size_t PresenceTracker::pending() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& [key, entry] : entries_)
    if (entry.in_flight || entry.reported != (entry.connections > 0) || !entry.claims.empty()) ++n;
  return n;
}

// Sends the current wish unless a report is on its way (its completion
// flushes again) or the database already has it.
void PresenceTracker::flush(const Key& key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  Entry& e = it->second;
  bool present = e.connections > 0;
  if (e.in_flight || e.retry_scheduled) return;
  if (e.reported == present) {
    if (!present)
      entries_.erase(it);  // gone, and the database knows
    else if (!e.claims.empty())
      send_claim(key, e);
    return;
  }
  e.in_flight = true;
  // The answer is posted, never handled inline: a full database queue
  // answers at once, on this thread, with the mutex still held.
  db_.record(key.first, key.second, worker_id_, present,
                      [self = shared_from_this(), key, present](db::Failure failure) {
                        net::post(self->io_, [self, key, present, failure = std::move(failure)] {
                          self->on_reported(key, present, failure);
                        });
                      });
}

void PresenceTracker::send_claim(const Key& key, Entry& e) {
  e.in_flight = true;
  std::string device = e.claims.front().device;
  db_.claim_device(key.first, key.second, device,
                   [self = shared_from_this(), key, device](db::DeviceClaimed result) {
                     net::post(self->io_, [self, key, device, result = std::move(result)] {
                       self->on_claimed(key, device, result);
                     });
                   });
}

void PresenceTracker::on_claimed(const Key& key, const std::string& device, const db::DeviceClaimed& result) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  Entry& e = it->second;
  e.in_flight = false;
  if (!result.error.empty() && !final_refusal(result.sqlstate)) {
    spdlog::warn("presence: cannot claim {} for {} in {}: {}", device, key.second, key.first, result.error);
    return retry_later(key);
  }
  if (!e.claims.empty() && e.claims.front().device == device) {
    auto claimed = std::move(e.claims.front().claimed);
    e.claims.pop_front();
    claimed(result.error.empty() ? result.claim : std::nullopt);
  }
  flush(key);
}

void PresenceTracker::on_reported(const Key& key, bool present, const db::Failure& failure) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  Entry& e = it->second;
  e.in_flight = false;
  if (failure.error.empty() || final_refusal(failure.sqlstate)) {
    e.reported = present;  // a deleted session, or a removed member, has no presence to keep
  } else {
    spdlog::warn("presence: cannot report {} {} in {}: {}", key.second, present ? "present" : "gone", key.first,
                 failure.error);
    e.reported.reset();
    return retry_later(key);
  }
  flush(key);
}

void PresenceTracker::retry_later(const Key& key) {
  entries_[key].retry_scheduled = true;
  auto timer = std::make_shared<net::steady_timer>(io_, kRetryDelay);
  timer->async_wait([self = shared_from_this(), key, timer](boost::system::error_code) {
    std::lock_guard lock(self->mutex_);
    auto it = self->entries_.find(key);
    if (it == self->entries_.end()) return;
    it->second.retry_scheduled = false;
    self->flush(key);
  });
}

}  // namespace session_clock::worker
