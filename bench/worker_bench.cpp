// The worker benchmark (bench/run-worker.sh starts the cluster and the worker,
// then runs this). Everything over 127.0.0.1, side by side in one run:
//
//   1. TIME_PING round trip, sequential, one connection per side: the worker
//      vs a minimal Boost.Beast WebSocket echo server (below, same process,
//      its own port) answering the same frame, interleaved ping by ping.
//      Goal: worker p50 / echo p50 <= 1.5.
//   2. Ping throughput: N connections, one ping outstanding on each, for a
//      fixed time; pongs/s for the worker and for the echo server.
//   3. NOTIFY-to-subscriber push latency: N connections SUBSCRIBE_CLOCK (a
//      service_role HS256 token), then session_clock_pause/resume commits,
//      spaced 20-50 ms; latency = CLOCK_STATE arrival (matched by version)
//      - the moment the COMMIT returned. Goal: p99 <= 10 ms. Then the same
//      clients against a minimal Beast fan-out server (below): what a
//      fan-out to N sockets costs on this host with nothing else in it.
//   4. Resident memory per idle WebSocket connection: worker VmRSS before
//      and after opening N idle connections. Goal: <= 20 KiB. Runs first, on
//      the freshly started worker, so memory freed by the other phases and
//      kept by the allocator can't hide what connections cost.
//
// Clients are async Beast on their own io_contexts (one thread each); per
// message they stamp steady_clock and compare a prefix, nothing more. Every
// phase reports where the CPU went (worker / this process / everything
// else), since on a small host the clients share the CPUs with the worker.
// Every wait is bounded, and a watchdog ends the process if the run overruns.
#include <jwt.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bench_support.hpp"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using namespace std::chrono;
using namespace std::chrono_literals;

