#include "livekit/room_service.hpp"

#include <boost/asio/ssl/context.hpp>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

#include "livekit/access_token.hpp"
#include "livekit/http_post.hpp"
#include "livekit/twirp_error.hpp"

namespace session_clock::worker::livekit {
namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

constexpr const char* kListRooms = "ListRooms";
constexpr const char* kListParticipants = "ListParticipants";

struct Credentials {
  const std::string& key;
  const std::string& secret;
};

// One Twirp call's answer: the body of a 2xx, or the Twirp error, or why
// there was no answer at all.
struct CallAnswer {
  std::optional<std::string> body;
  std::optional<TwirpError> twirp;
  std::string error;
};

RoomListingResult fail(const std::string& what) { return {std::nullopt, "livekit: " + what}; }

RoomListingResult fail_twirp(const TwirpError& error) {
  return fail(error.msg.empty() ? error.code : error.code + ": " + error.msg);
}

std::unique_ptr<boost::asio::ssl::context> trust_store_context() {
  auto tls = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
  tls->set_default_verify_paths();
  return tls;
}

std::string checked_credential(std::string value, const char* what) {
  if (value.empty()) throw std::invalid_argument(std::string("LiveKit API ") + what + " must not be empty");
  if (value.size() > RoomServiceClient::kMaxSecretBytes)
    throw std::invalid_argument(std::string("LiveKit API ") + what + " is too long");
  return value;
}

std::chrono::milliseconds checked_timeout(std::chrono::milliseconds timeout) {
  if (timeout.count() <= 0) throw std::invalid_argument("LiveKit RoomService timeout must be positive");
  return timeout;
}

CallAnswer call(const ServiceUrl& url, boost::asio::ssl::context* tls, Credentials credentials, const char* method,
                const VideoGrant& grant, const Json& request, std::size_t max_reply_bytes, Clock::time_point deadline,
                std::int64_t now_s) {
  HttpPost post{room_service_target(url, method),
                "Bearer " + sign_access_token(credentials.key, credentials.secret, grant, now_s), request.dump(),
                max_reply_bytes};
  auto outcome = post_json(url, tls, post, deadline);
  if (!outcome.reply) return {std::nullopt, std::nullopt, std::move(outcome.error)};
  auto& reply = *outcome.reply;
  if (reply.status >= 200 && reply.status < 300) return {std::move(reply.body), std::nullopt, {}};
  return {std::nullopt, read_twirp_error(reply.status, reply.content_type, reply.body), {}};
}

}  // namespace

RoomServiceClient::RoomServiceClient(std::string url, std::string api_key, std::string api_secret,
                                     std::chrono::milliseconds timeout)
    : url_(parse_service_url(url)),
      api_key_(checked_credential(std::move(api_key), "key")),
      api_secret_(checked_credential(std::move(api_secret), "secret")),
      timeout_(checked_timeout(timeout)),
      tls_(url_.tls ? trust_store_context() : nullptr) {}

RoomServiceClient::~RoomServiceClient() = default;
RoomServiceClient::RoomServiceClient(RoomServiceClient&&) noexcept = default;
RoomServiceClient& RoomServiceClient::operator=(RoomServiceClient&&) noexcept = default;

RoomListingResult RoomServiceClient::list_room(const std::string& room_name, std::int64_t now_s) const noexcept {
  try {
    return list_room_unguarded(room_name, now_s);
  } catch (...) {
    return RoomListingResult{std::nullopt, "livekit: internal error"};  // fits the small-string buffer
  }
}

// ListRooms for the one name first: a room that is not there needs no second
// call, and the room's sid only comes from it.
RoomListingResult RoomServiceClient::list_room_unguarded(const std::string& room_name, std::int64_t now_s) const {
  auto deadline = Clock::now() + timeout_;
  Credentials credentials{api_key_, api_secret_};
  auto rooms = call(url_, tls_.get(), credentials, kListRooms, VideoGrant{true, false, {}},
                    Json{{"names", Json::array({room_name})}}, kMaxListRoomsBytes, deadline, now_s);
  if (!rooms.error.empty()) return fail(rooms.error);
  if (rooms.twirp) return fail_twirp(*rooms.twirp);
  auto room = read_listed_room(*rooms.body, room_name);
  if (!room.error.empty()) return fail("ListRooms: " + room.error);
  if (!room.exists) return {RoomListing{}, {}};
  return list_participants(room_name, std::move(room.sid), deadline, now_s);
}

RoomListingResult RoomServiceClient::list_participants(const std::string& room_name, std::string room_sid,
                                                       std::chrono::steady_clock::time_point deadline,
                                                       std::int64_t now_s) const {
  auto answer =
      call(url_, tls_.get(), Credentials{api_key_, api_secret_}, kListParticipants, VideoGrant{false, true, room_name},
           Json{{"room", room_name}}, kMaxListParticipantsBytes, deadline, now_s);
  if (!answer.error.empty()) return fail(answer.error);
  if (answer.twirp && answer.twirp->code == kTwirpNotFound) return {RoomListing{}, {}};  // ended meanwhile
  if (answer.twirp) return fail_twirp(*answer.twirp);
  auto present = read_listed_participants(*answer.body);
  if (!present.present) return fail("ListParticipants: " + present.error);
  return {RoomListing{true, std::move(room_sid), std::move(*present.present)}, {}};
}

}  // namespace session_clock::worker::livekit
