// Shared Regressor checks, the registry lookup and model-file (de)serialisation.
#include "prospect/models/regress/regressor.hpp"

#include <algorithm>
#include <cmath>

#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace prospect {
namespace {
// Regressor files carry "regress/NAME" so they can never be mistaken for a classifier file.
constexpr std::string_view kTagPrefix = "regress/";
}  // namespace

void Regressor::CheckFitInput(const TrainingSet& data) {
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
  for (size_t r = 0; r < data.y.size(); ++r) {
    if (!std::isfinite(data.y[r])) Fail(ErrorCode::kInvalidData, "{}: the target of row {} is {}", Type(), r + 1, data.y[r]);
  }
  feature_names_ = data.feature_names;
}

void Regressor::CheckPredictInput(const FeatureMatrix& x) const {
  if (!fitted()) Fail(ErrorCode::kFailedPrecondition, "{}: the model is not trained yet", Type());
  if (x.cols != feature_names_.size()) {
    Fail(ErrorCode::kInvalidData, "{}: the model was trained on {} features but the data has {}", Type(),
         feature_names_.size(), x.cols);
  }
  PROSPECT_CHECK(x.values.size() == x.rows * x.cols);
}

void Regressor::Load(const ModelReader& reader) {
  const auto names = nlohmann::json::parse(reader.Block("feature_names"), nullptr, false);
  if (!names.is_array() || names.empty()) Fail(ErrorCode::kInvalidData, "model file: bad feature names block");
  std::vector<std::string> parsed;
  for (const auto& n : names) {
    if (!n.is_string()) Fail(ErrorCode::kInvalidData, "model file: bad feature names block");
    parsed.push_back(n.get<std::string>());
  }
  feature_names_ = std::move(parsed);
  try {
    LoadBlocks(reader);
  } catch (...) {
    feature_names_.clear();
    throw;
  }
}

const RegressorEntry& FindRegressor(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& e : RegressorRegistry()) {
    if (e.name == name) return e;
    names.push_back(e.name);
  }
  Fail(ErrorCode::kInvalidArgument, "Unknown regression model \"{}\". {}Valid regression models: {}.", name,
       DidYouMean(name, names), Join(names, ", "));
}

std::unique_ptr<Regressor> MakeRegressor(const std::string& name, const nlohmann::json& params) {
  return FindRegressor(name).create(params);
}

std::string SaveRegressor(const Regressor& model) {
  if (!model.fitted()) Fail(ErrorCode::kFailedPrecondition, "{}: cannot save a model that is not trained", model.Type());
  ModelWriter writer(std::string(kTagPrefix) + model.Type(), model.Params());
  writer.AddBlock("feature_names", nlohmann::json(model.feature_names()).dump());
  model.SaveBlocks(writer);
  return writer.Finish();
}

std::unique_ptr<Regressor> LoadRegressor(std::string_view bytes) {
  const ModelReader reader(bytes);
  const std::string& tag = reader.type_tag();
  std::vector<std::string> names;
  for (const auto& e : RegressorRegistry()) names.push_back(e.name);
  const std::string name = tag.rfind(kTagPrefix, 0) == 0 ? tag.substr(kTagPrefix.size()) : std::string();
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    Fail(ErrorCode::kInvalidData, "model file holds an unknown regression model type \"{}\"", QuoteForMessage(tag));
  }
  auto model = MakeRegressor(name, reader.params());
  model->Load(reader);
  return model;
}

}  // namespace prospect
