// What every linear model (logistic, linear_svm, linear regression) keeps and computes the same
// way: one coefficient per feature (features standardised by the pipeline) and an intercept.
#pragma once

#include <string_view>
#include <vector>

#include "prospect/io/model_file.hpp"
#include "prospect/models/model.hpp"

namespace prospect {

struct LinearTerms {
  std::vector<double> coef;
  double intercept = 0;

  /// intercept + coef·x per row.
  std::vector<double> Margins(const DenseMatrixView& x) const;
  /// Per-row additive terms, rows × (cols + 1), for a model whose output is scale·margin + shift:
  /// scale·coef_j·x_j per feature and scale·intercept + shift last.
  std::vector<double> Contributions(const DenseMatrixView& x, double scale = 1,
                                    double shift = 0) const;
  /// |coefficient| normalised to sum 1.
  std::vector<double> Importance() const;
  /// liblinear's weights (d coefficients, then the bias term) are for its first label: oriented
  /// here to the positive class.
  void FromLiblinear(const double* w, bool first_label_positive, size_t d);
  /// Blocks "coef" and "intercept" (logistic, linear).
  void Save(ModelWriter& writer) const;
  /// Reads them back: finite values, one coefficient per feature, else kInvalidData
  /// "model file: <type> coefficients do not match its D features".
  void Load(const ModelReader& reader, size_t num_features, std::string_view type);
};

/// A linear model of either task whose parameters are P: explained (exact per-feature terms of
/// the margin), weighed and saved through its LinearTerms ("coef" and "intercept" blocks).
template <typename Base, typename P>
class LinearModel : public ModelWithParams<Base, P> {
 public:
  using ModelWithParams<Base, P>::ModelWithParams;

  std::vector<double> Contributions(const DenseMatrixView& x, const Context&) const override {
    this->CheckPredictInput(x);
    return terms_.Contributions(x);
  }
  // |coefficient| on standardised features (the pipeline scales them) normalised to sum 1.
  std::vector<double> Importance() const override { return terms_.Importance(); }

 protected:
  void SaveBlocks(ModelWriter& writer) const override { terms_.Save(writer); }
  void LoadBlocks(const ModelReader& reader) override {
    terms_.Load(reader, this->feature_names().size(), this->Type());
  }

  LinearTerms terms_;
};

}  // namespace prospect
