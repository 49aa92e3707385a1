// The CSV reader on the shared real datasets (../shared/data): row counts, types and cells checked
// against the figures in SOURCES.md and values computed independently with pandas 1.5.3
// (Debian /usr/bin/python3; the commands are in the comments).
#include <gtest/gtest.h>

#include <cmath>

#include "prospect/common/datetime.hpp"
#include "prospect/io/csv.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::SharedData;

int64_t CountValue(const Column& c, std::string_view value) {
  int64_t n = 0;
  for (size_t r = 0; r < c.size(); ++r) n += !c.IsNull(r) && c.StringAt(r) == value;
  return n;
}

double Sum(const Column& c) {
  double s = 0;
  for (size_t r = 0; r < c.size(); ++r) s += c.IsNull(r) ? 0 : c.NumericAt(r);
  return s;
}

TEST(CsvRealData, BankFullWithUnknownAsNull) {
  ReadOptions o;
  o.null_values = {"unknown"};
  ReadReport report;
  const Table t = ReadCsv(SharedData("bank_marketing/bank-full.csv"), o, Context(2), &report);
  ASSERT_EQ(t.num_rows(), 45211u);
  EXPECT_EQ(report.rows_read, 45211);
  ASSERT_EQ(t.num_columns(), 17u);
  EXPECT_EQ(t.column("age").type(), DataType::kInt64);
  EXPECT_EQ(t.column("balance").type(), DataType::kInt64);
  EXPECT_EQ(t.column("job").type(), DataType::kCategorical);
  // pandas: (read_csv(sep=';', keep_default_na=False).job == 'unknown').sum() == 288, and
  // awk -F';' 'NR>1 && $2=="\"unknown\""' bank-full.csv | wc -l == 288
  EXPECT_EQ(t.column("job").null_count(), 288u);
  EXPECT_EQ(t.column("age").ints()[0], 58);
  EXPECT_EQ(t.column("job").StringAt(0), "management");
  EXPECT_EQ(Sum(t.column("balance")), 61589682.0);  // pandas balance.sum()
  EXPECT_EQ(CountValue(t.column("y"), "no"), 39922);
  EXPECT_EQ(CountValue(t.column("y"), "yes"), 5289);
  EXPECT_EQ(t.column("pdays").ints()[0], -1);
}

TEST(CsvRealData, BankAdditionalFullCrlf) {
  const Table t = ReadCsv(SharedData("bank_marketing/bank-additional-full.csv"), {}, Context(2));
  ASSERT_EQ(t.num_rows(), 41188u);
  ASSERT_EQ(t.num_columns(), 21u);
  EXPECT_EQ(t.schema().field(20).name, "y");  // no stray \r on the last header name
  EXPECT_EQ(CountValue(t.column("y"), "no"), 36548);
  EXPECT_EQ(CountValue(t.column("y"), "yes"), 4640);
  EXPECT_EQ(t.column("euribor3m").type(), DataType::kDouble);
  EXPECT_EQ(t.column("euribor3m").doubles()[0], 4.857);
  EXPECT_EQ(t.column("nr.employed").type(), DataType::kDouble);
  EXPECT_NEAR(Sum(t.column("emp.var.rate")), 3372.7, 1e-6);  // pandas: 3372.699999999993
}

TEST(CsvRealData, HillstromQuotedCommasCrlfNoFinalNewline) {
  const Table t = ReadCsv(SharedData("hillstrom/hillstrom.csv"), {}, Context(2));
  ASSERT_EQ(t.num_rows(), 64000u);
  EXPECT_EQ(t.column("history_segment").StringAt(0), "2) $100 - $200");
  EXPECT_EQ(CountValue(t.column("history_segment"), "6) $750 - $1,000"),
            1859);  // pandas value count
  EXPECT_EQ(t.column("history").doubles()[0], 142.44);
  EXPECT_EQ(t.column("spend").type(), DataType::kDouble);
  EXPECT_NEAR(Sum(t.column("spend")), 67258.13, 1e-6);
  EXPECT_EQ(Sum(t.column("visit")), 9394);
  EXPECT_EQ(Sum(t.column("conversion")), 578);
  EXPECT_EQ(CountValue(t.column("segment"), "Womens E-Mail"), 21387);
  EXPECT_EQ(CountValue(t.column("segment"), "Mens E-Mail"), 21307);
  EXPECT_EQ(CountValue(t.column("segment"), "No E-Mail"), 21306);
}

