// LabelledData: a model fixture of tests/fixtures/models (X, y and optional w, written by the
// make_*_fixtures.py scripts beside it) as the matrices and training sets the models take.
#pragma once

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prospect/models/model.hpp"
#include "support/json_fixture.hpp"
#include "support/test_paths.hpp"

namespace prospect::testing {

struct LabelledData {
  std::vector<double> x, y, w;  ///< x row-major n × d
  size_t n = 0, d = 0;
  nlohmann::json fx;  ///< the whole fixture: the reference values live beside X and y

  DenseMatrixView X() const { return {x, n, d}; }
  /// Features f0..f{d-1}; `weighted` adds the fixture's w.
  Dataset Set(bool weighted = false) const {
    Dataset t;
    t.x = X();
    t.y = y;
    if (weighted) t.weights = w;
    for (size_t j = 0; j < d; ++j) t.feature_names.push_back(fmt::format("f{}", j));
    return t;
  }
};

/// Reads tests/fixtures/models/<file> once per file name.
inline LabelledData LoadLabelledData(const std::string& file) {
  LabelledData out;
  out.fx = LoadJsonFixture("models/" + file);
  out.n = out.fx["X"].size();
  out.d = out.fx["X"][0].size();
  for (const auto& row : out.fx["X"]) {
    for (const auto& v : row) out.x.push_back(v.get<double>());
  }
  for (const auto& v : out.fx["y"]) out.y.push_back(v.get<double>());
  if (out.fx.contains("w")) {
    for (const auto& v : out.fx["w"]) out.w.push_back(v.get<double>());
  }
  return out;
}

/// The shared classification fixture (classifier_fixtures.json: 400 rows, 4 features, f1 drives y).
inline const LabelledData& ClassifierFixture() {
  static const LabelledData data = LoadLabelledData("classifier_fixtures.json");
  return data;
}

/// The gbdt parameters for the fixtures' xgboost reference values: every parameter the fixture
/// scripts' xgboost.train used that differs from prospect's defaults.
inline nlohmann::json FixtureXgboostParams() {
  return {{"n_estimators", 20}, {"learning_rate", 0.3}, {"max_depth", 3}, {"min_child_weight", 1}};
}

/// Parameters for a registry entry that keep the ensembles small, so the tests that fit every
/// model stay quick (their contracts do not depend on the ensemble's size): gbdt 40 rounds, forest
/// 20 trees, every other model its defaults.
inline nlohmann::json SmallEnsembleParams(const std::string& model) {
  if (model == "gbdt") return {{"n_estimators", 40}};
  if (model == "forest") return {{"n_estimators", 20}};
  return nlohmann::json::object();
}

/// The shared regression fixture (regressor_fixtures.json: 300 rows, 4 features, weights).
inline const LabelledData& RegressorFixture() {
  static const LabelledData data = LoadLabelledData("regressor_fixtures.json");
  return data;
}

}  // namespace prospect::testing
