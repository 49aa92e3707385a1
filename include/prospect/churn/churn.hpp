// Churn early warning (流失预警): labels from an inactivity window, a model trained on the
// customer profile as it was at the label date (point-in-time correct), and today's at-risk list
// with risk tier, top reasons and customer value. Definitions: docs/user/churn.md.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/evaluate/report.hpp"
#include "prospect/features/profile.hpp"
#include "prospect/table/table.hpp"

namespace prospect {
class Store;

struct ChurnRequest {
  /// A customer has churned when they make no purchase in this many days after the label date.
  int64_t window_days = 90;
  /// "Today" (µs since epoch): the at-risk list is scored as of this instant, and the model is
  /// trained on profiles as of today − window_days, labelled by the window up to today.
  /// Empty = the end of the data (DefaultAsOf).
  std::optional<int64_t> as_of;
  int64_t min_purchases =
      1;  ///< only customers with this many purchases before the as-of are at risk
  std::string model = "gbdt";
  nlohmann::json params = nlohmann::json::object();
  std::string name = "churn";  ///< registry name of the model; tables churn_training, churn_risk
  double high = 0.6;           ///< risk ≥ high → tier "high"
  double medium = 0.3;         ///< medium ≤ risk < high → "medium"; below → "low"
  size_t reasons = 3;          ///< top reasons per customer
};

struct ChurnResult {
  std::string model;
  int64_t version = 0;
  int64_t label_date = 0;  ///< µs: profiles for training are as of this instant
  int64_t as_of = 0;       ///< µs: today
  size_t training_customers = 0;
  double training_churn_rate = 0;
  MetricsReport holdout;  ///< the model's held-out metrics on the training customers
  /// One row per customer at risk today, highest tier first, then highest value at risk:
  /// customer id, churn_risk, tier, value (net spend to date), annual_value (net spend in the last
  /// 365 days), value_at_risk (= churn_risk × annual_value), recency_days, frequency,
  /// reason_1..reason_N (words).
  Table at_risk;
  nlohmann::json summary;  ///< what `prospect churn --json` prints (without the rows)
};

/// Trains the churn model and builds today's list; writes tables `churn_training` and
/// `churn_risk` and a "churn" object (the summary) to the store. Throws kInvalidArgument for bad
/// settings, kFailedPrecondition when there is no order (or event) history or too few customers
/// to learn from (both classes needed).
ChurnResult RunChurn(Store& store, const ProfileConfig& config, const ChurnRequest& request,
                     const Context& ctx);

}  // namespace prospect
