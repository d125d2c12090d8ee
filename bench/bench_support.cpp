#include "bench_support.hpp"

#include <jwt.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace session_clock::bench {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono;

double wall_ms() { return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count() / 1000.0; }

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

std::string_view view(const beast::flat_buffer& b) {
  auto d = b.data();
  return {static_cast<const char*>(d.data()), d.size()};
}

std::string fmt(const char* format, ...) {
  char buf[1024];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  return buf;
}

Summary summarize(std::vector<double> v) {
  Summary s;
  s.n = v.size();
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  auto rank = [&](double p) {
    auto k = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
    return v[std::min(v.size() - 1, k > 0 ? k - 1 : 0)];
  };
  s.p50 = rank(0.50);
  s.p99 = rank(0.99);
  s.min = v.front();
  s.max = v.back();
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  return s;
}

long status_kib(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line, key = std::string(field) + ":";
  while (std::getline(in, line))
    if (starts_with(line, key)) return std::strtol(line.c_str() + key.size(), nullptr, 10);
  return -1;
}

std::vector<std::string> stat_fields(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = all.rfind(')');  // the command name may hold spaces and ')'
  if (close == std::string::npos || close + 2 > all.size()) return {};
  std::istringstream rest(all.substr(close + 2));
  std::vector<std::string> fields;
  for (std::string f; rest >> f && fields.size() < 16;) fields.push_back(f);
  return fields;
}

// Fields 14, 15 (utime, stime) and 16, 17 (cutime, cstime).
double process_cpu_s(pid_t pid, bool reaped_children) {
  auto f = stat_fields(pid);
  if (f.size() < 15) return 0;
  double ticks = std::stod(f[11]) + std::stod(f[12]);
  if (reaped_children) ticks += std::stod(f[13]) + std::stod(f[14]);
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double host_busy_s() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  double user = 0, nice = 0, sys = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  in >> cpu >> user >> nice >> sys >> idle >> iowait >> irq >> softirq >> steal;
  return (user + nice + sys + irq + softirq + steal) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::optional<std::string> http_get(unsigned short port, const std::string& target, steady_clock::duration limit) {
  net::io_context io;
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  http::response<http::string_body> res;
  bool ok = false;
  stream.expires_after(limit);
  stream.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), [&](beast::error_code ec) {
    if (ec) return;
    http::async_write(stream, req, [&](beast::error_code ec, std::size_t) {
      if (ec) return;
      http::async_read(stream, buffer, res, [&](beast::error_code ec, std::size_t) { ok = !ec; });
    });
  });
  io.run_for(limit + seconds(1));
  if (!ok) return std::nullopt;
  return res.body();
}

double metric(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (starts_with(line, name + " ")) return std::stod(line.substr(name.size() + 1));
  return -1;
}

std::string make_token(const std::string& secret, const std::string& sub, const std::string& role, long ttl_s) {
  jwt_t* jwt = nullptr;
  if (jwt_new(&jwt) != 0) throw std::runtime_error("jwt_new failed");
  jwt_add_grant(jwt, "sub", sub.c_str());
  jwt_add_grant(jwt, "role", role.c_str());
  jwt_add_grant_int(jwt, "exp", static_cast<long>(time(nullptr)) + ttl_s);
  jwt_set_alg(jwt, JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret.data()), static_cast<int>(secret.size()));
  char* encoded = jwt_encode_str(jwt);
  std::string token = encoded ? encoded : "";
  free(encoded);
  jwt_free(jwt);
  if (token.empty()) throw std::runtime_error("cannot encode a JWT");
  return token;
}

}  // namespace session_clock::bench
