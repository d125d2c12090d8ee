// The C/C++ boundary, both directions, in one place.
//
//  * guard(body): every SQL entry point runs its C++ body through it. Any
//    exception is caught, its message copied out, the catch block left (so
//    every destructor has run), and only then is the PostgreSQL error raised.
//  * pg_call(fn): every call into PostgreSQL that may ereport(ERROR) runs
//    through it. The longjmp is caught under sigsetjmp and rethrown as a C++
//    PgError, which guard() re-raises unchanged (SQLSTATE, detail, hint).
//
// Rule: C++ code calls PostgreSQL only inside pg_call, and the lambda given
// to pg_call holds no object with a destructor.
#pragma once

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "../core/sql_error.hpp"
#include "postgres_headers.hpp"

namespace session_clock::pg {

// A PostgreSQL error caught by pg_call, carried up to guard().
class PgError : public std::exception {
 public:
  explicit PgError(ErrorData* data) : data_(data) {}
  const char* what() const noexcept override { return data_->message ? data_->message : "postgres error"; }
  ErrorData* data() const noexcept { return data_; }

 private:
  ErrorData* data_;  // palloc'd in the caller's memory context
};

[[noreturn]] void raise_caught(ErrorData* pg_error, int sqlstate, const char* message, const char* detail);

template <typename Fn>
auto pg_call(Fn&& fn) -> decltype(fn()) {
  using Result = decltype(fn());
  MemoryContext caller_context = CurrentMemoryContext;
  ErrorData* volatile error = nullptr;
  std::conditional_t<std::is_void_v<Result>, bool, std::optional<Result>> result{};
  std::exception_ptr cxx_error;  // a throw must not leave PG_TRY's frame unrestored
  PG_TRY();
  {
    try {
      if constexpr (std::is_void_v<Result>)
        fn();
      else
        result.emplace(fn());
    } catch (...) {
      cxx_error = std::current_exception();
    }
  }
  PG_CATCH();
  {
    MemoryContextSwitchTo(caller_context);
    error = CopyErrorData();
    FlushErrorState();
  }
  PG_END_TRY();
  if (error) throw PgError(error);
  if (cxx_error) std::rethrow_exception(cxx_error);
  if constexpr (!std::is_void_v<Result>) return std::move(*result);
}

namespace detail {
// Copies of the caught C++ message live here, outside any C++ object, so the
// error can be raised after the exception object is gone. Backends are
// single-threaded.
inline char message_buffer[1024];
inline char detail_buffer[1024];
void copy_message(char* to, std::size_t size, const char* from);
}  // namespace detail

template <typename Body>
Datum guard(Body&& body) {
  ErrorData* pg_error = nullptr;
  int sqlstate = ERRCODE_INTERNAL_ERROR;
  detail::message_buffer[0] = detail::detail_buffer[0] = '\0';
  try {
    return body();
  } catch (const PgError& e) {
    pg_error = e.data();
  } catch (const core::SqlError& e) {
    const char* s = e.sqlstate();
    sqlstate = MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4]);
    detail::copy_message(detail::message_buffer, sizeof detail::message_buffer, e.what());
    detail::copy_message(detail::detail_buffer, sizeof detail::detail_buffer, e.detail().c_str());
  } catch (const std::bad_alloc&) {
    sqlstate = ERRCODE_OUT_OF_MEMORY;
    detail::copy_message(detail::message_buffer, sizeof detail::message_buffer, "out of memory");
  } catch (const std::exception& e) {
    detail::copy_message(detail::message_buffer, sizeof detail::message_buffer, e.what());
  } catch (...) {
    detail::copy_message(detail::message_buffer, sizeof detail::message_buffer, "unknown C++ exception");
  }
  raise_caught(pg_error, sqlstate, detail::message_buffer, detail::detail_buffer);
}

}  // namespace session_clock::pg
