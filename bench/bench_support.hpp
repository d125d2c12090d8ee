// What the C++ benchmarks (worker_bench, rooms_bench) share: percentiles,
// /proc readings for memory and CPU, a bounded HTTP GET, /metrics parsing and
// HS256 tokens. Benchmark code only: nothing here is in the worker.
#pragma once

#include <sys/types.h>

#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace session_clock::bench {

double wall_ms();
bool starts_with(std::string_view s, std::string_view prefix);
std::string_view view(const boost::beast::flat_buffer& b);
std::string fmt(const char* format, ...) __attribute__((format(printf, 1, 2)));

struct Summary {
  std::size_t n = 0;
  double p50 = 0, p99 = 0, max = 0, min = 0, mean = 0;  // in the unit of the input
};
// Nearest-rank percentiles.
Summary summarize(std::vector<double> v);

// /proc/PID/status fields in KiB (VmRSS, RssAnon); -1 if unreadable.
long status_kib(pid_t pid, const char* field);
// Fields 3.. of /proc/PID/stat (after "(comm) "); empty if unreadable.
std::vector<std::string> stat_fields(pid_t pid);
// utime + stime and optionally cutime + cstime of a process, seconds.
double process_cpu_s(pid_t pid, bool reaped_children = false);
// Busy CPU seconds of the whole host (all CPUs), from /proc/stat.
double host_busy_s();

// A bounded HTTP GET over loopback; nullopt on any failure or timeout.
std::optional<std::string> http_get(unsigned short port, const std::string& target,
                                    std::chrono::steady_clock::duration limit = std::chrono::seconds(3));
// A metric's value from the worker's /metrics (Prometheus text), or -1.
double metric(const std::string& text, const std::string& name);
// An HS256 token; throws std::runtime_error if libjwt cannot encode one.
std::string make_token(const std::string& secret, const std::string& sub, const std::string& role, long ttl_s);

}  // namespace session_clock::bench
