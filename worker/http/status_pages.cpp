#include "http/status_pages.hpp"

#include <nlohmann/json.hpp>

#include "core/kernel_clock.hpp"

namespace session_clock::worker {

StatusPages::Health StatusPages::health() const {
  bool db_up = pool_.healthy();
  bool listener_up = listener_.connected();
  auto clock = nlohmann::json::parse(core::to_json(core::read_kernel_clock_status(), core::kDefaultServerLabel));
  bool ok = db_up && listener_up;
  auto body = nlohmann::json{{"status", ok ? "ok" : "degraded"},
                             {"database", {{"up", db_up}}},
                             {"listener", {{"up", listener_up}, {"reconnects", listener_.reconnects()}}},
                             {"clock", clock},
                             {"connections", metrics_.connections.load()},
                             {"workerId", worker_id_},
                             {"presence", {{"reported", presence_.size()}, {"pending", presence_.pending()}}},
                             {"serverNowMs", clock_.now_ms()}};
  return {ok, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

std::string StatusPages::metrics() const {
  return metrics_.prometheus_text(listener_.reconnects(), pool_.healthy(), listener_.connected());
}

}  // namespace session_clock::worker
