#include "log/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

namespace session_clock::worker::log {
namespace {

class LineFormatter final : public spdlog::formatter {
 public:
  explicit LineFormatter(Format format) : format_(format) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto level = spdlog::level::to_string_view(msg.level);
    auto line = format_line(format_, msg.time, std::string_view(level.data(), level.size()),
                            std::string_view(msg.payload.data(), msg.payload.size()));
    line += '\n';
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<LineFormatter>(format_); }

 private:
  Format format_;
};

}  // namespace

void configure(Format format, const std::string& level) {
  spdlog::set_formatter(std::make_unique<LineFormatter>(format));
  spdlog::set_level(spdlog::level::from_str(level));
}

}  // namespace session_clock::worker::log
