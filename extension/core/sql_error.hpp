// An error meant for the SQL caller: a SQLSTATE plus a lower-case message.
// Thrown by the pure core; the pg/ guard turns it into ereport(ERROR) once
// every C++ frame has unwound.
#pragma once
#ifdef POSTGRES_H
#error "pure core headers must be included before postgres.h"
#endif

#include <stdexcept>
#include <string>

namespace session_clock::core {

// SQLSTATEs this extension raises, named once.
namespace sqlstate {
inline constexpr const char* kNullValueNotAllowed = "22004";
inline constexpr const char* kInvalidParameterValue = "22023";
inline constexpr const char* kNumericValueOutOfRange = "22003";
inline constexpr const char* kNoDataFound = "P0002";
inline constexpr const char* kInsufficientPrivilege = "42501";
inline constexpr const char* kObjectNotInPrerequisiteState = "55000";
inline constexpr const char* kUniqueViolation = "23505";
inline constexpr const char* kInternalError = "XX000";
inline constexpr const char* kProgramLimitExceeded = "54000";
}  // namespace sqlstate

class SqlError : public std::runtime_error {
 public:
  SqlError(const char* sqlstate, const std::string& message, std::string detail = {})
      : std::runtime_error(message), detail_(std::move(detail)) {
    for (int i = 0; i < 5; ++i) sqlstate_[i] = sqlstate[i];
    sqlstate_[5] = '\0';
  }
  const char* sqlstate() const noexcept { return sqlstate_; }
  const std::string& detail() const noexcept { return detail_; }

 private:
  char sqlstate_[6];
  std::string detail_;
};

}  // namespace session_clock::core
