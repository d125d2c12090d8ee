#include "protocol/jsonrpc_request.hpp"

#include "protocol/message_types.hpp"

namespace session_clock::worker::protocol {
namespace {

constexpr std::size_t kMaxIdChars = 64;

}  // namespace

bool is_valid_jsonrpc_id(const nlohmann::json& id) {
  if (id.is_string()) return id.get_ref<const std::string&>().size() <= kMaxIdChars;
  return id.is_number() || id.is_null();
}

bool is_jsonrpc_version(const nlohmann::json& version) { return version == message_type::kJsonRpcVersion; }

JsonRpcRequest classify_jsonrpc(const nlohmann::json& message) {
  if (!message.is_object()) return {};
  auto id = message.find("id");
  bool has_id = id != message.end();
  if (has_id && !is_valid_jsonrpc_id(*id)) return {};
  nlohmann::json reply_id = has_id ? *id : nlohmann::json();
  auto method = message.find("method");
  auto version = message.find("jsonrpc");
  if (version == message.end() || !is_jsonrpc_version(*version) || method == message.end() || !method->is_string())
    return {JsonRpcKind::invalid_request, reply_id};
  // Without an id it is a notification, whatever the method: never answered.
  if (!has_id) return {JsonRpcKind::notification, reply_id};
  if (*method != message_type::kJsonRpcTimesync) return {JsonRpcKind::method_not_found, reply_id};
  return {JsonRpcKind::timesync, reply_id};
}

}  // namespace session_clock::worker::protocol
