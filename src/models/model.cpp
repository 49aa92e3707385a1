// The checks and the model-file layout every supervised model shares (see model.hpp).
#include "prospect/models/model.hpp"

#include <cmath>

#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace prospect {

void Model::CheckFeatureCount(size_t trained, size_t given) const {
  if (trained != given) {
    Fail(ErrorCode::kInvalidData, "{}: the model was trained on {} features but the data has {}",
         Type(), trained, given);
  }
}

void Model::CheckTrained(bool trained) const {
  if (!trained)
    Fail(ErrorCode::kFailedPrecondition, "{}: the model is not trained yet; call Fit first",
         Type());
}

void Model::CheckNotEmpty(size_t rows, size_t cols) const {
  if (rows == 0) Fail(ErrorCode::kInvalidData, "{}: no training rows", Type());
  if (cols == 0) Fail(ErrorCode::kInvalidData, "{}: no features", Type());
}

void SupervisedModel::Fit(const Dataset& data, const Context& ctx) {
  CheckFeatures(data);
  CheckTarget(data);
  if (!TakesRowWeights() && !data.weights.empty()) {
    Fail(ErrorCode::kInvalidArgument,
         "{}: per-row weights are not supported; use class_weight=balanced", Type());
  }
  feature_names_ = data.feature_names;
  try {
    FitChecked(data, ctx);
  } catch (...) {
    feature_names_.clear();  // a failed fit leaves no model that looks trained
    throw;
  }
}

void SupervisedModel::CheckFeatures(const Dataset& data) const {
  const DenseMatrixView& x = data.x;
  CheckNotEmpty(x.rows(), x.cols());
  PROSPECT_CHECK(x.values().size() == x.rows() * x.cols() && data.y.size() == x.rows());
  PROSPECT_CHECK(data.weights.empty() || data.weights.size() == x.rows());
  PROSPECT_CHECK(data.feature_names.size() == x.cols());
  for (size_t i = 0; i < x.values().size(); ++i) {
    if (!std::isfinite(x.values()[i])) {
      Fail(ErrorCode::kInvalidData,
           "{}: feature {} of row {} is {}; impute or drop non-finite values first", Type(),
           data.feature_names[i % x.cols()], i / x.cols() + 1, x.values()[i]);
    }
  }
}

void SupervisedModel::CheckPredictInput(const DenseMatrixView& x) const {
  CheckTrained(fitted());
  CheckFeatureCount(feature_names_.size(), x.cols());
  PROSPECT_CHECK(x.values().size() == x.rows() * x.cols());
}

std::string SupervisedModel::Save() const {
  CheckTrained(fitted());
  ModelWriter writer(FileTag(), Params());
  writer.AddBlock("feature_names", nlohmann::json(feature_names_).dump());
  SaveBlocks(writer);
  return writer.Finish();
}

void SupervisedModel::LoadContents(const ModelReader& reader) {
  const auto names = nlohmann::json::parse(reader.Block("feature_names"), nullptr, false);
  if (!names.is_array() || names.empty())
    Fail(ErrorCode::kInvalidData, "model file: bad feature names block");
  std::vector<std::string> parsed;
  for (const auto& n : names) {
    if (!n.is_string()) Fail(ErrorCode::kInvalidData, "model file: bad feature names block");
    parsed.push_back(n.get<std::string>());
  }
  feature_names_ = std::move(parsed);  // first, so LoadBlocks can check sizes against it
  try {
    LoadBlocks(reader);
  } catch (...) {
    feature_names_.clear();
    throw;
  }
}

}  // namespace prospect
