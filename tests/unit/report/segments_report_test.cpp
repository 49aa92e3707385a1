// The "Customer profiles" and "Segments and personas" report sections on a workspace that ran the
// loop on generated data (generate → ingest → profile → segment): the sections show results, and
// their numbers are the ones in the store (profiles table, segmentation object, segments table).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "prospect/quality/quality.hpp"
#include "prospect/report/report.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::RunCli;

class SegmentsReport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    ws_ = dir_->File("ws");
    const std::string data = dir_->File("data");
    ASSERT_EQ(RunCli("generate --customers 1500 --seed 3 --quiet --out " + data).exit_code, 0);
    ASSERT_EQ(RunCli("init " + ws_ + " --quiet").exit_code, 0);
    for (const char* t : {"customers", "events", "orders", "items"}) {
      auto r =
          RunCli("--workspace " + ws_ + " --quiet ingest " + t + " " + data + "/" + t + ".csv");
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    auto r = RunCli("--workspace " + ws_ + " --quiet profile");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = RunCli("--workspace " + ws_ + " --quiet segment --method kmeans --k 4");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    report::ReportOptions options;
    options.generated_at = "2024-01-02 03:04 UTC";
    page_ = new std::string(report::RenderReport(Workspace::Open(ws_), report::RegisteredSections(),
                                                 options, Context(1)));
  }
  static void TearDownTestSuite() {
    delete page_;
    delete dir_;
  }
  static std::string Section(const std::string& id) {
    const size_t at = page_->find("<section class=\"cap\" id=\"" + id + "\">");
    if (at == std::string::npos) return "";
    return page_->substr(at, page_->find("</section>", at) - at);
  }
  // Expects `section` to be headed `title` with the "results" badge: it shows stored results.
  static void ExpectResultsHeading(const std::string& section, const std::string& title) {
    EXPECT_NE(section.find(title + " <span class=\"badge done\">results</span>"),
              std::string::npos);
  }
  static nlohmann::json Charts() {
    const std::string open = "id=\"prospect-charts\"";
    const size_t at = page_->find('>', page_->find(open)) + 1;
    return nlohmann::json::parse(page_->substr(at, page_->find("</script>", at) - at));
  }
  static nlohmann::json ChartTitled(const std::string& title) {
    for (const auto& c : Charts()) {
      if (c["title"]["text"] == title) return c;
    }
    return nullptr;
  }
  static testing::TempDir* dir_;
  static std::string ws_;
  static std::string* page_;
};
testing::TempDir* SegmentsReport::dir_ = nullptr;
std::string SegmentsReport::ws_;
std::string* SegmentsReport::page_ = nullptr;

TEST_F(SegmentsReport, ProfilesSectionShowsTheStoredTable) {
  const std::string s = Section("profiles");
  ASSERT_FALSE(s.empty());
  ExpectResultsHeading(s, "Customer profiles");
  Workspace ws = Workspace::Open(ws_);
  const Table t = ws.store().LoadTable("profiles", Context(1));
  EXPECT_NE(s.find(fmt::format("<div class=\"v\">{}</div><div class=\"k\">customers</div>",
                               t.num_rows())),
            std::string::npos);
  // The summary row of recency_days: count, missing, min, quartiles and mean of the stored column.
  std::vector<double> v;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    const double x = t.column("recency_days").NumericAt(r);
    if (std::isfinite(x)) v.push_back(x);
  }
  std::sort(v.begin(), v.end());
  double mean = 0;
  for (double x : v) mean += x / static_cast<double>(v.size());
  const std::string median = fmt::format("{:.4g}", QuantileSorted(v, 0.5));
  EXPECT_NE(
      s.find(fmt::format("<td>recency_days</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
                         v.size(), t.num_rows() - v.size())),
      std::string::npos)
      << s.substr(0, 3000);
  EXPECT_NE(
      s.find(fmt::format("<td class=\"num\">{}</td><td class=\"num\">{:.4g}</td>", median, mean)),
      std::string::npos);
  const auto hist = ChartTitled("recency_days");
  ASSERT_FALSE(hist.is_null());
  int64_t drawn = 0;
  for (const auto& c : hist["series"][0]["data"]) drawn += c.get<int64_t>();
  // Up to the 99th percentile: every value but the top 1 % (at most).
  EXPECT_LE(drawn, static_cast<int64_t>(v.size()));
  EXPECT_GE(drawn, static_cast<int64_t>(std::floor(0.99 * static_cast<double>(v.size()))));
}

