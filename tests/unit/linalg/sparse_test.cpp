// CsrMatrix and InteractionsFromTable: a hand-checked small case, and MovieLens ratings against
// scipy.sparse.csr_matrix with pandas.factorize ids
// (tests/fixtures/linalg/make_sparse_fixtures.py).
#include "prospect/linalg/sparse.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "prospect/io/csv.hpp"
#include "support/expect_error.hpp"
#include "support/json_fixture.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

TEST(CsrMatrix, TripletsInAnyOrderAreSortedAndDuplicatesSummed) {
  // [[0, 2, 0], [0, 0, 0], [5, 0, 1.5]] with (0, 1) given as 0.5 + 1.5 and row 2 out of order.
  const std::vector<CsrMatrix::Triplet> entries = {
      {2, 2, 1.5}, {0, 1, 0.5}, {2, 0, 5}, {0, 1, 1.5}};
  const CsrMatrix m = CsrMatrix::FromTriplets(3, 3, entries);
  EXPECT_EQ(m.nnz(), 3u);
  EXPECT_EQ(std::vector<int64_t>(m.indptr().begin(), m.indptr().end()),
            (std::vector<int64_t>{0, 1, 1, 3}));
  EXPECT_EQ(std::vector<int32_t>(m.indices().begin(), m.indices().end()),
            (std::vector<int32_t>{1, 0, 2}));
  EXPECT_EQ(std::vector<double>(m.values().begin(), m.values().end()),
            (std::vector<double>{2, 5, 1.5}));
  EXPECT_TRUE(m.RowIndices(1).empty());
  EXPECT_EQ(m.ToDense().values(), (std::vector<double>{0, 2, 0, 0, 0, 0, 5, 0, 1.5}));
  EXPECT_EQ(m.Transpose().ToDense().values(), (std::vector<double>{0, 0, 5, 2, 0, 0, 0, 0, 1.5}));
  EXPECT_EQ(CsrMatrix().rows(), 0u);
  EXPECT_EQ(CsrMatrix::FromTriplets(2, 4, {}).ToDense().values(), std::vector<double>(8, 0.0));
  const std::vector<CsrMatrix::Triplet> outside = {{0, 0, 1}, {1, 3, 1}};
  ExpectError([&] { (void)CsrMatrix::FromTriplets(2, 3, outside); }, ErrorCode::kInvalidArgument,
              "sparse matrix: entry 1 is at (1, 3), outside 2 rows × 3 columns");
}

Table Clicks() {
  return Table(Schema({{"user", DataType::kString},
                       {"item", DataType::kInt64},
                       {"clicks", DataType::kDouble},
                       {"label", DataType::kString}}),
               {Column::FromStringVector({"u2", "u1", "u2", "u3"}),
                Column::FromInts(DataType::kInt64, {7, 9, 7, 9}), Column::FromDoubles({1, 2, 3, 4}),
                Column::FromStringVector({"a", "b", "c", "d"})});
}

TEST(Interactions, IdsInOrderOfFirstAppearanceAndRepeatsSummed) {
  const InteractionMatrix counts = InteractionsFromTable(Clicks(), "user", "item");
  EXPECT_EQ(counts.row_ids, (std::vector<std::string>{"u2", "u1", "u3"}));
  EXPECT_EQ(counts.col_ids, (std::vector<std::string>{"7", "9"}));
  EXPECT_EQ(counts.matrix.ToDense().values(), (std::vector<double>{2, 0, 0, 1, 0, 1}));
  const InteractionMatrix weighted = InteractionsFromTable(Clicks(), "user", "item", "clicks");
  EXPECT_EQ(weighted.matrix.ToDense().values(), (std::vector<double>{4, 0, 0, 2, 0, 4}));
}

TEST(Interactions, EmptyIdsOrValuesAndTextValuesAreErrorsNamingTheColumn) {
  ExpectError([] { (void)InteractionsFromTable(Clicks(), "user", "item", "label"); },
              ErrorCode::kInvalidArgument,
              "interactions: value column label is string; expected a number or bool column");
  const Table gaps(
      Schema({{"user", DataType::kString}, {"item", DataType::kString}, {"w", DataType::kDouble}}),
      {Column::FromStringVector({"a", "b"}), Column::FromStringVector({"x", "y"}),
       Column::FromDoubles({1, 2}, {1, 0})});
  ExpectError([&] { (void)InteractionsFromTable(gaps, "user", "item", "w"); },
              ErrorCode::kInvalidData, "interactions: column w is empty at row 2");
  EXPECT_THROW((void)InteractionsFromTable(gaps, "usr", "item"), Error);
}

TEST(Interactions, MovieLensRatingsMatchScipy) {
  const nlohmann::json& fx = testing::LoadJsonFixture("linalg/sparse_fixtures.json");
  const Table ratings =
      ReadCsv(testing::SharedData("movielens_latest_small/ratings.csv"), {}, Context(1));
  const InteractionMatrix m = InteractionsFromTable(ratings, "userId", "movieId", "rating");
  ASSERT_EQ(m.matrix.rows(), fx["shape"][0].get<size_t>());
  ASSERT_EQ(m.matrix.cols(), fx["shape"][1].get<size_t>());
  EXPECT_EQ(m.matrix.nnz(), fx["nnz"].get<size_t>());
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(m.row_ids[i], fx["first_user_ids"][i].get<std::string>());
    EXPECT_EQ(m.col_ids[i], fx["first_movie_ids"][i].get<std::string>());
  }
  const auto row_sums = fx["row_sums"].get<std::vector<double>>();
  for (size_t i = 0; i < m.matrix.rows(); ++i) {
    double sum = 0;
    for (double v : m.matrix.RowValues(i)) sum += v;
    EXPECT_DOUBLE_EQ(sum, row_sums[i]) << "user row " << i;
  }
  const CsrMatrix items = m.matrix.Transpose();
  for (const auto& [probe, matrix] :
       {std::pair{"rows", &m.matrix}, std::pair{"transpose_rows", &items}}) {
    for (const auto& [row, expected] : fx[probe].items()) {
      const size_t r = std::stoul(row);
      const auto idx = matrix->RowIndices(r);
      const auto val = matrix->RowValues(r);
      EXPECT_EQ(std::vector<int32_t>(idx.begin(), idx.end()),
                expected["indices"].get<std::vector<int32_t>>())
          << probe << " " << r;
      EXPECT_EQ(std::vector<double>(val.begin(), val.end()),
                expected["values"].get<std::vector<double>>())
          << probe << " " << r;
    }
  }
  const InteractionMatrix counts = InteractionsFromTable(ratings, "userId", "movieId");
  double total = 0;
  for (double v : counts.matrix.values()) total += v;
  EXPECT_EQ(total, fx["count_total"].get<double>());
}

}  // namespace
}  // namespace prospect
