// Every spdlog message of the process through log_line: one line each on
// stdout (journald, docker and the tests read it there).
#pragma once

#include <string>

#include "log/log_line.hpp"

namespace session_clock::worker::log {

void configure(Format format, const std::string& level);

}  // namespace session_clock::worker::log
