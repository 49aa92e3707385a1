// Tables the store tests share: event-like rows that span several stored chunks, and a
// cell-by-cell comparison that names the first difference.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "prospect/table/table.hpp"

namespace prospect::testing {

// Same columns, types and cells (nulls included); the first difference is named.
inline void ExpectSameRows(const Table& a, const Table& b) {
  ASSERT_EQ(a.schema().Names(), b.schema().Names());
  ASSERT_EQ(a.num_rows(), b.num_rows());
  for (size_t c = 0; c < a.num_columns(); ++c) {
    EXPECT_EQ(a.schema().field(c).type, b.schema().field(c).type) << a.schema().field(c).name;
    for (size_t r = 0; r < a.num_rows(); ++r) {
      if (a.column(c)->FormatValue(r) != b.column(c)->FormatValue(r) ||
          a.column(c)->IsNull(r) != b.column(c)->IsNull(r)) {
        ADD_FAILURE() << a.schema().field(c).name << " row " << r << ": "
                      << a.column(c)->FormatValue(r) << " vs " << b.column(c)->FormatValue(r);
        return;
      }
    }
  }
}

// Rows first..first+n-1: ints, a categorical of 3 values, a string with some nulls, a double with
// a NaN at row 5.
inline Table EventLikeRows(size_t n, size_t first = 0) {
  ColumnVector<int64_t> ids(n);
  ColumnVector<double> values(n);
  ColumnBuilder kind(DataType::kCategorical), note(DataType::kString);
  const char* kinds[] = {"view", "cart", "purchase"};
  for (size_t i = 0; i < n; ++i) {
    const size_t row = first + i;
    ids[i] = static_cast<int64_t>(row);
    values[i] = row == 5 ? std::nan("") : static_cast<double>(row) * 0.25;
    kind.AppendString(kinds[row % 3]);
    if (row >= 65536 && row < 131072 && row % 10 == 0) {
      note.AppendNull();
    } else {
      note.AppendString(fmt::format("note {}", row % 1000));
    }
  }
  return Table(Schema({{"id", DataType::kInt64},
                       {"kind", DataType::kCategorical},
                       {"note", DataType::kString},
                       {"value", DataType::kDouble}}),
               {Column::FromInts(DataType::kInt64, std::move(ids)), kind.Finish(), note.Finish(),
                Column::FromDoubles(std::move(values))});
}

}  // namespace prospect::testing
