#include "room_service_standin.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>

namespace session_clock::testing {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

constexpr std::size_t kMaxRequestBytes = 1024 * 1024;

std::int64_t unix_now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
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
  std::unique_ptr<ssl::context> tls;  // https when set
  std::thread thread;

  // Called on the server thread for each request; nullopt means "never answer".
  std::optional<StandInReply> answer(const StandInRequest& request);
  void accept();
};

namespace {

// One connection: read a request, answer it, and again while the client keeps
// the connection alive (Node's fetch does). Stream is a tcp_stream, or an
// ssl_stream over one after the server's handshake.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <class... Layers>
  Session(RoomServiceStandIn::Server& server, Layers&&... layers)
      : stream_(std::forward<Layers>(layers)...), server_(server) {}

  void start() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      read();
    } else {
      stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        if (!ec) self->read();
      });
    }
  }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(kMaxRequestBytes);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_read, this->shared_from_this()));
  }

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
    http::async_write(stream_, *response,
                      [self = this->shared_from_this(), response](beast::error_code e, std::size_t) {
                        if (!e && response->keep_alive()) return self->read();
                        beast::error_code ignored;  // TLS too: the client has its answer and needs no close_notify
                        beast::get_lowest_layer(self->stream_).socket().shutdown(tcp::socket::shutdown_send, ignored);
                      });
  }

  static StandInRequest to_stand_in(const http::request<http::string_body>& request) {
    StandInRequest out{std::string(request.method_string()), std::string(request.target()), std::nullopt,
                       std::string(request[http::field::content_type]), request.body()};
    if (auto it = request.find(http::field::authorization); it != request.end())
      out.authorization = std::string(it->value());
    return out;
  }

  Stream stream_;
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
    if (tls)
      std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(*this, std::move(socket), *tls)->start();
    else
      std::make_shared<Session<beast::tcp_stream>>(*this, std::move(socket))->start();
    accept();
  });
}

RoomServiceStandIn::RoomServiceStandIn(std::string api_key, std::string api_secret, std::optional<TlsIdentity> tls)
    : server_(std::make_unique<Server>()) {
  server_->state.api_key = std::move(api_key);
  server_->state.api_secret = std::move(api_secret);
  if (tls) {
    server_->tls = std::make_unique<ssl::context>(ssl::context::tls_server);
    server_->tls->use_certificate_chain(net::buffer(tls->certificate_pem));
    server_->tls->use_private_key(net::buffer(tls->private_key_pem), ssl::context::pem);
  }
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

std::string RoomServiceStandIn::url() const {
  return (server_->tls ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port());
}

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
