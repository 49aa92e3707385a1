// One table of an enum's text names, read both ways: NameOf for output and JSON, ParseName for
// flags and requests (with the house's unknown-name message). Replaces a switch and an if-chain
// written per enum.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace prospect {

/// A value and its name, e.g. {Correction::kHolm, "holm"}; tables list them in the order messages
/// should show them.
template <typename E>
using EnumName = std::pair<E, std::string_view>;

/// The name of `value`; an internal error if the table lacks it (a bug, not bad input).
template <typename E, size_t N>
std::string_view NameOf(const EnumName<E> (&names)[N], E value) {
  for (const auto& [v, name] : names) {
    if (v == value) return name;
  }
  Fail(ErrorCode::kInternal, "enum value {} has no name", static_cast<int>(value));
}

/// The value named `name`, or nullopt.
template <typename E, size_t N>
std::optional<E> FindName(const EnumName<E> (&names)[N], std::string_view name) {
  for (const auto& [v, n] : names) {
    if (n == name) return v;
  }
  return std::nullopt;
}

/// Every name, in the table's order.
template <typename E, size_t N>
std::vector<std::string> NamesOf(const EnumName<E> (&names)[N]) {
  std::vector<std::string> out;
  for (const auto& entry : names) out.emplace_back(entry.second);
  return out;
}

/// The value named `name`; otherwise kInvalidArgument
/// `Unknown <what> "x". Did you mean "y"? Valid <plural>: a, b, c.`
template <typename E, size_t N>
E ParseName(const EnumName<E> (&names)[N], std::string_view name, std::string_view what,
            std::string_view plural) {
  if (const auto v = FindName(names, name)) return *v;
  const std::vector<std::string> valid = NamesOf(names);
  Fail(ErrorCode::kInvalidArgument, "Unknown {} \"{}\". {}Valid {}: {}.", what, name,
       DidYouMean(name, valid), plural, Join(valid, ", "));
}

}  // namespace prospect
