#include "spi.hpp"

namespace session_clock::pg {

void spi_connect() {
  pg_call([] {
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "session_clock: SPI_connect failed");
  });
}

void spi_finish() {
  pg_call([] { SPI_finish(); });
}

Statement::Statement(const char* sql, std::initializer_list<Oid> arg_types)
    : sql_(sql), nargs_(static_cast<int>(arg_types.size())) {
  if (nargs_ > kMaxArgs) throw core::SqlError(core::sqlstate::kInternalError, "session_clock: too many statement arguments");
  int i = 0;
  for (Oid t : arg_types) arg_types_[i++] = t;
}

std::uint64_t Statement::run(const Datum* values, const char* nulls, bool read_only) {
  return pg_call([&]() -> std::uint64_t {
    if (plan_ == nullptr) {
      SPIPlanPtr plan = SPI_prepare(sql_, nargs_, arg_types_);
      if (plan == nullptr) elog(ERROR, "session_clock: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
      SPI_keepplan(plan);
      plan_ = plan;
    }
    int rc = SPI_execute_plan(plan_, const_cast<Datum*>(values), nulls, read_only, 0);
    if (rc < 0) elog(ERROR, "session_clock: SPI_execute_plan failed: %s", SPI_result_code_string(rc));
    return SPI_processed;
  });
}

std::optional<Datum> column(std::uint64_t row, int col) {
  bool is_null = false;
  Datum value = pg_call([&] { return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &is_null); });
  if (is_null) return std::nullopt;
  return value;
}

Datum required_column(std::uint64_t row, int col) {
  auto value = column(row, col);
  if (!value) throw core::SqlError(core::sqlstate::kInternalError, "session_clock: unexpected NULL column");
  return *value;
}

}  // namespace session_clock::pg
