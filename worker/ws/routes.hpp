// The one dispatch table: every inbound message type, the feature that
// handles it, and the name /metrics counts it under. There is one route per
// protocol::Inbound alternative, at that alternative's index, so a message
// type cannot be parsed and then left unhandled or uncounted.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "protocol/inbound.hpp"
#include "ws/features.hpp"

namespace session_clock::worker {

struct Route {
  const char* type;  // the wire name, and the metric label ("invalid" for refused frames)
  std::function<void(Features& features, const protocol::Inbound& message, double receive_ms)> handle;
};

// Indexed by protocol::Inbound::index().
const std::vector<Route>& routes();

// The metric labels, in route order (Metrics counts messages by route).
std::vector<const char*> route_names();

}  // namespace session_clock::worker
