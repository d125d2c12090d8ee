// session-clock-worker: the process that runs beside the database (issue 3
// builds it out: LISTEN, WebSocket time sync, live clock pushes). Today it
// knows its flags and reports the host clock, and refuses to pretend more.
#include <cstring>
#include <iostream>

#include "core/kernel_clock.hpp"

namespace {

constexpr const char* kUsage = R"(usage: session-clock-worker [options]

Runs beside a PostgreSQL database with the session_clock extension.

options:
  --help              print this help and exit
  --clock-status      print the host clock discipline (as the extension's
                      session_clock.server_time_status()) as JSON and exit

The listener, WebSocket server and presence logic are not built yet; started
without one of the options above the worker exits with status 2.
)";

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::cout << kUsage;
      return 0;
    }
    if (std::strcmp(argv[i], "--clock-status") == 0) {
      std::cout << session_clock::core::to_json(session_clock::core::read_kernel_clock_status()) << "\n";
      return 0;
    }
    std::cerr << "session-clock-worker: unknown option " << argv[i] << "\n" << kUsage;
    return 2;
  }
  std::cerr << "session-clock-worker: the server is not built yet (see --help)\n";
  return 2;
}
