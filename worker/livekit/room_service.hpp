// LiveKit's RoomService, asked who is in a room right now: the worker
// reconciles presence with it, since LiveKit retries a failed webhook only for
// a while. Two Twirp calls (JSON over HTTP POST, Authorization: Bearer with a
// short-lived token carrying just the grant each call needs): ListRooms for
// the one name, and ListParticipants if the room exists.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "livekit/room_listing.hpp"
#include "livekit/service_url.hpp"

namespace boost::asio::ssl {
class context;
}

namespace session_clock::worker::livekit {

class RoomServiceClient {
 public:
  static constexpr std::chrono::milliseconds kDefaultTimeout{5000};
  static constexpr std::size_t kMaxSecretBytes = 64 * 1024;  // libjwt and OpenSSL take an int length

  // url: LiveKit's URL as users give it (service_url.hpp). Throws
  // std::invalid_argument if it is unusable, the key or secret is empty, or
  // the timeout is not positive. For https, loads the system's trust store
  // (OpenSSL's default paths) once, here.
  RoomServiceClient(std::string url, std::string api_key, std::string api_secret,
                    std::chrono::milliseconds timeout = kDefaultTimeout);
  ~RoomServiceClient();
  RoomServiceClient(RoomServiceClient&&) noexcept;
  RoomServiceClient& operator=(RoomServiceClient&&) noexcept;

  // Blocking, bounded by the timeout as a whole; the caller runs it on its own
  // thread. Thread-safe (const). A room that is gone, by ListRooms or by
  // ListParticipants answering not_found (it ended between the two calls), is
  // exists=false, not an error. Errors read "livekit: <what>", e.g.
  // "livekit: unauthenticated: permissions denied". Never throws.
  // now_s: the server's time (Unix seconds), for the tokens' nbf and exp.
  RoomListingResult list_room(const std::string& room_name, std::int64_t now_s) const noexcept;

  const ServiceUrl& url() const { return url_; }

 private:
  RoomListingResult list_room_unguarded(const std::string& room_name, std::int64_t now_s) const;
  RoomListingResult list_participants(const std::string& room_name, std::string room_sid,
                                      std::chrono::steady_clock::time_point deadline, std::int64_t now_s) const;

  ServiceUrl url_;
  std::string api_key_, api_secret_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<boost::asio::ssl::context> tls_;  // only for https
};

}  // namespace session_clock::worker::livekit
