// session-clock-worker: runs beside the database; browsers and devices
// connect to it for time sync and live session clocks (docs/protocol.md).
#include <spdlog/spdlog.h>

#include "app/app.hpp"
#include "config/options.hpp"
#include "log/logging.hpp"

int main(int argc, char** argv) {
  auto parsed = session_clock::worker::parse_options(argc, argv);
  if (!parsed.options) return parsed.exit_status;
  namespace logging = session_clock::worker::log;
  logging::configure(parsed.options->log_format == "json" ? logging::Format::json : logging::Format::logfmt,
                     parsed.options->log_level);
  try {
    return session_clock::worker::run_app(std::move(*parsed.options));
  } catch (const std::exception& e) {
    spdlog::critical("fatal: {}", e.what());
    return 1;
  }
}
