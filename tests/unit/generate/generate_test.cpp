// prospect generate: determinism across seeds and thread counts, linkage between the files,
// row-count relations, and statistical recovery of the documented truth on generated data.
#include "prospect/generate/generate.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/io/csv.hpp"
#include "support/expect_error.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::TempDir;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A generated CSV: the header and the rows split on commas. The generator never quotes (its
// values hold no delimiter, quote or line break), which ReadsAsPlainRfc4180 checks.
struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  size_t Col(const std::string& name) const {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return i;
    }
    ADD_FAILURE() << "no column " << name;
    return 0;
  }
};

Csv ReadPlainCsv(const std::string& path) {
  Csv csv;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (first) {
      csv.header = Split(line, ',');
      first = false;
    } else {
      csv.rows.push_back(Split(line, ','));
    }
  }
  return csv;
}

int64_t Int(const std::string& s) { return std::stoll(s); }
double Num(const std::string& s) { return std::stod(s); }
int64_t Cents(const std::string& s) { return std::llround(std::stod(s) * 100); }
int64_t Time(const std::string& s) {
  int64_t t = 0;
  EXPECT_TRUE(ParseIsoTimestamp(s, &t)) << s;
  return t;
}

GenerateParams Params(int64_t customers, int64_t seed) {
  GenerateParams p;
  p.customers = customers;
  p.seed = seed;
  p.items = 300;
  return p;
}

const std::vector<std::string> kCsvFiles = {"customers.csv",  "items.csv",       "events.csv",
                                            "orders.csv",     "order_items.csv", "campaign.csv",
                                            "experiment.csv", "ground_truth.csv"};

// One moderately large dataset shared by the linkage and statistics tests (generated once).
class GeneratedData : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    GenerateParams p = Params(20000, 11);
    p.experiment_lift = 0.5;  // large enough to see in 20k customers
    summary_ = new GenerateSummary(Generate(p, dir_->path(), Context(2)));
  }
  static void TearDownTestSuite() {
    delete summary_;
    delete dir_;
  }
  static std::string File(const std::string& name) { return dir_->File(name); }
  static const GenerateSummary& summary() { return *summary_; }

 private:
  static TempDir* dir_;
  static GenerateSummary* summary_;
};
TempDir* GeneratedData::dir_ = nullptr;
GenerateSummary* GeneratedData::summary_ = nullptr;

TEST(Generate, SameSeedGivesIdenticalFilesWhateverTheThreadCount) {
  TempDir a, b;
  Generate(Params(3000, 5), a.path(), Context(1));
  Generate(Params(3000, 5), b.path(), Context(2));
  for (const auto& name : kCsvFiles) {
    EXPECT_EQ(Slurp(a.File(name)), Slurp(b.File(name))) << name;
  }
  EXPECT_EQ(Slurp(a.File("ground_truth.json")), Slurp(b.File("ground_truth.json")));
}

TEST(Generate, DifferentSeedsGiveDifferentData) {
  TempDir a, b;
  Generate(Params(500, 5), a.path(), Context(1));
  Generate(Params(500, 6), b.path(), Context(1));
  for (const auto& name :
       {"customers.csv", "items.csv", "events.csv", "orders.csv", "ground_truth.csv"}) {
    EXPECT_NE(Slurp(a.File(name)), Slurp(b.File(name))) << name;
  }
}

TEST(Generate, BrowsingRateLeavesPurchasesUnchanged) {
  // Browsing draws come after everything else in a customer's stream.
  TempDir a, b;
  GenerateParams p = Params(800, 9);
  Generate(p, a.path(), Context(1));
  p.sessions_per_week = 0.5;
  Generate(p, b.path(), Context(1));
  EXPECT_EQ(Slurp(a.File("orders.csv")), Slurp(b.File("orders.csv")));
  EXPECT_EQ(Slurp(a.File("ground_truth.csv")), Slurp(b.File("ground_truth.csv")));
  EXPECT_NE(Slurp(a.File("events.csv")), Slurp(b.File("events.csv")));
}

