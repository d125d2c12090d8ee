// The host's clock discipline as the kernel reports it (ntp_adjtime with no
// modes set: a read). chrony, ntpd and systemd-timesyncd all steer the clock
// through this interface, so it tells whether the host is synchronised
// without running an NTP client of our own. Shared by the extension
// (server_time_status) and the worker (TIME_PONG's syncWarning/maxErrorMs).
#pragma once
#ifdef POSTGRES_H
#error "pure core headers must be included before postgres.h"
#endif

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
};

KernelClockStatus read_kernel_clock_status();

// The same status as a JSON object text:
// {"source":"kernel","is_synced":…,"clock_state":…,"offset_ms":…,"maxerror_ms":…,
//  "esterror_ms":…,"frequency_ppm":…,"tai_offset_s":…,"flags":[…]}
std::string to_json(const KernelClockStatus& status);

}  // namespace session_clock::core
