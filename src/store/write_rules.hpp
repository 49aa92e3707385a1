// What every Store backend checks the same way on a write or a lookup, with the same words: the
// append schema check, the last row per key, the unknown-table message.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "prospect/table/table.hpp"

namespace prospect::store_rules {

/// Throws kInvalidData naming both column lists unless `incoming` has `stored`'s columns in order
/// (string and categorical count as the same type).
void CheckSameSchema(const std::string& table, const Schema& stored, const Schema& incoming);

/// The key of an append to a stored table keyed on `stored_key`: the one asked for (`key`), else
/// the stored one. Throws kInvalidArgument when both are given and differ.
std::optional<std::string> AppendKey(const std::string& table,
                                     const std::optional<std::string>& key,
                                     const std::optional<std::string>& stored_key);

/// The rows that hold the last occurrence of each key, in row order. A null key is kInvalidData.
std::vector<size_t> LastRowPerKey(const std::string& table, const std::string& key,
                                  const Column& keys);

/// Throws kInvalidArgument when the key column `key` is not in `schema` (with a did-you-mean);
/// returns its index otherwise.
size_t KeyColumnIndex(const std::string& key, const Schema& schema);

/// Throws kNotFound for table `name`, suggesting a close name and listing `tables`.
[[noreturn]] void TableNotFound(const std::string& name, const std::vector<std::string>& tables);

/// Throws kNotFound for column `column` of table `table` (with a did-you-mean).
[[noreturn]] void ColumnNotFound(const std::string& table, const std::string& column,
                                 const Schema& schema);

}  // namespace prospect::store_rules
