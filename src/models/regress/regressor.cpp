// The regressor's own check (a finite target) and its model files.
#include "prospect/models/regress/regressor.hpp"

#include <cmath>

#include "prospect/common/error.hpp"

namespace prospect {

void Regressor::CheckTarget(const Dataset& data) const {
  for (size_t r = 0; r < data.y.size(); ++r) {
    if (!std::isfinite(data.y[r]))
      Fail(ErrorCode::kInvalidData, "{}: the target of row {} is {}", Type(), r + 1, data.y[r]);
  }
}

std::string Regressor::FileTag() const { return RegressorRegistry().FileTag(Type()); }

std::unique_ptr<Regressor> Regressor::Load(std::string_view bytes) {
  return LoadFrom(RegressorRegistry(), bytes);
}

}  // namespace prospect
