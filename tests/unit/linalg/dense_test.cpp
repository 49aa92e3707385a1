// DenseMatrix helpers: matrices from Table columns with standard scaling (values by hand), and the
// errors for nulls, text columns and non-finite values.
#include "prospect/linalg/dense.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "prospect/common/error.hpp"
#include "support/expect_error.hpp"

namespace prospect {
namespace {

Table SmallTable() {
  Schema schema({{"a", DataType::kInt64},
                 {"b", DataType::kDouble},
                 {"name", DataType::kString},
                 {"c", DataType::kDouble}});
  return Table(schema, {Column::FromInts(DataType::kInt64, {1, 2, 3, 6}),
                        Column::FromDoubles({2.0, 2.0, 2.0, 2.0}),
                        Column::FromStringVector({"w", "x", "y", "z"}),
                        Column::FromDoubles({1.0, 0.0, 3.0, 4.0}, {1, 0, 1, 1})});
}

TEST(MatrixFromTable, StandardScalingUsesPopulationSdAndLeavesConstantColumnsAtZero) {
  ScalingStats stats;
  const DenseMatrix m =
      MatrixFromTable(SmallTable(), {"b", "a"}, Scaling::kStandard, &stats, Context(1));
  ASSERT_EQ(m.rows(), 4u);
  ASSERT_EQ(m.cols(), 2u);
  // a: mean 3, population variance (4 + 1 + 0 + 9) / 4 = 3.5.
  EXPECT_DOUBLE_EQ(stats.mean[1], 3.0);
  EXPECT_DOUBLE_EQ(stats.scale[1], std::sqrt(3.5));
  EXPECT_DOUBLE_EQ(m(0, 1), -2.0 / std::sqrt(3.5));
  EXPECT_DOUBLE_EQ(m(3, 1), 3.0 / std::sqrt(3.5));
  // b is constant: scale 1, values 0.
  EXPECT_DOUBLE_EQ(stats.scale[0], 1.0);
  EXPECT_DOUBLE_EQ(m(2, 0), 0.0);
  DenseMatrix raw = MatrixFromTable(SmallTable(), {"b", "a"}, Scaling::kNone, nullptr, Context(1));
  ApplyScaling(raw, stats);
  EXPECT_EQ(raw.values(), m.values());
}

TEST(MatrixFromTable, NullsAndTextColumnsAreErrorsNamingTheColumn) {
  ExpectError(
      [&] {
        MatrixFromTable(SmallTable(), {"a", "c"}, Scaling::kNone, nullptr, Context(1));
      },
      ErrorCode::kInvalidData,
      "column \"c\" has 1 missing values (first at row 2). Possible fix: impute them first "
      "(prospect quality) "
      "or leave the column out of --features.");
  try {
    MatrixFromTable(SmallTable(), {"name"}, Scaling::kNone, nullptr, Context(1));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_THROW(MatrixFromTable(SmallTable(), {"nope"}, Scaling::kNone, nullptr, Context(1)), Error);
}

TEST(DenseMatrix, ShapeMismatchIsInvalidArgument) {
  EXPECT_THROW(DenseMatrix(std::vector<double>(5), 2, 3), Error);
  std::vector<double> v(6);
  EXPECT_THROW(DenseMatrixView(std::span<const double>(v), 4, 2), Error);
}

}  // namespace
}  // namespace prospect
