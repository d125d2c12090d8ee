#include "http/status_pages.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/kernel_clock.hpp"

namespace session_clock::worker {

namespace {

// JSON has no infinity or NaN: an unknown value is null.
nlohmann::json finite_or_null(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }

// Milliseconds to the microsecond, as everything else on the wire.
double micros(double ms) { return std::round(ms * 1000.0) / 1000.0; }

}  // namespace

// The served time is the database's (time/server_clock.hpp): databaseClock
// says how far this host's wall clock is from it (offsetMs), how far the
// served time may be off (errorMs, null until measured) and when it was last
// read (measuredAt, the database's epoch ms). Degraded when that bound
// exceeds --database-clock-max-error-ms, or was never measured: the worker
// keeps serving its last estimate, but says it cannot back its accuracy.
StatusPages::Health StatusPages::health() const {
  bool db_up = pool_.healthy();
  bool listener_up = listener_.connected();
  auto clock = nlohmann::json::parse(core::to_json(core::read_kernel_clock_status(), core::kDefaultServerLabel));
  auto db_clock = clock_.status();
  bool ok = db_up && listener_up && db_clock.within_bound;
  auto body = nlohmann::json{{"status", ok ? "ok" : "degraded"},
                             {"database", {{"up", db_up}}},
                             {"listener", {{"up", listener_up}, {"reconnects", listener_.reconnects()}}},
                             {"clock", clock},
                             {"databaseClock",
                              {{"measured", db_clock.measured},
                               {"offsetMs", db_clock.measured ? nlohmann::json(micros(db_clock.offset_ms)) : nullptr},
                               {"errorMs", finite_or_null(micros(db_clock.error_ms))},
                               {"measuredAt", finite_or_null(micros(db_clock.measured_at_ms))},
                               {"ageMs", finite_or_null(micros(db_clock.age_ms))},
                               {"delayMs", finite_or_null(micros(db_clock.delay_ms))},
                               {"withinBound", db_clock.within_bound}}},
                             {"connections", metrics_.connections.load()},
                             {"workerId", worker_id_},
                             {"presence", {{"reported", presence_.size()}, {"pending", presence_.pending()}}},
                             {"serverNowMs", clock_.now_ms()}};
  return {ok, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

std::string StatusPages::metrics() const {
  auto s = clock_.status();
  return metrics_.prometheus_text(listener_.reconnects(), pool_.healthy(), listener_.connected(),
                                  {s.measured, s.offset_ms, s.error_ms, s.age_ms});
}

}  // namespace session_clock::worker
