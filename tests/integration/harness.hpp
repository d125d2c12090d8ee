// Real parts for the worker's integration tests: a throwaway PostgreSQL
// cluster (scripts/pg-cluster) with the extension, the real worker binary as
// a child process, and a real WebSocket client over loopback.
#pragma once

#include <sys/types.h>

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace session_clock::testing {

using json = nlohmann::json;

class Cluster {
 public:
  Cluster();  // starts it and creates the extension and the Supabase roles
  ~Cluster();
  const std::string& url() const { return url_; }
  const std::string& dir() const { return dir_; }
  // Runs SQL as the superuser; returns the first column of the first row ("" if none).
  std::string sql(const std::string& statement) const;
  void restart() const;  // pg_ctl restart: every connection drops

 private:
  std::string dir_;
  std::string url_;
};

// Every line a worker writes (stdout and stderr) must be valid logfmt, or
// JSON with --log-format json: the destructor fails the test otherwise.
class WorkerProcess {
 public:
  // extra_env: NAME=value entries added to this process's environment
  // (libfaketime's LD_PRELOAD and FAKETIME, for instance).
  // open_files_limit: the worker's RLIMIT_NOFILE (soft and hard), set by
  // prlimit(1) before it starts; 0 leaves this process's.
  WorkerProcess(const std::string& database_url, std::vector<std::string> extra_args = {},
                std::vector<std::string> extra_env = {}, unsigned open_files_limit = 0);
  ~WorkerProcess();
  unsigned short port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_; }
  std::string log() const;
  void terminate();  // SIGTERM (wait_exit() to reap it)
  void kill_hard();  // SIGKILL and reap: a crash, no goodbye
  int wait_exit(std::chrono::seconds timeout = std::chrono::seconds(10));  // exit status, -1 if still running
  // Whether /healthz reports the LISTEN connection up and the database's
  // clock measured within the timeout (both happen in the background after
  // the port is open).
  bool wait_listening(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) const;

 private:
  pid_t pid_ = -1;
  unsigned short port_ = 0;
  std::string log_;
  std::string log_format_ = "logfmt";  // every line it writes is checked against this
};

// A fixture whose suite shares one throwaway cluster, fresh for each suite.
class ClusterSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cluster_ = new Cluster(); }
  static void TearDownTestSuite() {
    expect_nothing_stranded();
    delete cluster_;
    cluster_ = nullptr;
  }
  // No suite may leave a session billing with nobody there, or not billing
  // with everyone there (session_clock.stranded_sessions, docs/grace.md).
  static void expect_nothing_stranded();
  // After a failed test, the logs of the given workers (null ones skipped).
  void print_logs_on_failure(std::initializer_list<const WorkerProcess*> workers) const;
  // A started session with `host` as its host.
  static std::string new_session(const std::string& host);

  static inline Cluster* cluster_ = nullptr;
};

// HTTP/1.1 request over loopback; returns {status, body}.
std::pair<int, std::string> http_request(unsigned short port, const std::string& method, const std::string& target,
                                         const std::string& body = {},
                                         const std::vector<std::pair<std::string, std::string>>& headers = {});

// The HTTP status of a WebSocket upgrade request (101 when accepted).
int upgrade_status(unsigned short port, const std::string& target, const std::string& origin = {});

class WsClient {
 public:
  explicit WsClient(unsigned short port, const std::string& target = "/ws", const std::string& origin = {});
  // With request headers (an Origin among them, or a proxy's X-Forwarded-For),
  // from a chosen loopback address (127.0.0.0/8: each is another client).
  WsClient(unsigned short port, const std::string& target, std::vector<std::pair<std::string, std::string>> headers,
           const std::string& source = "127.0.0.1");
  void send(const json& message);
  void send_raw(const std::string& text);
  void ping();  // a WebSocket ping control frame; throws once the server has closed
  // The next frame, or nullopt after `timeout` with nothing.
  std::optional<json> receive(std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));
  // Frames until one with t == type (others discarded), or nullopt.
  std::optional<json> receive_type(const std::string& type,
                                   std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));
  // The close code once the server closed, or nullopt if still open after timeout.
  std::optional<int> wait_closed(std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

 private:
  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;
  bool reading_ = false;
  bool done_ = false;
  boost::beast::error_code result_;
  std::optional<int> closed_code_;  // -1: dropped without a close frame
 public:
  std::string last_error_;
};

// HS256 token for the tests' secret.
std::string make_token(const std::string& sub, const std::string& role, long ttl_seconds);
inline const char* kJwtSecret = "integration-test-secret-with-enough-entropy-0123456789";

}  // namespace session_clock::testing
