// A database refusal as a client's ERROR: the SQLSTATE picks the code, and
// the message is the extension's own text (never a host, role or query);
// anything unexpected is "unavailable".
#pragma once

#include <string>
#include <utility>

namespace session_clock::worker::protocol {

std::pair<const char*, std::string> refusal(const std::string& error, const std::string& sqlstate);

}  // namespace session_clock::worker::protocol
