#include "harness.hpp"

#include "logfmt.hpp"

#include <jwt.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <pqxx/pqxx>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace session_clock::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using namespace std::chrono;

namespace {

std::string run_command(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + command);
  char buf[512];
  while (fgets(buf, sizeof buf, pipe)) out += buf;
  int status = pclose(pipe);
  if (status != 0) throw std::runtime_error(command + " failed (" + std::to_string(status) + "): " + out);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::string pg_cluster() { return std::string(SESSION_CLOCK_SOURCE_DIR) + "/scripts/pg-cluster"; }

}  // namespace

Cluster::Cluster() {
  char templ[] = "/tmp/session_clock_it.XXXXXX";
  if (!mkdtemp(templ)) throw std::runtime_error("mkdtemp failed");
  dir_ = templ;
  chmod(dir_.c_str(), 0755);  // the cluster inside runs as postgres when we are root
  url_ = run_command(pg_cluster() + " start " + dir_ + "/pg");
  sql(R"(DO $$ BEGIN
           IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'anon') THEN CREATE ROLE anon NOLOGIN NOINHERIT; END IF;
           IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticated') THEN CREATE ROLE authenticated NOLOGIN NOINHERIT; END IF;
           IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'service_role') THEN CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS; END IF;
         END $$)");
  // SESSION_CLOCK_EDITION=portable: portable/session_clock.sql, run by the
  // database's owner, who is not a superuser (tests/portable, docs/portable.md).
  const char* edition = std::getenv("SESSION_CLOCK_EDITION");
  if (edition && std::string(edition) == "portable") {
    sql("CREATE ROLE app_owner LOGIN");
    sql("ALTER DATABASE postgres OWNER TO app_owner");
    sql("ALTER SCHEMA public OWNER TO app_owner");
    std::string owner_url = url_;
    owner_url.replace(owner_url.find("postgres@"), 9, "app_owner@");
    run_command("psql -X -q -v ON_ERROR_STOP=1 -d '" + owner_url + "' -f " + SESSION_CLOCK_SOURCE_DIR +
                "/portable/session_clock.sql 2>&1");
  } else {
    sql("CREATE EXTENSION session_clock");
  }
}

Cluster::~Cluster() {
  try {
    run_command(pg_cluster() + " stop " + dir_ + "/pg");
  } catch (...) {
  }
  std::remove(dir_.c_str());
}

std::string Cluster::sql(const std::string& statement) const {
  pqxx::connection c(url_);
  pqxx::nontransaction tx(c);
  auto r = tx.exec(statement);
  if (r.empty() || r.columns() == 0 || r[0][0].is_null()) return "";
  return r[0][0].c_str();
}

void Cluster::restart() const { run_command(pg_cluster() + " restart " + dir_ + "/pg"); }

