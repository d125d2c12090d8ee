// The worker behind real nginx, configured by the documented file
// (deploy/nginx/session-clock.conf) with only its port, certificate and
// upstream replaced: TLS ends at nginx with a throwaway self-signed
// certificate, and time sync, a CLOCK_STATE push and a signed LiveKit webhook
// all pass through it, as /metrics stays closed to other addresses.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "harness.hpp"
#include "livekit_signer.hpp"
#include "presence_suite.hpp"
#include "test_certificate.hpp"

extern char** environ;

namespace t = session_clock::testing;
namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono;

namespace {

const char* kNginx = "/usr/sbin/nginx";

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

// Replaces `pattern` in `text`, which must occur: the documented file changed
// under the test otherwise.
std::string replace_in(const std::string& text, const std::string& pattern, const std::string& with) {
  std::regex re(pattern);
  if (!std::regex_search(text, re)) throw std::runtime_error("deploy/nginx/session-clock.conf has no " + pattern);
  return std::regex_replace(text, re, with);
}

unsigned short free_port() {
  net::io_context io;
  net::ip::tcp::acceptor a(io, {net::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

int run(const std::vector<std::string>& args, std::string* output) {
  std::string command;
  for (const auto& a : args) command += "'" + a + "' ";
  FILE* pipe = popen((command + "2>&1").c_str(), "r");
  char buf[512];
  while (pipe && fgets(buf, sizeof buf, pipe)) *output += buf;
  return pipe ? WEXITSTATUS(pclose(pipe)) : -1;
}

// A TLS client context that trusts only the test's certificate.
std::unique_ptr<ssl::context> trusting(const std::string& certificate_pem) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  ctx->add_certificate_authority(net::buffer(certificate_pem));
  ctx->set_verify_mode(ssl::verify_peer);
  return ctx;
}

class WssClient {
 public:
  WssClient(ssl::context& ctx, unsigned short port, const std::string& target) : ws_(io_, ctx) {
    auto& tls = beast::get_lowest_layer(ws_);
    tls.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    SSL_set_tlsext_host_name(ws_.next_layer().native_handle(), "localhost");
    ws_.next_layer().set_verify_callback(ssl::host_name_verification("localhost"));
    ws_.next_layer().handshake(ssl::stream_base::client);
    ws_.handshake("localhost", target);
  }
  void send(const json& m) {
    ws_.text(true);
    ws_.write(net::buffer(m.dump()));
  }
  // The next frame of type `type` (others skipped), or nullopt after `timeout`.
  std::optional<json> receive_type(const std::string& type, milliseconds timeout = milliseconds(5000)) {
    auto deadline = steady_clock::now() + timeout;
    while (steady_clock::now() < deadline) {
      beast::get_lowest_layer(ws_).expires_after(duration_cast<milliseconds>(deadline - steady_clock::now()));
      beast::flat_buffer buffer;
      beast::error_code ec;
      ws_.read(buffer, ec);
      if (ec) return std::nullopt;
      auto m = json::parse(beast::buffers_to_string(buffer.data()), nullptr, false);
      if (m.is_object() && m.value("t", "") == type) return m;
    }
    return std::nullopt;
  }

 private:
  net::io_context io_;
  websocket::stream<ssl::stream<beast::tcp_stream>> ws_;
};

// One HTTPS request from `from` (a loopback address) to nginx.
std::pair<int, std::string> https_request(ssl::context& ctx, unsigned short port, http::verb method,
                                          const std::string& target, const std::string& body = {},
                                          const std::vector<std::pair<std::string, std::string>>& headers = {},
                                          const std::string& from = "127.0.0.1") {
  net::io_context io;
  ssl::stream<beast::tcp_stream> stream(io, ctx);
  auto& socket = beast::get_lowest_layer(stream).socket();
  socket.open(net::ip::tcp::v4());
  socket.bind({net::ip::make_address(from), 0});
  socket.connect({net::ip::make_address("127.0.0.1"), port});
  SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
  stream.set_verify_callback(ssl::host_name_verification("localhost"));
  stream.handshake(ssl::stream_base::client);
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, "localhost");
  for (const auto& [name, value] : headers) req.set(name, value);
  if (!body.empty()) {
    req.set(http::field::content_type, "application/webhook+json");
    req.body() = body;
  }
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  beast::error_code ignored;
  stream.shutdown(ignored);
  return {static_cast<int>(res.result_int()), res.body()};
}

class NginxTest : public t::ClusterSuite {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kNginx)) << "nginx is not installed (scripts/install-deps.sh installs it)";
    worker_ = std::make_unique<t::WorkerProcess>(
        cluster_->url(), std::vector<std::string>{"--livekit-api-key", t::kLiveKitKey, "--livekit-api-secret",
                                                  t::kLiveKitSecret});
    char templ[] = "/tmp/session_clock_nginx.XXXXXX";
    ASSERT_TRUE(mkdtemp(templ));
    dir_ = templ;
    auto identity = t::make_self_signed_certificate("localhost", {"DNS:localhost", "IP:127.0.0.1"});
    certificate_ = identity.certificate_pem;
    write_file(dir_ / "cert.pem", identity.certificate_pem);
    write_file(dir_ / "key.pem", identity.private_key_pem);
    port_ = free_port();

