#include "protocol/refusal.hpp"

#include "protocol/message_types.hpp"

namespace session_clock::worker {

namespace error_code = protocol::error_code;

std::pair<const char*, std::string> refusal(const std::string& error, const std::string& sqlstate) {
  std::string message = error;
  if (message.rfind("ERROR:  ", 0) == 0) message = message.substr(8);
  message = message.substr(0, message.find('\n'));
  if (sqlstate == "42501") return {error_code::kForbidden, message};
  if (sqlstate == "P0002") return {error_code::kNotFound, message};
  if (sqlstate == "22023" || sqlstate == "22004") return {error_code::kBadField, message};
  if (sqlstate == "23505") return {error_code::kConflict, message};
  if (sqlstate == "55000") return {error_code::kInvalidState, message};
  return {error_code::kUnavailable, "the database is unavailable; retry"};
}

}  // namespace session_clock::worker
