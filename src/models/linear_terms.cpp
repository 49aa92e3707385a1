#include "models/linear_terms.hpp"

#include <cmath>
#include <span>

#include "prospect/common/error.hpp"

namespace prospect {

std::vector<double> LinearTerms::Margins(const DenseMatrixView& x) const {
  std::vector<double> out(x.rows());
  for (size_t r = 0; r < x.rows(); ++r) {
    const double* row = x.Row(r);
    double z = intercept;
    for (size_t j = 0; j < x.cols(); ++j) z += coef[j] * row[j];
    out[r] = z;
  }
  return out;
}

std::vector<double> LinearTerms::Contributions(const DenseMatrixView& x, double scale,
                                               double shift) const {
  std::vector<double> out(x.rows() * (x.cols() + 1));
  for (size_t r = 0; r < x.rows(); ++r) {
    for (size_t j = 0; j < x.cols(); ++j)
      out[r * (x.cols() + 1) + j] = scale * coef[j] * x.Row(r)[j];
    out[r * (x.cols() + 1) + x.cols()] = scale * intercept + shift;
  }
  return out;
}

std::vector<double> LinearTerms::Importance() const {
  std::vector<double> out(coef.size());
  double total = 0;
  for (size_t j = 0; j < coef.size(); ++j) total += out[j] = std::abs(coef[j]);
  if (total > 0) {
    for (double& v : out) v /= total;
  }
  return out;
}

void LinearTerms::FromLiblinear(const double* w, bool first_label_positive, size_t d) {
  const double sign = first_label_positive ? 1.0 : -1.0;
  coef.assign(d, 0.0);
  for (size_t j = 0; j < d; ++j) coef[j] = sign * w[j];
  intercept = sign * w[d];
}

void LinearTerms::Save(ModelWriter& writer) const {
  writer.AddArray<double>("coef", coef);
  writer.AddArray<double>("intercept", std::span<const double>(&intercept, 1));
}

void LinearTerms::Load(const ModelReader& reader, size_t num_features, std::string_view type) {
  coef = reader.FiniteArray("coef");
  const auto b = reader.FiniteArray("intercept");
  if (b.size() != 1 || coef.size() != num_features) {
    Fail(ErrorCode::kInvalidData, "model file: {} coefficients do not match its {} features", type,
         num_features);
  }
  intercept = b[0];
}

}  // namespace prospect
