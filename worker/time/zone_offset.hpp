// A zone's UTC offset at an instant, also past the last transition its
// compiled file lists. Debian's tzdata files list transitions up to 2037 and
// leave later years to a POSIX rule in the file's footer ("CET-1CEST,M3.5.0,
// M10.5.0/3"); date's OS-tzdb reader ignores that footer, so on its own it
// would freeze every zone in its 2037 winter offset.
#pragma once

#include <chrono>

#include <date/tz.h>

namespace session_clock::worker::time {

// The zone period holding `t`: offset, save, abbreviation, begin and end.
// Thread-safe; each zone's footer is read once.
date::sys_info zone_info(const date::time_zone& zone, date::sys_seconds t);

}  // namespace session_clock::worker::time
