// Churn early warning on generated data: labels and point-in-time profiles recomputed
// independently from the orders, tiers and ordering of the list, and the risk recovering the
// generator's hidden churn truth (ground_truth.csv `alive`) far better than chance.
#include "prospect/churn/churn.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <numeric>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/evaluate/metrics.hpp"
#include "prospect/features/labels.hpp"
#include "prospect/generate/generate.hpp"
#include "prospect/ingest/ingest.hpp"
#include "prospect/store/store.hpp"
#include "prospect/workspace/workspace.hpp"
#include "support/expect_error.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::TempDir;

struct Generated {
  TempDir dir;
  Workspace ws = Make(dir);
  static Workspace Make(const TempDir& d) {
    const Context ctx(1);  // one thread: OpenMP and XGBoost threads thrash on a loaded machine
    GenerateParams gp;
    gp.customers = 2500;
    gp.seed = 11;
    Generate(gp, d.File("data"), ctx);
    Workspace::Init(d.File("w"));
    Workspace ws = Workspace::Open(d.File("w"));
    for (const char* name : {"customers", "items", "events", "orders", "ground_truth"}) {
      IngestRequest req;
      req.table = name;
      req.file = d.File("data") + "/" + name + ".csv";
      Ingest(ws, req, ctx);
    }
    return ws;
  }
};

Generated& Shared() {
  static Generated g;
  return g;
}

ChurnResult RunOnce() {
  static const ChurnResult result = [] {
    ChurnRequest req;
    req.params = {{"n_estimators", 80}};
    return RunChurn(Shared().ws.store(), ProfileConfig{}, req, Context(1));
  }();
  return result;
}

// Order instants with a positive total, per customer, straight from the orders table.
std::map<int64_t, std::vector<int64_t>> Purchases(Store& store) {
  const Table orders = store.LoadTable("orders", Context(1));
  const Column& id = orders.column("customer_id");
  const Column& when = orders.column("order_date");
  const Column& total = orders.column("total");
  std::map<int64_t, std::vector<int64_t>> out;
  for (size_t r = 0; r < orders.num_rows(); ++r) {
    if (!(total.NumericAt(r) > 0)) continue;
    const int64_t t =
        when.type() == DataType::kDate ? when.ints()[r] * kMicrosPerDay : when.ints()[r];
    out[id.ints()[r]].push_back(t);
  }
  return out;
}

void CheckLabelsAndProfilesArePointInTimeCorrect() {
  const ChurnResult r = RunOnce();
  Store& store = Shared().ws.store();
  EXPECT_EQ(r.label_date, r.as_of - 90 * kMicrosPerDay);
  const auto purchases = Purchases(store);
  const Table training = store.LoadTable("churn_training", Context(1));
  ASSERT_EQ(training.num_rows(), r.training_customers);
  ASSERT_GT(training.num_rows(), 500u);
  const Column& id = training.column("customer_id");
  const Column& churned = training.column("churned");
  const Column& frequency = training.column("frequency");
  size_t n_churned = 0;
  for (size_t i = 0; i < training.num_rows(); ++i) {
    const auto it = purchases.find(id.ints()[i]);
    ASSERT_NE(it, purchases.end());
    size_t before = 0;
    bool bought_in_window = false;
    for (int64_t t : it->second) {
      before += t < r.label_date;
      bought_in_window |= t >= r.label_date && t < r.as_of;
    }
    EXPECT_GE(before, 1u);
    // The profile saw only purchases before the label date.
    EXPECT_EQ(frequency.NumericAt(i), static_cast<double>(before)) << id.ints()[i];
    EXPECT_EQ(churned.bools()[i], bought_in_window ? 0 : 1) << id.ints()[i];
    n_churned += churned.bools()[i];
  }
  EXPECT_NEAR(r.training_churn_rate,
              static_cast<double>(n_churned) / static_cast<double>(training.num_rows()), 1e-12);
}