TEST(CsvRealData, MovieLensSmall) {
  const Context ctx(2);
  const Table ratings = ReadCsv(SharedData("movielens_latest_small/ratings.csv"), {}, ctx);
  ASSERT_EQ(ratings.num_rows(), 100836u);
  EXPECT_EQ(ratings.column("rating").type(), DataType::kDouble);
  EXPECT_EQ(ratings.column("timestamp").type(), DataType::kInt64);  // epoch seconds stay integers
  EXPECT_EQ(ratings.column("timestamp").ints()[0], 964982703);
  EXPECT_NEAR(Sum(ratings.column("rating")) / 100836.0, 3.5016, 5e-5);

  const Table movies = ReadCsv(SharedData("movielens_latest_small/movies.csv"), {}, ctx);
  ASSERT_EQ(movies.num_rows(), 9742u);
  EXPECT_EQ(movies.column("title").StringAt(0), "Toy Story (1995)");
  EXPECT_EQ(movies.column("genres").StringAt(0), "Adventure|Animation|Children|Comedy|Fantasy");
  // A quoted title with a comma (pandas: movies.title[movies.movieId == 11]).
  bool found = false;
  for (size_t r = 0; r < movies.num_rows(); ++r) {
    if (movies.column("movieId").ints()[r] == 11) {
      EXPECT_EQ(movies.column("title").StringAt(r), "American President, The (1995)");
      found = true;
    }
  }
  EXPECT_TRUE(found);

  EXPECT_EQ(ReadCsv(SharedData("movielens_latest_small/tags.csv"), {}, ctx).num_rows(), 3683u);
  const Table links = ReadCsv(SharedData("movielens_latest_small/links.csv"), {}, ctx);
  ASSERT_EQ(links.num_rows(), 9742u);
  EXPECT_EQ(links.column("tmdbId").type(), DataType::kInt64);
  EXPECT_EQ(links.column("tmdbId").null_count(), 8u);  // pandas: links.tmdbId.isna().sum()
  // imdbId is zero-padded ("0114709"): it stays text, so that it round-trips (pandas would read
  // 114709).
  ASSERT_EQ(links.column("imdbId").type(), DataType::kString);
  EXPECT_EQ(links.column("imdbId").StringAt(0), "0114709");
}

TEST(CsvRealData, OnlineRetailGzip) {
  ReadReport report;
  const Table t =
      ReadCsv(SharedData("uci_online_retail/online_retail.csv.gz"), {}, Context(2), &report);
  ASSERT_EQ(t.num_rows(), 541909u);
  EXPECT_EQ(t.column("CustomerID").type(), DataType::kInt64);
  EXPECT_EQ(t.column("CustomerID").null_count(), 135080u);
  EXPECT_EQ(t.column("Description").null_count(), 1454u);
  EXPECT_EQ(t.column("InvoiceDate").type(), DataType::kTimestamp);
  EXPECT_EQ(t.column("InvoiceDate").FormatValue(0), "2010-12-01 08:26:00");
  EXPECT_EQ(t.column("Quantity").type(), DataType::kInt64);
  EXPECT_EQ(t.column("UnitPrice").type(), DataType::kDouble);
  EXPECT_EQ(t.column("UnitPrice").doubles()[0], 2.55);
  EXPECT_TRUE(IsStringLike(t.column("InvoiceNo").type()));  // cancellations start with C
  EXPECT_EQ(t.column("InvoiceNo").StringAt(0), "536365");
  EXPECT_EQ(t.column("StockCode").StringAt(0), "85123A");
  EXPECT_EQ(t.column("Description").StringAt(0), "WHITE HANGING HEART T-LIGHT HOLDER");
  int64_t pounds = 0;
  int64_t min_ts = INT64_MAX, max_ts = INT64_MIN;
  double revenue = 0;
  const Column& desc = t.column("Description");
  for (size_t r = 0; r < t.num_rows(); ++r) {
    pounds += !desc.IsNull(r) && desc.StringAt(r).find("£") != std::string_view::npos;
    min_ts = std::min(min_ts, t.column("InvoiceDate").ints()[r]);
    max_ts = std::max(max_ts, t.column("InvoiceDate").ints()[r]);
    revenue +=
        static_cast<double>(t.column("Quantity").ints()[r]) * t.column("UnitPrice").doubles()[r];
  }
  EXPECT_EQ(pounds, 32);  // SOURCES.md: 32 lines contain "£"
  EXPECT_EQ(FormatTimestamp(min_ts), "2010-12-01 08:26:00");
  EXPECT_EQ(FormatTimestamp(max_ts), "2011-12-09 12:50:00");
  EXPECT_NEAR(revenue, 9747747.93, 0.01);
}

TEST(CsvRealData, CookieCatsBools) {
  const Table t = ReadCsv(SharedData("cookie_cats/cookie_cats.csv"), {}, Context(2));
  ASSERT_EQ(t.num_rows(), 90189u);
  EXPECT_EQ(t.column("retention_1").type(), DataType::kBool);
  EXPECT_EQ(t.column("retention_7").type(), DataType::kBool);
  EXPECT_EQ(CountValue(t.column("version"), "gate_30"), 44700);
  EXPECT_EQ(Sum(t.column("retention_1")), 40153);  // pandas retention_1.sum()
  EXPECT_EQ(Sum(t.column("retention_7")), 16781);
  EXPECT_EQ(t.column("userid").ints()[0], 116);
}

TEST(CsvRealData, OneAndTwoThreadsAgreeOnHillstrom) {
  const Table a = ReadCsv(SharedData("hillstrom/hillstrom.csv"), {}, Context(1));
  const Table b = ReadCsv(SharedData("hillstrom/hillstrom.csv"), {}, Context(2));
  ASSERT_EQ(a.num_rows(), b.num_rows());
  for (size_t c = 0; c < a.num_columns(); ++c) {
    ASSERT_EQ(a.column(c)->type(), b.column(c)->type());
    for (size_t r = 0; r < a.num_rows(); r += 97)
      EXPECT_EQ(a.column(c)->FormatValue(r), b.column(c)->FormatValue(r));
  }
}

}  // namespace
}  // namespace prospect
