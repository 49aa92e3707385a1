// CART against scikit-learn's DecisionTreeClassifier (tests/fixtures/models/make_cart_fixtures.py),
// plus rules, serialisation and errors.
#include "prospect/models/classify/cart.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "prospect/common/error.hpp"
#include "support/expect_error.hpp"
#include "support/json_fixture.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

struct CartData {
  std::vector<double> x, w;
  std::vector<int32_t> y;
  size_t n = 0, d = 0;
  nlohmann::json cases;
};

CartData Load() {
  const auto& j = testing::LoadJsonFixture("models/cart_fixtures.json");
  CartData data;
  data.n = j["X"].size();
  data.d = j["X"][0].size();
  for (const auto& row : j["X"]) {
    for (const auto& v : row) data.x.push_back(v.get<double>());
  }
  for (const auto& v : j["y"]) data.y.push_back(v.get<int32_t>());
  for (const auto& v : j["w"]) data.w.push_back(v.get<double>());
  data.cases = j["cases"];
  return data;
}

TEST(CartTree, MatchesSklearnProbabilitiesAndImportances) {
  const CartData data = Load();
  Context ctx(2);
  for (const auto& c : data.cases) {
    CartParams params;
    params.criterion = c["criterion"];
    params.max_depth = c["max_depth"];
    params.min_samples_leaf = c["min_samples_leaf"];
    CartTree tree(params);
    const bool weighted = c["weighted"];
    tree.Fit(data.x, data.n, data.d, data.y, 3,
             weighted ? std::span<const double>(data.w) : std::span<const double>(), ctx);
    const std::string label = fmt::format("{} depth {} leaf {} weighted {}", params.criterion,
                                          params.max_depth, params.min_samples_leaf, weighted);
    const auto proba = tree.PredictProba(data.x, data.n);
    const auto imp = tree.Importances();
    auto matches = [&](const nlohmann::json& v) {
      if (tree.nodes().size() != v["node_count"].get<size_t>()) return false;
      for (size_t i = 0; i < proba.size(); ++i) {
        if (std::abs(proba[i] - v["proba"][i / 3][i % 3].get<double>()) > 1e-12) return false;
      }
      for (size_t f = 0; f < data.d; ++f) {
        if (std::abs(imp[f] - v["importances"][f].get<double>()) > 1e-9) return false;
      }
      return true;
    };
    bool any = false;
    for (const auto& v : c["variants"]) any = any || matches(v);
    EXPECT_TRUE(any) << label << ": no sklearn variant matches (" << c["variants"].size()
                     << " variants)";
  }
}

TEST(CartTree, OneAndTwoThreadsGiveTheSameTree) {
  const CartData data = Load();
  CartTree a, b;
  a.Fit(data.x, data.n, data.d, data.y, 3, {}, Context(1));
  b.Fit(data.x, data.n, data.d, data.y, 3, {}, Context(2));
  EXPECT_EQ(a.ToJson(), b.ToJson());
}

TEST(CartTree, RulesDescribeLeavesInWords) {
  // x <= 2.5 → class 0, else class 1: one split, two rules.
  const std::vector<double> x = {1, 2, 3, 4};
  const std::vector<int32_t> y = {0, 0, 1, 1};
  CartTree tree;
  tree.Fit(x, 4, 1, y, 2, {}, Context(1));
  const auto rules = tree.Rules({"visits"});
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].Text({"Lost", "Loyal"}), "if visits <= 2.5 then Lost (100% of 2 customers)");
  EXPECT_EQ(rules[1].Text({"Lost", "Loyal"}), "if visits > 2.5 then Loyal (100% of 2 customers)");
  EXPECT_EQ(tree.depth(), 1);
}

TEST(CartTree, JsonRoundTripPredictsIdentically) {
  const CartData data = Load();
  CartTree tree;
  tree.Fit(data.x, data.n, data.d, data.y, 3, {}, Context(1));
  const CartTree back = CartTree::FromJson(nlohmann::json::parse(tree.ToJson().dump()));
  EXPECT_EQ(back.PredictProba(data.x, data.n), tree.PredictProba(data.x, data.n));
}

TEST(CartTree, ErrorsAreClear) {
  CartTree tree;
  const std::vector<double> nan_x = {1, std::nan("")};
  const std::vector<int32_t> y = {0, 1};
  ExpectError([&] { tree.Fit(nan_x, 2, 1, y, 2, {}, Context(1)); }, ErrorCode::kInvalidData,
              "tree: feature 0 of row 2 is nan; impute missing values first");
  EXPECT_THROW((void)tree.PredictProba(nan_x, 2), Error);  // not fitted
  nlohmann::json bad = {
      {"params", nlohmann::json::object()},
      {"num_features", 1},
      {"num_classes", 2},
      {"nodes", {{0, 0.5, 0, 0, 0.5, 2, 2, {1, 1}}}}};  // a node pointing at itself
  EXPECT_THROW((void)CartTree::FromJson(bad), Error);
}

}  // namespace
}  // namespace prospect
