// The quality profile against pandas (tests/fixtures/quality/make_quality_fixtures.py), hand-
// computed quantiles and histograms, and the findings a person should see.
#include "prospect/quality/quality.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "prospect/common/error.hpp"
#include "prospect/io/csv.hpp"
#include "support/json_fixture.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

const nlohmann::json& LoadFixture(const std::string& name) {
  return testing::LoadJsonFixture("quality/" + name);
}

// Builds the fixture table with the column types the script declares.
Table SmallTable(const nlohmann::json& fx) {
  std::vector<Field> fields;
  std::vector<ColumnPtr> columns;
  for (const auto& name : fx["order"]) {
    const DataType type = *ParseDataType(fx["types"][name.get<std::string>()].get<std::string>());
    ColumnBuilder b(type);
    for (const auto& v : fx["data"][name.get<std::string>()]) {
      if (v.is_null()) {
        b.AppendNull();
      } else if (type == DataType::kInt64) {
        b.AppendInt(v.get<int64_t>());
      } else if (type == DataType::kDouble) {
        b.AppendDouble(v.get<double>());
      } else {
        b.AppendString(v.get<std::string>());
      }
    }
    fields.push_back({name.get<std::string>(), type});
    columns.push_back(b.Finish());
  }
  return Table(Schema(fields), columns);
}

void ExpectRel(double actual, const nlohmann::json& expected, const std::string& what) {
  if (expected.is_null()) {
    EXPECT_TRUE(std::isnan(actual)) << what << " = " << actual;
    return;
  }
  const double e = expected.get<double>();
  EXPECT_NEAR(actual, e, 1e-9 * std::max(std::fabs(e), 1e-3)) << what;
}

void ExpectMatchesPandas(const QualityReport& report, const nlohmann::json& expected) {
  EXPECT_EQ(report.rows, expected["rows"].get<int64_t>());
  EXPECT_EQ(report.duplicate_rows, expected["duplicate_rows"].get<int64_t>());
  for (const auto& cq : report.columns) {
    SCOPED_TRACE(cq.name);
    ASSERT_TRUE(expected["columns"].contains(cq.name));
    const auto& e = expected["columns"][cq.name];
    EXPECT_EQ(cq.count, e["count"].get<int64_t>());
    EXPECT_EQ(cq.missing, e["missing"].get<int64_t>());
    EXPECT_EQ(cq.distinct, e["distinct"].get<int64_t>());
    if (e.contains("numeric")) {
      ASSERT_TRUE(cq.numeric.has_value());
      const auto& en = e["numeric"];
      const NumericStats& s = *cq.numeric;
      ExpectRel(s.min, en["min"], "min");
      ExpectRel(s.max, en["max"], "max");
      ExpectRel(s.mean, en["mean"], "mean");
      ExpectRel(s.std, en["std"], "std");
      for (size_t i = 0; i < kQualityQuantileLevels.size(); ++i) {
        ExpectRel(s.quantiles[i], en["quantiles"][i],
                  "quantile " + std::to_string(kQualityQuantileLevels[i]));
      }
      ExpectRel(s.iqr_lower, en["iqr_lower"], "iqr_lower");
      ExpectRel(s.iqr_upper, en["iqr_upper"], "iqr_upper");
      EXPECT_EQ(s.iqr_outliers, en["iqr_outliers"].get<int64_t>());
      EXPECT_EQ(s.z_outliers, en["z_outliers"].get<int64_t>());
    } else {
      ASSERT_FALSE(cq.numeric.has_value());
      ASSERT_EQ(cq.top.size(), e["top"].size());
      for (size_t i = 0; i < cq.top.size(); ++i) {
        EXPECT_EQ(cq.top[i].value, e["top"][i]["value"].get<std::string>());
        EXPECT_EQ(cq.top[i].count, e["top"][i]["count"].get<int64_t>());
      }
    }
  }
}

const Finding* FindFinding(const QualityReport& r, const std::string& kind,
                           const std::string& column) {
  for (const auto& f : r.findings) {
    if (f.kind == kind && f.column == column) return &f;
  }
  return nullptr;
}

