// session-clock-worker: runs beside the database; browsers and devices
// connect to it. Today it parses its configuration and reports the host
// clock; the servers arrive in the next steps and it refuses to pretend.
#include <iostream>

#include "config/options.hpp"
#include "core/kernel_clock.hpp"

int main(int argc, char** argv) {
  auto parsed = session_clock::worker::parse_options(argc, argv);
  if (!parsed.options) return parsed.exit_status;
  std::cerr << "session-clock-worker: host clock "
            << session_clock::core::to_json(session_clock::core::read_kernel_clock_status()) << "\n"
            << "session-clock-worker: the WebSocket server is not built yet\n";
  return 2;
}