TEST(Generate, RejectsBadDatesWithTheValue) {
  TempDir dir;
  GenerateParams p = Params(10, 1);
  p.end_date = "2026-02-30";
  ExpectError([&] { Generate(p, dir.path(), Context(1)); }, ErrorCode::kInvalidArgument,
              "generate parameter end_date: \"2026-02-30\" is not a date like 2026-06-30");
  p.end_date = "2024-08-01";
  try {
    Generate(p, dir.path(), Context(1));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("has 32 days; at least 90 are needed"), std::string::npos)
        << e.what();
  }
}

TEST(Generate, RejectsOutOfRangeParameters) {
  TempDir dir;
  GenerateParams p = Params(0, 1);
  EXPECT_THROW(Generate(p, dir.path(), Context(1)), Error);
  GenerateParams q;
  EXPECT_THROW(GenerateParams::Schema().Set(q, "bgnbd_q", "1"), Error);  // no such parameter
  GenerateParams::Schema().Set(q, "bgnbd_r", "0.25");
  EXPECT_EQ(q.bgnbd_r, 0.25);
}

TEST(Generate, LeavesNoTemporaryFiles) {
  TempDir dir;
  const GenerateSummary s = Generate(Params(50, 2), dir.path(), Context(1));
  size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    EXPECT_FALSE(entry.path().string().ends_with(".tmp")) << entry.path();
    ++n;
  }
  EXPECT_EQ(n, kCsvFiles.size() + 1);
  EXPECT_EQ(s.files.size(), kCsvFiles.size() + 1);
}

TEST_F(GeneratedData, ReadsAsPlainRfc4180) {
  for (const auto& name : kCsvFiles) {
    const std::string text = Slurp(File(name));
    ASSERT_FALSE(text.empty()) << name;
    EXPECT_EQ(text.back(), '\n') << name;
    EXPECT_EQ(text.find('"'), std::string::npos) << name;
    EXPECT_EQ(text.find('\r'), std::string::npos) << name;
    const Csv csv = ReadPlainCsv(File(name));
    for (const auto& row : csv.rows) ASSERT_EQ(row.size(), csv.header.size()) << name;
  }
}

TEST_F(GeneratedData, ReadsBackWithTheCsvReaderAsTheIntendedTypes) {
  const std::map<std::string, std::vector<std::pair<std::string, DataType>>> expected = {
      {"customers.csv",
       {{"customer_id", DataType::kInt64},
        {"signup_date", DataType::kDate},
        {"age", DataType::kInt64},
        {"email", DataType::kString},
        {"newsletter_opt_in", DataType::kBool}}},
      {"events.csv",
       {{"timestamp", DataType::kTimestamp},
        {"item_id", DataType::kInt64},
        {"value", DataType::kDouble}}},
      {"orders.csv", {{"order_date", DataType::kTimestamp}, {"total", DataType::kDouble}}},
      {"campaign.csv", {{"treatment", DataType::kInt64}, {"response", DataType::kInt64}}},
      {"experiment.csv", {{"exposure_date", DataType::kDate}, {"converted", DataType::kInt64}}},
      {"ground_truth.csv",
       {{"lambda", DataType::kDouble},
        {"alive", DataType::kBool},
        {"churn_date", DataType::kDate},
        {"first_purchase", DataType::kTimestamp}}},
  };
  const Context ctx(2);
  for (const auto& [name, columns] : expected) {
    const Table t = ReadCsv(File(name), ReadOptions{}, ctx);
    EXPECT_EQ(static_cast<int64_t>(t.num_rows()), summary().Rows(name)) << name;
    for (const auto& [column, type] : columns) {
      EXPECT_EQ(t.column(column).type(), type) << name << " " << column;
    }
  }
  const Table customers = ReadCsv(File("customers.csv"), ReadOptions{}, ctx);
  EXPECT_GT(customers.column("age").null_count(), 0u);
  EXPECT_EQ(customers.column("email").null_count(), 0u);
}