void CheckListIsTieredSortedAndExplained() {
  const ChurnResult r = RunOnce();
  const Table& t = r.at_risk;
  ASSERT_GT(t.num_rows(), 500u);
  const Column& risk = t.column("churn_risk");
  const Column& tier = t.column("tier");
  const Column& var = t.column("value_at_risk");
  const Column& annual = t.column("annual_value");
  auto rank = [](std::string_view s) { return s == "high" ? 0 : s == "medium" ? 1 : 2; };
  std::map<std::string, size_t> counts;
  for (size_t i = 0; i < t.num_rows(); ++i) {
    const double p = risk.doubles()[i];
    const std::string expected = p >= 0.6 ? "high" : p >= 0.3 ? "medium" : "low";
    EXPECT_EQ(tier.StringAt(i), expected) << i;
    ++counts[expected];
    if (!annual.IsNull(i)) {
      EXPECT_NEAR(var.doubles()[i], p * annual.doubles()[i], 1e-9);
    }
    if (i > 0) {
      EXPECT_LE(rank(tier.StringAt(i - 1)), rank(tier.StringAt(i)));
      if (tier.StringAt(i - 1) == tier.StringAt(i) && !var.IsNull(i)) {
        EXPECT_GE(var.doubles()[i - 1], var.doubles()[i]);
      }
    }
    EXPECT_FALSE(t.column("reason_1").IsNull(i));
  }
  EXPECT_EQ(r.summary["tiers"]["high"]["customers"].get<size_t>(), counts["high"]);
  EXPECT_EQ(r.summary["tiers"]["low"]["customers"].get<size_t>(), counts["low"]);
  EXPECT_NE(std::string(t.column("reason_1").StringAt(0)).find("the chance of churn"),
            std::string::npos);
  EXPECT_EQ(std::string(t.column("reason_1").StringAt(0)).find("of churned"), std::string::npos);
  // Stored for the report, and as a table.
  EXPECT_TRUE(Shared().ws.store().FindTable("churn_risk").has_value());
  EXPECT_TRUE(Shared().ws.store().GetObject("churn", "churn").has_value());
}

void CheckRiskRecoversTheGeneratorsChurnTruth() {
  const ChurnResult r = RunOnce();
  const Table truth = Shared().ws.store().LoadTable("ground_truth", Context(1));
  std::map<int64_t, bool> alive;
  const Column& tid = truth.column("customer_id");
  const Column& talive = truth.column("alive");
  for (size_t i = 0; i < truth.num_rows(); ++i) alive[tid.ints()[i]] = talive.NumericAt(i) > 0;
  std::vector<double> y, score;
  const Column& id = r.at_risk.column("customer_id");
  for (size_t i = 0; i < r.at_risk.num_rows(); ++i) {
    y.push_back(alive.at(id.ints()[i]) ? 0.0 : 1.0);
    score.push_back(r.at_risk.column("churn_risk").doubles()[i]);
  }
  const double auc = RocAuc(y, score);
  std::printf(
      "churn risk vs generator truth (dropped out before data end): ROC-AUC %.4f on %zu customers, "
      "%.1f%% "
      "dropped out; model held-out ROC-AUC %.4f\n",
      auc, y.size(), 100 * std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(y.size()),
      r.holdout.roc_auc);
  EXPECT_GT(auc, 0.75);
  EXPECT_GT(r.holdout.roc_auc, 0.7);
}

// One test (one process under ctest) for the three checks, so the data is generated and the
// churn model trained once.
TEST(Churn, PointInTimeLabelsTieredExplainedListAndRecoveryOfTheGeneratorsTruth) {
  CheckLabelsAndProfilesArePointInTimeCorrect();
  CheckListIsTieredSortedAndExplained();
  CheckRiskRecoversTheGeneratorsChurnTruth();
}

TEST(Churn, ErrorsSayWhatToChange) {
  TempDir empty;
  Workspace::Init(empty.File("w"));
  Workspace ws = Workspace::Open(empty.File("w"));
  ChurnRequest req;
  const auto run = [&] { (void)RunChurn(ws.store(), ProfileConfig{}, req, Context(1)); };
  req.window_days = 0;
  ExpectError(run, ErrorCode::kInvalidArgument, "--window 0: expected at least 1 day");
  req.window_days = 90;
  req.high = 0.2;
  ExpectError(run, ErrorCode::kInvalidArgument,
              "--medium 0.3 --high 0.2: expected 0 ≤ medium ≤ high ≤ 1");
  req = ChurnRequest{};
  ExpectError(run, ErrorCode::kFailedPrecondition,
              "churn needs purchase history: ingest an orders table (or events) first, e.g. "
              "prospect ingest orders "
              "orders.csv");
}

TEST(Churn, TooLittleHistoryAsksForALaterAsOfNotAnEarlierOne) {
  // As of 30 days into the generated data with a 90-day window, the label date is before every
  // purchase: a later as-of (or a shorter window) is what gives customers history.
  Store& store = Shared().ws.store();
  const ProfileInputs inputs = LoadProfileInputs(store, ProfileConfig{}, Context(1));
  ChurnRequest req;
  req.as_of = FindActivityRange(inputs, ProfileConfig{}).first + 30 * kMicrosPerDay;
  try {
    (void)RunChurn(store, ProfileConfig{}, req, Context(1));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kFailedPrecondition);
    const std::string what = e.what();
    EXPECT_NE(what.find("Try a later as-of date or a shorter window, so that more customers have "
                        "purchases before "
                        "the label date"),
              std::string::npos)
        << what;
    EXPECT_EQ(what.find("earlier"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace prospect
