// Uplift models as the workspace keeps them (stored object kind "uplift", versioned): a
// meta-learner (models/uplift/meta_learner.hpp) with its feature pipeline, the treatment column
// and which of its values are control and treatments, and the outcome. Training checks the
// treatment balance first, holds out half the customers (stratified by group and outcome) and
// measures the held-out uplift (evaluate/uplift.hpp); scoring writes each customer's effect of
// each treatment. The CLI (`prospect uplift`) only translates.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/evaluate/uplift.hpp"
#include "prospect/features/pipeline.hpp"
#include "prospect/models/uplift/meta_learner.hpp"
#include "prospect/store/store.hpp"
#include "prospect/table/table.hpp"

namespace prospect {

inline constexpr const char* kUpliftObjectKind = "uplift";
/// EvaluateUplift's results, under the model's name.
inline constexpr const char* kUpliftEvaluationObjectKind = "uplift_evaluation";

struct UpliftTrainRequest {
  std::string table;
  std::string treatment;  ///< the column that says which group each customer was in
  std::string control;    ///< its value for the control group
  /// The values that are treatments, each learned against control; empty: every other value.
  /// Rows of any other value are left out.
  std::vector<std::string> treatments;
  std::string target;  ///< the outcome
  std::optional<std::string> positive;
  std::string task = "auto";  ///< as TrainRequest::task: auto, classification, regression
  std::string id_column;
  /// A table of customer features (profiles, customers) joined on id_column (LookupJoin), for a
  /// campaign table that holds only ids, groups and outcomes; empty: the table has the features.
  std::string features;
  std::vector<std::string> exclude;
  std::string learner = "t";  ///< s | t | x | dr
  std::string model = "gbdt";
  nlohmann::json params = nlohmann::json::object();  ///< the base model's parameters
  std::string propensity = "share";                  ///< share | estimate
  double test_fraction = 0.5;
  double k = 0.3;    ///< the share of customers uplift@k is measured at
  std::string name;  ///< default TABLE_TARGET_LEARNER
};

/// What the groups look like before fitting: size, share and mean outcome per group, and the
/// features whose standardised mean difference between a treatment and control exceeds 0.1
/// (a randomised campaign should have none; Austin 2009's rule of thumb).
struct TreatmentBalance {
  struct Group {
    std::string value;
    size_t customers = 0;
    double share = 0;
    double outcome_mean = 0;
  };
  struct Imbalance {
    std::string treatment, feature;
    double smd = 0;  ///< (mean treated − mean control) / √((var treated + var control) / 2)
  };
  std::vector<Group> groups;  ///< control first, then the treatments in model order
  std::vector<Imbalance> imbalanced;
  nlohmann::json ToJson() const;
};

/// One treatment's held-out uplift against control (evaluate/uplift.hpp's definitions).
struct TreatmentUplift {
  std::string treatment;
  size_t treated = 0, control = 0;
  double observed_effect = 0;  ///< mean outcome treated − control over all the rows
  double mean_predicted = 0;   ///< the model's mean effect over the same rows
  double k = 0.3;
  double uplift_at_k = 0;       ///< sklift's overall strategy
  double qini_coefficient = 0;  ///< normalised (sklift)
  double qini_area = 0;         ///< unnormalised (CausalML)
  double uplift_auc = 0;        ///< normalised AUUC (sklift)
  std::vector<UpliftBin> deciles;
  UpliftCurve qini;  ///< at most 101 points, for charts
  nlohmann::json ToJson() const;
};

/// Each treatment's uplift on rows with outcome `y`, group `group` (0 control, k treatment k,
/// −1 left out) and predicted effects `effect` (rows × treatments, row-major).
std::vector<TreatmentUplift> MeasureUplift(std::span<const double> y,
                                           std::span<const int32_t> group,
                                           std::span<const double> effect,
                                           const std::vector<std::string>& treatments, double k);

struct UpliftPackage {
  std::string name;
  int64_t version = 0;
  nlohmann::json meta;  ///< everything else: balance, held-out metrics, params, fingerprint
  std::string table, treatment_column, control, target, positive, id_column;
  std::string features;  ///< the feature table joined at training, or empty
  std::vector<std::string> treatments;
  FeaturePipeline pipeline;
  UpliftMetaLearner learner;

  /// `table` with the model's feature table joined on the id, when the model had one and `table`
  /// lacks an input column (a campaign table of ids and outcomes); else `table` as it is.
  Table WithFeatures(Store& store, const Table& table, const Context& ctx) const;
  /// Each treatment's effect for every row of `table` (which must have the input columns):
  /// rows × treatments, row-major.
  std::vector<double> Predict(const Table& table, const Context& ctx) const;
  /// Each row's group: 0 control, k for treatments[k − 1], −1 for any other value or none.
  std::vector<int32_t> Groups(const Table& table) const;
  /// Each row's outcome: 0/1 for a 0/1 outcome, the value otherwise; NaN where empty.
  std::vector<double> Outcomes(const Table& table) const;
  /// `table`'s id column (or the row number, from 1) and one uplift column per treatment:
  /// "uplift" for a single treatment, else "uplift_" + the treatment's value made a name.
  Table Score(const Table& table, const Context& ctx) const;
};

struct UpliftTrainResult {
  std::string name;
  int64_t version = 0;
  TreatmentBalance balance;
  std::vector<TreatmentUplift> holdout;
  nlohmann::json summary;  ///< the stored meta, with name and version
};

/// Loads request.table, checks the balance, fits on a stratified half (request.test_fraction
/// held out, seeded by ctx), measures the held-out uplift and stores the model as the next
/// version of its name. Audited.
UpliftTrainResult TrainUplift(Store& store, const UpliftTrainRequest& request, const Context& ctx);
/// The latest version of uplift model `name`, or `version`. kNotFound listing the models.
UpliftPackage LoadUplift(Store& store, const std::string& name, int64_t version = 0);

struct UpliftEvaluation {
  std::string table;
  bool held_out = false;  ///< the rows the model held out (its own table), else every row
  size_t rows = 0;
  std::vector<TreatmentUplift> treatments;
  nlohmann::json ToJson() const;
};
/// The model's uplift on `table` (default: its training table, where only the held-out rows
/// count), at share `k`. Rows outside the model's groups or without an outcome are left out.
/// Kept (kind "uplift_evaluation", under the model's name) for the report.
UpliftEvaluation EvaluateUplift(Store& store, const UpliftPackage& model, const std::string& table,
                                double k, const Context& ctx);

/// Latest version of every uplift model: name, version, learner, model, table, treatments.
nlohmann::json ListUpliftModels(Store& store);

}  // namespace prospect
