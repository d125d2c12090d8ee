#include "protocol/flat_object.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "protocol/json_depth.hpp"

namespace protocol = session_clock::worker::protocol;
using nlohmann::json;
using protocol::FlatObjectError;

namespace {

constexpr std::size_t kDepth = 4;

// What nlohmann's DOM, with the depth scan before it, makes of `text`: the
// reading parse_inbound did before the flat reader.
struct DomReading {
  std::optional<FlatObjectError> error;
  json object;
};

DomReading read_with_dom(const std::string& text) {
  if (protocol::nests_deeper_than(text, kDepth)) return {FlatObjectError::too_deep, nullptr};
  json dom = json::parse(text, nullptr, false);
  if (dom.is_discarded()) return {FlatObjectError::not_json, nullptr};
  if (!dom.is_object()) return {FlatObjectError::not_object, nullptr};
  return {std::nullopt, std::move(dom)};
}

// A nested value is kept by its kind only: an empty object or array.
json kind_of(const json& v) {
  if (v.is_object()) return json::object();
  if (v.is_array()) return json::array();
  return v;
}

// Frames like clients send, and like attackers do.
const std::vector<std::string> kSeeds = {
    R"({"t":"TIME_PING","clientNowMs":1795453445000.123,"pingId":12345,"rttMs":1.25})",
    R"({"event":"time_sync.request","sequence":"s-1","client_send":null})",
    R"({"jsonrpc":"2.0","id":-7,"method":"timesync","params":{"a":[1,{"b":null}]}})",
    R"({"t":"HOST_PLAY","trackUrl":"https://x/\u00e9.mp3","title":"\"q\"","startPositionSec":1e2,"requestId":"r"})",
    R"({"t":"AUTH","token":"a.b.c","trace":{"client_send":1,"x":[true,false]},"pingId":18446744073709551615})",
    R"({"a":1,"a":[2],"a":{"b":3},"b":-0,"c":1E-5,"d":123456789012345678901234567890})",
    R"([{"t":"TIME_PING"}])",
    R"("TIME_PING")",
    R"({"t":"JOIN_ROOM","code":"ab12","name":"\ud83d\ude00"} )",
};

// Deletes, inserts or replaces a few bytes, from a JSON-heavy alphabet.
std::string mutate(std::string s, std::mt19937& rng) {
  static const std::string alphabet = "{}[]\":,0123456789.-+eE\\ nultrfaseTIME_PING\xc3\xa9\xff";
  std::uniform_int_distribution<int> edits(1, 3);
  for (int n = edits(rng); n > 0; --n) {
    std::size_t at = s.empty() ? 0 : rng() % (s.size() + 1);
    char c = alphabet[rng() % alphabet.size()];
    switch (rng() % 3) {
      case 0:
        if (at < s.size()) s.erase(at, 1);
        break;
      case 1:
        s.insert(at, 1, c);
        break;
      default:
        if (at < s.size()) s[at] = c;
    }
  }
  return s;
}

void expect_same_reading(const std::string& text) {
  DomReading dom = read_with_dom(text);
  auto flat = protocol::read_flat_object(text, kDepth);
  if (dom.error) {
    ASSERT_TRUE(std::holds_alternative<FlatObjectError>(flat)) << text;
    auto error = std::get<FlatObjectError>(flat);
    // Text that is not JSON and nests too deep: the scan counted brackets
    // in all of it, the parser stops at whichever comes first. Both are
    // bad_json to the client.
    if (*dom.error == FlatObjectError::too_deep && !json::accept(text))
      EXPECT_NE(error, FlatObjectError::not_object) << text;
    else
      EXPECT_EQ(error, *dom.error) << text;
    return;
  }
  ASSERT_TRUE(std::holds_alternative<protocol::FlatObject>(flat)) << text;
  const auto& object = std::get<protocol::FlatObject>(flat);
  for (const auto& [key, value] : dom.object.items()) {
    const json* mine = object.find(key);
    ASSERT_NE(mine, nullptr) << key << " in " << text;
    EXPECT_EQ(*mine, kind_of(value)) << key << " in " << text;
    EXPECT_EQ(mine->type(), kind_of(value).type()) << key << " in " << text;  // 1 and 1.0 compare equal
  }
  EXPECT_EQ(object.find("no such key"), nullptr);
}

}  // namespace

TEST(FlatObject, ReadsWhatTheDomReadsOverMutatedFrames) {
  std::mt19937 rng(20261203);
  int objects = 0;
  for (const auto& seed : kSeeds) {
    expect_same_reading(seed);
    for (int i = 0; i < 4000; ++i) {
      std::string text = mutate(seed, rng);
      expect_same_reading(text);
      objects += std::holds_alternative<protocol::FlatObject>(protocol::read_flat_object(text, kDepth));
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_GT(objects, 3000) << "the mutations should leave many frames valid";
}

TEST(FlatObject, AKeyGivenTwiceHasItsLastValue) {
  auto flat = protocol::read_flat_object(R"({"pingId":1,"t":"x","pingId":[2],"pingId":"three"})", kDepth);
  EXPECT_EQ(*std::get<protocol::FlatObject>(flat).find("pingId"), "three");
}

TEST(FlatObject, ManyKeysAreAllKept) {
  std::string text = "{";
  for (int i = 0; i < 3000; ++i) text += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  text += "\"t\":\"TIME_PING\"}";
  auto flat = protocol::read_flat_object(text, kDepth);
  const auto& object = std::get<protocol::FlatObject>(flat);
  EXPECT_EQ(*object.find("k0"), 0);
  EXPECT_EQ(*object.find("k2999"), 2999);
  EXPECT_EQ(*object.find("t"), "TIME_PING");
}

// The limit applies while parsing: past it, the rest of the text is not read
// (a syntax error after it does not matter); a syntax error before it does.
TEST(FlatObject, DepthIsLimitedWhileParsing) {
  auto read = [](const std::string& text) { return protocol::read_flat_object(text, 2); };
  EXPECT_TRUE(std::holds_alternative<protocol::FlatObject>(read(R"({"a":[1]})")));
  EXPECT_EQ(std::get<FlatObjectError>(read(R"({"a":[[1]]})")), FlatObjectError::too_deep);
  EXPECT_EQ(std::get<FlatObjectError>(read(R"({"a":[[ garbage)")), FlatObjectError::too_deep);
  EXPECT_EQ(std::get<FlatObjectError>(read(R"({"a": garbage [[[)")), FlatObjectError::not_json);
  EXPECT_EQ(std::get<FlatObjectError>(read(std::string(1000000, '['))), FlatObjectError::too_deep);
}
