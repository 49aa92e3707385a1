// The checks and the model-file layout every supervised model shares (see model.hpp).
#include "prospect/models/model.hpp"

#include <cmath>

#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace prospect {

void Model::CheckFeatureCount(size_t trained, size_t given) const {
  if (trained != given) {
    Fail(ErrorCode::kInvalidData, "{}: the model was trained on {} features but the data has {}", Type(), trained,
         given);
  }
}

void SupervisedModel::CheckFeatures(const TrainingSet& data) const {
  const FeatureMatrix& x = data.x;
  if (x.rows == 0) Fail(ErrorCode::kInvalidData, "{}: no training rows", Type());
  if (x.cols == 0) Fail(ErrorCode::kInvalidData, "{}: no features", Type());
  PROSPECT_CHECK(x.values.size() == x.rows * x.cols && data.y.size() == x.rows);
  PROSPECT_CHECK(data.weights.empty() || data.weights.size() == x.rows);
  PROSPECT_CHECK(data.feature_names.size() == x.cols);
  for (size_t i = 0; i < x.values.size(); ++i) {
    if (!std::isfinite(x.values[i])) {
      Fail(ErrorCode::kInvalidData, "{}: feature {} of row {} is {}; impute or drop non-finite values first", Type(),
           data.feature_names[i % x.cols], i / x.cols + 1, x.values[i]);
    }
  }
}

void SupervisedModel::CheckPredictInput(const FeatureMatrix& x) const {
  if (!fitted()) Fail(ErrorCode::kFailedPrecondition, "{}: the model is not trained yet", Type());
  CheckFeatureCount(feature_names_.size(), x.cols);
  PROSPECT_CHECK(x.values.size() == x.rows * x.cols);
}

std::string SupervisedModel::Save() const {
  if (!fitted()) Fail(ErrorCode::kFailedPrecondition, "{}: cannot save a model that is not trained", Type());
  ModelWriter writer(FileTag(), Params());
  writer.AddBlock("feature_names", nlohmann::json(feature_names_).dump());
  SaveBlocks(writer);
  return writer.Finish();
}

void SupervisedModel::LoadContents(const ModelReader& reader) {
  const auto names = nlohmann::json::parse(reader.Block("feature_names"), nullptr, false);
  if (!names.is_array() || names.empty()) Fail(ErrorCode::kInvalidData, "model file: bad feature names block");
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
