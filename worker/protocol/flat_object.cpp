#include "protocol/flat_object.hpp"

namespace session_clock::worker::protocol {

using nlohmann::json;

// From the back: a key given twice counts with its last value. Members are
// appended as they come, so reading stays linear in the frame's size
// however many keys it holds (a check for duplicates on every append would
// make a frame of thousands of keys quadratic).
const json* FlatObject::find(std::string_view key) const {
  for (auto it = members_.rbegin(); it != members_.rend(); ++it)
    if (it->first == key) return &it->second;
  return nullptr;
}

// nlohmann's SAX interface. Depth 0 is outside the root, 1 inside the root
// object: only there are keys and values kept. Returning false stops the parse.
class FlatObjectReader {
 public:
  explicit FlatObjectReader(std::size_t max_depth) : max_depth_(max_depth) { object_.members_.reserve(8); }

  bool null() { return keep(nullptr); }
  bool boolean(bool v) { return keep(v); }
  bool number_integer(json::number_integer_t v) { return keep(v); }
  bool number_unsigned(json::number_unsigned_t v) { return keep(v); }
  bool number_float(json::number_float_t v, const json::string_t&) { return keep(v); }
  bool string(json::string_t& v) { return keep(std::move(v)); }
  bool binary(json::binary_t&) { return false; }  // binary formats only, never JSON text
  bool start_object(std::size_t) { return open(json::value_t::object); }
  bool start_array(std::size_t) { return open(json::value_t::array); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(json::string_t& name) {
    if (depth_ == 1) key_ = std::move(name);
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const json::exception&) { return false; }

  bool too_deep() const { return too_deep_; }
  bool root_is_object() const { return root_is_object_; }
  FlatObject take() { return std::move(object_); }

 private:
  // The json is made only when kept: a value inside a nested one (a string,
  // an empty container per bracket) costs no allocation.
  template <typename Value>
  bool keep(Value&& value) {
    if (depth_ == 1 && root_is_object_) object_.members_.emplace_back(std::move(key_), json(std::forward<Value>(value)));
    return true;  // anything else: a root that is no object, or inside a nested value
  }

  bool open(json::value_t kind) {
    if (depth_ == 0) root_is_object_ = kind == json::value_t::object;
    keep(kind);
    if (++depth_ > max_depth_) {
      too_deep_ = true;
      return false;
    }
    return true;
  }

  bool close() {
    --depth_;
    return true;
  }

  std::size_t max_depth_;
  std::size_t depth_ = 0;
  bool too_deep_ = false;
  bool root_is_object_ = false;
  std::string key_;
  FlatObject object_;
};

std::variant<FlatObject, FlatObjectError> read_flat_object(std::string_view text, std::size_t max_depth) {
  FlatObjectReader reader(max_depth);
  if (!json::sax_parse(text.begin(), text.end(), &reader))
    return reader.too_deep() ? FlatObjectError::too_deep : FlatObjectError::not_json;
  if (!reader.root_is_object()) return FlatObjectError::not_object;
  return reader.take();
}

}  // namespace session_clock::worker::protocol
