// Server-time functions: what time it is on the database server, and how
// well the host's clock is disciplined. Callable by anyone, anon included.
#include <string>

#include "../core/kernel_clock.hpp"
#include "clock_result.hpp"
#include "settings.hpp"

namespace session_clock::pg {
namespace {

constexpr double kUnixEpochOffsetMs =
    static_cast<double>(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * 1000.0;

Datum jsonb_from_text(const std::string& text) {
  return pg_call([&] { return DirectFunctionCall1(jsonb_in, CStringGetDatum(text.c_str())); });
}

}  // namespace
}  // namespace session_clock::pg

using namespace session_clock;
using session_clock::pg::guard;

SESSION_CLOCK_FUNCTION(session_clock_server_now) {
  return guard([&] { return TimestampTzGetDatum(pg::server_now_us()); });
}

// Epoch milliseconds with microsecond precision: ~1.8e12 ms needs 41 bits of
// a double's 53, leaving the microseconds good to about 0.2 us.
SESSION_CLOCK_FUNCTION(session_clock_server_now_ms) {
  return guard([&] { return Float8GetDatum(pg::server_now_us() / 1000.0 + pg::kUnixEpochOffsetMs); });
}

SESSION_CLOCK_FUNCTION(session_clock_server_time_status) {
  return guard([&] {
    return pg::jsonb_from_text(core::to_json(core::read_kernel_clock_status(), pg::server_label()));
  });
}
