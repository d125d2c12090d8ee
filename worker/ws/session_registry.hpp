// The live WebSocket connections of this worker: shutdown closes each with
// 1001 (and admits no new one); a member's removal and a device claim reach
// every connection. Each call copies the live connections under the lock and
// acts on them outside it.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace session_clock::worker {

class WsSession;

class SessionRegistry {
 public:
  // False once shutting down: the connection should close at once.
  bool add(const WsSession* key, std::weak_ptr<WsSession> session);
  void remove(const WsSession* key);
  void close_all();  // shutting down: 1001 to everyone, no new connections
  void revoke(const std::string& session_id, const std::string& user);
  void device_claimed(const std::string& session_id, const std::string& user, const std::string& device,
                      std::int64_t claim);

 private:
  std::vector<std::shared_ptr<WsSession>> live();

  std::mutex mutex_;
  std::unordered_map<const WsSession*, std::weak_ptr<WsSession>> sessions_;
  bool shutting_down_ = false;
};

}  // namespace session_clock::worker
