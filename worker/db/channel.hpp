// Sending on the extension's NOTIFY channel (the listener's start-up
// self-test: a NOTIFY must come back to our LISTEN connection).
#pragma once

#include <functional>
#include <string>

namespace session_clock::worker::db {

class Pool;

void notify(Pool& pool, std::string payload, std::function<void(std::string error)> done);

}  // namespace session_clock::worker::db
