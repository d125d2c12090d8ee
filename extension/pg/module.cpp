// The shared library's identity for PostgreSQL, and its start-up.
#include "settings.hpp"  // pure core headers first
#include "pg_compat.hpp"

using session_clock::pg::guard;

extern "C" {
SESSION_CLOCK_MODULE_MAGIC;

void _PG_init(void);
void _PG_init(void) {
  guard([] {
    session_clock::pg::define_settings();
    return Datum(0);
  });
}
}
