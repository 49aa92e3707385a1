// The registries' two errors, worded once for every kind of model.
#include "prospect/models/registry.hpp"

#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace prospect {

void FailUnknownName(const RegistryNouns& nouns, std::string_view name, const std::vector<std::string>& names) {
  Fail(ErrorCode::kInvalidArgument, "Unknown {} {}. {}Valid {}: {}.", nouns.one, QuoteForMessage(name),
       DidYouMean(name, names), nouns.many, Join(names, ", "));
}

void FailUnknownFileType(const RegistryNouns& nouns, std::string_view tag) {
  Fail(ErrorCode::kInvalidData, "model file holds an unknown {} type {}", nouns.one, QuoteForMessage(tag));
}

}  // namespace prospect
