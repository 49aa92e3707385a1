// Helpers shared by the quality profile and the cleaning steps (private to src/quality).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "prospect/quality/quality.hpp"
#include "prospect/table/table.hpp"

namespace prospect {

/// A number for messages: whole numbers without a fraction, others with 6 significant digits.
std::string FormatNumber(double x);

/// One byte per row: 1 where the row equals an earlier row on `columns` (nulls and NaN equal
/// each other, as in pandas' duplicated(keep="first")).
std::vector<uint8_t> DuplicateMask(const Table& table, const std::vector<size_t>& columns);

/// Number of rows flagged by DuplicateMask. With `examples`, also up to 5 repeated values
/// (most repeated first, values joined by "|" for several columns) with their total counts.
int64_t CountDuplicateRows(const Table& table, const std::vector<size_t>& columns,
                           std::vector<ValueCount>* examples);

}  // namespace prospect
