// Fuzz target for the model loader: the input is a model file. LoadClassifierChecked (the
// registry's loader: container, third-party payload check, then each classifier's own) must either throw
// prospect::Error or return a model that predicts and explains a few rows without crashing (any
// probability it returns must lie in [0, 1]). Crashes, sanitizer reports, other exceptions and
// out-of-range probabilities are bugs.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "prospect/common/error.hpp"
#include "prospect/models/checked_load.hpp"

int ModelFuzzOne(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const prospect::Context ctx(1);
    const auto model = prospect::LoadClassifierChecked(bytes);
    const size_t d = model->feature_names().size();
    if (d == 0 || d > 4096) return 0;
    // Three rows: zeros, a ramp, and large values.
    std::vector<double> x(3 * d);
    for (size_t j = 0; j < d; ++j) {
      x[d + j] = static_cast<double>(j) - 1.5;
      x[2 * d + j] = 1e6 * ((j & 1) ? -1 : 1);
    }
    const prospect::FeatureMatrix m{x, 3, d};
    const std::vector<double> p = model->PredictProba(m, ctx);
    for (double v : p) {
      if (!(v >= 0 && v <= 1)) {
        std::fprintf(stderr, "probability out of [0, 1]: %g\n", v);
        std::abort();
      }
    }
    (void)model->Contributions(m, ctx);
    (void)model->Importance();
    (void)prospect::SaveClassifier(*model);
  } catch (const prospect::Error&) {
  }
  return 0;
}