/// The report on quality_small.json's people table with the default options, computed once: the
/// tests below read it and never change it.
const QualityReport& SmallPeopleReport() {
  static const QualityReport report =
      ComputeQualityReport(SmallTable(LoadFixture("quality_small.json")), "people", {}, Context(1));
  return report;
}

/// The finding of `kind` on `column` in SmallPeopleReport(), or null.
const Finding* SmallPeopleFinding(const std::string& kind, const std::string& column) {
  return FindFinding(SmallPeopleReport(), kind, column);
}

/// Asserts that finding `f` is there and expects its message to be exactly `message`; call it
/// through ASSERT_NO_FATAL_FAILURE.
void ExpectFindingMessage(const Finding* f, const std::string& message) {
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->message, message);
}

TEST(Quality, SmallFixtureMatchesPandas) {
  const auto fx = LoadFixture("quality_small.json");
  const Table t = SmallTable(fx);
  QualityOptions options;
  options.key = "id";
  const QualityReport r = ComputeQualityReport(t, "people", options, Context(1));
  ExpectMatchesPandas(r, fx["expected"]);
  EXPECT_EQ(r.duplicate_keys, fx["expected"]["duplicate_keys"].get<int64_t>());
  ASSERT_FALSE(r.duplicate_key_examples.empty());
  EXPECT_EQ(r.duplicate_key_examples[0].value, "10");  // rows 9 and 10; then the two copied rows
  EXPECT_EQ(r.duplicate_key_examples[0].count, 2);
}

TEST(Quality, FlagsSentinelCodeFarAboveTheOtherValues) {
  const Finding* f = SmallPeopleFinding("sentinel", "pdays");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->details["value"].get<double>(), 999);
  EXPECT_NE(f->message.find("of values are 999"), std::string::npos) << f->message;
  EXPECT_NE(f->suggestion.find("[[cleaning.people]] step=\"map\" column=\"pdays\" to_null=[999]"),
            std::string::npos)
      << f->suggestion;
  // The sentinel distorts the fences; no separate outlier finding repeats it.
  EXPECT_EQ(SmallPeopleFinding("outliers", "pdays"), nullptr);
  // Big but genuine values are outliers, not sentinels.
  EXPECT_EQ(SmallPeopleFinding("sentinel", "income"), nullptr);
  EXPECT_NE(SmallPeopleFinding("outliers", "income"), nullptr);
}

TEST(Quality, FlagsNegativeOneInANonNegativeColumn) {
  ColumnVector<int64_t> v(100, -1);
  for (int i = 0; i < 30; ++i) v[static_cast<size_t>(i)] = i + 1;
  const Table t(Schema({{"pdays", DataType::kInt64}}), {Column::FromInts(DataType::kInt64, v)});
  const QualityReport r = ComputeQualityReport(t, "bank", {}, Context(1));
  const Finding* f = FindFinding(r, "sentinel", "pdays");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->message.find(
                "70.0% of values are -1 (70 of 100), the only negative value; the others are 1–30"),
            std::string::npos)
      << f->message;
}

TEST(Quality, ListsInconsistentSpellingsWithTheirCounts) {
  const Finding* f = SmallPeopleFinding("inconsistent_spelling", "gender");
  ASSERT_NO_FATAL_FAILURE(ExpectFindingMessage(
      f,
      "gender: 2 categories are spelled in several ways (case or spaces differ): \"Female\" "
      "(30), \"female\" (1); "
      "\"Male\" (28), \"MALE\" (1), \"male \" (1)"));
  EXPECT_EQ(f->details["groups"][1]["canonical"], "Male");
  EXPECT_EQ(SmallPeopleFinding("inconsistent_spelling", "city"), nullptr);
}

TEST(Quality, FlagsMostlyNumericTextWithExamples) {
  const Finding* f = SmallPeopleFinding("mostly_numeric", "score");
  ASSERT_NO_FATAL_FAILURE(ExpectFindingMessage(
      f, "score: 93.5% of values are numbers but 4 cells are not: \"?\" ×2, \"n/a\" ×2"));
  EXPECT_EQ(SmallPeopleFinding("mostly_numeric", "gender"), nullptr);
}