TEST_F(GeneratedData, RowCountsMatchTheSummaryAndEachOther) {
  std::map<std::string, Csv> csv;
  for (const auto& name : kCsvFiles) {
    csv[name] = ReadPlainCsv(File(name));
    EXPECT_EQ(static_cast<int64_t>(csv[name].rows.size()), summary().Rows(name)) << name;
  }
  EXPECT_EQ(csv["customers.csv"].rows.size(), 20000u);
  EXPECT_EQ(csv["ground_truth.csv"].rows.size(), 20000u);
  EXPECT_EQ(csv["items.csv"].rows.size(), 300u);
  EXPECT_LE(csv["campaign.csv"].rows.size(), 20000u);
  EXPECT_LE(csv["experiment.csv"].rows.size(), 20000u);
  EXPECT_GE(csv["order_items.csv"].rows.size(), csv["orders.csv"].rows.size());
  size_t purchases = 0;
  const size_t type = csv["events.csv"].Col("type");
  for (const auto& row : csv["events.csv"].rows) purchases += row[type] == "purchase";
  EXPECT_EQ(purchases, csv["order_items.csv"].rows.size());
  // Moderate volume by default: 10–40 events per customer.
  EXPECT_GT(csv["events.csv"].rows.size(), 10u * 20000u);
  EXPECT_LT(csv["events.csv"].rows.size(), 40u * 20000u);
  const nlohmann::json& truth = summary().truth;
  EXPECT_EQ(truth["campaign"]["customers"].get<size_t>(), csv["campaign.csv"].rows.size());
  EXPECT_EQ(truth["experiment"]["customers"].get<size_t>(), csv["experiment.csv"].rows.size());
  const nlohmann::json on_disk = nlohmann::json::parse(Slurp(File("ground_truth.json")));
  EXPECT_EQ(on_disk, truth);
}

TEST_F(GeneratedData, OrdersLinkToCustomersItemsAndPurchaseEvents) {
  const Csv customers = ReadPlainCsv(File("customers.csv"));
  const Csv items = ReadPlainCsv(File("items.csv"));
  const Csv orders = ReadPlainCsv(File("orders.csv"));
  const Csv lines = ReadPlainCsv(File("order_items.csv"));
  const Csv events = ReadPlainCsv(File("events.csv"));
  const Csv truth = ReadPlainCsv(File("ground_truth.csv"));

  std::map<int64_t, int64_t> signup_day;
  for (const auto& r : customers.rows) {
    int64_t d = 0;
    ASSERT_TRUE(ParseIsoDate(r[customers.Col("signup_date")], &d));
    signup_day[Int(r[0])] = d;
  }
  std::set<int64_t> item_ids;
  for (const auto& r : items.rows) item_ids.insert(Int(r[0]));
  const int64_t start = DaysFromCivil(2024, 7, 1) * kMicrosPerDay;
  const int64_t end = DaysFromCivil(2026, 7, 1) * kMicrosPerDay;

  struct OrderInfo {
    int64_t customer, time, total_cents, units;
  };
  std::map<int64_t, OrderInfo> by_id;
  std::map<int64_t, int64_t> orders_per_customer;
  std::map<int64_t, std::pair<int64_t, int64_t>> first_last;  // customer → first, last order time
  for (const auto& r : orders.rows) {
    const int64_t customer = Int(r[orders.Col("customer_id")]);
    ASSERT_TRUE(signup_day.count(customer)) << "order of unknown customer " << customer;
    const int64_t t = Time(r[orders.Col("order_date")]);
    EXPECT_GE(DayOfTimestamp(t), signup_day[customer]);
    EXPECT_GE(t, start);
    EXPECT_LT(t, end);
    ASSERT_TRUE(by_id
                    .emplace(Int(r[0]), OrderInfo{customer, t, Cents(r[orders.Col("total")]),
                                                  Int(r[orders.Col("n_items")])})
                    .second)
        << "duplicate order id " << r[0];
    ++orders_per_customer[customer];
    auto [it, fresh] = first_last.emplace(customer, std::make_pair(t, t));
    if (!fresh) {
      it->second.first = std::min(it->second.first, t);
      it->second.second = std::max(it->second.second, t);
    }
  }

  // Sum of the lines = order total; purchase events mirror the lines one to one.
  std::map<int64_t, std::pair<int64_t, int64_t>> line_sums;  // order → cents, units
  std::multiset<std::tuple<int64_t, int64_t, int64_t, int64_t>> from_lines, from_events;
  for (const auto& r : lines.rows) {
    const int64_t order = Int(r[0]);
    ASSERT_TRUE(by_id.count(order)) << "line of unknown order " << order;
    const int64_t item = Int(r[1]);
    EXPECT_TRUE(item_ids.count(item)) << item;
    const int64_t qty = Int(r[2]);
    EXPECT_GE(qty, 1);
    const int64_t amount = qty * Cents(r[3]);
    line_sums[order].first += amount;
    line_sums[order].second += qty;
    from_lines.emplace(by_id[order].customer, by_id[order].time, item, amount);
  }
  ASSERT_EQ(line_sums.size(), by_id.size()) << "every order has lines";
  for (const auto& [id, o] : by_id) {
    EXPECT_EQ(line_sums[id].first, o.total_cents) << "order " << id;
    EXPECT_EQ(line_sums[id].second, o.units) << "order " << id;
  }

  int64_t prev_customer = 0, prev_time = 0;
  for (const auto& r : events.rows) {
    const int64_t customer = Int(r[0]);
    ASSERT_TRUE(signup_day.count(customer)) << "event of unknown customer " << customer;
    const int64_t t = Time(r[1]);
    EXPECT_GE(t, start);
    EXPECT_LT(t, end);
    EXPECT_GE(DayOfTimestamp(t), signup_day[customer]);
    EXPECT_TRUE(item_ids.count(Int(r[3])));
    // Grouped by customer in id order, by time within a customer.
    EXPECT_TRUE(customer > prev_customer || (customer == prev_customer && t >= prev_time));
    prev_customer = customer;
    prev_time = t;
    EXPECT_TRUE(r[2] == "view" || r[2] == "cart" || r[2] == "purchase") << r[2];
    if (r[2] == "purchase") from_events.emplace(customer, t, Int(r[3]), Cents(r[4]));
  }
  EXPECT_EQ(from_lines, from_events);

  // Ground truth agrees with the orders: counts, first purchase, churn date = last order's day.
  for (const auto& r : truth.rows) {
    const int64_t customer = Int(r[0]);
    const int64_t n = Int(r[truth.Col("n_orders")]);
    EXPECT_EQ(n, orders_per_customer.count(customer) ? orders_per_customer[customer] : 0);
    if (n == 0) {
      EXPECT_TRUE(r[truth.Col("first_purchase")].empty());
      continue;
    }
    EXPECT_EQ(Time(r[truth.Col("first_purchase")]), first_last[customer].first);
    if (r[truth.Col("alive")] == "false") {
      int64_t churn = 0;
      ASSERT_TRUE(ParseIsoDate(r[truth.Col("churn_date")], &churn));
      EXPECT_EQ(churn, DayOfTimestamp(first_last[customer].second));
    } else {
      EXPECT_TRUE(r[truth.Col("churn_date")].empty());
    }
  }
}