TEST_F(SegmentsReport, SegmentsSectionShowsTheStoredSegmentation) {
  const std::string s = Section("segments");
  ASSERT_FALSE(s.empty());
  ExpectResultsHeading(s, "Segments and personas");
  Workspace ws = Workspace::Open(ws_);
  const auto seg = ws.store().GetObject("segmentation", "default");
  ASSERT_TRUE(seg.has_value());
  const auto& personas = seg->meta["personas"]["personas"];
  ASSERT_EQ(personas.size(), 4u);

  // Sizes in the cards and the chart are those stored, and they match the segments table.
  const Table assigned = ws.store().LoadTable("segments", Context(1));
  std::vector<int64_t> counted(4, 0);
  for (size_t r = 0; r < assigned.num_rows(); ++r)
    ++counted[static_cast<size_t>(assigned.column("segment").ints()[r])];
  const auto sizes = ChartTitled("Segment sizes and value");
  ASSERT_FALSE(sizes.is_null());
  for (size_t i = 0; i < personas.size(); ++i) {
    const auto& p = personas[i];
    EXPECT_EQ(p["size"].get<int64_t>(), counted[i]);
    EXPECT_NE(s.find(fmt::format("<strong>{}</strong> — {}", p["name"].get<std::string>(),
                                 p["description"].get<std::string>())),
              std::string::npos)
        << p["name"];
    EXPECT_NE(s.find(fmt::format("{} customers · {:.1f}% of customers · {:.1f}% of value",
                                 p["size"].get<int64_t>(), 100 * p["share_customers"].get<double>(),
                                 100 * p["share_value"].get<double>())),
              std::string::npos)
        << p["name"];
    EXPECT_EQ(sizes["xAxis"]["data"][i], p["name"]);
    EXPECT_DOUBLE_EQ(sizes["series"][0]["data"][i].get<double>(),
                     std::round(1000 * p["share_customers"].get<double>()) / 10);
    EXPECT_DOUBLE_EQ(sizes["series"][1]["data"][i].get<double>(),
                     std::round(1000 * p["share_value"].get<double>()) / 10);
  }

  // Heatmap cells are the personas' standardised differences.
  const auto heat = ChartTitled("Feature profile");
  ASSERT_FALSE(heat.is_null());
  const auto& columns = heat["xAxis"]["data"];
  EXPECT_EQ(columns[0], seg->meta["features"][0]);
  size_t checked = 0;
  for (const auto& cell : heat["series"][0]["data"]) {
    const auto& feature = columns[cell[0].get<size_t>()];
    for (const auto& c : personas[cell[1].get<size_t>()]["contrasts"]) {
      if (c["feature"] != feature) continue;
      EXPECT_DOUBLE_EQ(cell[2].get<double>(),
                       std::round(100 * c["std_difference"].get<double>()) / 100);
      ++checked;
    }
  }
  EXPECT_EQ(checked, columns.size() * personas.size());

  // The projection draws every customer (fewer than the 3000-point cap), each in its segment.
  const auto pca = ChartTitled("2-D projection (PCA)");
  ASSERT_FALSE(pca.is_null());
  ASSERT_EQ(pca["series"].size(), 4u);
  for (size_t i = 0; i < 4; ++i)
    EXPECT_EQ(static_cast<int64_t>(pca["series"][i]["data"].size()), counted[i]);
}

}  // namespace
}  // namespace prospect
