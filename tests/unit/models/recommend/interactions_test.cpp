// Interaction tables to matrices, by hand: rating thresholds, event-type weights, time decay,
// de-duplication, ids numbered by first appearance among kept rows, and held-out rows mapped into
// the trained ids with the unknown ones counted.
#include "prospect/models/recommend/interactions.hpp"

#include <gtest/gtest.h>

#include "prospect/common/error.hpp"
#include "support/expect_error.hpp"

namespace prospect {
namespace {

// u, i, r (rating), t (event type), s (Unix seconds)
Table Events() {
  return Table(Schema({{"u", DataType::kString},
                       {"i", DataType::kString},
                       {"r", DataType::kDouble},
                       {"t", DataType::kString},
                       {"s", DataType::kInt64}}),
               {Column::FromStringVector({"a", "a", "b", "b", "c"}),
                Column::FromStringVector({"x", "y", "x", "x", "z"}),
                Column::FromDoubles({4.0, 2.0, 5.0, 3.5, 1.0}),
                Column::FromStringVector({"view", "buy", "buy", "view", "cart"}),
                Column::FromInts(DataType::kInt64, {0, 86400, 172800, 172800, 0})});
}

TEST(Interactions, RatingsOverAThresholdCountOneAndIdsFollowKeptRows) {
  InteractionSpec spec{
      .user_column = "u", .item_column = "i", .value_column = "r", .min_value = 3.5};
  const Table t = Events();
  const std::vector<double> w = InteractionWeights(t, spec);
  EXPECT_EQ(w, (std::vector<double>{1, 0, 1, 1, 0}));
  const InteractionMatrix m = BuildInteractions(t, spec, w);
  // Item y (row 2, rating 2) and user c (rating 1) are dropped with their rows.
  EXPECT_EQ(m.row_ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(m.col_ids, (std::vector<std::string>{"x"}));
  EXPECT_EQ(m.matrix.ToDense().values(), (std::vector<double>{1, 2}));  // b's two x rows summed
  spec.deduplicate = true;
  EXPECT_EQ(BuildInteractions(t, spec, w).matrix.ToDense().values(), (std::vector<double>{1, 1}));
}

TEST(Interactions, TypeWeightsAndTimeDecay) {
  const InteractionSpec spec{.user_column = "u",
                             .item_column = "i",
                             .type_column = "t",
                             .type_weights = {{"view", 1}, {"buy", 5}},
                             .time_column = "s",
                             .half_life_days = 1};
  // Latest time 172800 s (day 2): rows of day 0 weigh 1/4, of day 1 1/2; cart has no weight.
  EXPECT_EQ(InteractionWeights(Events(), spec), (std::vector<double>{0.25, 2.5, 5, 1, 0}));
}

TEST(Interactions, AWindowKeepsRecentRowsFromTheReferenceRowsLatestTime) {
  const InteractionSpec spec{
      .user_column = "u", .item_column = "i", .time_column = "s", .window_days = 1.5};
  // Latest day 2: day 0 is 2 days old (out), day 1 is 1 day old (in).
  EXPECT_EQ(InteractionWeights(Events(), spec), (std::vector<double>{0, 1, 1, 1, 0}));
  // Training ends with rows 0 and 1 (latest day 1): day 0 is 1 day old and in; the later
  // held-out rows (day 2) are inside too, never cut off by a window ending before them.
  const std::vector<size_t> train = {0, 1, 4};
  EXPECT_EQ(InteractionWeights(Events(), spec, train), (std::vector<double>{1, 1, 1, 1, 1}));
  // Decay and window together, from the same latest time.
  InteractionSpec both = spec;
  both.half_life_days = 1;
  EXPECT_EQ(InteractionWeights(Events(), both), (std::vector<double>{0, 0.5, 1, 1, 0}));
  EXPECT_EQ(InteractionSpec::FromJson(both.ToJson()).window_days, 1.5);
}

TEST(Interactions, HeldOutRowsMapIntoTheTrainedIds) {
  const InteractionSpec spec{.user_column = "u", .item_column = "i"};
  const Table t = Events();
  const std::vector<double> w = InteractionWeights(t, spec);
  const std::vector<size_t> train = {0, 2}, test = {1, 3, 4};
  const InteractionMatrix trained = BuildInteractions(t, spec, w, train);
  const MappedInteractions held_out = MapInteractions(t, spec, w, test, trained);
  // Row 1 (a, y): y unknown; row 3 (b, x): kept; row 4 (c, z): c unknown.
  EXPECT_EQ(held_out.rows_unknown_item, 1u);
  EXPECT_EQ(held_out.rows_unknown_user, 1u);
  EXPECT_EQ(held_out.matrix.ToDense().values(), (std::vector<double>{0, 1}));
}

TEST(Interactions, BadSpecsAndCellsAreNamed) {
  ExpectError(
      [] {
        InteractionWeights(Events(), {.user_column = "u", .item_column = "i", .value_column = "t"});
      },
      ErrorCode::kInvalidArgument,
      "interactions: value column t is string; expected a number or bool column");
  ExpectError(
      [] {
        InteractionWeights(Events(), {.user_column = "u", .item_column = "i", .type_column = "t"});
      },
      ErrorCode::kInvalidArgument,
      "interactions: event types come from column t but no type has a weight (for example "
      "view=1, cart=3, purchase=5)");
  const Table gaps(
      Schema({{"u", DataType::kString}, {"i", DataType::kString}}),
      {Column::FromStringVector({"a", "b"}, {1, 0}), Column::FromStringVector({"x", "y"})});
  ExpectError([&] { InteractionWeights(gaps, {.user_column = "u", .item_column = "i"}); },
              ErrorCode::kInvalidData, "interactions: column u is empty at row 2");
}

}  // namespace
}  // namespace prospect
