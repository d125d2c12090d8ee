// The worker process: builds the shared context, starts the LISTEN
// connection, the ticker and the HTTP/WebSocket listener on N threads, and
// shuts everything down cleanly on SIGINT/SIGTERM (clients get 1001).
#pragma once

#include "config/options.hpp"

namespace session_clock::worker {

// Runs until a signal; returns the process exit status.
int run_app(Options options);

}  // namespace session_clock::worker
