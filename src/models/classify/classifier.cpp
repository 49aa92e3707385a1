// Shared Classifier checks, the registry lookup and model-file (de)serialisation.
#include "prospect/models/classify/classifier.hpp"

#include <cmath>
#include <set>

#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace prospect {

void Classifier::CheckFitInput(const TrainingSet& data) {
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
  bool has[2] = {false, false};
  for (double v : data.y) {
    if (v != 0 && v != 1) Fail(ErrorCode::kInvalidData, "{}: labels must be 0 or 1, found {}", Type(), v);
    has[v == 1] = true;
  }
  if (!has[0] || !has[1]) {
    Fail(ErrorCode::kInvalidData, "{}: the training labels are all {}; a classifier needs both classes", Type(),
         has[1] ? "positive" : "negative");
  }
  feature_names_ = data.feature_names;
}

void Classifier::CheckPredictInput(const FeatureMatrix& x) const {
  if (!fitted()) Fail(ErrorCode::kFailedPrecondition, "{}: the model is not trained yet", Type());
  if (x.cols != feature_names_.size()) {
    Fail(ErrorCode::kInvalidData, "{}: the model was trained on {} features but the data has {}", Type(),
         feature_names_.size(), x.cols);
  }
  PROSPECT_CHECK(x.values.size() == x.rows * x.cols);
}

void Classifier::Load(const ModelReader& reader) {
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

const ClassifierEntry& FindClassifier(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& e : ClassifierRegistry()) {
    if (e.name == name) return e;
    names.push_back(e.name);
  }
  Fail(ErrorCode::kInvalidArgument, "Unknown model \"{}\". {}Valid models: {}.", name, DidYouMean(name, names),
       Join(names, ", "));
}

std::unique_ptr<Classifier> MakeClassifier(const std::string& name, const nlohmann::json& params) {
  return FindClassifier(name).create(params);
}

std::string SaveClassifier(const Classifier& model) {
  if (!model.fitted()) Fail(ErrorCode::kFailedPrecondition, "{}: cannot save a model that is not trained", model.Type());
  ModelWriter writer(model.Type(), model.Params());
  writer.AddBlock("feature_names", nlohmann::json(model.feature_names()).dump());
  model.SaveBlocks(writer);
  return writer.Finish();
}

std::unique_ptr<Classifier> LoadClassifier(std::string_view bytes) {
  const ModelReader reader(bytes);
  std::vector<std::string> names;
  for (const auto& e : ClassifierRegistry()) names.push_back(e.name);
  if (std::find(names.begin(), names.end(), reader.type_tag()) == names.end()) {
    Fail(ErrorCode::kInvalidData, "model file holds an unknown model type \"{}\"", QuoteForMessage(reader.type_tag()));
  }
  auto model = MakeClassifier(reader.type_tag(), reader.params());
  model->Load(reader);
  return model;
}

}  // namespace prospect
