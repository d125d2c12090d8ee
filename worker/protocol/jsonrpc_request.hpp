// One JSON-RPC 2.0 request object, classified the way the `timesync` method
// needs: shared by the WebSocket dialect and POST /timesync.
#pragma once

#include <nlohmann/json.hpp>

namespace session_clock::worker::protocol {

enum class JsonRpcKind {
  timesync,          // a call of "timesync" with a valid id
  notification,      // no id: JSON-RPC forbids any reply
  invalid_request,   // -32600
  method_not_found,  // -32601
};

struct JsonRpcRequest {
  JsonRpcKind kind = JsonRpcKind::invalid_request;
  nlohmann::json id;  // the request's id when it is a valid one, else null
};

// A valid id: a string of at most 64 characters, a number, or null.
bool is_valid_jsonrpc_id(const nlohmann::json& id);

// True if a request's "jsonrpc" member says "2.0".
bool is_jsonrpc_version(const nlohmann::json& version);

JsonRpcRequest classify_jsonrpc(const nlohmann::json& message);

}  // namespace session_clock::worker::protocol