TEST_F(GeneratedData, CampaignAndExperimentRowsBelongToEligibleCustomers) {
  const Csv customers = ReadPlainCsv(File("customers.csv"));
  std::map<int64_t, std::string> signup;
  for (const auto& r : customers.rows) signup[Int(r[0])] = r[1];
  const Csv campaign = ReadPlainCsv(File("campaign.csv"));
  for (const auto& r : campaign.rows) {
    ASSERT_TRUE(signup.count(Int(r[0])));
    EXPECT_LT(signup[Int(r[0])], "2026-05-02");  // signed up before the campaign date
    EXPECT_TRUE(r[1] == "0" || r[1] == "1");
    EXPECT_TRUE(r[2] == "0" || r[2] == "1");
    EXPECT_EQ(r[2] == "1", Num(r[3]) > 0) << "spend only with a response";
  }
  const Csv exp = ReadPlainCsv(File("experiment.csv"));
  for (const auto& r : exp.rows) {
    ASSERT_TRUE(signup.count(Int(r[0])));
    EXPECT_LT(signup[Int(r[0])], "2026-05-20");
    EXPECT_TRUE(r[1] == "control" || r[1] == "treatment");
    EXPECT_GE(r[2], "2026-05-20");
    EXPECT_LE(r[2], "2026-06-16");
    EXPECT_EQ(r[4] == "1", Num(r[5]) > 0);
  }
}

