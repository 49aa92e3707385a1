// ParamSchema: parsing, validation, JSON round trip and did-you-mean errors.
#include "prospect/common/params.hpp"

#include <gtest/gtest.h>

namespace prospect {
namespace {

struct TreeParams {
  int64_t max_depth = 6;
  double learning_rate = 0.3;
  bool balanced = false;
  std::string criterion = "gini";
};

const ParamSchema<TreeParams>& TreeSchema() {
  static const ParamSchema<TreeParams> schema(
      "tree", {{"max_depth", &TreeParams::max_depth, "maximum depth", 1, 64},
               {"learning_rate", &TreeParams::learning_rate, "shrinkage", 0.0, 1.0},
               {"balanced", &TreeParams::balanced, "reweight classes"},
               {"criterion", &TreeParams::criterion, "split quality", {"gini", "entropy"}}});
  return schema;
}

std::string ErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(ParamSchema, SetsEachTypeFromText) {
  TreeParams p;
  TreeSchema().Set(p, "max_depth", "3");
  TreeSchema().Set(p, "learning_rate", "0.05");
  TreeSchema().Set(p, "balanced", "true");
  TreeSchema().Set(p, "criterion", "entropy");
  EXPECT_EQ(p.max_depth, 3);
  EXPECT_DOUBLE_EQ(p.learning_rate, 0.05);
  EXPECT_TRUE(p.balanced);
  EXPECT_EQ(p.criterion, "entropy");
}

TEST(ParamSchema, UnknownNameSuggestsClosest) {
  TreeParams p;
  EXPECT_EQ(ErrorOf([&] { TreeSchema().Set(p, "max_dpeth", "3"); }),
            "Unknown tree parameter \"max_dpeth\". Did you mean \"max_depth\"? Valid parameters: "
            "max_depth, "
            "learning_rate, balanced, criterion.");
}

TEST(ParamSchema, RejectsOutOfRangeBadTextAndBadChoice) {
  TreeParams p;
  EXPECT_EQ(ErrorOf([&] { TreeSchema().Set(p, "max_depth", "0"); }),
            "tree parameter max_depth: 0 is out of range [1, 64]");
  EXPECT_EQ(ErrorOf([&] { TreeSchema().Set(p, "max_depth", "3.5"); }),
            "tree parameter max_depth: expected an integer, got \"3.5\"");
  EXPECT_EQ(ErrorOf([&] { TreeSchema().Set(p, "criterion", "ginni"); }),
            "tree parameter criterion: \"ginni\" is not allowed. Did you mean \"gini\"? Valid "
            "values: gini, entropy.");
  EXPECT_EQ(p.max_depth, 6);  // failed sets change nothing
}

TEST(ParamSchema, JsonRoundTrip) {
  TreeParams p;
  p.max_depth = 9;
  p.criterion = "entropy";
  const nlohmann::json j = TreeSchema().ToJson(p);
  EXPECT_EQ(j["max_depth"], 9);
  TreeParams q;
  TreeSchema().SetFromJson(q, j);
  EXPECT_EQ(TreeSchema().ToJson(q), j);
}

}  // namespace
}  // namespace prospect