WorkerProcess::WorkerProcess(const std::string& database_url, std::vector<std::string> extra_args,
                             std::vector<std::string> extra_env, unsigned open_files_limit) {
  char templ[] = "/tmp/session_clock_worker_log.XXXXXX";
  int fd = mkstemp(templ);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  log_ = templ;
  // Port 0: the kernel picks a free one and the worker logs it (no race).
  std::vector<std::string> args = {SESSION_CLOCK_WORKER_BINARY, "--database-url", database_url,
                                   "--listen", "127.0.0.1:0",
                                   "--jwt-secret", kJwtSecret, "--log-level", "debug", "--threads", "2"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  if (open_files_limit > 0)
    args.insert(args.begin(), {"/usr/bin/prlimit", "--nofile=" + std::to_string(open_files_limit), "--"});
  for (std::size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == "--log-format") log_format_ = args[i + 1];
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  auto overridden = [&](const char* entry) {  // getenv() would see the first of two
    for (auto& e : extra_env)
      if (std::string_view(entry).substr(0, e.find('=') + 1) == std::string_view(e).substr(0, e.find('=') + 1))
        return true;
    return false;
  };
  for (char** e = environ; *e; ++e)
    if (!overridden(*e)) envp.push_back(*e);
  for (auto& e : extra_env) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fd, STDERR_FILENO);
  int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(fd);
  if (rc != 0) throw std::runtime_error("cannot start the worker");
  const std::string marker = "listening on http://127.0.0.1:";
  for (auto deadline = steady_clock::now() + seconds(15); steady_clock::now() < deadline;) {
    auto text = log();
    auto at = text.find(marker);
    if (at != std::string::npos) {
      port_ = static_cast<unsigned short>(std::stoi(text.substr(at + marker.size())));
      return;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  throw std::runtime_error("worker did not start:\n" + log());
}

WorkerProcess::~WorkerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::istringstream lines(log());
  int problems = 0;
  for (std::string line; std::getline(lines, line);) {
    auto problem = log_line_problem(line, log_format_);
    if (!problem.empty() && ++problems <= 5)
      ADD_FAILURE() << "worker log line (" << log_format_ << "): " << problem << ": " << line;
  }
  std::remove(log_.c_str());
}

std::string WorkerProcess::log() const {
  std::ifstream in(log_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WorkerProcess::terminate() {
  if (pid_ > 0) kill(pid_, SIGTERM);
}

void WorkerProcess::kill_hard() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

bool WorkerProcess::wait_listening(milliseconds timeout) const {
  for (auto deadline = steady_clock::now() + timeout; steady_clock::now() < deadline;) {
    auto [status, body] = http_request(port_, "GET", "/healthz");
    auto health = json::parse(body, nullptr, false);
    // And the database's clock read: until then the worker serves its own
    // host's clock, with no bound (docs/protocol.md, "One clock").
    if (health.is_object() && health["listener"]["up"] == true && health["databaseClock"]["measured"] == true)
      return true;
    std::this_thread::sleep_for(milliseconds(25));
  }
  return false;
}

void ClusterSuite::expect_nothing_stranded() {
  EXPECT_EQ(cluster_->sql("SELECT count(*) FROM session_clock.stranded_sessions"), "0")
      << cluster_->sql("SELECT string_agg(session_id || ' ' || problem, ', ') FROM session_clock.stranded_sessions");
}

std::string ClusterSuite::new_session(const std::string& host) {
  auto id = cluster_->sql("SELECT gen_random_uuid()");
  cluster_->sql("SELECT session_clock_start('" + id + "')");
  cluster_->sql("SELECT session_clock_add_member('" + id + "', '" + host + "', 'host')");
  return id;
}

void ClusterSuite::print_logs_on_failure(std::initializer_list<const WorkerProcess*> workers) const {
  if (!HasFailure()) return;
  for (const auto* w : workers)
    if (w) std::cerr << "--- worker log\n" << w->log() << "\n";
}

int WorkerProcess::wait_exit(seconds timeout) {
  int status = 0;
  for (auto deadline = steady_clock::now() + timeout; pid_ > 0 && steady_clock::now() < deadline;) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  return -1;  // still running (the destructor kills it)
}

int upgrade_status(unsigned short port, const std::string& target, const std::string& origin) {
  net::io_context io;
  websocket::stream<beast::tcp_stream> ws(io);
  beast::get_lowest_layer(ws).connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  if (!origin.empty())
    ws.set_option(websocket::stream_base::decorator(
        [origin](websocket::request_type& req) { req.set(beast::http::field::origin, origin); }));
  websocket::response_type res;
  beast::error_code ec;
  ws.handshake(res, "127.0.0.1", target, ec);
  return static_cast<int>(res.result_int());
}

std::pair<int, std::string> http_request(unsigned short port, const std::string& method, const std::string& target,
                                         const std::string& body,
                                         const std::vector<std::pair<std::string, std::string>>& headers) {
  net::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) req.set(name, value);
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1 << 20);
  http::read(stream, buffer, parser);
  beast::error_code ignored;
  stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  return {static_cast<int>(parser.get().result_int()), parser.get().body()};
}

WsClient::WsClient(unsigned short port, const std::string& target, const std::string& origin)
    : WsClient(port, target,
               origin.empty() ? std::vector<std::pair<std::string, std::string>>{}
                              : std::vector<std::pair<std::string, std::string>>{{"Origin", origin}}) {}

WsClient::WsClient(unsigned short port, const std::string& target,
                   std::vector<std::pair<std::string, std::string>> headers, const std::string& source)
    : ws_(io_) {
  auto& socket = beast::get_lowest_layer(ws_).socket();
  socket.open(net::ip::tcp::v4());
  socket.bind(net::ip::tcp::endpoint(net::ip::make_address(source), 0));
  socket.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  ws_.set_option(websocket::stream_base::decorator([headers = std::move(headers)](websocket::request_type& req) {
    for (const auto& [name, value] : headers) req.set(name, value);
  }));
  ws_.handshake("127.0.0.1", target);
}

void WsClient::send(const json& message) { send_raw(message.dump()); }

void WsClient::ping() { ws_.ping({}); }

void WsClient::send_raw(const std::string& text) {
  ws_.text(true);
  ws_.write(net::buffer(text));
}

// A read that times out stays pending: the next call waits for the same
// frame, so "nothing arrived within T" never breaks the stream.
std::optional<json> WsClient::receive(milliseconds timeout) {
  if (!reading_) {
    reading_ = true;
    done_ = false;
    ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
      result_ = ec;
      done_ = true;
    });
  }
  io_.restart();
  auto deadline = steady_clock::now() + timeout;
  while (!done_ && steady_clock::now() < deadline) io_.run_one_for(deadline - steady_clock::now());
  if (!done_) return std::nullopt;
  reading_ = false;
  if (result_) {
    // A close frame received counts even if our reply then hit a closed socket.
    int code = static_cast<int>(ws_.reason().code);
    closed_code_ = code != 0 ? code : -1;
    if (*closed_code_ == -1) last_error_ = result_.message();
    return std::nullopt;
  }
  auto text = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  return json::parse(text);
}

std::optional<json> WsClient::receive_type(const std::string& type, milliseconds timeout) {
  auto deadline = steady_clock::now() + timeout;
  while (steady_clock::now() < deadline) {
    auto left = duration_cast<milliseconds>(deadline - steady_clock::now());
    auto m = receive(left);
    if (!m) return std::nullopt;
    if (m->value("t", "") == type || m->value("type", "") == type || m->value("event", "") == type) return m;
  }
  return std::nullopt;
}

std::optional<int> WsClient::wait_closed(milliseconds timeout) {
  auto deadline = steady_clock::now() + timeout;
  while (!closed_code_ && steady_clock::now() < deadline) {
    auto m = receive(duration_cast<milliseconds>(deadline - steady_clock::now()));
    if (!m && !closed_code_) break;  // timed out
  }
  return closed_code_;
}

std::string make_token(const std::string& sub, const std::string& role, long ttl_seconds) {
  jwt_t* jwt = nullptr;
  jwt_new(&jwt);
  if (!sub.empty()) jwt_add_grant(jwt, "sub", sub.c_str());
  jwt_add_grant(jwt, "role", role.c_str());
  jwt_add_grant_int(jwt, "exp", static_cast<long>(time(nullptr)) + ttl_seconds);
  jwt_set_alg(jwt, JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(kJwtSecret), std::strlen(kJwtSecret));
  char* encoded = jwt_encode_str(jwt);
  std::string token = encoded ? encoded : "";
  free(encoded);
  jwt_free(jwt);
  return token;
}

}  // namespace session_clock::testing