TEST_F(GeneratedData, LatentTraitsFollowTheirDistributions) {
  const Csv truth = ReadPlainCsv(File("ground_truth.csv"));
  const double n = static_cast<double>(truth.rows.size());
  double lambda = 0, p = 0, nu = 0;
  std::map<std::string, int64_t> segments;
  for (const auto& r : truth.rows) {
    lambda += Num(r[truth.Col("lambda")]) / n;
    p += Num(r[truth.Col("p_dropout")]) / n;
    nu += Num(r[truth.Col("nu")]) / n;
    ++segments[r[truth.Col("segment")]];
  }
  const GenerateParams d;
  // λ ~ Gamma(r, α): mean r/α, sd sqrt(r)/α; 20k draws give a standard error of ~0.9%.
  EXPECT_NEAR(lambda, d.bgnbd_r / d.bgnbd_alpha, 0.05 * d.bgnbd_r / d.bgnbd_alpha);
  EXPECT_NEAR(p, d.bgnbd_a / (d.bgnbd_a + d.bgnbd_b), 0.03 * d.bgnbd_a / (d.bgnbd_a + d.bgnbd_b));
  EXPECT_NEAR(nu, d.gg_q / d.gg_gamma, 0.03 * d.gg_q / d.gg_gamma);
  EXPECT_EQ(segments.size(), 5u);
  for (const auto& [name, count] : segments) {
    EXPECT_GT(count, 0.05 * n) << name;
    EXPECT_LT(count, 0.45 * n) << name;
  }
}

TEST_F(GeneratedData, OrderValuesFollowGammaGamma) {
  // E[order total] = E[p/ν] = pγ/(q − 1) since spend is independent of purchase frequency.
  const Csv orders = ReadPlainCsv(File("orders.csv"));
  double sum = 0;
  for (const auto& r : orders.rows) sum += Num(r[orders.Col("total")]);
  const GenerateParams d;
  const double expected = d.gg_p * d.gg_gamma / (d.gg_q - 1);
  EXPECT_NEAR(sum / static_cast<double>(orders.rows.size()), expected, 0.06 * expected);
  EXPECT_DOUBLE_EQ(summary().truth["gamma_gamma"]["mean_order_value"].get<double>(), expected);
}

/// Rows per arm of a two-arm CSV and how many of them have the outcome 1: index 1 is the treated
/// arm, index 0 the control.
struct ArmTotals {
  double rows[2] = {0, 0};
  double outcomes[2] = {0, 0};
};

/// Splits the rows by whether column `arm` holds `treated`, and counts the "1"s of column
/// `outcome`.
ArmTotals CountArms(const Csv& csv, size_t arm, const std::string& treated, size_t outcome) {
  ArmTotals totals;
  for (const auto& r : csv.rows) {
    const int t = r[arm] == treated;
    totals.rows[t] += 1;
    totals.outcomes[t] += r[outcome] == "1";
  }
  return totals;
}

TEST_F(GeneratedData, ObservedCampaignUpliftMatchesTheTruth) {
  const auto& [counts, responses] = CountArms(ReadPlainCsv(File("campaign.csv")), 1, "1", 2);
  const double treated_share = counts[1] / (counts[0] + counts[1]);
  EXPECT_NEAR(treated_share, 0.5, 0.03);
  const double r0 = responses[0] / counts[0], r1 = responses[1] / counts[1];
  const double se = std::sqrt(r0 * (1 - r0) / counts[0] + r1 * (1 - r1) / counts[1]);
  const double truth = summary().truth["campaign"]["average_uplift"].get<double>();
  EXPECT_GT(truth, 0.02);  // the default campaign works on average
  EXPECT_NEAR(r1 - r0, truth, 4 * se);
  EXPECT_NEAR(r0, summary().truth["campaign"]["mean_control_response"].get<double>(),
              4 * std::sqrt(r0 * (1 - r0) / counts[0]));
}