namespace {

using namespace session_clock::bench;

// --- small helpers ---------------------------------------------------------

std::int64_t now_ns() { return duration_cast<nanoseconds>(Clock::now().time_since_epoch()).count(); }

void note(const std::string& text) { std::cerr << "worker-bench: " << text << std::endl; }

[[noreturn]] void fail(const std::string& text) {
  std::cerr << "worker-bench: FAILED: " << text << std::endl;
  std::exit(1);
}

// Context switches (voluntary + involuntary) of every thread of a process,
// or of the given threads of this one: how often their threads went to sleep
// and were woken (or preempted).
long context_switches(pid_t pid, const std::vector<pid_t>& tids = {}) {
  std::vector<std::string> tasks;
  if (tids.empty()) {
    for (const auto& entry : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task"))
      tasks.push_back(entry.path().string());
  } else {
    for (auto t : tids) tasks.push_back("/proc/" + std::to_string(pid) + "/task/" + std::to_string(t));
  }
  long n = 0;
  for (const auto& task : tasks) {
    std::ifstream in(task + "/status");
    std::string line;
    while (std::getline(in, line))
      if (starts_with(line, "voluntary_ctxt_switches:") || starts_with(line, "nonvoluntary_ctxt_switches:"))
        n += std::strtol(line.c_str() + line.find(':') + 1, nullptr, 10);
  }
  return n;
}

// CPU seconds of a set of threads of this process.
double threads_cpu_s(const std::vector<pthread_t>& threads) {
  double s = 0;
  for (auto t : threads) {
    clockid_t id;
    timespec ts{};
    if (pthread_getcpuclockid(t, &id) == 0 && clock_gettime(id, &ts) == 0) s += ts.tv_sec + ts.tv_nsec / 1e9;
  }
  return s;
}

double this_thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

// Where the host's CPU went over a stretch of time, in CPUs (1.0 = one
// core busy the whole time): the worker, this process (clients, reference
// servers), and everything else (PostgreSQL, and anything else running on
// the host: a busy host makes every figure here worse).
struct CpuSplit {
  double worker = 0, bench = 0, other = 0;
  std::string text() const { return fmt("%.2f/%.2f/%.2f", worker, bench, other); }
};

class CpuWindow {
 public:
  explicit CpuWindow(pid_t worker) : worker_(worker) { start(); }
  void start() {
    t0_ = Clock::now();
    host0_ = host_busy_s();
    worker0_ = worker_ > 0 ? process_cpu_s(worker_) : 0;
    self0_ = process_cpu_s(getpid());
  }
  CpuSplit stop() const {
    double secs = std::max(1e-3, duration<double>(Clock::now() - t0_).count());
    CpuSplit s;
    s.worker = worker_ > 0 ? (process_cpu_s(worker_) - worker0_) / secs : 0;
    s.bench = (process_cpu_s(getpid()) - self0_) / secs;
    s.other = std::max(0.0, (host_busy_s() - host0_) / secs - s.worker - s.bench);
    return s;
  }

 private:
  pid_t worker_;
  Clock::time_point t0_;
  double host0_ = 0, worker0_ = 0, self0_ = 0;
};

std::optional<nlohmann::json> worker_health(unsigned short port) {
  auto body = http_get(port, "/healthz");
  if (!body) return std::nullopt;
  auto j = nlohmann::json::parse(*body, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

// Waits until the worker reports `want` open connections.
bool wait_connections(unsigned short port, long want, Clock::duration limit) {
  auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    auto h = worker_health(port);
    if (h && (*h)["connections"].get<long>() == want) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

// --- the reference: a minimal Beast WebSocket echo server ------------------
// Async, one strand per session, TCP_NODELAY like the worker, 2 threads:
// reads a frame and writes it back, nothing else.

class EchoSession : public std::enable_shared_from_this<EchoSession> {
 public:
  explicit EchoSession(tcp::socket&& socket) : ws_(std::move(socket)) {}
  void run() {
    net::dispatch(ws_.get_executor(), [self = shared_from_this()] {
      self->ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
      self->ws_.async_accept([self](beast::error_code ec) {
        if (!ec) self->read();
      });
    });
  }

 private:
  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->ws_.text(self->ws_.got_text());
      self->ws_.async_write(self->buffer_.data(), [self](beast::error_code ec, std::size_t) {
        if (ec) return;
        self->buffer_.consume(self->buffer_.size());
        self->read();
      });
    });
  }
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

// The bench's own reference servers: an acceptor on a free loopback port and
// N threads; a subclass says what a new connection becomes. Subclasses call
// start() last in their constructor and stop() first in their destructor.
class LoopbackServer {
 public:
  explicit LoopbackServer(unsigned threads) : io_(static_cast<int>(threads)), acceptor_(net::make_strand(io_)) {
    tcp::endpoint ep(net::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(net::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
  }
  virtual ~LoopbackServer() { stop(); }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  unsigned short port() const { return port_; }
  std::vector<pid_t> tids() {
    std::lock_guard lock(tids_mutex_);
    return tids_;
  }
  std::vector<pthread_t> thread_handles() {
    std::vector<pthread_t> h;
    for (auto& t : threads_) h.push_back(t.native_handle());
    return h;
  }
  void stop() {
    if (threads_.empty()) return;
    net::post(acceptor_.get_executor(), [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
    });
    io_.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

 protected:
  void start(unsigned threads) {
    accept();
    for (unsigned i = 0; i < threads; ++i)
      threads_.emplace_back([this] {
        {
          std::lock_guard lock(tids_mutex_);
          tids_.push_back(static_cast<pid_t>(syscall(SYS_gettid)));
        }
        io_.run();
      });
  }
  virtual void on_connection(tcp::socket socket) = 0;
  net::io_context io_;

 private:
  void accept() {
    acceptor_.async_accept(net::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
      if (!ec) {
        socket.set_option(tcp::no_delay(true), ec);
        on_connection(std::move(socket));
      }
      accept();
    });
  }
  tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::vector<std::thread> threads_;
  std::mutex tids_mutex_;
  std::vector<pid_t> tids_;
};

class EchoServer : public LoopbackServer {
 public:
  explicit EchoServer(unsigned threads) : LoopbackServer(threads) { start(threads); }
  ~EchoServer() override { stop(); }

 private:
  void on_connection(tcp::socket socket) override { std::make_shared<EchoSession>(std::move(socket))->run(); }
};

// --- the load clients ------------------------------------------------------

// K io_contexts, one thread each; connection i lives on context i % K, so
// each connection's handlers run on one thread (no strand needed).
class ClientPool {
 public:
  explicit ClientPool(unsigned n) {
    for (unsigned i = 0; i < n; ++i) {
      contexts_.push_back(std::make_unique<net::io_context>(1));
      guards_.emplace_back(net::make_work_guard(*contexts_.back()));
    }
    for (auto& c : contexts_) threads_.emplace_back([io = c.get()] { io->run(); });
  }
  ~ClientPool() {
    guards_.clear();
    for (auto& c : contexts_) c->stop();
    for (auto& t : threads_) t.join();
  }
  net::io_context& context(std::size_t i) { return *contexts_[i % contexts_.size()]; }
  std::vector<pthread_t> thread_handles() {
    std::vector<pthread_t> h;
    for (auto& t : threads_) h.push_back(t.native_handle());
    return h;
  }

 private:
  std::vector<std::unique_ptr<net::io_context>> contexts_;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
};

struct Record {
  std::int64_t version;
  std::int64_t at_ns;
};

struct Conn : std::enable_shared_from_this<Conn> {
  explicit Conn(net::io_context& io) : ws(io) {}
  websocket::stream<tcp::socket> ws;
  beast::flat_buffer buffer;
  std::string out;
  bool open = false;
  // throughput
  std::uint64_t replies = 0;  // counted inside the window
  std::uint64_t bad = 0;      // replies that were not what was expected
  // push latency: (version, arrival) of every CLOCK_STATE, preallocated
  int session = 0;
  std::vector<Record> records;
  std::atomic<std::size_t> n_records{0};
  std::atomic<std::uint64_t> overflow{0};
  std::atomic<std::uint64_t> errors{0};
  std::string first_error;  // written once, before errors is bumped
};
using ConnPtr = std::shared_ptr<Conn>;
using Conns = std::vector<ConnPtr>;

// Opens n connections with at most `window` TCP connects + handshakes in flight.
class Opener : public std::enable_shared_from_this<Opener> {
 public:
  using OnOpen = std::function<void(const ConnPtr&)>;
  Opener(ClientPool& pool, unsigned short port, std::string target, std::size_t n, OnOpen on_open,
         std::function<void(Conn&)> prepare)
      : pool_(pool),
        endpoint_(net::ip::make_address("127.0.0.1"), port),
        target_(std::move(target)),
        n_(n),
        on_open_(std::move(on_open)),
        prepare_(std::move(prepare)),
        conns_(n) {}

  void start(std::size_t window) {
    for (std::size_t i = 0; i < std::min(window, n_); ++i) next();
  }
  // True if every attempt finished (opened or failed) before the deadline.
  bool wait(Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    bool all = cv_.wait_until(lock, deadline, [&] { return done_ == n_; });
    abandoned_ = true;
    return all;
  }
  Conns take() {
    std::lock_guard lock(mutex_);
    return std::move(conns_);
  }
  std::size_t failed() {
    std::lock_guard lock(mutex_);
    return failed_;
  }
  std::string first_error() {
    std::lock_guard lock(mutex_);
    return first_error_;
  }

 private:
  void next() {
    std::size_t i;
    {
      std::lock_guard lock(mutex_);
      if (next_ >= n_ || abandoned_) return;
      i = next_++;
    }
    auto c = std::make_shared<Conn>(pool_.context(i));
    if (prepare_) prepare_(*c);
    {
      std::lock_guard lock(mutex_);
      conns_[i] = c;
    }
    net::post(pool_.context(i), [self = shared_from_this(), c] {
      c->ws.next_layer().async_connect(self->endpoint_, [self, c](beast::error_code ec) {
        if (ec) return self->finish(c, ec);
        c->ws.next_layer().set_option(tcp::no_delay(true), ec);
        c->ws.async_handshake("127.0.0.1", self->target_, [self, c](beast::error_code ec) { self->finish(c, ec); });
      });
    });
  }
  void finish(const ConnPtr& c, beast::error_code ec) {
    if (!ec) {
      c->open = true;
      if (on_open_) on_open_(c);
    }
    {
      std::lock_guard lock(mutex_);
      ++done_;
      if (ec && failed_++ == 0) first_error_ = ec.message();
    }
    cv_.notify_all();
    next();
  }

  ClientPool& pool_;
  tcp::endpoint endpoint_;
  std::string target_;
  std::size_t n_;
  OnOpen on_open_;
  std::function<void(Conn&)> prepare_;
  std::mutex mutex_;
  std::condition_variable cv_;
  Conns conns_;
  std::size_t next_ = 0, done_ = 0, failed_ = 0;
  bool abandoned_ = false;
  std::string first_error_;
};

struct OpenResult {
  Conns conns;
  std::size_t opened = 0;
  double seconds = 0;
};

OpenResult open_many(ClientPool& pool, unsigned short port, const std::string& target, std::size_t n,
                     std::size_t window, Clock::duration limit, Opener::OnOpen on_open = {},
                     std::function<void(Conn&)> prepare = {}) {
  auto t0 = Clock::now();
  auto opener = std::make_shared<Opener>(pool, port, target, n, std::move(on_open), std::move(prepare));
  opener->start(window);
  bool all = opener->wait(t0 + limit);
  OpenResult r;
  r.seconds = duration<double>(Clock::now() - t0).count();
  r.conns = opener->take();
  for (auto& c : r.conns)
    if (c && c->open) ++r.opened;
  if (!all || r.opened != n)
    note(fmt("opened %zu of %zu connections to port %u in %.1f s (%zu failed%s%s)", r.opened, n, port, r.seconds,
             opener->failed(), opener->first_error().empty() ? "" : ": ", opener->first_error().c_str()));
  return r;
}

// Closes every connection with a close frame (bounded), then drops what is left.
void close_all(Conns& conns, Clock::duration limit) {
  struct State {
    std::mutex mutex;
    std::condition_variable cv;
    std::size_t done = 0;
  };
  auto st = std::make_shared<State>();
  std::size_t n = 0;
  for (auto& c : conns) {
    if (!c || !c->open) continue;
    ++n;
    net::post(c->ws.get_executor(), [c, st] {
      c->ws.async_close(websocket::close_code::normal, [c, st](beast::error_code) {
        beast::error_code ignored;
        c->ws.next_layer().close(ignored);
        {
          std::lock_guard lock(st->mutex);
          ++st->done;
        }
        st->cv.notify_all();
      });
    });
  }
  {
    std::unique_lock lock(st->mutex);
    if (!st->cv.wait_for(lock, limit, [&] { return st->done == n; }))
      note(fmt("%zu of %zu connections did not close cleanly in time; dropping them", n - st->done, n));
  }
  // Whatever is still open: close the socket (cancels pending operations).
  auto pending = std::make_shared<std::atomic<std::size_t>>(0);
  for (auto& c : conns) {
    if (!c) continue;
    ++*pending;
    net::post(c->ws.get_executor(), [c, pending] {
      beast::error_code ignored;
      c->ws.next_layer().close(ignored);
      --*pending;
    });
  }
  for (auto deadline = Clock::now() + 5s; *pending > 0 && Clock::now() < deadline;) std::this_thread::sleep_for(1ms);
  conns.clear();
}

// A blocking client for sequential round trips.
class SyncClient {
 public:
  explicit SyncClient(unsigned short port) : ws_(io_) {
    ws_.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    ws_.next_layer().set_option(tcp::no_delay(true));
    ws_.handshake("127.0.0.1", "/ws");
    ws_.text(true);
  }
  ~SyncClient() {
    beast::error_code ignored;
    ws_.close(websocket::close_code::normal, ignored);
  }
  std::string_view round_trip(const std::string& frame) {
    buffer_.consume(buffer_.size());
    ws_.write(net::buffer(frame));
    ws_.read(buffer_);
    return view(buffer_);
  }

 private:
  net::io_context io_;
  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;
};

// --- configuration and results --------------------------------------------

struct Config {
  unsigned short worker_port = 0;
  pid_t worker_pid = 0;
  std::string database_url;
  std::string jwt_secret;
  std::string out;
  std::size_t pings = 20000, warmup = 2000;
  std::size_t conns = 1000;
  double seconds = 5, tp_warmup = 1;
  std::size_t subscribers = 1000, sessions = 1, events = 200;
  int gap_min_ms = 20, gap_max_ms = 50;
  std::size_t idle = 10000;
  bool reopen = true;
  unsigned client_threads = 2, echo_threads = 2;
  std::size_t window = 200;
  double time_limit_s = 240;
  bool strict = false;
  std::string only;  // comma-separated phases to run (memory,rtt,throughput,push); empty: all
  unsigned short echo_port = 0;  // phase 1 against this echo (another process) instead of its own
  bool serve_echo = false;       // only serve the echo, until SIGTERM (bench/run-worker-instructions.sh)
  bool runs(const char* phase) const {
    return only.empty() || ("," + only + ",").find("," + std::string(phase) + ",") != std::string::npos;
  }
};

struct Results {
  // 1
  Summary rtt_worker, rtt_echo;  // microseconds
  double rtt_worker_cpu_us = 0, rtt_echo_cpu_us = 0;
  std::uint64_t rtt_bad = 0;
  CpuSplit rtt_cpu, tp_cpu_worker, tp_cpu_echo;
  double rtt_worker_switches = 0, rtt_echo_switches = 0;  // server context switches per round trip
  double idle_other = 0;  // CPUs busy on the host before we started
  // 2
  std::size_t tp_conns_worker = 0, tp_conns_echo = 0;
  double tp_worker = 0, tp_echo = 0;  // replies/s
  double tp_worker_cpu_us = 0, tp_echo_cpu_us = 0, tp_client_cpu_worker_us = 0, tp_client_cpu_echo_us = 0;
  std::uint64_t tp_min_conn_worker = 0, tp_max_conn_worker = 0, tp_bad = 0;
  bool tp_done = false;
  // 3
  struct Push {
    Summary latency;  // milliseconds
    std::size_t subscribers = 0, events = 0, missed = 0, coalesced = 0, errors = 0, negative = 0;
    double trigger_p50_ms = 0, trigger_p99_ms = 0, server_cpu_s = 0, client_cpu_s = 0, seconds = 0;
    double last_p50_ms = 0, first_p50_ms = 0;  // per change: the first and the last arrival
    CpuSplit cpu;
    std::string error;
    bool done = false;
  } push_worker, push_ref;
  double push_hub_mean_ms = -1;
  double push_ref_broadcast_cpu_s = 0;  // the reference's fan-out loop, on the bench's thread
  bool push_realtime = false;
  // 4
  long rss_before = 0, rss_after = 0, anon_before = 0, anon_after = 0;
  long rss_closed = -1, rss_reopened = -1;
  std::size_t idle_opened = 0, idle_reopened = 0;
  bool mem_done = false;
};

// --- phase 4: memory per idle connection (runs first) ----------------------

void phase_memory(const Config& cfg, ClientPool& pool, Results& r) {
  note(fmt("memory: opening %zu idle connections", cfg.idle));
  std::this_thread::sleep_for(500ms);
  r.rss_before = status_kib(cfg.worker_pid, "VmRSS");
  r.anon_before = status_kib(cfg.worker_pid, "RssAnon");
  auto opened = open_many(pool, cfg.worker_port, "/ws", cfg.idle, cfg.window, 60s);
  r.idle_opened = opened.opened;
  if (!wait_connections(cfg.worker_port, static_cast<long>(opened.opened), 15s))
    note("memory: the worker's connection count did not reach the number opened");
  std::this_thread::sleep_for(1s);
  r.rss_after = status_kib(cfg.worker_pid, "VmRSS");
  r.anon_after = status_kib(cfg.worker_pid, "RssAnon");
  note(fmt("memory: %zu open in %.1f s; VmRSS %ld -> %ld KiB", opened.opened, opened.seconds, r.rss_before,
           r.rss_after));
  close_all(opened.conns, 20s);
  if (!wait_connections(cfg.worker_port, 0, 15s)) note("memory: the worker still counts open connections");
  if (cfg.reopen) {
    // The same again: memory the first round freed should be reused now.
    std::this_thread::sleep_for(500ms);
    r.rss_closed = status_kib(cfg.worker_pid, "VmRSS");
    auto again = open_many(pool, cfg.worker_port, "/ws", cfg.idle, cfg.window, 60s);
    r.idle_reopened = again.opened;
    wait_connections(cfg.worker_port, static_cast<long>(again.opened), 15s);
    std::this_thread::sleep_for(1s);
    r.rss_reopened = status_kib(cfg.worker_pid, "VmRSS");
    note(fmt("memory: after closing all %ld KiB; %zu reopened: %ld KiB", r.rss_closed, again.opened, r.rss_reopened));
    close_all(again.conns, 20s);
    wait_connections(cfg.worker_port, 0, 15s);
  }
  r.mem_done = r.idle_opened > 0;
}

// --- phase 1: sequential round trips ---------------------------------------

void phase_rtt(const Config& cfg, EchoServer& echo, Results& r) {
  note(fmt("rtt: %zu + %zu warm-up sequential pings per side, interleaved ping by ping", cfg.pings, cfg.warmup));
  SyncClient worker(cfg.worker_port), ref(cfg.echo_port ? cfg.echo_port : echo.port());
  std::vector<double> w, e;
  w.reserve(cfg.pings);
  e.reserve(cfg.pings);
  std::uint64_t id = 0;
  auto ping = [&](SyncClient& client, bool is_worker, std::vector<double>* out) {
    std::string frame = fmt(R"({"t":"TIME_PING","clientNowMs":%.3f,"pingId":%llu})", wall_ms(),
                            static_cast<unsigned long long>(++id));
    auto t0 = now_ns();
    auto reply = client.round_trip(frame);
    auto t1 = now_ns();
    bool good = is_worker ? starts_with(reply, R"({"t":"TIME_PONG")") : reply == frame;
    if (!good) r.rtt_bad++;
    if (out) out->push_back((t1 - t0) / 1000.0);
  };
  // Ping by ping, alternating which side goes first in each pair, so both
  // see the same host at the same moments (this VM's wake-up latency drifts).
  auto pairs = [&](std::size_t n, bool measure) {
    for (std::size_t i = 0; i < n; ++i) {
      bool worker_first = i % 2 == 0;
      for (int k = 0; k < 2; ++k) {
        bool is_worker = (k == 0) == worker_first;
        ping(is_worker ? worker : ref, is_worker, measure ? (is_worker ? &w : &e) : nullptr);
      }
    }
  };
  pairs(cfg.warmup, false);
  auto echo_threads = echo.thread_handles();
  double w0 = process_cpu_s(cfg.worker_pid), e0 = threads_cpu_s(echo_threads);
  long ws0 = context_switches(cfg.worker_pid), es0 = context_switches(getpid(), echo.tids());
  CpuWindow window(cfg.worker_pid);
  pairs(cfg.pings, true);
  r.rtt_worker_switches = double(context_switches(cfg.worker_pid) - ws0) / std::max<std::size_t>(1, cfg.pings);
  r.rtt_echo_switches = double(context_switches(getpid(), echo.tids()) - es0) / std::max<std::size_t>(1, cfg.pings);
  r.rtt_cpu = window.stop();
  r.rtt_worker = summarize(w);
  r.rtt_echo = summarize(e);
  r.rtt_worker_cpu_us = (process_cpu_s(cfg.worker_pid) - w0) * 1e6 / std::max<std::size_t>(1, w.size());
  r.rtt_echo_cpu_us = (threads_cpu_s(echo_threads) - e0) * 1e6 / std::max<std::size_t>(1, e.size());
  if (r.rtt_bad) note(fmt("rtt: %llu unexpected replies", static_cast<unsigned long long>(r.rtt_bad)));
}

// --- phase 2: throughput -----------------------------------------------------

struct Throughput {
  double per_s = 0, server_cpu_us = 0, client_cpu_us = 0;
  CpuSplit cpu;
  std::size_t conns = 0;
  std::uint64_t min_conn = 0, max_conn = 0, bad = 0;
};

struct TpState {
  std::string frame = R"({"t":"TIME_PING","clientNowMs":1790000000000.123,"pingId":7})";
  std::string_view expect;  // prefix of a good reply
  std::atomic<bool> counting{false};
  std::atomic<bool> stop{false};
  std::atomic<long> active{0};
};

void tp_send(const ConnPtr& c, const std::shared_ptr<TpState>& st) {
  c->ws.async_write(net::buffer(st->frame), [c, st](beast::error_code ec, std::size_t) {
    if (ec) return void(st->active--);
    c->ws.async_read(c->buffer, [c, st](beast::error_code ec, std::size_t) {
      if (ec) return void(st->active--);
      if (st->counting.load(std::memory_order_relaxed)) {
        ++c->replies;
        if (!starts_with(view(c->buffer), st->expect)) ++c->bad;
      }
      c->buffer.consume(c->buffer.size());
      if (st->stop.load(std::memory_order_relaxed)) return void(st->active--);
      tp_send(c, st);
    });
  });
}

Throughput run_throughput(const Config& cfg, ClientPool& pool, unsigned short port, bool is_worker,
                          std::function<double()> server_cpu) {
  Throughput t;
  auto st = std::make_shared<TpState>();
  st->expect = is_worker ? std::string_view(R"({"t":"TIME_PONG")") : std::string_view(st->frame);
  auto opened = open_many(pool, port, "/ws", cfg.conns, cfg.window, 30s, {}, [](Conn& c) { c.ws.text(true); });
  t.conns = opened.opened;
  for (auto& c : opened.conns)
    if (c && c->open) {
      st->active++;
      net::post(c->ws.get_executor(), [c, st] { tp_send(c, st); });
    }
  std::this_thread::sleep_for(duration<double>(cfg.tp_warmup));
  auto client_threads = pool.thread_handles();
  double s0 = server_cpu(), k0 = threads_cpu_s(client_threads);
  CpuWindow window(cfg.worker_pid);
  auto t0 = Clock::now();
  st->counting = true;
  std::this_thread::sleep_for(duration<double>(cfg.seconds));
  st->counting = false;
  t.cpu = window.stop();
  auto t1 = Clock::now();
  double s1 = server_cpu(), k1 = threads_cpu_s(client_threads);
  st->stop = true;
  for (auto deadline = Clock::now() + 10s; st->active > 0 && Clock::now() < deadline;)
    std::this_thread::sleep_for(1ms);
  if (st->active > 0) note(fmt("throughput: %ld connections still had a ping in flight", st->active.load()));
  std::uint64_t total = 0;
  t.min_conn = UINT64_MAX;
  for (auto& c : opened.conns)
    if (c && c->open) {
      total += c->replies;
      t.bad += c->bad;
      t.min_conn = std::min(t.min_conn, c->replies);
      t.max_conn = std::max(t.max_conn, c->replies);
    }
  if (t.min_conn == UINT64_MAX) t.min_conn = 0;
  double secs = duration<double>(t1 - t0).count();
  t.per_s = total / secs;
  t.server_cpu_us = total ? (s1 - s0) * 1e6 / total : 0;
  t.client_cpu_us = total ? (k1 - k0) * 1e6 / total : 0;
  close_all(opened.conns, 15s);
  return t;
}

void phase_throughput(const Config& cfg, ClientPool& pool, EchoServer& echo, Results& r) {
  note(fmt("throughput: %zu connections, one ping in flight each, %.0f s (+%.0f s warm-up) per side", cfg.conns,
           cfg.seconds, cfg.tp_warmup));
  auto w = run_throughput(cfg, pool, cfg.worker_port, true, [&] { return process_cpu_s(cfg.worker_pid); });
  wait_connections(cfg.worker_port, 0, 10s);
  auto echo_threads = echo.thread_handles();
  auto e = run_throughput(cfg, pool, echo.port(), false, [&] { return threads_cpu_s(echo_threads); });
  r.tp_conns_worker = w.conns;
  r.tp_conns_echo = e.conns;
  r.tp_worker = w.per_s;
  r.tp_echo = e.per_s;
  r.tp_worker_cpu_us = w.server_cpu_us;
  r.tp_echo_cpu_us = e.server_cpu_us;
  r.tp_client_cpu_worker_us = w.client_cpu_us;
  r.tp_client_cpu_echo_us = e.client_cpu_us;
  r.tp_min_conn_worker = w.min_conn;
  r.tp_max_conn_worker = w.max_conn;
  r.tp_bad = w.bad + e.bad;
  r.tp_cpu_worker = w.cpu;
  r.tp_cpu_echo = e.cpu;
  r.tp_done = w.conns > 0 && e.conns > 0;
  if (r.tp_bad) note(fmt("throughput: %llu unexpected replies", static_cast<unsigned long long>(r.tp_bad)));
}

// --- phase 3: NOTIFY to subscriber -----------------------------------------

// The reference for phase 3: the least a fan-out costs on this host with
// these clients. A SUBSCRIBE_CLOCK gets a CLOCK_STATE at once; broadcast()
// then hands one shared frame to every subscriber of the session by posting
// to each session's strand from the caller's thread, the way the worker's
// hub does, minus NOTIFY and the database read.
using Frame = std::shared_ptr<const std::string>;

std::string clock_frame(const std::string& session_id, std::int64_t version) {
  // The worker's CLOCK_STATE, same fields and about the same length.
  return fmt(R"({"t":"CLOCK_STATE","sessionId":"%s","startedAtMs":1795453445000.123,"isPaused":%s,)"
             R"("totalPausedMs":1200,"lastStateChangeAtMs":1795453445000.456,"endedAtMs":null,"elapsedMs":61234.5,)"
             R"("serverNowMs":%.3f,"version":%lld})",
             session_id.c_str(), version % 2 ? "true" : "false", wall_ms(), static_cast<long long>(version));
}

class FanoutServer;

class FanoutSession : public std::enable_shared_from_this<FanoutSession> {
 public:
  FanoutSession(tcp::socket&& socket, FanoutServer& server) : ws_(std::move(socket)), server_(server) {}
  void run() {
    net::dispatch(ws_.get_executor(), [self = shared_from_this()] {
      self->ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
      self->ws_.async_accept([self](beast::error_code ec) {
        if (!ec) self->read();
      });
    });
  }
  void push(Frame frame) {
    net::post(ws_.get_executor(), [self = shared_from_this(), frame = std::move(frame)] {
      self->queue_.push_back(frame);
      if (self->queue_.size() == 1) self->write();
    });
  }

 private:
  void read();
  void write() {
    ws_.text(true);
    ws_.async_write(net::buffer(*queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->queue_.clear();
      self->queue_.pop_front();
      if (!self->queue_.empty()) self->write();
    });
  }
  websocket::stream<beast::tcp_stream> ws_;
  FanoutServer& server_;
  beast::flat_buffer buffer_;
  std::deque<Frame> queue_;
};

class FanoutServer : public LoopbackServer {
 public:
  explicit FanoutServer(unsigned threads) : LoopbackServer(threads) { start(threads); }
  ~FanoutServer() override { stop(); }
  void subscribe(const std::string& session_id, const std::shared_ptr<FanoutSession>& s) {
    std::lock_guard lock(mutex_);
    topics_[session_id].push_back(s);
  }
  void broadcast(const std::string& session_id, const Frame& frame) {
    std::vector<std::shared_ptr<FanoutSession>> targets;
    {
      std::lock_guard lock(mutex_);
      for (auto& w : topics_[session_id])
        if (auto s = w.lock()) targets.push_back(std::move(s));
    }
    for (auto& s : targets) s->push(frame);
  }

 private:
  void on_connection(tcp::socket socket) override {
    std::make_shared<FanoutSession>(std::move(socket), *this)->run();
  }
  std::mutex mutex_;
  std::unordered_map<std::string, std::vector<std::weak_ptr<FanoutSession>>> topics_;
};

void FanoutSession::read() {
  ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) return;
    auto text = view(self->buffer_);
    auto key = std::string_view(R"("sessionId":")");
    auto p = text.find(key);
    if (starts_with(text, R"({"t":"SUBSCRIBE_CLOCK")") && p != std::string_view::npos) {
      auto begin = p + key.size();
      std::string id(text.substr(begin, text.find('"', begin) - begin));
      self->server_.subscribe(id, self);
      self->push(std::make_shared<const std::string>(clock_frame(id, 1)));
    }
    self->buffer_.consume(self->buffer_.size());
    self->read();
  });
}

// Subscribers' read loop: stamp the arrival first, then find the version.
void sub_read(const ConnPtr& c) {
  c->ws.async_read(c->buffer, [c](beast::error_code ec, std::size_t) {
    auto at = now_ns();
    if (ec) return;
    auto text = view(c->buffer);
    if (starts_with(text, R"({"t":"CLOCK_STATE")")) {
      // "version" is the last field; parse its digits by hand.
      auto p = text.rfind(R"("version":)");
      if (p != std::string_view::npos) {
        std::int64_t v = 0;
        for (std::size_t i = p + 10; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) v = v * 10 + (text[i] - '0');
        auto k = c->n_records.load(std::memory_order_relaxed);
        if (k < c->records.size()) {
          c->records[k] = {v, at};
          c->n_records.store(k + 1, std::memory_order_release);
        } else {
          c->overflow++;
        }
      }
    } else if (starts_with(text, R"({"t":"ERROR")")) {
      if (c->errors.load() == 0) c->first_error = std::string(text);
      c->errors++;
    }
    c->buffer.consume(c->buffer.size());
    sub_read(c);
  });
}

// The thread that triggers a change and stamps it runs SCHED_FIFO while it
// waits for the COMMIT to return: on a saturated host an ordinary thread can
// be woken milliseconds late, stamping the commit after pushes that followed
// it have already arrived. Back to SCHED_OTHER for everything else.
class RealtimeScope {
 public:
  RealtimeScope() {
    sched_param p{};
    p.sched_priority = 1;
    ok_ = pthread_setschedparam(pthread_self(), SCHED_FIFO, &p) == 0;
  }
  ~RealtimeScope() { end(); }
  void end() {
    if (!ok_) return;
    sched_param p{};
    p.sched_priority = 0;
    pthread_setschedparam(pthread_self(), SCHED_OTHER, &p);
    ok_ = false;
  }
  bool ok() const { return ok_; }

 private:
  bool ok_ = false;
};

struct Trigger {
  std::int64_t version;
  std::int64_t at_ns;
};

// Subscribes cfg.subscribers connections (round-robin over the sessions),
// then fires cfg.events changes through `fire` (session index -> version and
// stamp), 20-50 ms apart, and matches every subscriber's CLOCK_STATEs to them.
Results::Push run_push(const Config& cfg, ClientPool& pool, unsigned short port, const std::string& target,
                       const std::vector<std::string>& ids, const std::function<Trigger(std::size_t)>& fire,
                       const std::function<double()>& server_cpu, std::vector<double>& trigger_ms,
                       const std::function<void()>& on_ready = {}) {
  Results::Push r;
  std::size_t capacity = cfg.events + 64;
  std::atomic<std::size_t> next_session{0};
  auto opened = open_many(
      pool, port, target, cfg.subscribers, cfg.window, 30s,
      [&ids](const ConnPtr& c) {
        c->out = R"({"t":"SUBSCRIBE_CLOCK","sessionId":")" + ids[c->session] + "\"}";
        c->ws.text(true);
        c->ws.async_write(net::buffer(c->out), [c](beast::error_code ec, std::size_t) {
          if (!ec) sub_read(c);
        });
      },
      [&](Conn& c) {
        c.session = static_cast<int>(next_session++ % ids.size());
        c.records.resize(capacity);
      });
  Conns& conns = opened.conns;
  r.subscribers = opened.opened;

  // Everyone has the initial CLOCK_STATE (or an error).
  auto ready = [&] {
    for (auto& c : conns)
      if (c && c->open && c->n_records.load() == 0 && c->errors.load() == 0) return false;
    return true;
  };
  for (auto deadline = Clock::now() + 30s; !ready() && Clock::now() < deadline;) std::this_thread::sleep_for(10ms);
  for (auto& c : conns)
    if (c && c->errors.load()) {
      r.errors++;
      if (r.error.empty()) r.error = c->first_error;
    }
  if (!ready()) note("push: not every subscriber received its initial CLOCK_STATE");
  if (r.errors) note(fmt("push: %zu subscribers got an ERROR, e.g. %s", r.errors, r.error.c_str()));
  std::this_thread::sleep_for(500ms);  // subscribe-time re-reads settle
  if (on_ready) on_ready();

  auto client_threads = pool.thread_handles();
  double w0 = server_cpu(), k0 = threads_cpu_s(client_threads);
  CpuWindow window(cfg.worker_pid);
  auto p0 = Clock::now();
  struct Event {
    std::size_t session;
    Trigger trigger;
  };
  std::vector<Event> events;
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> gap(cfg.gap_min_ms, cfg.gap_max_ms);
  for (std::size_t i = 0; i < cfg.events; ++i) {
    std::size_t s = i % ids.size();
    events.push_back({s, fire(s)});
    std::this_thread::sleep_for(milliseconds(gap(rng)));
  }
  // Wait for the last state of every session to reach everyone (bounded).
  std::vector<std::int64_t> last(ids.size(), 0);
  for (auto& e : events) last[e.session] = std::max(last[e.session], e.trigger.version);
  auto delivered = [&] {
    for (auto& c : conns) {
      if (!c || !c->open) continue;
      auto n = c->n_records.load(std::memory_order_acquire);
      if (n == 0 || c->records[n - 1].version < last[c->session]) return false;
    }
    return true;
  };
  for (auto deadline = Clock::now() + 5s; !delivered() && Clock::now() < deadline;) std::this_thread::sleep_for(5ms);
  r.seconds = duration<double>(Clock::now() - p0).count();
  r.server_cpu_s = server_cpu() - w0;
  r.client_cpu_s = threads_cpu_s(client_threads) - k0;
  r.cpu = window.stop();

  // For each event and each subscriber of its session: the first CLOCK_STATE
  // with a version at least the event's.
  std::vector<double> latencies;
  latencies.reserve(events.size() * conns.size() / ids.size() + 16);
  std::vector<double> first(events.size(), 1e18), last_arrival(events.size(), -1e18);
  for (auto& c : conns) {
    if (!c || !c->open) continue;
    auto n = c->n_records.load(std::memory_order_acquire);
    std::size_t j = 0;
    for (std::size_t ei = 0; ei < events.size(); ++ei) {
      auto& e = events[ei];
      if (e.session != static_cast<std::size_t>(c->session)) continue;
      while (j < n && c->records[j].version < e.trigger.version) ++j;
      if (j == n) {
        r.missed++;
        continue;
      }
      if (c->records[j].version != e.trigger.version) r.coalesced++;
      double ms = (c->records[j].at_ns - e.trigger.at_ns) / 1e6;
      if (ms < 0) r.negative++;
      latencies.push_back(ms);
      first[ei] = std::min(first[ei], ms);
      last_arrival[ei] = std::max(last_arrival[ei], ms);
    }
  }
  r.latency = summarize(latencies);
  std::vector<double> firsts, lasts;
  for (std::size_t ei = 0; ei < events.size(); ++ei)
    if (last_arrival[ei] > -1e17) {
      firsts.push_back(first[ei]);
      lasts.push_back(last_arrival[ei]);
    }
  r.first_p50_ms = summarize(firsts).p50;
  r.last_p50_ms = summarize(lasts).p50;
  r.events = events.size();
  auto t = summarize(trigger_ms);
  r.trigger_p50_ms = t.p50;
  r.trigger_p99_ms = t.p99;
  r.done = !latencies.empty();
  close_all(conns, 15s);
  return r;
}

void phase_push(const Config& cfg, ClientPool& pool, Results& r) {
  note(fmt("push: %zu subscribers over %zu session(s), %zu changes %d-%d ms apart; the worker, then the reference",
           cfg.subscribers, cfg.sessions, cfg.events, cfg.gap_min_ms, cfg.gap_max_ms));
  pqxx::connection db(cfg.database_url);
  db.prepare("start", "SELECT version FROM session_clock_start($1::uuid)");
  db.prepare("pause", "SELECT version, changed FROM session_clock_pause($1::uuid, 'bench')");
  db.prepare("resume", "SELECT version, changed FROM session_clock_resume($1::uuid, 'bench')");
  std::vector<std::string> ids;
  for (std::size_t s = 0; s < cfg.sessions; ++s) {
    pqxx::work tx(db);
    ids.push_back(tx.exec("SELECT gen_random_uuid()")[0][0].as<std::string>());
    tx.exec_prepared("start", ids.back());
    tx.commit();
  }
  {
    RealtimeScope probe;
    r.push_realtime = probe.ok();
  }
  if (!r.push_realtime) note("push: cannot run the committing thread SCHED_FIFO; commit stamps may be late");

  // The worker: pause/resume committed through libpqxx; the stamp is taken
  // the moment the COMMIT returned.
  std::string token = make_token(cfg.jwt_secret, "worker-bench", "service_role", 3600);
  std::vector<bool> paused(ids.size(), false);
  std::vector<double> commit_ms;
  std::string metrics0;
  r.push_worker = run_push(
      cfg, pool, cfg.worker_port, "/ws?access_token=" + token, ids,
      [&](std::size_t s) {
        RealtimeScope rt;
        auto b = now_ns();
        pqxx::work tx(db);
        auto row = tx.exec_prepared(paused[s] ? "resume" : "pause", ids[s])[0];
        auto version = row[0].as<std::int64_t>();
        bool changed = row[1].as<bool>();
        tx.commit();
        auto committed = now_ns();
        rt.end();
        commit_ms.push_back((committed - b) / 1e6);
        if (!changed) fail("a pause/resume changed nothing: the bench's idea of the clock's state is wrong");
        paused[s] = !paused[s];
        return Trigger{version, committed};
      },
      [&] { return process_cpu_s(cfg.worker_pid); }, commit_ms,
      [&] { metrics0 = http_get(cfg.worker_port, "/metrics").value_or(""); });
  auto metrics1 = http_get(cfg.worker_port, "/metrics").value_or("");
  double n0 = metric(metrics0, "session_clock_push_latency_seconds_count"),
         n1 = metric(metrics1, "session_clock_push_latency_seconds_count"),
         s0 = metric(metrics0, "session_clock_push_latency_seconds_sum"),
         s1 = metric(metrics1, "session_clock_push_latency_seconds_sum");
  if (n0 >= 0 && n1 > n0) r.push_hub_mean_ms = (s1 - s0) / (n1 - n0) * 1000;
  wait_connections(cfg.worker_port, 0, 10s);

  // The reference: the same subscribers and clients; the stamp is taken just
  // before the broadcast. Its server CPU is its I/O threads' plus what the
  // bench's thread spends building the frame and posting it to every
  // subscriber: the worker's figure counts its own fan-out loop (on its
  // database thread) and frame too.
  FanoutServer ref(2);
  auto ref_threads = ref.thread_handles();
  std::vector<std::int64_t> version(ids.size(), 1);
  std::vector<double> broadcast_ms;
  double broadcast_cpu_s = 0;
  r.push_ref = run_push(
      cfg, pool, ref.port(), "/ws", ids,
      [&](std::size_t s) {
        auto cpu0 = this_thread_cpu_s();
        auto v = ++version[s];
        auto frame = std::make_shared<const std::string>(clock_frame(ids[s], v));
        auto at = now_ns();
        ref.broadcast(ids[s], frame);
        auto done = now_ns();
        broadcast_cpu_s += this_thread_cpu_s() - cpu0;
        broadcast_ms.push_back((done - at) / 1e6);
        return Trigger{v, at};
      },
      [&] { return threads_cpu_s(ref_threads) + broadcast_cpu_s; }, broadcast_ms);
  r.push_ref_broadcast_cpu_s = broadcast_cpu_s;
  ref.stop();
}

// --- the report ---------------------------------------------------------------

std::string verdict(bool measured, bool met) { return !measured ? "n/a" : met ? "yes" : "NO"; }

std::string report(const Config& cfg, const Results& r, bool& all_met) {
  std::ostringstream o;
  all_met = true;
  auto line = [&](const std::string& s) { o << s << '\n'; };
  // label | worker | reference | goal | met
  auto row = [&](const std::string& label, const std::string& worker, const std::string& ref = "",
                 const std::string& goal = "", const std::string& met = "") {
    std::string text = fmt("  %-44s %16s %16s  %-12s %s", label.c_str(), worker.c_str(), ref.c_str(), goal.c_str(),
                           met.c_str());
    while (!text.empty() && text.back() == ' ') text.pop_back();
    line(text);
  };
  auto num = [](double v, int decimals = 2) { return fmt("%.*f", decimals, v); };
  auto per = [](double cpu_s, std::size_t n) { return n ? fmt("%.1f", cpu_s * 1e6 / n) : std::string("-"); };
  line(fmt("%-46s %16s %16s  %-12s %s", "", "worker", "reference", "goal", "met"));
  line(std::string(100, '-'));

  // 1
  bool rtt = r.rtt_worker.n > 0 && r.rtt_echo.n > 0;
  if (!rtt) {
    line("1 TIME_PING round trip: not run");
  } else {
    double ratio = r.rtt_worker.p50 / r.rtt_echo.p50;
    line(fmt("1 TIME_PING round trip: 1 connection per side, %zu sequential pings each, interleaved (ref: Beast echo)",
             r.rtt_worker.n));
    row("p50 (us)", num(r.rtt_worker.p50, 1), num(r.rtt_echo.p50, 1));
    row("p99 (us)", num(r.rtt_worker.p99, 1), num(r.rtt_echo.p99, 1));
    row("max (us)", num(r.rtt_worker.max, 1), num(r.rtt_echo.max, 1));
    // An echo in another process (--echo-port) is not this process's to measure.
    auto echo_side = [&](double v) { return cfg.echo_port ? std::string("-") : num(v, 1); };
    row("server CPU per round trip (us)", num(r.rtt_worker_cpu_us, 1), echo_side(r.rtt_echo_cpu_us));
    row("server context switches per round trip", num(r.rtt_worker_switches, 1), echo_side(r.rtt_echo_switches));
    row("CPUs busy, both sides: worker/bench/other", r.rtt_cpu.text());
    row("ratio worker p50 / echo p50", num(ratio), "", "<= 1.5", verdict(true, ratio <= 1.5));
    if (ratio > 1.5) all_met = false;
  }

  // 2
  if (!r.tp_done) {
    line("2 ping throughput: not run");
  } else {
    line(fmt("2 ping throughput: %zu connections, 1 ping in flight each, %.0f s per side (reference: echo)",
             cfg.conns, cfg.seconds));
    row("pongs/s", num(r.tp_worker, 0), num(r.tp_echo, 0), "(info)");
    row("ratio worker / echo", num(r.tp_echo > 0 ? r.tp_worker / r.tp_echo : 0));
    row("server CPU per pong (us)", num(r.tp_worker_cpu_us, 1), num(r.tp_echo_cpu_us, 1));
    row("client CPU per pong (us)", num(r.tp_client_cpu_worker_us, 1), num(r.tp_client_cpu_echo_us, 1));
    row("CPUs busy: worker/bench/other", r.tp_cpu_worker.text(), r.tp_cpu_echo.text());
    row("pongs per connection, min / max",
        fmt("%llu / %llu", static_cast<unsigned long long>(r.tp_min_conn_worker),
            static_cast<unsigned long long>(r.tp_max_conn_worker)));
  }

  // 3
  const auto& pw = r.push_worker;
  const auto& pr = r.push_ref;
  if (!pw.done) {
    line("3 NOTIFY -> CLOCK_STATE: not run (or nothing arrived)");
  } else {
    bool met = pw.latency.p99 <= 10 && pw.missed == 0;
    line(fmt("3 change -> CLOCK_STATE: %zu subscribers on %zu session(s), %zu changes %d-%d ms apart", pw.subscribers,
             cfg.sessions, pw.events, cfg.gap_min_ms, cfg.gap_max_ms));
    line("  worker: pause/resume COMMIT returned -> arrival; reference: a minimal Beast fan-out server, the same");
    line("  clients, one frame posted to every subscriber's strand: broadcast call -> arrival");
    row("deliveries measured", fmt("%zu", pw.latency.n), fmt("%zu", pr.latency.n));
    row("p50 (ms)", num(pw.latency.p50), num(pr.latency.p50));
    row("p99 (ms)", num(pw.latency.p99), num(pr.latency.p99), "<= 10 ms", verdict(true, met));
    row("max (ms)", num(pw.latency.max), num(pr.latency.max));
    row("min / mean (ms)", num(pw.latency.min) + " / " + num(pw.latency.mean),
        num(pr.latency.min) + " / " + num(pr.latency.mean));
    row("per change, p50: first / last arrival (ms)", num(pw.first_p50_ms) + " / " + num(pw.last_p50_ms),
        num(pr.first_p50_ms) + " / " + num(pr.last_p50_ms));
    row("missed / coalesced / before the stamp", fmt("%zu / %zu / %zu", pw.missed, pw.coalesced, pw.negative),
        fmt("%zu / %zu / %zu", pr.missed, pr.coalesced, pr.negative));
    row("commit (broadcast) call p50 / p99 (ms)", num(pw.trigger_p50_ms) + " / " + num(pw.trigger_p99_ms),
        num(pr.trigger_p50_ms) + " / " + num(pr.trigger_p99_ms));
    row("server CPU per delivery (us)", per(pw.server_cpu_s, pw.latency.n), per(pr.server_cpu_s, pr.latency.n));
    row("  of which the fan-out loop's thread (us)", "", per(r.push_ref_broadcast_cpu_s, pr.latency.n));
    row("client CPU per delivery (us)", per(pw.client_cpu_s, pw.latency.n), per(pr.client_cpu_s, pr.latency.n));
    row("CPUs busy: worker/bench/other", pw.cpu.text(), pr.cpu.text());
    row("worker's NOTIFY -> last push queued, mean ms", num(r.push_hub_mean_ms));
    row("committing thread SCHED_FIFO while it waits", r.push_realtime ? "yes" : "no");
    if (pw.errors) row("subscribers refused (ERROR)", fmt("%zu", pw.errors));
    if (!met) all_met = false;
  }

  // 4
  if (!r.mem_done) {
    line("4 memory per idle connection: not run");
  } else {
    double kib = double(r.rss_after - r.rss_before) / r.idle_opened;
    line(fmt("4 worker memory per idle WebSocket connection: %zu connections (runs first, before the others)",
             r.idle_opened));
    row("VmRSS before / after (KiB)", fmt("%ld / %ld", r.rss_before, r.rss_after));
    row("(after - before) / connections (KiB)", num(kib), "", "<= 20 KiB", verdict(true, kib <= 20));
    row("same for RssAnon (KiB)", num(double(r.anon_after - r.anon_before) / r.idle_opened));
    if (r.rss_reopened >= 0 && r.idle_reopened > 0)
      row("all closed, then reopened: growth / conn (KiB)",
          num(double(r.rss_reopened - r.rss_closed) / r.idle_reopened), "(0 if reused)");
    if (kib > 20) all_met = false;
  }
  line(std::string(100, '-'));
  line(fmt("CPUs: %ld; 'other' = PostgreSQL and anything else on the host; busy before the run: %.2f%s",
           sysconf(_SC_NPROCESSORS_ONLN), r.idle_other,
           r.idle_other > 0.2 ? " (NOT idle: every figure is pessimistic)" : ""));
  line(std::string("goals: ") + (all_met ? "all met" : "NOT all met"));
  return o.str();
}

}  // namespace

