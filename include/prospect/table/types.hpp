// Logical column types of a Table.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace prospect {

/// Logical type of a column. Storage: kInt64, kDate (days since 1970-01-01) and kTimestamp
/// (microseconds since epoch, UTC) hold int64; kDouble holds double; kBool holds uint8 (0/1);
/// kString holds offsets + bytes; kCategorical holds int32 codes into a dictionary of strings.
enum class DataType : uint8_t { kInt64, kDouble, kBool, kString, kCategorical, kDate, kTimestamp };

/// Stable name used in the catalogue, prospect.toml overrides, JSON and messages: "int64",
/// "double", "bool", "string", "categorical", "date", "timestamp".
std::string_view DataTypeName(DataType type);
/// Inverse of DataTypeName; nullopt for an unknown name.
std::optional<DataType> ParseDataType(std::string_view name);

inline bool IsIntegerStorage(DataType t) {
  return t == DataType::kInt64 || t == DataType::kDate || t == DataType::kTimestamp;
}
inline bool IsStringLike(DataType t) {
  return t == DataType::kString || t == DataType::kCategorical;
}
inline bool IsNumeric(DataType t) { return t == DataType::kInt64 || t == DataType::kDouble; }

}  // namespace prospect
