// START_CLOCK, PAUSE_CLOCK, RESUME_CLOCK, STOP_CLOCK: the session clock RPCs
// for a browser that has no backend of its own, run exactly as PostgREST
// would run them for the token (its role, its claims): who may do what is
// the extension's rule, not the worker's. The answer is CLOCK_CHANGED; every
// follower, this connection included, then gets the CLOCK_STATE push.
#include <boost/asio/post.hpp>

#include "protocol/message_types.hpp"
#include "protocol/outbound.hpp"
#include "protocol/refusal.hpp"
#include "ws/ws_session.hpp"

namespace session_clock::worker {

namespace net = boost::asio;

namespace {

struct Rpc {
  db::ClockRpc rpc;
  const char* action;
  const char* type;
};

Rpc rpc_for(protocol::ClockCommand::Action action) {
  using A = protocol::ClockCommand::Action;
  switch (action) {
    case A::start: return {db::ClockRpc::start, "start", protocol::message_type::kStartClock};
    case A::pause: return {db::ClockRpc::pause, "pause", protocol::message_type::kPauseClock};
    case A::resume: return {db::ClockRpc::resume, "resume", protocol::message_type::kResumeClock};
    case A::stop: return {db::ClockRpc::stop, "stop", protocol::message_type::kStopClock};
  }
  return {db::ClockRpc::pause, "pause", protocol::message_type::kPauseClock};
}

}  // namespace

void WsSession::on_clock_command(const protocol::ClockCommand& command) {
  Rpc rpc = rpc_for(command.action);
  nlohmann::json ref = {{"t", rpc.type}, {"sessionId", command.session_id}};
  if (!identity_) return send_error(protocol::error_code::kUnauthorized, "send AUTH with a token first", ref);
  std::string role = identity_->role == "service_role" ? "service_role" : ctx_.options.client_role;
  auto self = shared_from_this();
  ctx_.clock_queries->change(
      rpc.rpc, command.session_id, command.reason, role, identity_->claims_json,
      [self, rpc, ref, id = command.session_id](db::ClockChange result) {
        net::post(self->ws_.get_executor(), [self, rpc, ref, id, result = std::move(result)] {
          if (self->closing_ || self->left_) return;
          if (!result.error.empty()) {
            auto [code, message] = refusal(result.error, result.sqlstate);
            return self->send_error(code, message, ref);
          }
          self->send_text(protocol::clock_changed(id, rpc.action, result.changed, result.version));
        });
      });
}

}  // namespace session_clock::worker
