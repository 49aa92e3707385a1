// Names of the logical column types.
#include "prospect/table/types.hpp"

#include "prospect/common/enum_names.hpp"

namespace prospect {

constexpr EnumName<DataType> kDataTypeNames[] = {{DataType::kInt64, "int64"},
                                                 {DataType::kDouble, "double"},
                                                 {DataType::kBool, "bool"},
                                                 {DataType::kString, "string"},
                                                 {DataType::kCategorical, "categorical"},
                                                 {DataType::kDate, "date"},
                                                 {DataType::kTimestamp, "timestamp"}};

std::string_view DataTypeName(DataType type) { return NameOf(kDataTypeNames, type); }

std::optional<DataType> ParseDataType(std::string_view name) {
  return FindName(kDataTypeNames, name);
}

}  // namespace prospect
