// Defaults the worker adds to the user's connection string, so a silently
// dropped connection (NAT, failover) is noticed in about a minute instead of
// libpq's two hours, and a connect attempt can't hang. Parameters the user
// already gave are left alone. Pure: no I/O.
#pragma once

#include <string>

namespace session_clock::worker::db {

// Works for both libpq forms: URLs (postgres://…?a=b) and key=value strings.
std::string with_connection_defaults(const std::string& conninfo);

}  // namespace session_clock::worker::db