TEST(Quality, FlagsTextMissingMarkers) {
  const Finding* f = SmallPeopleFinding("sentinel", "city");
  ASSERT_NO_FATAL_FAILURE(ExpectFindingMessage(
      f, "city: 4 cells (6.5%) hold \"unknown\", which usually means the value is missing"));
  EXPECT_EQ(f->severity, "warning");
  EXPECT_NE(f->suggestion.find("--null \"unknown\""), std::string::npos);
}

TEST(Quality, GroupsSpellingsOfOneMissingMarker) {
  std::vector<std::string> v(96, "a");
  v.insert(v.end(), {"missing", "Missing", "missing", "missing"});
  const Table t(Schema({{"s", DataType::kString}}), {Column::FromStringVector(v)});
  const QualityReport r = ComputeQualityReport(t, "t", {}, Context(1));
  const Finding* f = FindFinding(r, "sentinel", "s");
  ASSERT_NO_FATAL_FAILURE(ExpectFindingMessage(
      f,
      "s: 4 cells (4.0%) hold \"missing\" or \"Missing\", which usually means the value is "
      "missing"));
  EXPECT_EQ(f->suggestion,
            "re-ingest with --null \"missing\" --null \"Missing\", or [[cleaning.t]] step=\"map\" "
            "column=\"s\" to_null=[\"missing\", \"Missing\"]");
  EXPECT_EQ(f->severity, "info");
}

TEST(Quality, ReportsDuplicateRowsAndMissingFirst) {
  const QualityReport& r = SmallPeopleReport();
  ASSERT_FALSE(r.findings.empty());
  EXPECT_EQ(r.findings[0].kind, "duplicate_rows");
  EXPECT_EQ(r.findings[0].message, "2 rows (3.2%) are exact copies of an earlier row");
  const Finding* m = FindFinding(r, "missing", "age");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->message, "age: 4.8% missing (3 of 62)");
}

TEST(Quality, NanCountsAsMissingAndNullsEqualInDuplicates) {
  const double nan = std::nan("");
  const Table t(Schema({{"x", DataType::kDouble}, {"s", DataType::kString}}),
                {Column::FromDoubles({1.0, nan, 0.0, 0.0, 2.0}, {1, 1, 0, 0, 1}),
                 Column::FromStringVector({"a", "b", "", "", "c"}, {1, 1, 0, 0, 1})});
  const QualityReport r = ComputeQualityReport(t, "t", {}, Context(1));
  EXPECT_EQ(r.columns[0].missing, 3);
  EXPECT_EQ(r.columns[0].count, 2);
  EXPECT_DOUBLE_EQ(r.columns[0].numeric->mean, 1.5);
  EXPECT_EQ(r.duplicate_rows, 1);  // rows 2 and 3 are both all-null
}

TEST(Quality, UnknownKeyColumnIsNotFound) {
  const Table t(Schema({{"id", DataType::kInt64}}), {Column::FromInts(DataType::kInt64, {1, 2})});
  QualityOptions options;
  options.key = "idd";
  try {
    (void)ComputeQualityReport(t, "t", options, Context(1));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("idd"), std::string::npos) << e.what();
  }
}

TEST(Quality, EmptyTableHasNoStatisticsAndNoFindings) {
  const Table t(Schema({{"x", DataType::kDouble}, {"s", DataType::kString}}),
                {Column::FromDoubles({}), Column::FromStringVector({})});
  const QualityReport r = ComputeQualityReport(t, "t", {}, Context(1));
  EXPECT_EQ(r.rows, 0);
  EXPECT_TRUE(std::isnan(r.columns[0].numeric->mean));
  EXPECT_TRUE(r.findings.empty());
  const auto j = r.ToJson();
  EXPECT_TRUE(j["columns"][0]["numeric"]["mean"].is_null());
}

