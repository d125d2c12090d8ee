// session-clock-worker: runs beside the database; browsers and devices
// connect to it for time sync and live session clocks (docs/protocol.md).
#include <spdlog/spdlog.h>

#include "config/options.hpp"
#include "app/app.hpp"

int main(int argc, char** argv) {
  auto parsed = session_clock::worker::parse_options(argc, argv);
  if (!parsed.options) return parsed.exit_status;
  // logfmt-style lines: a timestamp, the level, then key=value-ish text.
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z level=%l msg=\"%v\"");
  spdlog::set_level(spdlog::level::from_str(parsed.options->log_level));
  try {
    return session_clock::worker::run_app(std::move(*parsed.options));
  } catch (const std::exception& e) {
    spdlog::critical("fatal: {}", e.what());
    return 1;
  }
}
