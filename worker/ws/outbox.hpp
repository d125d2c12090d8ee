// What a connection's features may do with it (WsSession implements it):
// send frames through its one bounded queue, answer with an ERROR, close it,
// run a completion (a database answer) back on its strand, and hand the hubs
// a handle to push to it. Features run on the connection's strand only.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "fanout/subscriber.hpp"
#include "protocol/trace.hpp"

namespace session_clock::worker {

class Outbox {
 public:
  virtual ~Outbox() = default;

  virtual void send(Frame frame) = 0;
  // A session's CLOCK_STATE, the hub's push as every subscriber shares it:
  // it replaces one of the same session still waiting in the queue, and
  // goes last, so the client sees the frames it would have, less the
  // superseded.
  virtual void send_clock(ClockPushPtr push) = 0;
  // A frame built when its write starts, so send_ms is when it leaves (pongs).
  virtual void send_stamped(std::function<std::string(double send_ms)> build) = 0;
  virtual void send_error(const char* code, std::string message, nlohmann::json ref) = 0;
  virtual void close(boost::beast::websocket::close_code code, const char* reason) = 0;
  // Runs fn on the connection's strand unless the connection ended first.
  // Thread-safe; keeps the connection alive until then.
  virtual void post(std::function<void()> fn) = 0;
  // The trace of the message being answered (protocol/trace.hpp), null if
  // none; every frame sent meanwhile carries it back. On the strand.
  virtual protocol::Trace answering() const = 0;
  // post(), with fn's frames answering the message whose trace is given.
  virtual void post_reply(protocol::Trace trace, std::function<void()> fn) = 0;
  // The connection, kept alive by whoever holds it.
  virtual std::shared_ptr<Outbox> self() = 0;
  virtual boost::asio::any_io_executor executor() = 0;  // for the features' own timers
  // The connection as the hubs hold it, and the key they know it by.
  virtual std::weak_ptr<Subscriber> subscriber() = 0;
  virtual const Subscriber* key() const = 0;

  void send_text(std::string text) { send(std::make_shared<const std::string>(std::move(text))); }

  // A completion for an asynchronous call (a database answer, on any
  // thread): fn runs with its result on this connection's strand, unless the
  // connection ended meanwhile, still answering the message that made it.
  template <typename Result>
  std::function<void(Result)> completion(std::function<void(Result)> fn) {
    return [connection = self(), trace = answering(), fn = std::move(fn)](Result result) mutable {
      connection->post_reply(std::move(trace), [fn = std::move(fn), result = std::move(result)]() mutable {
        fn(std::move(result));
      });
    };
  }
};

}  // namespace session_clock::worker
