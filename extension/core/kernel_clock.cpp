#include "kernel_clock.hpp"

#include <sys/timex.h>

#include <cerrno>
#include <cstring>

#include "json_text.hpp"

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
  return out;
}

std::string to_json(const KernelClockStatus& s) {
  json_text::ObjectWriter j;
  j.add("source", "kernel").add("is_synced", s.is_synced);
  if (!s.readable) return j.add("error", s.error).str();
  return j.add("clock_state", s.clock_state)
      .add("offset_ms", s.offset_ms)
      .add("maxerror_ms", s.maxerror_ms)
      .add("esterror_ms", s.esterror_ms)
      .add("frequency_ppm", s.frequency_ppm)
      .add("tai_offset_s", s.tai_offset_s)
      .add("flags", s.flags)
      .str();
}

}  // namespace session_clock::core
