#include "room_service_standin.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace session_clock::testing {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::size_t kMaxRequestBytes = 1024 * 1024;

std::int64_t unix_now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// Everything the server thread and the test thread share, under one mutex.
struct RoomServiceStandIn::Server {
  mutable std::mutex mutex;
  StandInState state;
  bool unresponsive = false;
  std::function<void(const std::string&)> hook;
  std::map<std::string, int> requests;
  std::string last_error;

  net::io_context io;
  tcp::acceptor acceptor{io};
  unsigned short port = 0;
  std::thread thread;

  // Called on the server thread for each request; nullopt means "never answer".
  std::optional<StandInReply> answer(const StandInRequest& request);
  void accept();
};

namespace {

// One connection: read a request, answer it, and again while the client keeps
// the connection alive (Node's fetch does).
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, RoomServiceStandIn::Server& server) : stream_(std::move(socket)), server_(server) {}

  void read() {
    parser_.emplace();
    parser_->body_limit(kMaxRequestBytes);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

 private:
  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;  // the client went away, or sent what HTTP cannot parse
    auto request = parser_->release();
    auto reply = server_.answer(to_stand_in(request));
    if (!reply) return read();  // unresponsive: hold the connection, say nothing
    auto response = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(reply->status),
                                                                         request.version());
    response->set(http::field::content_type, reply->content_type);
    response->body() = std::move(reply->body);
    response->keep_alive(request.keep_alive());
    response->prepare_payload();
    http::async_write(stream_, *response, [self = shared_from_this(), response](beast::error_code e, std::size_t) {
      if (!e && response->keep_alive()) return self->read();
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
  }

  static StandInRequest to_stand_in(const http::request<http::string_body>& request) {
    StandInRequest out{std::string(request.method_string()), std::string(request.target()), std::nullopt,
                       std::string(request[http::field::content_type]), request.body()};
    if (auto it = request.find(http::field::authorization); it != request.end())
      out.authorization = std::string(it->value());
    return out;
  }

  beast::tcp_stream stream_;
  RoomServiceStandIn::Server& server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
};

}  // namespace

std::optional<StandInReply> RoomServiceStandIn::Server::answer(const StandInRequest& request) {
  std::string method = twirp_method_of(request.target);
  std::unique_lock lock(mutex);
  ++requests[method];
  if (unresponsive) return std::nullopt;
  StandInReply reply = answer_room_service(request, state, unix_now_s());
  if (!reply.refusal.empty()) last_error = method + ": " + reply.refusal;
  auto after = hook;
  lock.unlock();
  if (after) after(method);
  return reply;
}

void RoomServiceStandIn::Server::accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec) return;  // closed: the stand-in is stopping
    std::make_shared<Session>(std::move(socket), *this)->read();
    accept();
  });
}

RoomServiceStandIn::RoomServiceStandIn(std::string api_key, std::string api_secret)
    : server_(std::make_unique<Server>()) {
  server_->state.api_key = std::move(api_key);
  server_->state.api_secret = std::move(api_secret);
  tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
  server_->acceptor.open(endpoint.protocol());
  server_->acceptor.set_option(net::socket_base::reuse_address(true));
  server_->acceptor.bind(endpoint);
  server_->acceptor.listen();
  server_->port = server_->acceptor.local_endpoint().port();
  server_->accept();
  server_->thread = std::thread([server = server_.get()] { server->io.run(); });
}

RoomServiceStandIn::~RoomServiceStandIn() {
  net::post(server_->io, [server = server_.get()] {
    beast::error_code ignored;
    server->acceptor.close(ignored);
    server->io.stop();  // connections still open are dropped with the io_context
  });
  server_->thread.join();
}

unsigned short RoomServiceStandIn::port() const { return server_->port; }

std::string RoomServiceStandIn::url() const { return "http://127.0.0.1:" + std::to_string(port()); }

void RoomServiceStandIn::set_room(const std::string& name, const std::string& sid,
                                  std::vector<Participant> participants) {
  std::lock_guard lock(server_->mutex);
  auto& room = server_->state.rooms[name];
  if (room.sid != sid) room.creation_time_s = unix_now_s();  // a new room, or the same name started again
  room.name = name;
  room.sid = sid;
  room.participants = std::move(participants);
}

void RoomServiceStandIn::remove_room(const std::string& name) {
  std::lock_guard lock(server_->mutex);
  server_->state.rooms.erase(name);
}

void RoomServiceStandIn::set_unavailable(bool unavailable) {
  std::lock_guard lock(server_->mutex);
  server_->state.unavailable = unavailable;
}

void RoomServiceStandIn::set_unresponsive(bool unresponsive) {
  std::lock_guard lock(server_->mutex);
  server_->unresponsive = unresponsive;
}

void RoomServiceStandIn::set_json_style(JsonStyle style) {
  std::lock_guard lock(server_->mutex);
  server_->state.style = style;
}

void RoomServiceStandIn::set_missing_room_not_found(bool not_found) {
  std::lock_guard lock(server_->mutex);
  server_->state.missing_room_not_found = not_found;
}

void RoomServiceStandIn::after_each_answer(std::function<void(const std::string& method)> hook) {
  std::lock_guard lock(server_->mutex);
  server_->hook = std::move(hook);
}

int RoomServiceStandIn::requests(const std::string& method) const {
  std::lock_guard lock(server_->mutex);
  auto it = server_->requests.find(method);
  return it == server_->requests.end() ? 0 : it->second;
}

std::string RoomServiceStandIn::last_error() const {
  std::lock_guard lock(server_->mutex);
  return server_->last_error;
}

}  // namespace session_clock::testing
