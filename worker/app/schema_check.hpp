// At start (and after every reconnect of the LISTEN connection, the first
// moment the database is known to be reachable): does the database have
// session_clock at a version this worker speaks? If not, the worker exits
// with status 4 and a message saying what to run. An unreachable database is
// not a verdict: time sync keeps working and the check runs on connect.
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/pool.hpp"

namespace session_clock::worker {

// Where a database can hold session_clock, in order of preference, and how
// each says which version it is. A query that fails because its function or
// schema does not exist means "not this edition".
struct Edition {
  const char* name;           // for messages
  const char* version_query;  // one row, one text column; no row or NULL: absent
  const char* update_hint;    // what to run when its version is too old
};
inline constexpr std::array<Edition, 2> kEditions{{
    {"the session_clock extension", "SELECT extversion FROM pg_extension WHERE extname = 'session_clock'",
     "ALTER EXTENSION session_clock UPDATE"},
    // portable/session_clock.sql, for databases that load no C library.
    {"the portable edition", "SELECT session_clock.portable_version()", "psql -f portable/session_clock.sql"},
}};

// The versions of the SQL API this worker speaks (the control file's
// default_version among them: tests/packaging checks).
inline constexpr std::array<const char*, 1> kSupportedVersions{{"1.3"}};

struct SchemaVerdict {
  enum class Outcome { supported, missing, too_old, too_new };
  Outcome outcome;
  std::string message;  // one sentence for the log; what to run when not supported
};

// found[i]: the version kEditions[i] reported, if it is installed.
SchemaVerdict judge_schema(const std::vector<std::optional<std::string>>& found);

class SchemaCheck : public std::enable_shared_from_this<SchemaCheck> {
 public:
  // fail runs (once) when the database answers with no supported edition.
  SchemaCheck(db::Pool& pool, std::function<void()> fail) : pool_(pool), fail_(std::move(fail)) {}
  void start();
  bool passed() const { return passed_; }

 private:
  db::Pool& pool_;
  std::function<void()> fail_;
  std::atomic<bool> passed_{false};
};

}  // namespace session_clock::worker
