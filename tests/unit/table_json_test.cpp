// Tables as JSON, the shapes `tables --json`, `ingest --json` and `churn --json` print.
#include <gtest/gtest.h>

#include <cmath>

#include "prospect/common/error.hpp"
#include "prospect/table/table.hpp"

namespace prospect {
namespace {

Table Mixed() {
  return Table(Schema({{"id", DataType::kInt64},
                       {"risk", DataType::kDouble},
                       {"vip", DataType::kBool},
                       {"tier", DataType::kString}}),
               {Column::FromInts(DataType::kInt64, {7, 8, 9}, {1, 1, 0}),
                Column::FromDoubles({0.25, 0.5, 0.75}), Column::FromBools({1, 0, 1}),
                Column::FromStringVector({"high", "low", "medium"})});
}

TEST(TableJson, SchemaListsNameAndTypeInColumnOrder) {
  EXPECT_EQ(Mixed().schema().ToJson(), nlohmann::json::parse(R"([
    {"name": "id", "type": "int64"}, {"name": "risk", "type": "double"},
    {"name": "vip", "type": "bool"}, {"name": "tier", "type": "string"}])"));
}

TEST(TableJson, RowsKeepNumbersBoolsAndNullsAndFormatTheRest) {
  const nlohmann::json rows = RowsToJson(Mixed(), 2);
  ASSERT_EQ(rows.size(), 2u);  // the limit
  EXPECT_EQ(rows[0],
            nlohmann::json::parse(R"({"id": 7, "risk": 0.25, "vip": true, "tier": "high"})"));
  EXPECT_EQ(rows[1]["vip"], false);
  const Table days(Schema({{"day", DataType::kDate}}),
                   {Column::FromInts(DataType::kDate, {19783, 0})});
  EXPECT_EQ(RowsToJson(days, 2), nlohmann::json::parse(R"([{"day": "2024-03-01"},
                                                           {"day": "1970-01-01"}])"));
  EXPECT_TRUE(RowsToJson(Mixed(), 10)[2]["id"].is_null());
  EXPECT_EQ(RowsToJson(Mixed(), 0), nlohmann::json::array());
}

TEST(TableJson, TableToJsonGivesBackTheSameTable) {
  const Table table(
      Schema({{"id", DataType::kInt64},
              {"risk", DataType::kDouble},
              {"vip", DataType::kBool},
              {"tier", DataType::kCategorical},
              {"at", DataType::kTimestamp},
              {"note", DataType::kString}}),
      {Column::FromInts(DataType::kInt64, {7, 8, 9}, {1, 1, 0}),
       Column::FromDoubles({0.1, std::nan(""), -HUGE_VAL}), Column::FromBools({1, 0, 1}, {1, 0, 1}),
       Column::DictionaryEncode(*Column::FromStringVector({"high", "low", "high"})),
       Column::FromInts(DataType::kTimestamp, {1709251200000000, 0, -1}),
       Column::FromStringVector({"", "a \"quote\"", "x"})});
  const nlohmann::json json = nlohmann::json::parse(TableToJson(table).dump());
  const Table back = TableFromJson(json);
  ASSERT_EQ(back.schema().ToJson(), table.schema().ToJson());
  ASSERT_EQ(back.num_rows(), 3u);
  for (size_t c = 0; c < table.num_columns(); ++c) {
    for (size_t r = 0; r < 3; ++r) {
      EXPECT_EQ(back.column(c)->IsNull(r), table.column(c)->IsNull(r)) << c << "," << r;
      EXPECT_EQ(back.column(c)->FormatValue(r), table.column(c)->FormatValue(r)) << c << "," << r;
    }
  }
  EXPECT_EQ(back.column("risk").doubles()[0], 0.1);  // exact, not a printed approximation
  EXPECT_TRUE(std::isnan(back.column("risk").doubles()[1]));
  EXPECT_THROW(TableFromJson(nlohmann::json::parse(R"({"columns": [{"name": "a", "type": "int64"}],
                                                       "rows": [["x"]]})")),
               Error);
}

}  // namespace
}  // namespace prospect
