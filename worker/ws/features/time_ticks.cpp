#include "ws/features/time_ticks.hpp"

#include "protocol/message_types.hpp"
#include "protocol/outbound.hpp"
#include "protocol/time_update.hpp"

namespace session_clock::worker {

void TimeTicks::on_subscribe(const protocol::SubscribeTime& request) {
  if (!protocol::is_known_timezone(request.timezone))
    return out_.send_error(protocol::error_code::kInvalidTimezone, "unknown time zone: " + request.timezone,
                           {{"t", protocol::message_type::kSubscribeTime}});
  out_.send_text(protocol::subscribed(protocol::topic::kTime, {{"timezone", request.timezone}}));
  subscribe(request.timezone);
}

void TimeTicks::on_unsubscribe(const protocol::UnsubscribeTime&) {
  end();
  out_.send_text(protocol::unsubscribed(protocol::topic::kTime, nullptr));
}

void TimeTicks::start_feed(const std::string& timezone) { subscribe(timezone); }

// The current time first, then the ticker's frames on each second boundary.
void TimeTicks::subscribe(const std::string& timezone) {
  subscribed_ = true;
  auto now = clock_.now();
  if (auto frame = protocol::time_update(now, timezone)) out_.send_text(std::move(*frame));
  ticker_.subscribe(out_.subscriber(), out_.key(), timezone, now);
}

void TimeTicks::end() {
  if (subscribed_) ticker_.unsubscribe(out_.key());
  subscribed_ = false;
}

}  // namespace session_clock::worker