TEST(Quality, BoolAndDateColumnsGetCountsAndRanges) {
  const Table t(
      Schema({{"flag", DataType::kBool}, {"day", DataType::kDate}}),
      {Column::FromBools({1, 0, 1, 1, 0}, {1, 1, 1, 1, 0}),
       Column::FromInts(DataType::kDate, {19000, 18000, 19500, 0, 18500}, {1, 1, 1, 0, 1})});
  const QualityReport r = ComputeQualityReport(t, "t", {}, Context(1));
  ASSERT_EQ(r.columns[0].top.size(), 2u);
  EXPECT_EQ(r.columns[0].top[0].value, "true");
  EXPECT_EQ(r.columns[0].top[0].count, 3);
  EXPECT_EQ(r.columns[0].missing, 1);
  EXPECT_FALSE(r.columns[1].numeric.has_value());
  EXPECT_EQ(r.columns[1].distinct, 4);
  EXPECT_EQ(r.columns[1].min_text, "2019-04-14");  // day 18000
  EXPECT_EQ(r.columns[1].max_text, "2023-05-23");  // day 19500
  const auto j = r.ToJson();
  EXPECT_EQ(j["columns"][1]["min"], "2019-04-14");
  EXPECT_EQ(j["columns"][0]["top"][1]["value"], "false");
}

