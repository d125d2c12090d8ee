// The shared library's identity for PostgreSQL.
#include "postgres_headers.hpp"

extern "C" {
PG_MODULE_MAGIC;
}
