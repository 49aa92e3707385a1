// FeaturePipeline: fitted, serialisable transforms from Table columns to a numeric matrix —
// imputation (+ missing indicators), one-hot with rare-category bucketing, frequency and
// out-of-fold target encoding, and standard / min-max / robust scaling. Fit once; apply the
// identical transformation at scoring time. Definitions: docs/user/features.md.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/common/params.hpp"
#include "prospect/linalg/dense.hpp"
#include "prospect/table/table.hpp"

namespace prospect {

struct PipelineParams {
  std::string impute = "median";       ///< numeric nulls: mean | median | constant (0)
  bool missing_indicators = true;      ///< add COL_missing where the fit data had nulls
  std::string scale = "standard";      ///< standard | minmax | robust | none
  std::string categorical = "onehot";  ///< onehot | frequency | target
  int64_t max_categories = 20;   ///< one-hot: most frequent kept, the rest share COL=__other__
  int64_t min_frequency = 1;     ///< one-hot: categories seen fewer times go to __other__
  int64_t target_folds = 5;      ///< target encoding: out-of-fold K on the training data
  double target_smoothing = 10;  ///< target encoding: prior weight m in (sum + m·prior)/(n + m)

  static const ParamSchema<PipelineParams>& Schema();
};

class FeaturePipeline {
 public:
  FeaturePipeline() = default;
  explicit FeaturePipeline(PipelineParams params) : params_(std::move(params)) {}

  /// Learns every transform from `columns` of `table`. `target` (one value per row, 0/1 or
  /// numeric) is needed only for target encoding. Returns the training matrix, n × num_features(),
  /// with target encoding computed out of fold (so training rows never see their own label).
  DenseMatrix FitTransform(const Table& table, const std::vector<std::string>& columns,
                           const std::vector<double>* target, const Context& ctx);

  /// Applies the fitted transforms: n × num_features(). Unseen categories go to __other__ (or
  /// all-zero one-hot if there was none), frequency 0, target prior. Missing columns or a column
  /// of another kind are errors naming the column.
  DenseMatrix Transform(const Table& table, const Context& ctx) const;

  bool fitted() const { return fitted_; }
  const std::vector<std::string>& input_columns() const { return input_columns_; }
  /// Names of the d output features, in matrix column order.
  const std::vector<std::string>& feature_names() const { return feature_names_; }
  size_t num_features() const { return feature_names_.size(); }
  const PipelineParams& params() const { return params_; }

  nlohmann::json ToJson() const;
  static FeaturePipeline FromJson(const nlohmann::json& json);

  /// How each input column is handled once fitted (for explanations and docs).
  struct ColumnStep {
    std::string column;
    bool categorical = false;
    // numeric
    double fill = 0;  ///< imputed value (before scaling)
    bool indicator = false;
    double center = 0;  ///< subtracted
    double scale = 1;   ///< divided by
    // categorical
    std::vector<std::string>
        levels;  ///< one-hot levels (and __other__ last if used) or encoded levels
    std::vector<double> level_values;  ///< frequency / target value per level
    bool has_other = false;
    double unseen_value = 0;  ///< frequency/target value for unseen or rare levels
  };
  const std::vector<ColumnStep>& steps() const { return steps_; }

 private:
  // oof_values: per step, per-row values replacing the fitted encoding (empty = use the fit).
  DenseMatrix TransformRows(const Table& table, const std::vector<std::vector<double>>& oof_values,
                            const Context& ctx) const;

  PipelineParams params_;
  bool fitted_ = false;
  std::vector<std::string> input_columns_;
  std::vector<std::string> feature_names_;
  std::vector<ColumnStep> steps_;
};

}  // namespace prospect
