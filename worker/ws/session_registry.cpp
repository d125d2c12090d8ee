#include "ws/session_registry.hpp"

#include "ws/ws_session.hpp"

namespace session_clock::worker {

bool SessionRegistry::add(const WsSession* key, std::weak_ptr<WsSession> session) {
  std::lock_guard lock(mutex_);
  if (shutting_down_) return false;
  sessions_.emplace(key, std::move(session));
  return true;
}

void SessionRegistry::remove(const WsSession* key) {
  std::lock_guard lock(mutex_);
  sessions_.erase(key);
}

void SessionRegistry::close_all() {
  {
    std::lock_guard lock(mutex_);
    shutting_down_ = true;
  }
  for (auto& session : live()) session->shutdown();
}

void SessionRegistry::revoke(const std::string& session_id, const std::string& user) {
  for (auto& session : live()) session->revoke(session_id, user);
}

void SessionRegistry::device_claimed(const std::string& session_id, const std::string& user, const std::string& device,
                                     std::int64_t claim) {
  for (auto& session : live()) session->device_claimed(session_id, user, device, claim);
}

std::vector<std::shared_ptr<WsSession>> SessionRegistry::live() {
  std::vector<std::shared_ptr<WsSession>> sessions;
  std::lock_guard lock(mutex_);
  for (auto& [key, weak] : sessions_)
    if (auto session = weak.lock()) sessions.push_back(std::move(session));
  return sessions;
}

}  // namespace session_clock::worker
