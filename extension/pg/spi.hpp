// SPI with plans prepared once per backend and kept, every call through
// pg_call. Query texts are schema-qualified: they run under the pinned
// search_path of a SECURITY DEFINER function and must not depend on it.
// Those a SECURITY INVOKER function may run (owner_rights.hpp) run under the
// caller's search_path and qualify their operators too.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>

#include "guard.hpp"

namespace session_clock::pg {

// Connects to SPI for the duration of one SQL call. There is no destructor:
// on an error the transaction's abort cleans SPI up, and calling into
// PostgreSQL while unwinding is exactly what the boundary forbids.
void spi_connect();
void spi_finish();

// A parameterised statement, prepared on first use and kept for the backend.
class Statement {
 public:
  Statement(const char* sql, std::initializer_list<Oid> arg_types);
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Runs the statement; nulls uses SPI's convention (' ' = value, 'n' = NULL)
  // and may be nullptr when no argument is NULL. Returns rows processed; the
  // rows are in SPI_tuptable until the next statement.
  std::uint64_t run(const Datum* values, const char* nulls, bool read_only);

 private:
  const char* sql_;
  static constexpr int kMaxArgs = 24;
  Oid arg_types_[kMaxArgs];
  int nargs_;
  SPIPlanPtr plan_ = nullptr;
};

// Column readers for row `row` of SPI_tuptable (1-based columns).
std::optional<Datum> column(std::uint64_t row, int col);
Datum required_column(std::uint64_t row, int col);

}  // namespace session_clock::pg