    auto site = read_file(fs::path(SESSION_CLOCK_SOURCE_DIR) / "deploy/nginx/session-clock.conf");
    site = replace_in(site, R"(server 127\.0\.0\.1:8080;)", "server 127.0.0.1:" + std::to_string(worker_->port()) + ";");
    site = replace_in(site, R"(listen 443 ssl;)", "listen 127.0.0.1:" + std::to_string(port_) + " ssl;");
    site = replace_in(site, R"(listen \[::\]:443 ssl;\n)", "");
    site = replace_in(site, R"(ssl_certificate +/\S+;)", "ssl_certificate " + (dir_ / "cert.pem").string() + ";");
    site = replace_in(site, R"(ssl_certificate_key +/\S+;)", "ssl_certificate_key " + (dir_ / "key.pem").string() + ";");
    write_file(dir_ / "session-clock.conf", site);
    // The rest of what /etc/nginx/nginx.conf would give, in the test's own
    // directory, nginx in the foreground as one process.
    std::string d = dir_.string();
    write_file(dir_ / "nginx.conf", "daemon off;\nmaster_process off;\npid " + d + "/nginx.pid;\nerror_log " + d +
                                        "/error.log info;\nevents { worker_connections 256; }\nhttp {\n  access_log " +
                                        d + "/access.log;\n  client_body_temp_path " + d + "/body;\n  proxy_temp_path " +
                                        d + "/proxy;\n  fastcgi_temp_path " + d + "/fastcgi;\n  uwsgi_temp_path " + d +
                                        "/uwsgi;\n  scgi_temp_path " + d + "/scgi;\n  include " + d +
                                        "/session-clock.conf;\n}\n");

    std::string output;
    ASSERT_EQ(run({kNginx, "-t", "-q", "-p", d, "-c", d + "/nginx.conf"}, &output), 0) << "nginx -t: " << output;
    std::vector<std::string> args = {kNginx, "-p", d, "-c", d + "/nginx.conf"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ASSERT_EQ(posix_spawn(&nginx_pid_, kNginx, nullptr, nullptr, argv.data(), environ), 0);
    for (auto deadline = steady_clock::now() + seconds(10); steady_clock::now() < deadline;) {
      net::io_context io;
      net::ip::tcp::socket s(io);
      beast::error_code ec;
      s.connect({net::ip::make_address("127.0.0.1"), port_}, ec);
      if (!ec) return;
      std::this_thread::sleep_for(milliseconds(20));
    }
    FAIL() << "nginx did not start:\n" << read_file(dir_ / "error.log");
  }

