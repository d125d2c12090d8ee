// GET /healthz and GET /metrics: the worker's health (database, LISTEN
// connection, host clock, the database clock it serves, connections,
// presence reports) and its Prometheus
// counters. Database error texts (hosts, roles) go to the log only.
#pragma once

#include <string>

#include "db/notification_listener.hpp"
#include "db/pool.hpp"
#include "metrics/metrics.hpp"
#include "presence/presence_tracker.hpp"
#include "time/server_clock.hpp"

namespace session_clock::worker {

class StatusPages {
 public:
  StatusPages(const db::Pool& pool, const db::NotificationListener& listener, const Metrics& metrics,
              const PresenceTracker& presence, std::string worker_id, const ServerClock& clock)
      : pool_(pool), listener_(listener), metrics_(metrics), presence_(presence), worker_id_(std::move(worker_id)),
        clock_(clock) {}

  struct Health {
    bool ok;  // false: 503, "degraded" (time sync keeps working)
    std::string body;
  };
  Health health() const;
  std::string metrics() const;

 private:
  const db::Pool& pool_;
  const db::NotificationListener& listener_;
  const Metrics& metrics_;
  const PresenceTracker& presence_;
  std::string worker_id_;
  const ServerClock& clock_;
};

}  // namespace session_clock::worker
