// Report section "Overview": the key numbers and the models' serving versions, read from the
// store as it is now (a promotion shows at the next render).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "prospect/models/training.hpp"
#include "prospect/report/report.hpp"
#include "prospect/workspace/workspace.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::TempDir;

Table Prospects(size_t n) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> unif;
  ColumnVector<int64_t> id(n), y(n);
  ColumnVector<double> x(n);
  for (size_t i = 0; i < n; ++i) {
    id[i] = static_cast<int64_t>(i + 1);
    x[i] = normal(rng);
    y[i] = unif(rng) < 1 / (1 + std::exp(-(2 * x[i] - 1))) ? 1 : 0;
  }
  return Table(
      Schema(
          {{"customer_id", DataType::kInt64}, {"x", DataType::kDouble}, {"y", DataType::kInt64}}),
      {Column::FromInts(DataType::kInt64, id), Column::FromDoubles(x),
       Column::FromInts(DataType::kInt64, y)});
}

// The overview section's markup alone.
std::string Overview(const Workspace& ws) {
  std::vector<std::unique_ptr<report::ReportSection>> sections = report::RegisteredSections();
  EXPECT_EQ(sections.front()->Id(), "overview");
  sections.resize(1);
  return report::RenderSections(ws, sections, Context(1)).sections_html;
}

TEST(OverviewSection, KeyNumbersAndTheServingVersionOfEachModelFromTheStoreNow) {
  TempDir dir;
  Workspace::Init(dir.File("w"));
  Workspace ws = Workspace::Open(dir.File("w"));
  ws.store().WriteTable("customers", Prospects(1234), {}, Context(1));
  TrainRequest req;
  req.table = "customers";
  req.target = "y";
  req.id_column = "customer_id";
  req.model = "logistic";
  req.name = "lr";
  const TrainResult trained = TrainModel(ws.store(), req, Context(1));

  std::string html = Overview(ws);
  EXPECT_NE(html.find("<div class=\"v\">1,234</div><div class=\"k\">customers</div>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<div class=\"v\">0 of 1</div><div class=\"k\">models in production</div>"),
            std::string::npos);
  EXPECT_NE(html.find("<td>v1 (latest, not promoted)</td>"), std::string::npos);
  EXPECT_NE(html.find(fmt::format("<td>ROC-AUC {:.3f}</td>", trained.holdout.roc_auc)),
            std::string::npos);
  EXPECT_NE(html.find("<div class=\"v\">0</div><div class=\"k\">experiments analysed</div>"),
            std::string::npos);

  PromoteModel(ws.store(), "lr", 1);
  html = Overview(ws);
  EXPECT_NE(html.find("<div class=\"v\">1 of 1</div><div class=\"k\">models in production</div>"),
            std::string::npos);
  EXPECT_NE(html.find("<td>v1 (production)</td>"), std::string::npos);
}

TEST(OverviewSection, AnEmptyWorkspaceSaysWhatToRun) {
  TempDir dir;
  Workspace::Init(dir.File("w"));
  const std::string html = Overview(Workspace::Open(dir.File("w")));
  EXPECT_NE(html.find("Overview <span class=\"badge\">not run yet</span>"), std::string::npos);
  EXPECT_NE(html.find("Nothing in this workspace yet. Run prospect quickstart"), std::string::npos);
}

}  // namespace
}  // namespace prospect
