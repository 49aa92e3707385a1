// Hash assignment: known MurmurHash3 values, split accuracy, determinism, what moves when weights
// or traffic change, layers and holdouts.
#include "prospect/experiment/assignment.hpp"

#include <gtest/gtest.h>

#include <string>

#include "prospect/common/error.hpp"
#include "support/expect_error.hpp"

namespace prospect::experiment {
namespace {

AssignmentSpec Spec(std::vector<VariantWeight> variants, double traffic = 1.0) {
  AssignmentSpec s;
  s.salt = "exp-checkout";
  s.variants = std::move(variants);
  s.traffic = traffic;
  return s;
}

TEST(ExperimentAssignment, MurmurHash3MatchesReferenceVectors) {
  // Reference values of MurmurHash3_x86_32 (SMHasher; also Python mmh3.hash(key, seed,
  // signed=False)).
  EXPECT_EQ(MurmurHash3X86_32("", 0), 0u);
  EXPECT_EQ(MurmurHash3X86_32("", 1), 0x514E28B7u);
  EXPECT_EQ(MurmurHash3X86_32("hello", 0), 0x248BFA47u);
  EXPECT_EQ(MurmurHash3X86_32("Hello, world!", 1234), 0xFAF6CDB3u);
  EXPECT_EQ(MurmurHash3X86_32("The quick brown fox jumps over the lazy dog", 0), 0x2E4FF723u);
}

TEST(ExperimentAssignment, SplitFollowsWeightsAndIsDeterministic) {
  const AssignmentSpec spec = Spec({{"control", 50}, {"a", 30}, {"b", 20}});
  std::vector<int> counts(3, 0);
  for (int i = 0; i < 100000; ++i) {
    const Assignment a = Assign(spec, "user" + std::to_string(i));
    ASSERT_EQ(a.status, AssignmentStatus::kAssigned);
    ++counts[static_cast<size_t>(a.variant)];
    EXPECT_EQ(Assign(spec, "user" + std::to_string(i)).variant, a.variant);
    EXPECT_LT(a.bucket, kBuckets);
  }
  // Within 4 binomial standard errors of the planned shares.
  EXPECT_NEAR(counts[0], 50000, 4 * std::sqrt(100000 * 0.25));
  EXPECT_NEAR(counts[1], 30000, 4 * std::sqrt(100000 * 0.21));
  EXPECT_NEAR(counts[2], 20000, 4 * std::sqrt(100000 * 0.16));
}

TEST(ExperimentAssignment, ChangingWeightsMovesOnlyUnitsBetweenOldAndNewBoundaries) {
  const AssignmentSpec before = Spec({{"control", 50}, {"treatment", 50}});
  const AssignmentSpec after = Spec({{"control", 30}, {"treatment", 70}});
  int moved = 0;
  for (int i = 0; i < 50000; ++i) {
    const std::string id =
        fmt::format("u{}", i);  // not "u" + to_string: GCC 12 -Wrestrict false positive
    const Assignment a = Assign(before, id), b = Assign(after, id);
    if (a.variant != b.variant) {
      ++moved;
      // Only control → treatment, and only from the buckets [3000, 5000).
      EXPECT_EQ(a.variant, 0);
      EXPECT_EQ(b.variant, 1);
      EXPECT_GE(a.variant_bucket, 3000u);
      EXPECT_LT(a.variant_bucket, 5000u);
    } else {
      EXPECT_TRUE(a.variant_bucket < 3000u || a.variant_bucket >= 5000u);
    }
  }
  EXPECT_NEAR(moved, 10000, 4 * std::sqrt(50000 * 0.16));
}

TEST(ExperimentAssignment, RampingTrafficUpKeepsEveryEnrolledUnitInItsVariant) {
  const AssignmentSpec small = Spec({{"control", 1}, {"treatment", 1}}, 0.1);
  const AssignmentSpec big = Spec({{"control", 1}, {"treatment", 1}}, 0.5);
  int enrolled = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string id = std::to_string(i);
    const Assignment a = Assign(small, id);
    if (a.status != AssignmentStatus::kAssigned) continue;
    ++enrolled;
    const Assignment b = Assign(big, id);
    EXPECT_EQ(b.status, AssignmentStatus::kAssigned);
    EXPECT_EQ(b.variant, a.variant);
  }
  EXPECT_NEAR(enrolled, 2000, 4 * std::sqrt(20000 * 0.09));
}

TEST(ExperimentAssignment, ExperimentsInOneLayerAreMutuallyExclusiveAndHoldoutIsInNone) {
  AssignmentSpec x = Spec({{"c", 1}, {"t", 1}}, 0.5);
  x.layer = "homepage";
  AssignmentSpec y = x;
  y.salt = "exp-banner";
  y.layer_offset = 0.5;
  x.holdout = y.holdout = 0.05;
  int holdout = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string id = "id-" + std::to_string(i);
    const Assignment a = Assign(x, id), b = Assign(y, id);
    EXPECT_FALSE(a.status == AssignmentStatus::kAssigned &&
                 b.status == AssignmentStatus::kAssigned);
    if (a.status == AssignmentStatus::kHoldout) {
      ++holdout;
      EXPECT_EQ(b.status, AssignmentStatus::kHoldout);
    } else {
      EXPECT_TRUE(a.status == AssignmentStatus::kAssigned ||
                  b.status == AssignmentStatus::kAssigned);
    }
  }
  EXPECT_NEAR(holdout, 1000, 4 * std::sqrt(20000 * 0.05 * 0.95));
}

TEST(ExperimentAssignment, ParsesVariantsAndRejectsBadSpecs) {
  const auto v = ParseVariantWeights("control:50, treatment:50");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[1].name, "treatment");
  EXPECT_EQ(v[1].weight, 50.0);
  EXPECT_EQ(ParseVariantWeights("a,b,c").size(), 3u);
  ExpectError([] { ParseVariantWeights("a:1,b:x"); }, ErrorCode::kInvalidArgument,
              "--variants: weight \"x\" of variant \"b\" is not a number; write NAME:WEIGHT, e.g. "
              "control:50,treatment:50");
  EXPECT_THROW(ParseVariantWeights("a:1,a:2"), Error);
  AssignmentSpec bad = Spec({{"a", 1}, {"b", 1}}, 0.6);
  bad.layer_offset = 0.5;
  EXPECT_THROW(bad.Validate(), Error);
  EXPECT_THROW(Spec({{"a", 1}}).Validate(), Error);
}

TEST(ExperimentAssignment, AssignTableFormatsIdsOfAnyType) {
  const Table units(Schema({{"id", DataType::kInt64}}),
                    {Column::FromInts(DataType::kInt64, {1, 2, 3, 4})});
  const Table out = AssignTable(Spec({{"control", 1}, {"treatment", 1}}), units, "id", Context(2));
  ASSERT_EQ(out.num_rows(), 4u);
  EXPECT_EQ(out.column("unit_id").StringAt(2), "3");
  EXPECT_EQ(out.column("status").StringAt(0), "assigned");
  const std::string v = std::string(out.column("variant").StringAt(1));
  EXPECT_EQ(v, Assign(Spec({{"control", 1}, {"treatment", 1}}), "2").variant == 0 ? "control"
                                                                                  : "treatment");
}

}  // namespace
}  // namespace prospect::experiment
