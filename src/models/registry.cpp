// The registries' two errors, worded once for every kind of model.
#include "prospect/models/registry.hpp"

#include <fmt/format.h>

#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace prospect {

void FailUnknownName(const RegistryNouns& nouns, std::string_view name,
                     const std::vector<std::string>& names) {
  Fail(ErrorCode::kInvalidArgument, "Unknown {} {}. {}Valid {}: {}.", nouns.one,
       QuoteForMessage(name), DidYouMean(name, names), nouns.many, Join(names, ", "));
}

void FailUnknownFileType(const RegistryNouns& nouns, std::string_view tag) {
  Fail(ErrorCode::kInvalidData, "model file holds an unknown {} type {}", nouns.one,
       QuoteForMessage(tag));
}

std::string DescribeAlgorithm(std::string_view name, std::string_view description,
                              const std::vector<ParamDoc>& params) {
  std::string out = fmt::format("  {}: {}\n", name, description);
  for (const ParamDoc& p : params) {
    std::string allowed;
    if (!p.choices.empty()) {
      allowed = " (" + Join(p.choices, "|") + ")";
    } else if ((p.type == "int" || p.type == "number") && p.min < p.max) {
      allowed = fmt::format(" ({:g} to {:g})", p.min, p.max);
    }
    out += fmt::format("      {}={}{}  {}\n", p.name, p.default_value, allowed, p.description);
  }
  return out;
}

}  // namespace prospect
