#include "ws/features/clock_commands.hpp"

#include "protocol/message_types.hpp"
#include "protocol/outbound.hpp"
#include "protocol/refusal.hpp"

namespace session_clock::worker {

namespace {

struct Command {
  db::ClockRpc rpc;
  const char* action;  // CLOCK_CHANGED's action
  const char* type;    // the request's type, for ERROR's ref
};

Command command_for(protocol::ClockAction action) {
  using A = protocol::ClockAction;
  namespace type = protocol::message_type;
  switch (action) {
    case A::start: return {db::ClockRpc::start, "start", type::kStartClock};
    case A::pause: return {db::ClockRpc::pause, "pause", type::kPauseClock};
    case A::resume: return {db::ClockRpc::resume, "resume", type::kResumeClock};
    case A::stop: return {db::ClockRpc::stop, "stop", type::kStopClock};
  }
  return {db::ClockRpc::pause, "pause", type::kPauseClock};
}

}  // namespace

void ClockCommands::run(protocol::ClockAction action, const std::string& session_id,
                        const std::optional<std::string>& reason) {
  Command command = command_for(action);
  nlohmann::json ref = {{"t", command.type}, {"sessionId", session_id}};
  const auto* token = identity_.token();
  if (!token) return out_.send_error(protocol::error_code::kUnauthorized, "send AUTH with a token first", ref);
  std::string role = token->is_service_role() ? auth::kServiceRole : client_role_;
  queries_.change(command.rpc, session_id, reason, role, token->claims_json,
                  out_.completion<db::ClockChange>([this, command, ref, session_id](db::ClockChange result) {
                    if (!result.error.empty()) {
                      auto [code, message] = protocol::refusal(result.error, result.sqlstate);
                      return out_.send_error(code, message, ref);
                    }
                    out_.send_text(protocol::clock_changed(session_id, command.action, result.changed, result.version));
                  }));
}

}  // namespace session_clock::worker