TEST(QuantileSorted, LinearInterpolationByHand) {
  const ColumnVector<double> v = {1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(QuantileSorted(v, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(QuantileSorted(v, 0.1), 1.3);  // h = 0.3
  EXPECT_DOUBLE_EQ(QuantileSorted(v, 0.9), 3.7);  // h = 2.7
  EXPECT_DOUBLE_EQ(QuantileSorted(v, 1.0), 4);
  EXPECT_DOUBLE_EQ(QuantileSorted(v, 0.0), 1);
  EXPECT_TRUE(std::isnan(QuantileSorted(std::vector<double>{}, 0.5)));
  EXPECT_THROW((void)QuantileSorted(v, 1.5), Error);
}

TEST(Histogram, OneBinPerIntegerForSmallIntegerRanges) {
  const ColumnVector<double> v = {1, 1, 2, 4, 4, 4};
  const Histogram h = ComputeHistogram(v, true, 50);
  EXPECT_EQ(h.rule, "integer");
  EXPECT_EQ(h.edges, (std::vector<double>{0.5, 1.5, 2.5, 3.5, 4.5}));
  EXPECT_EQ(h.counts, (std::vector<int64_t>{2, 1, 0, 3}));
}

TEST(Histogram, FreedmanDiaconisWidthByHand) {
  // 0..99: IQR = 74.25 - 24.75 = 49.5; width = 2·49.5·100^(−1/3) = 21.33; ⌈99 / 21.33⌉ = 5 bins.
  ColumnVector<double> v(100);
  for (int i = 0; i < 100; ++i) v[static_cast<size_t>(i)] = i + 0.5;
  const Histogram h = ComputeHistogram(v, false, 50);
  EXPECT_EQ(h.rule, "freedman-diaconis");
  ASSERT_EQ(h.counts.size(), 5u);
  EXPECT_DOUBLE_EQ(h.edges.front(), 0.5);
  EXPECT_DOUBLE_EQ(h.edges.back(), 99.5);
  EXPECT_EQ(h.counts, (std::vector<int64_t>{20, 20, 20, 20, 20}));
}

TEST(Histogram, SqrtRuleWhenIqrIsZeroAndSingleBinForConstants) {
  ColumnVector<double> v(16, 5.0);
  v.back() = 9.0;
  Histogram h = ComputeHistogram(v, false, 50);
  EXPECT_EQ(h.rule, "sqrt");
  EXPECT_EQ(h.counts.size(), 4u);  // ⌈√16⌉
  EXPECT_EQ(h.counts.front(), 15);
  EXPECT_EQ(h.counts.back(), 1);
  h = ComputeHistogram(std::vector<double>(3, 2.0), false, 50);
  EXPECT_EQ(h.rule, "single");
  EXPECT_EQ(h.counts, (std::vector<int64_t>{3}));
}

TEST(Histogram, LongTailsAreClippedAtThePercentilesAndCounted) {
  // 0.5 … 989.5 with five values at −1e6 and five at +1e6. By hand (linear interpolation):
  // p1 = 5.49, p99 = 984.51, so each tail reaches far more than the p1–p99 width (979.02) past
  // its percentile and both are clipped: the bins hold 5.5 … 984.5. IQR over every value
  // = 744.75 − 245.25 = 499.5, width 2·499.5·1000^(−1/3) = 99.9, ⌈979 / 99.9⌉ = 10 bins.
  ColumnVector<double> v;
  for (int i = 0; i < 5; ++i) v.push_back(-1e6);
  for (int i = 0; i < 990; ++i) v.push_back(i + 0.5);
  for (int i = 0; i < 5; ++i) v.push_back(1e6);
  const Histogram h = ComputeHistogram(v, false, 50);
  EXPECT_EQ(h.rule, "freedman-diaconis");
  EXPECT_EQ(h.below, 10);  // the five outliers and 0.5 … 4.5
  EXPECT_EQ(h.above, 10);
  EXPECT_DOUBLE_EQ(h.edges.front(), 5.5);
  EXPECT_DOUBLE_EQ(h.edges.back(), 984.5);
  ASSERT_EQ(h.counts.size(), 10u);
  int64_t binned = 0;
  for (int64_t c : h.counts) binned += c;
  EXPECT_EQ(binned, 980);
  EXPECT_EQ(h.counts.front(), 98);  // width 97.9: 5.5 … 102.5

  // Whole numbers clip at whole numbers: 0 … 9 a hundred times each and one 100000.
  ColumnVector<double> counts;
  for (int value = 0; value < 10; ++value)
    for (int i = 0; i < 100; ++i) counts.push_back(value);
  counts.push_back(100000);
  const Histogram ints = ComputeHistogram(counts, true, 50);
  EXPECT_EQ(ints.rule, "integer");
  EXPECT_EQ(ints.below, 0);
  EXPECT_EQ(ints.above, 1);
  EXPECT_EQ(ints.counts, std::vector<int64_t>(10, 100));

  // Whole numbers with a bin each keep their tail: 1 … 10, mostly 1.
  ColumnVector<double> small;
  for (int i = 0; i < 990; ++i) small.push_back(1 + i % 2);
  for (int value = 1; value <= 10; ++value) small.push_back(value);
  EXPECT_EQ(ComputeHistogram(small, true, 50).counts.size(), 10u);
  EXPECT_EQ(ComputeHistogram(small, true, 50).above, 0);

  // A short or tail-free sample keeps its whole range.
  ColumnVector<double> plain(100);
  for (int i = 0; i < 100; ++i) plain[static_cast<size_t>(i)] = i * i;
  const Histogram whole = ComputeHistogram(plain, false, 50);
  EXPECT_EQ(whole.below + whole.above, 0);
  EXPECT_DOUBLE_EQ(whole.edges.back(), 99.0 * 99.0);
}

TEST(NormalizeSpelling, FoldsCaseAndWhitespace) {
  EXPECT_EQ(NormalizeSpelling("  Male "), "male");
  EXPECT_EQ(NormalizeSpelling("NEW\t  York"), "new york");
  EXPECT_EQ(NormalizeSpelling(""), "");
}

// Real data: bank-additional-full.csv (41188 rows, ';'-separated) against pandas.read_csv.
TEST(Quality, BankAdditionalMatchesPandas) {
  const auto fx = LoadFixture("bank_additional_quality.json");
  ReadOptions read;
  read.delimiter = ';';
  Table t;
  try {
    t = ReadCsv(testing::SharedData("bank_marketing/bank-additional-full.csv"), read, Context(2));
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kUnimplemented)
      GTEST_SKIP() << "CSV reader not built yet: " << e.what();
    throw;
  }
  const QualityReport r = ComputeQualityReport(t, "bank", {}, Context(1));
  ExpectMatchesPandas(r, fx["expected"]);
  const Finding* f = FindFinding(r, "sentinel", "pdays");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->details["count"].get<int64_t>(), 39673);
  EXPECT_NE(FindFinding(r, "sentinel", "job"), nullptr);  // "unknown"
}

}  // namespace
}  // namespace prospect
