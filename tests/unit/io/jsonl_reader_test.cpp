// JSON Lines reader: first-seen column order, missing keys, nested values as JSON text, types,
// declared types, errors with line numbers, rejects.
#include <gtest/gtest.h>

#include "io/csv_internal.hpp"
#include "prospect/common/error.hpp"
#include "prospect/io/csv.hpp"
#include "support/expect_error.hpp"
#include "support/reader_test_helpers.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

Table ReadJ(const std::string& text, const ReadOptions& options = {},
            ReadReport* report = nullptr) {
  return io::ReadJsonlText(text, "t.jsonl", options, Context(1), report);
}

// The message of the invalid-data error reading `text` must give.
std::string ErrorOfJ(const std::string& text, const ReadOptions& options = {}) {
  return testing::ErrorMessageOf([&] { ReadJ(text, options); }, ErrorCode::kInvalidData, text);
}

TEST(JsonlReader, ColumnsInFirstSeenOrderMissingKeysNullNestedAsText) {
  const Table t = ReadJ(
      "{\"id\": 1, \"name\": \"ann\", \"tags\": [\"a\", \"b\"]}\n"
      "\n"
      "{\"name\": \"bob\", \"id\": 2, \"extra\": {\"k\": 1.5}}\r\n"
      "{\"id\": 3}");
  ASSERT_EQ(t.num_rows(), 3u);
  EXPECT_EQ(t.schema().Names(), (std::vector<std::string>{"id", "name", "tags", "extra"}));
  EXPECT_EQ(t.column("id").type(), DataType::kInt64);
  EXPECT_EQ(t.column("id").ints()[2], 3);
  EXPECT_TRUE(t.column("name").IsNull(2));
  EXPECT_EQ(t.column("tags").type(), DataType::kString);
  EXPECT_EQ(t.column("tags").StringAt(0), "[\"a\",\"b\"]");
  EXPECT_TRUE(t.column("tags").IsNull(1));
  EXPECT_EQ(t.column("extra").StringAt(1), "{\"k\":1.5}");
  EXPECT_TRUE(t.column("extra").IsNull(0));
}

TEST(JsonlReader, InfersTypesFromJsonKinds) {
  const Table t = ReadJ(
      "{\"i\":1,\"d\":1,\"b\":true,\"s\":\"2024-03-01\",\"ts\":\"2024-03-01T08:26:00Z\",\"mixed\":"
      "1,\"n\":null,\"c\":\"x\",\"e\":\"\"}\n"
      "{\"i\":2,\"d\":2.5,\"b\":false,\"s\":\"2024-03-02\",\"ts\":\"2024-03-01 "
      "09:00:00\",\"mixed\":\"a\",\"n\":null,\"c\":\"x\",\"e\":\"v\"}\n");
  EXPECT_EQ(t.column("i").type(), DataType::kInt64);
  EXPECT_EQ(t.column("d").type(), DataType::kDouble);
  EXPECT_EQ(t.column("d").doubles()[0], 1.0);
  EXPECT_EQ(t.column("b").type(), DataType::kBool);
  EXPECT_EQ(t.column("s").type(), DataType::kDate);
  EXPECT_EQ(t.column("ts").type(), DataType::kTimestamp);
  EXPECT_EQ(t.column("ts").FormatValue(0), "2024-03-01 08:26:00");
  EXPECT_EQ(t.column("mixed").type(), DataType::kString);
  EXPECT_EQ(t.column("mixed").StringAt(0), "1");
  EXPECT_EQ(t.column("n").type(), DataType::kString);
  EXPECT_EQ(t.column("n").null_count(), 2u);
  EXPECT_EQ(t.column("c").type(), DataType::kCategorical);
  EXPECT_FALSE(t.column("e").IsNull(0));  // "" is an empty string, not null
}

TEST(JsonlReader, NumericStringsStayStrings) {
  EXPECT_EQ(ReadJ("{\"zip\":\"01234\"}\n{\"zip\":\"98765\"}\n").column("zip").type(),
            DataType::kString);
  ReadOptions o;
  o.types["zip"] = DataType::kInt64;
  EXPECT_EQ(ReadJ("{\"zip\":\"01234\"}\n", o).column("zip").ints()[0], 1234);
}

TEST(JsonlReader, ErrorsNameTheLine) {
  EXPECT_EQ(ErrorOfJ("{\"a\":1}\n{\"a\":\n"),
            "t.jsonl:2: invalid JSON (The JSON document has an improper structure: missing or "
            "superfluous commas, "
            "braces, missing keys, etc.). Possible fixes: put one complete JSON object on each "
            "line, or use "
            "--on-error reject.");
  EXPECT_EQ(ErrorOfJ("{\"a\":1}\n\n[1,2]\n"),
            "t.jsonl:3: expected a JSON object, found an array. Each line must be one object such "
            "as {\"id\": 1, "
            "\"name\": \"x\"}. Possible fix: use --on-error reject to skip such lines.");
  EXPECT_NE(
      ErrorOfJ("{\"a\":1,\"a\":2}\n").find("t.jsonl:1: key \"a\" appears twice in one object"),
      std::string::npos);
  ReadOptions o;
  o.types["a"] = DataType::kInt64;
  EXPECT_EQ(ErrorOfJ("{\"a\":1}\n{\"a\":\"x\"}\n", o),
            "t.jsonl:2 (column \"a\"): \"x\" is not an int64. Possible fixes: fix the value, "
            "declare the column's "
            "type in prospect.toml [tables.NAME.types], or use --on-error reject.");
  EXPECT_NE(ErrorOfJ("").find("is empty"), std::string::npos);
}

TEST(JsonlReader, RejectModeKeepsGoodLines) {
  testing::TempDir dir;
  ReadOptions o = testing::RejectingInto(dir.File("r.csv"));
  o.types["a"] = DataType::kInt64;
  ReadReport report;
  const Table t =
      ReadJ("{\"a\":1}\nnot json\n{\"a\":\"x\",\"b\":\"new\"}\n{\"a\":4}\n", o, &report);
  ASSERT_EQ(t.num_rows(), 2u);
  EXPECT_EQ(t.column("a").ints()[1], 4);
  EXPECT_EQ(report.rows_read, 4);
  EXPECT_EQ(report.rows_rejected, 2);
  EXPECT_EQ(testing::ReadFileText(o.rejects_path).substr(0, 30), "line,column,value,reason,raw\n2");
}

TEST(JsonlReader, ReadsFileAndGzipByPath) {
  testing::TempDir dir;
  const std::string p = dir.Write("x.jsonl", "{\"城市\":\"北京\",\"n\":1}\n");
  const Table t = ReadJsonl(p, {}, Context(1));
  EXPECT_EQ(t.column("城市").StringAt(0), "北京");
}

TEST(JsonlReader, ZeroByteFileIsTheEmptyErrorNotACrash) {
  testing::TempDir dir;
  for (const std::string name : {"empty.jsonl", "empty.jsonl.gz"}) {
    const std::string path = dir.Write(name, "");
    SCOPED_TRACE(name);
    ExpectError(
        [&] { ReadJsonl(path, {}, Context(2)); }, ErrorCode::kInvalidData,
        path + " is empty: no JSON objects. Possible fix: check that this is the right file.");
  }
}

}  // namespace
}  // namespace prospect
