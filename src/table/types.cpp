// Names of the logical column types.
#include "prospect/table/types.hpp"

namespace prospect {

std::string_view DataTypeName(DataType type) {
  switch (type) {
    case DataType::kInt64: return "int64";
    case DataType::kDouble: return "double";
    case DataType::kBool: return "bool";
    case DataType::kString: return "string";
    case DataType::kCategorical: return "categorical";
    case DataType::kDate: return "date";
    case DataType::kTimestamp: return "timestamp";
  }
  return "string";
}

std::optional<DataType> ParseDataType(std::string_view name) {
  for (DataType t : {DataType::kInt64, DataType::kDouble, DataType::kBool, DataType::kString,
                     DataType::kCategorical, DataType::kDate, DataType::kTimestamp}) {
    if (DataTypeName(t) == name) return t;
  }
  return std::nullopt;
}

}  // namespace prospect
