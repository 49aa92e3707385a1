// Fuzz target for the model loader: the input is a model file of any kind. The container's type
// tag picks the loader (Classifier::Load, Regressor::Load or Clusterer::Load: the registry entry
// the tag names, then the model's own payload checks), which must either throw prospect::Error or
// return a model that predicts (and, when supervised, explains) a few rows without crashing. A
// classifier's probabilities must lie in [0, 1] and a clusterer's ids in [-1, num_clusters).
// Crashes, sanitizer reports, other exceptions and out-of-range outputs are bugs.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "prospect/common/error.hpp"
#include "prospect/io/model_file.hpp"
#include "prospect/models/classify/classifier.hpp"
#include "prospect/models/cluster/clusterer.hpp"
#include "prospect/models/regress/regressor.hpp"

namespace {

// Three rows: zeros, a ramp, and large values.
std::vector<double> ProbeRows(size_t d) {
  std::vector<double> x(3 * d);
  for (size_t j = 0; j < d; ++j) {
    x[d + j] = static_cast<double>(j) - 1.5;
    x[2 * d + j] = 1e6 * ((j & 1) ? -1 : 1);
  }
  return x;
}

[[noreturn]] void Bug(const char* what, double value) {
  std::fprintf(stderr, "%s: %g\n", what, value);
  std::abort();
}

void ProbeSupervised(const prospect::SupervisedModel& model, const prospect::DenseMatrixView& m,
                     const prospect::Context& ctx) {
  (void)model.Contributions(m, ctx);
  (void)model.Importance();
  (void)model.Save();
}

}  // namespace

int ModelFuzzOne(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const prospect::Context ctx(1);
    const std::string tag = prospect::ModelReader(bytes).type_tag();
    if (tag.starts_with("cluster/")) {
      const auto model = prospect::Clusterer::Load(bytes);
      const size_t d = model->num_features();
      if (d == 0 || d > 4096) return 0;
      const std::vector<double> x = ProbeRows(d);
      for (int32_t id : model->Assign(prospect::DenseMatrixView(x, 3, d), ctx)) {
        if (id < -1 || id >= model->num_clusters()) Bug("cluster id out of range", id);
      }
      (void)model->Save();
      return 0;
    }
    const bool regression = tag.starts_with("regress/");
    const auto model =
        regression ? std::unique_ptr<prospect::SupervisedModel>(prospect::Regressor::Load(bytes))
                   : std::unique_ptr<prospect::SupervisedModel>(prospect::Classifier::Load(bytes));
    const size_t d = model->feature_names().size();
    if (d == 0 || d > 4096) return 0;
    const std::vector<double> x = ProbeRows(d);
    const prospect::DenseMatrixView m{x, 3, d};
    if (!regression) {
      for (double p : static_cast<const prospect::Classifier&>(*model).PredictProba(m, ctx)) {
        if (!(p >= 0 && p <= 1)) Bug("probability out of [0, 1]", p);
      }
    } else {
      (void)static_cast<const prospect::Regressor&>(*model).Predict(m, ctx);
    }
    ProbeSupervised(*model, m, ctx);
  } catch (const prospect::Error&) {
  }
  return 0;
}
