#include "protocol/refusal.hpp"

#include "core/sql_error.hpp"
#include "protocol/message_types.hpp"

namespace session_clock::worker::protocol {

namespace sql = core::sqlstate;

std::pair<const char*, std::string> refusal(const std::string& error, const std::string& sqlstate) {
  std::string message = error;
  if (message.rfind("ERROR:  ", 0) == 0) message = message.substr(8);
  message = message.substr(0, message.find('\n'));
  if (sqlstate == sql::kInsufficientPrivilege) return {error_code::kForbidden, message};
  if (sqlstate == sql::kNoDataFound) return {error_code::kNotFound, message};
  if (sqlstate == sql::kInvalidParameterValue || sqlstate == sql::kNullValueNotAllowed) return {error_code::kBadField, message};
  if (sqlstate == sql::kUniqueViolation) return {error_code::kConflict, message};
  if (sqlstate == sql::kObjectNotInPrerequisiteState) return {error_code::kInvalidState, message};
  if (sqlstate == sql::kProgramLimitExceeded) return {error_code::kLimitReached, message};
  return {error_code::kUnavailable, "the database is unavailable; retry"};
}

}  // namespace session_clock::worker::protocol
