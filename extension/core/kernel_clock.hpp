// The host's clock discipline as the kernel reports it (ntp_adjtime with no
// modes set: a read). chrony, ntpd and systemd-timesyncd all steer the clock
// through this interface, so it tells whether the host is synchronised
// without running an NTP client of our own; and when the last sync was, where
// the NTP client records it. Shared by the extension (server_time_status)
// and the worker (TIME_PONG's syncWarning/maxErrorMs, /healthz).
#pragma once
#ifdef POSTGRES_H
#error "pure core headers must be included before postgres.h"
#endif

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace session_clock::core {

struct KernelClockStatus {
  bool readable = false;       // false if the call failed (errno in error)
  std::string error;
  bool is_synced = false;      // kernel says synchronised (no STA_UNSYNC, not TIME_ERROR)
  std::string clock_state;     // TIME_OK, TIME_INS, TIME_DEL, TIME_OOP, TIME_WAIT, TIME_ERROR
  double offset_ms = 0;        // last offset the discipline measured
  double maxerror_ms = 0;      // upper bound on the clock's error
  double esterror_ms = 0;      // estimated error
  double frequency_ppm = 0;    // frequency correction being applied
  long tai_offset_s = 0;
  std::vector<std::string> flags;  // STA_* flags that are set, e.g. "PLL", "UNSYNC", "NANO"
  std::optional<std::int64_t> last_sync_unix_us;  // see last_sync_unix_us()
};

KernelClockStatus read_kernel_clock_status();

// systemd-timesyncd touches this file on every successful synchronisation.
constexpr const char* kTimesyncdSyncedFile = "/run/systemd/timesync/synchronized";

// When the host's NTP client last synchronised: the file's modification
// time. chrony and ntpd keep no such record: nullopt, never a guess.
std::optional<std::int64_t> last_sync_unix_us(const char* path = kTimesyncdSyncedFile);

// What status reports as its `server` unless configured: neutral, so that a
// function anon may call never names the database's host.
constexpr const char* kDefaultServerLabel = "session_clock";

// The same status as a JSON object text, with seed 001's clock-helper keys
// (server, last_sync as ISO 8601 in UTC or null):
// {"source":"kernel","server":…,"is_synced":…,"last_sync":…,"clock_state":…,
//  "offset_ms":…,"maxerror_ms":…,"esterror_ms":…,"frequency_ppm":…,
//  "tai_offset_s":…,"flags":[…]}
std::string to_json(const KernelClockStatus& status, const std::string& server_label);

// Python's datetime.isoformat() of a UTC instant:
// "2025-10-05T04:37:12.768445+00:00" (no fraction when it is zero).
std::string iso_utc(std::int64_t unix_us);

}  // namespace session_clock::core