// Two offers: the contacted half split evenly between them, each offer's observed effect its
// mean true effect, the best offer differing between customers, and nothing else changed.
TEST(Generate, TwoCampaignOffersEachMatchTheirTruth) {
  TempDir one, two;
  GenerateParams p = Params(20000, 11);
  Generate(p, one.path(), Context(2));
  p.campaign_arms = 2;
  Generate(p, two.path(), Context(2));
  for (const auto& name : {"customers.csv", "events.csv", "orders.csv", "experiment.csv"})
    EXPECT_EQ(Slurp(one.File(name)), Slurp(two.File(name))) << name;
  const Csv campaign = ReadPlainCsv(two.File("campaign.csv"));
  const Csv truth = ReadPlainCsv(two.File("ground_truth.csv"));
  const size_t id = truth.Col("customer_id"), u1 = truth.Col("campaign_uplift"),
               u2 = truth.Col("campaign_uplift_2");
  std::map<std::string, std::pair<double, double>> effect_of;  // customer → (e-mail, discount)
  size_t discount_best = 0;
  for (const auto& r : truth.rows) {
    if (r[u1].empty()) continue;
    effect_of[r[id]] = {Num(r[u1]), Num(r[u2])};
    discount_best += Num(r[u2]) > Num(r[u1]);
  }
  ASSERT_EQ(effect_of.size(), campaign.rows.size());
  const double discount_share = static_cast<double>(discount_best) / effect_of.size();
  EXPECT_GT(discount_share, 0.2);
  EXPECT_LT(discount_share, 0.8);
  std::array<double, 3> n{}, responses{}, truth_1{}, truth_2{};
  for (const auto& r : campaign.rows) {
    const auto arm = static_cast<size_t>(Int(r[1]));
    ASSERT_LE(arm, 2u) << r[1];
    n[arm] += 1;
    responses[arm] += r[2] == "1";
    truth_1[arm] += effect_of[r[0]].first;
    truth_2[arm] += effect_of[r[0]].second;
  }
  const double total = n[0] + n[1] + n[2];
  EXPECT_NEAR(n[0] / total, 0.5, 0.02);
  EXPECT_NEAR(n[1] / total, 0.25, 0.02);
  EXPECT_NEAR(n[2] / total, 0.25, 0.02);
  const double r0 = responses[0] / n[0];
  for (size_t arm : {1, 2}) {
    const double r = responses[arm] / n[arm];
    const double se = std::sqrt(r0 * (1 - r0) / n[0] + r * (1 - r) / n[arm]);
    const double truth_mean = (arm == 1 ? truth_1[arm] : truth_2[arm]) / n[arm];
    EXPECT_NEAR(r - r0, truth_mean, 4 * se) << "arm " << arm;
  }
}

TEST_F(GeneratedData, ObservedExperimentLiftMatchesTheTruth) {
  const auto& [counts, conv] = CountArms(ReadPlainCsv(File("experiment.csv")), 1, "treatment", 4);
  EXPECT_NEAR(counts[1] / (counts[0] + counts[1]), 0.5, 0.03);
  const double c0 = conv[0] / counts[0], c1 = conv[1] / counts[1];
  const nlohmann::json& truth = summary().truth["experiment"];
  EXPECT_EQ(truth["true_relative_lift"].get<double>(), 0.5);
  const double expected0 = truth["expected_control_rate"].get<double>();
  EXPECT_NEAR(c0, expected0, 4 * std::sqrt(c0 * (1 - c0) / counts[0]));
  EXPECT_NEAR(c1, expected0 * 1.5, 4 * std::sqrt(c1 * (1 - c1) / counts[1]));
  // Relative lift: 0.5 with a standard error of about 0.08 here.
  EXPECT_NEAR(c1 / c0 - 1, 0.5, 0.3);
}

TEST_F(GeneratedData, PreRevenueComesFromTheOrdersAndPredictsConversion) {
  const Csv exp = ReadPlainCsv(File("experiment.csv"));
  double buyers_conv = 0, buyers = 0, others_conv = 0, others = 0;
  for (const auto& r : exp.rows) {
    const bool pre = Num(r[3]) > 0;
    (pre ? buyers_conv : others_conv) += r[4] == "1";
    (pre ? buyers : others) += 1;
  }
  ASSERT_GT(buyers, 100);
  // Recent buyers have higher purchase rates λ, which drive conversion: CUPED has signal. Their
  // conversion rate is higher by more than 4 standard errors of the difference.
  const double pb = buyers_conv / buyers, po = others_conv / others;
  EXPECT_GT(pb - po, 4 * std::sqrt(pb * (1 - pb) / buyers + po * (1 - po) / others))
      << pb << " vs " << po;
}

