// The one place PostgreSQL's C headers enter C++. Include it after every
// standard and core header: PostgreSQL #defines names (snprintf, Min, Max, _)
// that would break those.
#pragma once

extern "C" {
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"
}

// Declares a SQL-callable C function with C linkage.
#define SESSION_CLOCK_FUNCTION(name) \
  extern "C" {                       \
  PG_FUNCTION_INFO_V1(name);         \
  }                                  \
  extern "C" Datum name(PG_FUNCTION_ARGS)
