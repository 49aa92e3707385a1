// The classifier's own checks (0/1 labels, both classes) and its model files.
#include "prospect/models/classify/classifier.hpp"

#include "prospect/common/error.hpp"

namespace prospect {

void Classifier::CheckTarget(const Dataset& data) const {
  bool has[2] = {false, false};
  for (double v : data.y) {
    if (v != 0 && v != 1)
      Fail(ErrorCode::kInvalidData, "{}: labels must be 0 or 1, found {}", Type(), v);
    has[v == 1] = true;
  }
  if (!has[0] || !has[1]) {
    Fail(ErrorCode::kInvalidData,
         "{}: the training labels are all {}; a classifier needs both classes", Type(),
         has[1] ? "positive" : "negative");
  }
}

std::string Classifier::FileTag() const { return ClassifierRegistry().FileTag(Type()); }

std::unique_ptr<Classifier> Classifier::Load(std::string_view bytes) {
  return LoadFrom(ClassifierRegistry(), bytes);
}

}  // namespace prospect