TEST_F(GeneratedData, ViewsComeFromEachCustomersFavouriteCategories) {
  // A view is from favourite 1 or 2 with probability 0.35 each, else from the whole shop by
  // category share (≈ each category's share of the catalogue): the truth file must name the
  // categories the events show.
  const Csv items = ReadPlainCsv(File("items.csv"));
  std::map<std::string, std::string> category_of;
  std::map<std::string, double> share;
  for (const auto& r : items.rows) {
    category_of[r[items.Col("item_id")]] = r[items.Col("category")];
    share[r[items.Col("category")]] += 1.0 / static_cast<double>(items.rows.size());
  }
  const Csv truth = ReadPlainCsv(File("ground_truth.csv"));
  std::map<std::string, std::pair<std::string, std::string>> favourites;
  for (const auto& r : truth.rows) {
    favourites[r[0]] = {r[truth.Col("favourite_category_1")], r[truth.Col("favourite_category_2")]};
    EXPECT_NE(favourites[r[0]].first, favourites[r[0]].second);
  }
  const Csv events = ReadPlainCsv(File("events.csv"));
  double views = 0, in_favourites = 0, expected = 0;
  for (const auto& r : events.rows) {
    if (r[events.Col("type")] != "view") continue;
    const auto& [first, second] = favourites.at(r[events.Col("customer_id")]);
    const std::string& c = category_of.at(r[events.Col("item_id")]);
    views += 1;
    in_favourites += c == first || c == second;
    expected += 0.7 + 0.3 * (share[first] + share[second]);
  }
  ASSERT_GT(views, 10000);
  EXPECT_NEAR(in_favourites / views, expected / views, 0.02);
}

TEST_F(GeneratedData, PurchasePropensityIsCalibrated) {
  const Csv truth = ReadPlainCsv(File("ground_truth.csv"));
  double p = 0, y = 0, var = 0;
  const size_t pc = truth.Col("p_purchase_30d"), yc = truth.Col("purchased_next_30d");
  for (const auto& r : truth.rows) {
    const double q = Num(r[pc]);
    p += q;
    var += q * (1 - q);
    y += r[yc] == "true";
    if (r[truth.Col("alive")] == "false") {
      EXPECT_EQ(q, 0.0);
    }
  }
  EXPECT_NEAR(y, p, 4 * std::sqrt(var));
}

TEST_F(GeneratedData, CustomersHaveRealisticMissingness) {
  const Csv c = ReadPlainCsv(File("customers.csv"));
  const double n = static_cast<double>(c.rows.size());
  double age = 0, phone = 0, email = 0;
  for (const auto& r : c.rows) {
    age += r[c.Col("age")].empty();
    phone += r[c.Col("phone")].empty();
    email += r[c.Col("email")].empty();
  }
  EXPECT_NEAR(age / n, 0.045, 0.015);
  EXPECT_NEAR(phone / n, 0.15, 0.02);
  EXPECT_EQ(email, 0);
}

TEST(GenerateCli, PrintsFilesAndRowsAsJson) {
  TempDir dir;
  auto r = testing::RunCli("generate --customers 300 --seed 4 --out " + dir.File("g") +
                           " --json --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["customers"], 300);
  EXPECT_EQ(doc["seed"], 4);
  ASSERT_EQ(doc["files"].size(), 9u);
  EXPECT_EQ(doc["files"][0]["name"], "customers.csv");
  EXPECT_EQ(doc["files"][0]["rows"], 300);
  EXPECT_EQ(doc["truth"]["bgnbd"]["r"], GenerateParams{}.bgnbd_r);
}

TEST(GenerateCli, ExplainsBadParam) {
  TempDir dir;
  auto r =
      testing::RunCli("generate --customers 10 --out " + dir.File("g") + " --param bgnbd_rr=1");
  EXPECT_EQ(r.exit_code, ExitCodeFor(ErrorCode::kInvalidArgument));
  EXPECT_NE(r.err.find("error: Unknown generate parameter \"bgnbd_rr\". Did you mean"),
            std::string::npos)
      << r.err;
  r = testing::RunCli("generate --customers 10 --out " + dir.File("g") + " --param items");
  EXPECT_NE(r.err.find("--param \"items\": expected NAME=VALUE"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace prospect
