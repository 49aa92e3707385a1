// Surveys and satisfaction (客户满意度评估): NPS and CSAT with confidence intervals, overall, by
// segment or any column and over time; the driver analysis of what separates promoters from
// detractors; and simulated responses with a planted driver. Definitions: docs/user/survey.md.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/common/params.hpp"
#include "prospect/table/table.hpp"

namespace prospect {
class Store;

/// The two scales: NPS (0–10, "how likely are you to recommend us") and CSAT (1–5).
enum class SurveyScale { kNps, kCsat };
/// "nps" or "csat".
std::string_view SurveyScaleName(SurveyScale scale);
/// Inverse of SurveyScaleName; kInvalidArgument naming the valid scales otherwise.
SurveyScale ParseSurveyScale(std::string_view name);

/// A response's band. NPS: detractor 0–6, passive 7–8, promoter 9–10. CSAT: dissatisfied 1–2,
/// neutral 3, satisfied 4–5.
enum class SurveyBand { kLow, kMiddle, kHigh };
/// The band of a valid score of the scale.
SurveyBand BandOf(SurveyScale scale, int64_t score);
/// The bands' names as results print them: {"detractors", "passives", "promoters"} (NPS) or
/// {"dissatisfied", "neutral", "satisfied"} (CSAT), in SurveyBand order.
const std::vector<std::string>& BandNames(SurveyScale scale);

/// One satisfaction number with its interval: for all responses, or for one group and/or period.
struct SatisfactionEstimate {
  std::string group;   ///< "" when not grouped; else the group's value ("(none)" for no value)
  std::string period;  ///< "" when not over time; "2026-03" (month) or "2026-03-02" (the Monday
                       ///< that starts the week)
  int64_t responses = 0;
  int64_t low = 0, middle = 0, high = 0;  ///< counts per band (see SurveyBand)
  double score = 0;      ///< NPS in points, −100…100; CSAT in percent satisfied, 0…100
  double std_error = 0;  ///< of `score`, in its units
  double ci_low = 0, ci_high = 0;
  /// Counts under the scale's band names, score, std_error, ci [low, high].
  nlohmann::json ToJson(SurveyScale scale) const;
};

/// NPS = 100 (P − D) from the counts of promoters, passives and detractors, with a normal
/// interval at `confidence` from the multinomial (delta-method) variance
/// Var(NPS/100) = [p_P + p_D − (p_P − p_D)²] / n, clipped to [−100, 100]. NaN score and interval
/// for n = 0. kInvalidArgument for a negative count or a confidence outside (0, 1).
SatisfactionEstimate EstimateNps(int64_t promoters, int64_t passives, int64_t detractors,
                                 double confidence = 0.95);
/// CSAT = 100 S / n (the share answering 4 or 5) with the Wilson score interval at `confidence`
/// (Wilson 1927); the standard error is the Wald one, √(p(1−p)/n). NaN for n = 0.
SatisfactionEstimate EstimateCsat(int64_t satisfied, int64_t neutral, int64_t dissatisfied,
                                  double confidence = 0.95);

/// The scores of `column` (of table `table`, named in messages), one per row: −1 for an empty
/// cell. kInvalidData naming the table, column, 1-based row and value for a value that is not a
/// whole number of the scale, or for a column that does not hold numbers.
std::vector<int64_t> ReadScores(const Table& responses, const std::string& table,
                                const std::string& column, SurveyScale scale);

/// The period a date (days since the epoch) falls in: "month" gives "YYYY-MM", "week" the Monday
/// that starts its ISO week ("YYYY-MM-DD"). kInvalidArgument for another unit.
std::string PeriodOf(int64_t day, std::string_view unit);

/// What `prospect survey nps | csat` asks for.
struct SurveyRequest {
  std::string table;  ///< the responses, one row each
  SurveyScale scale = SurveyScale::kNps;
  /// "" = the first of score, then nps, nps_score, likelihood_to_recommend (NPS) or csat,
  /// csat_score, satisfaction, rating (CSAT) that the table has.
  std::string score_column;
  std::string id_column;  ///< "" = the table's key, else customer_id, else its first column
  /// Groups: "" (none), a COLUMN of the responses, or TABLE.COLUMN of another table joined on the
  /// customer id (that table's key, else its column of the id's name, else customer_id).
  std::string by;
  /// Groups by the segment names of a segmentation (`prospect segment --name`): the `segments`
  /// table, which must hold that segmentation's assignments. Not with `by`.
  std::string by_segment;
  std::string over;         ///< "" (not over time), "month" or "week"
  std::string time_column;  ///< with `over`: "" = the table's only date or timestamp column
  double confidence = 0.95;
};

/// The whole result: every response, then each group / period.
struct SurveyReport {
  SurveyScale scale = SurveyScale::kNps;
  std::string table, score_column, id_column;
  std::string grouped_by;  ///< "" or what groups come from: "COLUMN", "TABLE.COLUMN",
                           ///< "segmentation NAME"
  std::string over, time_column;
  double confidence = 0.95;
  int64_t skipped = 0;  ///< rows without a score, left out
  SatisfactionEstimate overall;
  /// Ordered by group, then period (both ascending; "(none)" where a response has no group).
  std::vector<SatisfactionEstimate> groups;
  std::vector<std::string> warnings;
  nlohmann::json ToJson() const;
};

/// NPS or CSAT of the responses in table request.table, with the groups asked for. Errors:
/// kNotFound naming a missing table, column or segmentation (with suggestions); kInvalidData for
/// scores outside the scale or a time column that is not a date; kInvalidArgument for bad
/// settings; kFailedPrecondition when the segments table holds another segmentation.
SurveyReport SummarizeSurvey(Store& store, const SurveyRequest& request, const Context& ctx);

/// What `prospect survey drivers` asks for.
struct DriverRequest {
  std::string table;  ///< the responses
  SurveyScale scale = SurveyScale::kNps;
  std::string score_column, id_column;  ///< as in SurveyRequest
  std::string features = "profiles";    ///< one row per customer: the candidate drivers
  /// Its id column: "" = its key, else its column of the responses' id name, else customer_id.
  std::string features_id;
  std::vector<std::string> exclude;  ///< feature columns left out
  /// Columns of the responses that are candidate drivers too: what the customer experienced
  /// (delivery days, channel, support contacts).
  std::vector<std::string> experiences;
  std::string model = "gbdt";  ///< any registered classifier
  nlohmann::json params = nlohmann::json::object();
};

/// One candidate driver: an input column (one-hot levels summed back to their column).
struct SurveyDriver {
  std::string feature;
  double mean_abs_shap = 0;  ///< mean |contribution| over the responses, in log-odds of "high"
  double share = 0;          ///< of the sum of every feature's mean_abs_shap
  /// Numeric columns: Pearson correlation of the value with its contribution (> 0: higher values
  /// make a promoter more likely); NaN for a categorical column.
  double correlation = 0;
  /// "higher" or "lower" (values that make a promoter more likely), "mixed" when |correlation| <
  /// 0.1, "category" for a categorical column.
  std::string direction;
  double high_mean = 0, low_mean = 0;   ///< numeric: the column's mean among promoters, detractors
  std::string best_level, worst_level;  ///< categorical: levels with the highest / lowest mean
                                        ///< contribution
  nlohmann::json ToJson() const;
};

struct DriverReport {
  SurveyScale scale = SurveyScale::kNps;
  std::string table, features, model, score_column, id_column, features_id;
  int64_t responses = 0;       ///< with a score
  int64_t high = 0, low = 0;   ///< analysed: promoters and detractors with a features row
  int64_t middle_dropped = 0;  ///< passives (neutral), left out
  int64_t unmatched = 0;       ///< promoters and detractors without a features row, left out
  int64_t skipped = 0;         ///< rows without a score
  double holdout_auc = 0;      ///< ROC-AUC of the model on a stratified fifth held out
  size_t holdout_rows = 0;
  std::vector<SurveyDriver> drivers;  ///< by mean_abs_shap, largest first
  std::vector<std::string> warnings;
  nlohmann::json ToJson() const;
};

/// Which features separate promoters (satisfied) from detractors (dissatisfied), passives
/// (neutral) left out: a classifier of "high" against "low" on the responses joined to their
/// features, fitted on a stratified four fifths; each feature's mean |SHAP| (TreeSHAP for trees,
/// contribution for linear models) over all analysed responses, with its direction. Errors as
/// SummarizeSurvey; kFailedPrecondition with fewer than 10 promoters or 10 detractors matched.
DriverReport AnalyzeDrivers(Store& store, const DriverRequest& request, const Context& ctx);
/// The same on tables already loaded (request.table and request.features name them in
/// messages); request.id_column and request.features_id must be set when the defaults
/// (customer_id) do not fit.
DriverReport AnalyzeDrivers(const Table& responses, const Table& features,
                            const DriverRequest& request, const Context& ctx);

/// Simulated survey responses with a planted driver, for tests, demos and docs.
struct SurveySimulation {
  std::string scale = "nps";  ///< nps | csat
  std::string driver;         ///< numeric column of the features table that drives satisfaction
  std::string id_column = "customer_id";  ///< of the features table, copied to the responses
  double effect = 1.5;          ///< latent satisfaction per standard deviation of the driver
  double response_share = 0.3;  ///< share of customers who answer
  std::string start_date = "2026-01-01";  ///< answers are dated uniformly from this day
  std::string end_date = "2026-06-30";    ///< to this day

  static const ParamSchema<SurveySimulation>& Schema();
};

/// Responses of a seeded random share of the customers of `features` (table `table`, named in
/// messages): customer id, responded_on (date), score. Latent satisfaction u = effect · z + ε, with
/// z the driver standardised (0 where empty) and ε ~ N(0, 1); the score is round(7 + 1.6 u) clamped
/// to 0–10 (NPS) or round(3.6 + 0.8 u) clamped to 1–5 (CSAT). Other columns have no effect, so a
/// driver analysis should rank the driver first. Same seed (ctx.seed()), same responses.
/// kInvalidArgument for a bad setting or a driver that is not a number column; kNotFound for a
/// missing column.
Table SimulateSurvey(const Table& features, const std::string& table,
                     const SurveySimulation& simulation, const Context& ctx);

}  // namespace prospect
