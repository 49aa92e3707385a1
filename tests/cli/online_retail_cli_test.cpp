// UCI Online Retail (../shared/data) as a user runs it, with the documented prospect.toml mapping
// of a plain transaction log (docs/user/examples/online-retail.md): ingest → profile → segment
// (rfm, kmeans). Profile values are checked against pandas (tests/fixtures/features/
// make_online_retail_fixture.py); personas are checked for what a marketer relies on.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "prospect/workspace/workspace.hpp"
#include "support/json_fixture.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::RunCli;
using testing::TempDir;

constexpr const char* kMapping = R"(
[profile]
orders_table = "retail"
customer_id = "CustomerID"
order_id = "InvoiceNo"
order_time = "InvoiceDate"
order_amount = ""
order_quantity = "Quantity"
order_price = "UnitPrice"
)";

const nlohmann::json& OnlineRetailFixture() {
  return testing::LoadJsonFixture("features/online_retail_profile.json");
}

const nlohmann::json* PersonaNamed(const nlohmann::json& doc, const std::string& name) {
  for (const auto& p : doc["personas"]["personas"]) {
    if (p["name"] == name) return &p;
  }
  return nullptr;
}

double Contrast(const nlohmann::json& persona, const std::string& feature) {
  for (const auto& c : persona["contrasts"]) {
    if (c["feature"] == feature) return c["std_difference"].get<double>();
  }
  return NAN;
}

TEST(CliOnlineRetail, ProfileAndPersonasFromTheTransactionLog) {
  const std::string data = testing::SharedData("uci_online_retail/online_retail.csv.gz");
  // Like every real-data test: missing data is a failure, not a skip (CI has ../shared/data).
  ASSERT_TRUE(std::ifstream(data).good()) << "missing " << data;
  const nlohmann::json expected = OnlineRetailFixture();
  TempDir dir;
  const std::string ws = dir.File("retail");
  ASSERT_EQ(RunCli("init " + ws + " --quiet").exit_code, 0);
  std::ofstream(ws + "/prospect.toml", std::ios::app) << kMapping;
  auto r = RunCli("--workspace " + ws + " --quiet ingest retail " + data);
  ASSERT_EQ(r.exit_code, 0) << r.err;

  // Profile: one row per customer, values as pandas computes them from the definitions.
  r = RunCli("--workspace " + ws + " --json profile");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto profile = nlohmann::json::parse(r.out);
  EXPECT_EQ(profile["rows"], expected["customers"]);
  EXPECT_EQ(profile["as_of"], expected["as_of"]);
  ASSERT_FALSE(profile["warnings"].empty());
  EXPECT_EQ(profile["warnings"][0],
            fmt::format("profile: {} rows of retail have no CustomerID and were skipped",
                        expected["rows_without_customer"].get<int64_t>()));
  {
    Workspace w = Workspace::Open(ws);
    const Table t = w.store().LoadTable("profiles", Context(1));
    const Column& id = t.column("CustomerID");
    std::map<int64_t, size_t> row_of;
    for (size_t r2 = 0; r2 < t.num_rows(); ++r2) row_of[id.ints()[r2]] = r2;
    double sum_monetary = 0;
    int64_t sum_frequency = 0, sum_refunds = 0, without_purchase = 0;
    for (size_t r2 = 0; r2 < t.num_rows(); ++r2) {
      sum_monetary += t.column("monetary").NumericAt(r2);
      sum_frequency += t.column("frequency").ints()[r2];
      sum_refunds += t.column("refunds").ints()[r2];
      without_purchase += t.column("frequency").ints()[r2] == 0;
    }
    EXPECT_NEAR(sum_monetary, expected["sum_monetary"].get<double>(), 1e-6);
    EXPECT_EQ(sum_frequency, expected["sum_frequency"].get<int64_t>());
    EXPECT_EQ(sum_refunds, expected["sum_refunds"].get<int64_t>());
    EXPECT_EQ(without_purchase, expected["customers_without_purchase"].get<int64_t>());
    for (const auto& [customer, values] : expected["picked"].items()) {
      ASSERT_TRUE(row_of.count(std::stoll(customer))) << customer;
      const size_t row = row_of[std::stoll(customer)];
      for (const auto& [feature, value] : values.items()) {
        const double got = t.column(feature).NumericAt(row);
        if (value.is_null()) {
          EXPECT_TRUE(std::isnan(got)) << customer << " " << feature;
        } else {
          EXPECT_NEAR(got, value.get<double>(), 1e-9 * std::max(1.0, std::abs(value.get<double>())))
              << customer << " " << feature;
        }
      }
    }
  }

  // RFM personas: the usual names, every customer placed, value concentrated in the best segments.
  r = RunCli("--workspace " + ws + " --json segment --method rfm");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rfm = nlohmann::json::parse(r.out);
  int64_t total = 0;
  double value_share = 0;
  for (const auto& p : rfm["personas"]["personas"]) {
    total += p["size"].get<int64_t>();
    value_share += p["share_value"].get<double>();
    EXPECT_FALSE(p["description"].get<std::string>().empty());
    // The id column ([profile] customer_id) is neither described nor used in the rules.
    EXPECT_TRUE(std::isnan(Contrast(p, "CustomerID"))) << p["name"];
    for (const auto& rule : p["rules"])
      EXPECT_EQ(rule.get<std::string>().find("CustomerID"), std::string::npos) << rule;
  }
  EXPECT_EQ(total, expected["customers"].get<int64_t>());
  EXPECT_NEAR(value_share, 1.0, 1e-9);
  const auto* champions = PersonaNamed(rfm, "Champions");
  const auto* lost = PersonaNamed(rfm, "Lost");
  ASSERT_TRUE(champions && lost);
  EXPECT_GT(Contrast(*champions, "frequency"), 0.3);
  EXPECT_LT(Contrast(*champions, "recency_days"), -0.3);
  EXPECT_GT(Contrast(*lost, "recency_days"), 0.3);
  EXPECT_GT((*champions)["share_value"].get<double>(), 0.3);
  EXPECT_LT((*lost)["share_value"].get<double>(), 0.05);
  EXPECT_EQ((*champions)["description"], "High spenders who buy about monthly and bought recently");
  // "At risk" reads the same up to the comma; what tells them apart comes after it.
  EXPECT_EQ(
      (*lost)["description"],
      "Lapsed customers who rarely buy and have been customers for long, with higher recency_days");
  std::set<std::string> lines;
  for (const auto& p : rfm["personas"]["personas"]) {
    EXPECT_TRUE(lines.insert(p["description"].get<std::string>()).second) << p["description"];
  }
  EXPECT_GT(rfm["personas"]["rules_accuracy"].get<double>(), 0.6);

  // k-means on the default features: segments cover everyone and the text output reads as cards.
  r = RunCli("--workspace " + ws + " segment --method kmeans --k 4");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Segmented 4372 rows of profiles with kmeans into 4 segments"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("Rules (depth 3,"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("CustomerID"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace prospect
