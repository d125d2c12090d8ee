#include "ws/features/identity.hpp"

#include "protocol/message_types.hpp"
#include "protocol/outbound.hpp"

namespace session_clock::worker {

using namespace std::chrono;

Identity::Identity(Outbox& out, const auth::TokenAdmission& tokens, const ServerClock& clock)
    : out_(out), tokens_(tokens), clock_(clock), expiry_(out.executor()) {}

void Identity::adopt(auth::VerifiedToken token) {
  token_ = std::move(token);
  arm_expiry();
}

void Identity::on_auth(const protocol::Auth& request) {
  nlohmann::json ref = {{"t", protocol::message_type::kAuth}};
  if (!tokens_.configured())
    return out_.send_error(protocol::error_code::kUnauthorized, "authentication is not configured", ref);
  auto result = tokens_.admit(request.token);
  if (!result.token) return out_.send_error(protocol::error_code::kUnauthorized, result.error, ref);
  auto previous = std::move(token_);
  adopt(std::move(*result.token));
  out_.send_text(protocol::auth_ok(token_->sub, token_->role, token_->expires_at_s * 1000));
  bool same_identity = previous && previous->sub == token_->sub && previous->role == token_->role;
  if (previous && !same_identity)
    for (auto* observer : observers_) observer->identity_changed();
}

void Identity::end() { expiry_.cancel(); }

// The verifier accepts exp up to the year 9999; the steady clock counts
// nanoseconds in 64 bits (292 years): the wait is saturated, not overflowed
// into the past.
constexpr hours kLongestWait{24 * 365 * 100};

void Identity::arm_expiry() {
  double remaining_ms = token_->expires_at_s * 1000 - clock_.now_ms();
  auto remaining = remaining_ms >= duration_cast<milliseconds>(kLongestWait).count()
                       ? duration_cast<milliseconds>(kLongestWait)
                       : milliseconds(static_cast<std::int64_t>(std::max(0.0, remaining_ms)));
  expiry_.expires_after(remaining);
  // The connection is kept alive until the timer fires or end() cancels it.
  expiry_.async_wait([this, connection = out_.self(), exp = token_->expires_at_s](boost::system::error_code ec) {
    if (ec || !token_ || token_->expires_at_s != exp) return;  // cancelled, or a later token's timer
    out_.close(boost::beast::websocket::close_code::policy_error, "token expired");
  });
}

}  // namespace session_clock::worker
