// Tokens as Supabase's asymmetric keys sign them: the real worker with
// --jwks-file, and with --jwks-url against a JWKS served here over loopback,
// admits an ES256 token by its kid and refuses a tampered one, an unknown
// kid and a wrong alg; a key rotated into the set works without a restart.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "harness.hpp"
#include "test_jwk.hpp"

namespace t = session_clock::testing;
using t::json;
using t::TestJwk;
using namespace std::chrono;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

json claims(const std::string& sub) {
  auto now = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
  return {{"sub", sub}, {"role", "authenticated"}, {"aud", "authenticated"}, {"exp", now + 600}};
}

// The same signature over other claims (another sub).
std::string tamper(const std::string& token) {
  auto first = token.find('.'), second = token.rfind('.');
  return token.substr(0, first + 1) + t::base64url(claims("mallory").dump()) + token.substr(second);
}

// AUTH's answer: "AUTH_OK" or the ERROR's message.
std::string auth(unsigned short port, const std::string& token) {
  t::WsClient ws(port);
  ws.send({{"t", "AUTH"}, {"token", token}});
  while (auto frame = ws.receive()) {
    if ((*frame)["t"] == "AUTH_OK") return "AUTH_OK";
    if ((*frame)["t"] == "ERROR") return (*frame)["message"].get<std::string>();
  }
  return "no answer";
}

// A JWKS over plain HTTP on 127.0.0.1: one document, every GET counted.
class JwksServer {
 public:
  explicit JwksServer(std::string document) : document_(std::move(document)), acceptor_(io_) {
    net::ip::tcp::endpoint at(net::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(at.protocol());
    acceptor_.bind(at);
    acceptor_.listen();
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~JwksServer() {
    io_.stop();
    thread_.join();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/auth/v1/.well-known/jwks.json";
  }
  void set(std::string document) {
    std::lock_guard lock(mutex_);
    document_ = std::move(document);
  }
  int gets() const { return gets_; }

 private:
  void accept() {
    acceptor_.async_accept([this](beast::error_code ec, net::ip::tcp::socket socket) {
      if (ec) return;
      serve(std::move(socket));
      accept();
    });
  }
  // Blocking, one at a time: the worker fetches once in a while.
  void serve(net::ip::tcp::socket socket) {
    beast::error_code ec;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::read(socket, buffer, request, ec);
    if (ec) return;
    ++gets_;
    http::response<http::string_body> response{http::status::ok, 11};
    response.set(http::field::content_type, "application/json");
    {
      std::lock_guard lock(mutex_);
      response.body() = request.target() == "/auth/v1/.well-known/jwks.json" ? document_ : "";
    }
    if (request.target() != "/auth/v1/.well-known/jwks.json") response.result(http::status::not_found);
    response.keep_alive(false);
    response.prepare_payload();
    http::write(socket, response, ec);
  }

  std::mutex mutex_;
  std::string document_;
  std::atomic<int> gets_{0};
  net::io_context io_;
  net::ip::tcp::acceptor acceptor_;
  std::thread thread_;
};

class Jwks : public t::ClusterSuite {
 protected:
  void TearDown() override { print_logs_on_failure({worker_.get()}); }
  void start(std::vector<std::string> args) {
    worker_ = std::make_unique<t::WorkerProcess>(cluster_->url(), args);
    ASSERT_TRUE(worker_->wait_listening());
  }
  // What every worker with the key set must do.
  void expect_supabase_tokens(const TestJwk& key) {
    auto port = worker_->port();
    EXPECT_EQ(auth(port, key.sign(claims("es-user"))), "AUTH_OK");
    EXPECT_EQ(auth(port, tamper(key.sign(claims("es-user")))), "bad signature");
    EXPECT_EQ(auth(port, TestJwk::ec("not-published").sign(claims("es-user"))), "unknown key");
    EXPECT_EQ(auth(port, key.sign(claims("es-user"), "RS256")), "algorithm not allowed");
    EXPECT_EQ(auth(port, t::make_token("hs-user", "authenticated", 600)), "AUTH_OK");  // the HS secret alongside
  }

  std::unique_ptr<t::WorkerProcess> worker_;
};

TEST_F(Jwks, FromAFileES256TokensAreAdmittedByKidAndRotationNeedsNoRestart) {
  auto key = TestJwk::ec("es-1");
  auto path = std::filesystem::temp_directory_path() / ("jwks-" + std::to_string(::getpid()) + ".json");
  std::ofstream(path) << t::jwks_document({&key});
  start({"--jwks-file", path.string()});
  expect_supabase_tokens(key);

  auto next = TestJwk::ec("es-2");
  std::ofstream(path) << t::jwks_document({&key, &next});
  std::this_thread::sleep_for(milliseconds(2100));  // past the unknown kid above's re-read
  // The first token with the new kid makes the worker read the file again.
  std::string answer;
  for (int i = 0; i < 50 && answer != "AUTH_OK"; ++i) {
    answer = auth(worker_->port(), next.sign(claims("rotated")));
    if (answer != "AUTH_OK") std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_EQ(answer, "AUTH_OK");
  std::filesystem::remove(path);
}

TEST_F(Jwks, FromALoopbackUrlFetchedAtStartAndAgainOnlyForUnknownKids) {
  auto key = TestJwk::ec("es-1");
  JwksServer server(t::jwks_document({&key}));
  start({"--jwks-url", server.url()});
  EXPECT_EQ(server.gets(), 1);
  expect_supabase_tokens(key);
  // One unknown kid above: one more read, however many tokens name unknown kids.
  for (int i = 0; i < 5; ++i) auth(worker_->port(), TestJwk::ec("stranger-" + std::to_string(i)).sign(claims("x")));
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_LE(server.gets(), 2);
}

}  // namespace
