// The experiment commands' library calls that the CLI (and later the server) only print:
// AllocateFromTable, CountAssignments and ReadUnitIds. Expected values by hand.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "prospect/common/error.hpp"
#include "prospect/experiment/assignment.hpp"
#include "prospect/experiment/bandit.hpp"
#include "support/expect_error.hpp"
#include "support/test_paths.hpp"

namespace prospect::experiment {
namespace {

TEST(AllocateFromTable, Ucb1SendsAllTrafficToTheLargestIndex) {
  // a: 3 of 4 converted; b: 1 of 2. N = 6.
  const Table results(Schema({{"arm", DataType::kString}, {"converted", DataType::kBool}}),
                      {Column::FromStringVector({"a", "a", "a", "a", "b", "b"}),
                       Column::FromBools(ColumnVector<uint8_t>{1, 1, 1, 0, 1, 0})});
  const Allocation allocation = AllocateFromTable(results, {"arm", "converted", "ucb1"}, 1);
  ASSERT_EQ(allocation.arms.size(), 2u);
  EXPECT_EQ(allocation.arms[0].stats.name, "a");
  EXPECT_DOUBLE_EQ(allocation.arms[0].mean(), 0.75);
  // UCB1 = mean + sqrt(2 ln N / n): a 0.75 + sqrt(2 ln 6 / 4) = 1.6965, b 0.5 + sqrt(ln 6)
  // = 1.8386.
  EXPECT_NEAR(allocation.arms[0].ucb1, 0.75 + std::sqrt(2 * std::log(6.0) / 4), 1e-12);
  EXPECT_NEAR(allocation.arms[1].ucb1, 0.5 + std::sqrt(std::log(6.0)), 1e-12);
  EXPECT_EQ(allocation.arms[0].share, 0.0);
  EXPECT_EQ(allocation.arms[1].share, 1.0);
  const nlohmann::json doc = allocation.ToJson();
  EXPECT_EQ(doc["policy"], "ucb1");
  EXPECT_EQ(doc["arms"][1]["variant"], "b");
  EXPECT_EQ(doc["arms"][1]["n"], 2);
  ExpectError(
      [&] {
        (void)AllocateFromTable(results, {"arm", "converted", "greedy"}, 1);
      },
      ErrorCode::kInvalidArgument,
      "Unknown bandit policy \"greedy\". Valid policies: thompson, thompson-gaussian, "
      "ucb1, fixed.");
}

TEST(CountAssignments, CountsVariantsAndNamesTheStatusOfTheRest) {
  AssignmentSpec spec;
  spec.salt = "s";
  spec.variants = ParseVariantWeights("control:50,treatment:50");
  spec.traffic = 0.5;
  std::vector<std::string> ids;
  for (int i = 0; i < 200; ++i) ids.push_back(fmt::format("u{}", i));
  const Table units(Schema({{"id", DataType::kString}}), {Column::FromStringVector(ids)});
  const Table assigned = AssignTable(spec, units, "id", Context(1));
  const auto counts = CountAssignments(assigned);
  int64_t by_hand[3] = {0, 0, 0};  // control, treatment, not in the experiment
  for (const std::string& id : ids) {
    const Assignment a = Assign(spec, id);
    ++by_hand[a.status == AssignmentStatus::kAssigned ? a.variant : 2];
  }
  EXPECT_EQ(counts.at("control"), by_hand[0]);
  EXPECT_EQ(counts.at("treatment"), by_hand[1]);
  EXPECT_EQ(counts.at("(not_in_experiment)"), by_hand[2]);
  EXPECT_EQ(counts.size(), 3u);
}

TEST(ReadUnitIds, OneIdALineWithBlankLinesAndCrlfSkipped) {
  prospect::testing::TempDir dir;
  const Table ids = ReadUnitIds(dir.Write("ids.txt", "u1\r\n\r\n  u2 \nu3"));
  ASSERT_EQ(ids.num_rows(), 3u);
  EXPECT_EQ(ids.column("unit_id").StringAt(0), "u1");
  EXPECT_EQ(ids.column("unit_id").StringAt(1), "u2");
  EXPECT_EQ(ids.column("unit_id").StringAt(2), "u3");
  ExpectErrorStartingWith([&] { (void)ReadUnitIds(dir.File("missing.txt")); },
                          "cannot open the unit id file \"", "missing.txt");
}

}  // namespace
}  // namespace prospect::experiment
