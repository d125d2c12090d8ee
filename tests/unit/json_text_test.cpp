// The extension's own JSON reader and writer, held to nlohmann/json (what
// the worker uses) on the same texts.
#include "core/json_text.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace jt = session_clock::core::json_text;
using Type = jt::Value::Type;

TEST(JsonText, WriterOutputIsJsonThatReadsBack) {
  std::string tricky = std::string("a\"b\\c\n\t\x01 é ☃ 😀 ") + '\0' + "end";
  auto text = jt::ObjectWriter()
                  .add("s", tricky)
                  .add("i", std::int64_t{-9007199254740993})
                  .add("b", true)
                  .add("d", 0.1)
                  .add("list", std::vector<std::string>{"x", "y\"z"})
                  .str();
  auto parsed = nlohmann::json::parse(text);
  EXPECT_EQ(parsed["s"], tricky);
  EXPECT_EQ(parsed["i"], -9007199254740993);
  EXPECT_EQ(parsed["b"], true);
  EXPECT_EQ(parsed["d"], 0.1);
  EXPECT_EQ(parsed["list"], nlohmann::json({"x", "y\"z"}));
  auto members = jt::read_object(text);
  ASSERT_TRUE(members);
  EXPECT_EQ((*members)["s"].text, tricky);
  EXPECT_EQ((*members)["i"].type, Type::integer);
  EXPECT_EQ((*members)["i"].integer, -9007199254740993);
  EXPECT_EQ((*members)["d"].type, Type::other);
}

TEST(JsonText, InvalidUtf8IsReplacedNotCopied) {
  auto text = jt::ObjectWriter().add("s", std::string("ok\xff\xc0\x80!")).str();
  EXPECT_EQ(nlohmann::json::parse(text)["s"], "ok\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD!");
}

TEST(JsonText, ReadsWhatNlohmannReads) {
  for (const char* text : {R"({})", R"( {"a" : "b" , "n" : 12} )", R"({"a":{"b":[1,2,{"c":null}]},"d":"\u00e9\ud83d\ude00"})",
                           R"({"x":-0,"y":1.5e-3,"z":true,"w":false,"v":null})", R"({"k":"v","k":"last"})"}) {
    auto ours = jt::read_object(text);
    ASSERT_TRUE(ours) << text;
    auto theirs = nlohmann::json::parse(text);
    for (auto& [key, value] : theirs.items()) {
      ASSERT_TRUE(ours->count(key)) << text << " " << key;
      const auto& v = ours->at(key);
      if (value.is_string()) EXPECT_EQ(v.text, value.get<std::string>()) << text;
      if (value.is_number_integer()) EXPECT_EQ(v.integer, value.get<std::int64_t>()) << text;
      EXPECT_EQ(v.type == Type::string, value.is_string()) << text;
    }
    EXPECT_EQ(ours->size(), theirs.size()) << text;
  }
}

TEST(JsonText, RefusesWhatIsNotAnObjectOfValidJson) {
  for (const char* text : {"", "null", "[]", "\"s\"", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{'a':1}", "{\"a\":01}",
                           "{\"a\":1.}", "{\"a\":tru}", "{\"a\":\"\\x\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}",
                           "{\"a\":\"tab\there\"}", "{\"a\":1} x", "{\"a\":\"\xff\"}", "{\"a\":[1,2}"}) {
    EXPECT_FALSE(jt::read_object(text)) << text;
    EXPECT_TRUE(nlohmann::json::parse(text, nullptr, false).is_discarded() ||
                !nlohmann::json::parse(text, nullptr, false).is_object())
        << "nlohmann reads " << text;
  }
}

TEST(JsonText, IntegersOutsideSixtyFourBitsAreNotIntegers) {
  auto members = jt::read_object(R"({"big":92233720368547758070,"ok":9223372036854775807})");
  ASSERT_TRUE(members);
  EXPECT_EQ((*members)["big"].type, Type::other);
  EXPECT_EQ((*members)["ok"].integer, INT64_MAX);
}

TEST(JsonText, NestingIsBounded) {
  std::string deep = "{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}";
  EXPECT_FALSE(jt::read_object(deep, 64));
  EXPECT_TRUE(jt::read_object(deep, 200));
  EXPECT_TRUE(jt::read_object(deep));  // by default any depth: PostgREST's claims may nest deeply
}