  void TearDown() override {
    if (nginx_pid_ > 0) {
      kill(nginx_pid_, SIGTERM);
      waitpid(nginx_pid_, nullptr, 0);
    }
    if (HasFailure() && !dir_.empty()) std::cerr << "--- nginx error.log\n" << read_file(dir_ / "error.log") << "\n";
    print_logs_on_failure({worker_.get()});
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  std::unique_ptr<t::WorkerProcess> worker_;
  fs::path dir_;
  std::string certificate_;
  unsigned short port_ = 0;
  pid_t nginx_pid_ = -1;
};

TEST_F(NginxTest, TimeSyncOverWss) {
  auto ctx = trusting(certificate_);
  WssClient ws(*ctx, port_, "/ws");
  ws.send({{"t", "TIME_PING"}, {"clientNowMs", 1000.5}, {"pingId", 42}});
  auto pong = ws.receive_type("TIME_PONG");
  ASSERT_TRUE(pong);
  EXPECT_EQ((*pong)["pingId"], 42);
  EXPECT_EQ((*pong)["clientNowMs"], 1000.5);
}

TEST_F(NginxTest, ClockStateIsPushedThroughTheProxy) {
  ASSERT_TRUE(worker_->wait_listening());
  auto id = cluster_->sql("SELECT gen_random_uuid()");
  cluster_->sql("SELECT session_clock_start('" + id + "')");
  cluster_->sql("SELECT session_clock_add_member('" + id + "', 'nina', 'host')");
  auto ctx = trusting(certificate_);
  WssClient ws(*ctx, port_, "/ws?access_token=" + t::make_token("nina", "authenticated", 300));
  ws.send({{"t", "SUBSCRIBE_CLOCK"}, {"sessionId", id}});
  auto first = ws.receive_type("CLOCK_STATE");
  ASSERT_TRUE(first);
  EXPECT_EQ((*first)["version"], 1);
  cluster_->sql("SELECT session_clock_pause('" + id + "', 'through nginx')");
  auto pushed = ws.receive_type("CLOCK_STATE");
  ASSERT_TRUE(pushed);
  EXPECT_EQ((*pushed)["isPaused"], true);
  EXPECT_EQ((*pushed)["version"], 2);
}

TEST_F(NginxTest, SignedWebhookPassesUnchangedAndForgedOneIsRefused) {
  ASSERT_TRUE(worker_->wait_listening());
  auto id = cluster_->sql("SELECT gen_random_uuid()");
  cluster_->sql("SELECT session_clock_start('" + id + "')");
  auto now = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
  json event = {{"event", "participant_joined"},
                {"id", "EV_nginx_1"},
                {"createdAt", std::to_string(now)},
                {"room", {{"name", id}, {"sid", "RM_1"}}},
                {"participant", {{"sid", "PA_1"}, {"identity", "olga"}}}};
  auto body = event.dump();
  auto ctx = trusting(certificate_);
  auto [status, reply] = https_request(*ctx, port_, http::verb::post, "/webhooks/livekit", body,
                                       {{"Authorization", t::sign_livekit_webhook(t::kLiveKitKey, t::kLiveKitSecret, body, now)}});
  EXPECT_EQ(status, 200) << reply;
  EXPECT_EQ(cluster_->sql("SELECT count(*) FROM session_clock.presence WHERE source = 'livekit' AND session_id = '" +
                          id + "' AND participant_id = 'olga'"),
            "1");
  auto [forged, forged_reply] =
      https_request(*ctx, port_, http::verb::post, "/webhooks/livekit", body,
                    {{"Authorization", t::sign_livekit_webhook(t::kLiveKitKey, "not-the-secret-0123456789abcdef", body, now)}});
  EXPECT_EQ(forged, 401) << forged_reply;
  auto [get_status, get_reply] = https_request(*ctx, port_, http::verb::get, "/webhooks/livekit");
  EXPECT_EQ(get_status, 403);  // POST only
}

TEST_F(NginxTest, MetricsOnlyForTheAllowedAddressesAndTheClientIsServed) {
  ASSERT_TRUE(worker_->wait_listening());
  auto ctx = trusting(certificate_);
  auto [status, metrics] = https_request(*ctx, port_, http::verb::get, "/metrics");
  EXPECT_EQ(status, 200);
  EXPECT_NE(metrics.find("session_clock_build_info{"), std::string::npos);
  auto [denied, ignored] = https_request(*ctx, port_, http::verb::get, "/metrics", {}, {}, "127.0.0.2");
  EXPECT_EQ(denied, 403);
  auto [health, health_body] = https_request(*ctx, port_, http::verb::get, "/healthz", {}, {}, "127.0.0.2");
  EXPECT_EQ(health, 200) << health_body;
  auto [client, script] = https_request(*ctx, port_, http::verb::get, "/session-clock.js");
  EXPECT_EQ(client, 200);
  EXPECT_NE(script.find("export class SessionClock"), std::string::npos);
  auto [timesync, answer] = https_request(*ctx, port_, http::verb::post, "/timesync",
                                          R"({"jsonrpc":"2.0","id":1,"method":"timesync"})");
  EXPECT_EQ(timesync, 200) << answer;
  EXPECT_NE(answer.find("\"result\""), std::string::npos) << answer;
}

}  // namespace
