#include "kernel_clock.hpp"

#include <sys/stat.h>
#include <sys/timex.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>

namespace session_clock::core {
namespace {

const char* clock_state_name(int state) {
  switch (state) {
    case TIME_OK: return "TIME_OK";
    case TIME_INS: return "TIME_INS";
    case TIME_DEL: return "TIME_DEL";
    case TIME_OOP: return "TIME_OOP";
    case TIME_WAIT: return "TIME_WAIT";
    case TIME_ERROR: return "TIME_ERROR";
    default: return "UNKNOWN";
  }
}

std::vector<std::string> status_flags(int status) {
  static const struct { int bit; const char* name; } kFlags[] = {
      {STA_PLL, "PLL"},           {STA_PPSFREQ, "PPSFREQ"}, {STA_PPSTIME, "PPSTIME"},
      {STA_FLL, "FLL"},           {STA_INS, "INS"},         {STA_DEL, "DEL"},
      {STA_UNSYNC, "UNSYNC"},     {STA_FREQHOLD, "FREQHOLD"}, {STA_PPSSIGNAL, "PPSSIGNAL"},
      {STA_PPSJITTER, "PPSJITTER"}, {STA_PPSWANDER, "PPSWANDER"}, {STA_PPSERROR, "PPSERROR"},
      {STA_CLOCKERR, "CLOCKERR"}, {STA_NANO, "NANO"},       {STA_MODE, "MODE"},
      {STA_CLK, "CLK"},
  };
  std::vector<std::string> names;
  for (const auto& f : kFlags)
    if (status & f.bit) names.emplace_back(f.name);
  return names;
}

}  // namespace

KernelClockStatus read_kernel_clock_status() {
  KernelClockStatus out;
  struct timex tx;
  std::memset(&tx, 0, sizeof tx);  // modes = 0: read only, needs no privilege
  int state = ntp_adjtime(&tx);
  if (state == -1) {
    out.error = std::strerror(errno);
    return out;
  }
  out.readable = true;
  out.clock_state = clock_state_name(state);
  out.is_synced = state != TIME_ERROR && !(tx.status & STA_UNSYNC);
  // offset is in nanoseconds when STA_NANO is set, else microseconds.
  out.offset_ms = (tx.status & STA_NANO) ? tx.offset / 1e6 : tx.offset / 1e3;
  out.maxerror_ms = tx.maxerror / 1e3;  // always microseconds
  out.esterror_ms = tx.esterror / 1e3;
  out.frequency_ppm = tx.freq / 65536.0;  // scaled ppm: 16-bit binary fraction
  out.tai_offset_s = tx.tai;
  out.flags = status_flags(tx.status);
  out.last_sync_unix_us = last_sync_unix_us();
  return out;
}

std::optional<std::int64_t> last_sync_unix_us(const char* path) {
  struct stat st;
  if (stat(path, &st) != 0) return std::nullopt;
  return std::int64_t(st.st_mtim.tv_sec) * 1000000 + st.st_mtim.tv_nsec / 1000;
}

std::string iso_utc(std::int64_t unix_us) {
  std::int64_t seconds = unix_us / 1000000, micros = unix_us % 1000000;
  if (micros < 0) {  // floor, for instants before 1970
    micros += 1000000;
    seconds -= 1;
  }
  std::time_t t = seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[48];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  if (micros) n += std::snprintf(buf + n, sizeof buf - n, ".%06lld", static_cast<long long>(micros));
  std::snprintf(buf + n, sizeof buf - n, "+00:00");
  return buf;
}

std::string to_json(const KernelClockStatus& s, const std::string& server_label) {
  nlohmann::json j;
  j["source"] = "kernel";
  j["server"] = server_label;
  j["is_synced"] = s.is_synced;
  j["last_sync"] = s.last_sync_unix_us ? nlohmann::json(iso_utc(*s.last_sync_unix_us)) : nlohmann::json();
  if (!s.readable) {
    j["error"] = s.error;
    return j.dump();
  }
  j["clock_state"] = s.clock_state;
  j["offset_ms"] = s.offset_ms;
  j["maxerror_ms"] = s.maxerror_ms;
  j["esterror_ms"] = s.esterror_ms;
  j["frequency_ppm"] = s.frequency_ppm;
  j["tai_offset_s"] = s.tai_offset_s;
  j["flags"] = s.flags;
  return j.dump();
}

}  // namespace session_clock::core