// The echo alone, for a profiler to watch it as a process of its own: its
// port on stdout, then it serves until SIGTERM or SIGINT.
int serve_echo(const Config& cfg) {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);  // before the threads start: they inherit it
  EchoServer echo(cfg.echo_threads);
  std::cout << "echo listening on 127.0.0.1:" << echo.port() << std::endl;
  int signal = 0;
  sigwait(&stop, &signal);
  echo.stop();
  return 0;
}

int main(int argc, char** argv) {
  Config cfg;
  CLI::App app{"worker_bench: the session_clock worker vs a minimal Beast echo server (bench/run-worker.sh)"};
  int pid = 0;
  auto* serve = app.add_flag("--serve-echo", cfg.serve_echo,
                             "only serve the echo on 127.0.0.1 (its port on stdout) until SIGTERM");
  app.add_option("--worker-port", cfg.worker_port, "the running worker's port")->excludes(serve);
  app.add_option("--worker-pid", pid, "the running worker's pid (CPU and VmRSS)")->excludes(serve);
  app.add_option("--database-url", cfg.database_url, "the worker's database")->excludes(serve);
  app.add_option("--jwt-secret", cfg.jwt_secret, "the worker's --jwt-secret")->excludes(serve);
  app.add_option("--echo-port", cfg.echo_port, "phase 1's echo: one serving there (--serve-echo), not its own");
  app.add_option("--out", cfg.out, "also write the table here");
  app.add_option("--pings", cfg.pings, "measured round trips per side")->capture_default_str()->check(CLI::Range(1, 1000000));
  app.add_option("--warmup", cfg.warmup, "warm-up round trips per side")->capture_default_str()->check(CLI::Range(0, 1000000));
  app.add_option("--conns", cfg.conns, "connections in the throughput test")->capture_default_str()->check(CLI::Range(1, 20000));
  app.add_option("--seconds", cfg.seconds, "throughput window per side")->capture_default_str()->check(CLI::Range(0.5, 60.0));
  app.add_option("--subscribers", cfg.subscribers, "subscribers in the push test")->capture_default_str()->check(CLI::Range(1, 20000));
  app.add_option("--sessions", cfg.sessions, "sessions the subscribers are spread over")->capture_default_str()->check(CLI::Range(1, 1000));
  app.add_option("--events", cfg.events, "pause/resume commits")->capture_default_str()->check(CLI::Range(1, 5000));
  app.add_option("--idle", cfg.idle, "idle connections in the memory test (0: skip)")->capture_default_str()->check(CLI::Range(0, 60000));
  app.add_option("--client-threads", cfg.client_threads, "client io threads")->capture_default_str()->check(CLI::Range(1, 16));
  app.add_option("--time-limit", cfg.time_limit_s, "abort after this many seconds")->capture_default_str();
  app.add_flag("--strict", cfg.strict, "exit 1 when a goal is missed");
  app.add_option("--only", cfg.only, "run only these phases: memory,rtt,throughput,push (for profiling)");
  CLI11_PARSE(app, argc, argv);
  cfg.worker_pid = pid;
  if (cfg.serve_echo) return serve_echo(cfg);
  if (!cfg.worker_port || !pid || cfg.database_url.empty() || cfg.jwt_secret.empty())
    fail("--worker-port, --worker-pid, --database-url and --jwt-secret are required (or --serve-echo)");

  // Watchdog: every wait below is bounded, this bounds their sum.
  std::thread([limit = cfg.time_limit_s] {
    std::this_thread::sleep_for(duration<double>(limit));
    std::cerr << "worker-bench: FAILED: still running after " << limit << " s; aborting" << std::endl;
    std::_Exit(3);
  }).detach();

  // The worker is up and its LISTEN connection is attached.
  bool up = false;
  for (auto deadline = Clock::now() + 20s; Clock::now() < deadline && !up;) {
    auto h = worker_health(cfg.worker_port);
    up = h && (*h)["listener"]["up"] == true && (*h)["database"]["up"] == true;
    if (!up) std::this_thread::sleep_for(50ms);
  }
  if (!up) fail("the worker did not become healthy (database and listener up)");

  Results r;
  {
    CpuWindow idle(0);
    std::this_thread::sleep_for(1s);
    r.idle_other = idle.stop().other;
    if (r.idle_other > 0.2)
      note(fmt("the host is busy before the run (%.2f CPUs used by others): figures will suffer", r.idle_other));
  }
  {
    ClientPool pool(cfg.client_threads);
    if (cfg.idle > 0 && cfg.runs("memory")) phase_memory(cfg, pool, r);
    EchoServer echo(cfg.echo_threads);
    if (cfg.runs("rtt")) phase_rtt(cfg, echo, r);
    if (cfg.runs("throughput")) phase_throughput(cfg, pool, echo, r);
    if (cfg.runs("push")) phase_push(cfg, pool, r);
    echo.stop();
  }

  bool all_met = true;
  auto table = report(cfg, r, all_met);
  std::cout << table << std::flush;
  if (!cfg.out.empty()) {
    std::ofstream out(cfg.out, std::ios::app);
    out << table;
  }
  return cfg.strict && !all_met ? 1 : 0;
}
