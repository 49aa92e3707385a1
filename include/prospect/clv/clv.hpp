// `prospect clv` as library calls: fit a purchase-frequency model (and, with a value column, the
// Gamma-Gamma spend model beside it) on a transaction table up to a calibration end, check it on
// the holdout after it, store it (kind "clv", versioned), and predict per customer: P(alive),
// expected purchases and spend, and CLV over a horizon with discounting.
//
// Units, stated once: times are in the fit's unit (day or week); the horizon counts periods of
// that unit; the discount rate is an annual rate R, applied per period of the unit, so a period
// ending u days from now is worth 1/(1 + R)^(u/365.25) of its undiscounted value. CLV is the sum
// over the horizon's periods of the expected purchases in the period × the expected spend per
// purchase, each discounted at the period's end. Without a spend model CLV is not computed.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "prospect/clv/summary.hpp"
#include "prospect/common/context.hpp"
#include "prospect/store/store.hpp"
#include "prospect/table/table.hpp"

namespace prospect::clv {

inline constexpr const char* kClvObjectKind = "clv";

/// The models `clv fit --model` knows: the purchase-frequency models, "sbg" for subscriptions,
/// and "gamma-gamma" (the spend model alone).
std::vector<std::string> ClvModelNames();

struct ClvFitRequest {
  std::string table;
  std::string customer_column = "customer_id";
  std::string date_column;
  std::string value_column;  ///< with it, Gamma-Gamma is fitted too (or alone: gamma-gamma)
  std::string model = "bgnbd";
  TimeUnit unit = TimeUnit::kWeek;
  std::optional<int64_t> calibration_end;  ///< days since the epoch, inclusive
  std::string name;                        ///< default TABLE_MODEL (dashes as underscores)
  bool exact_times = false;                ///< SummaryRequest::exact_times (not for sbg)
};

/// Predicted against actual purchases in the holdout, per number of calibration repeat
/// purchases (0, 1, …, 6, 7+) and in total, beside the naive baseline that carries each
/// customer's calibration rate x/T forward. For sBG: the subscribers at the calibration end, by
/// renewals made, their renewals in the holdout, and as the naive baseline a constant retention
/// rate (the pooled share of renewals made when due).
struct HoldoutCheck {
  std::string grouped_by;  ///< "repeat purchases" or "renewals"
  struct Row {
    std::string frequency;  ///< "0" … "6", "7+"
    size_t customers = 0;
    double actual = 0, predicted = 0, naive = 0;  ///< mean purchases per customer
  };
  double length = 0;  ///< of the holdout, in the unit
  std::vector<Row> rows;
  double actual_total = 0, predicted_total = 0, naive_total = 0;
  double model_mae = 0, naive_mae = 0;  ///< mean absolute error per customer
  nlohmann::json ToJson() const;
};

struct ClvFitResult {
  std::string name;
  int64_t version = 0;
  bool converged = false;
  nlohmann::json summary;      ///< what is stored and printed: params, errors, diagnostics, checks
  double summary_seconds = 0;  ///< loading the table and summarising it
  double fit_seconds = 0;      ///< the model fits (not the holdout check)
  double frequency_seconds = 0;  ///< of which the purchase-frequency model (grouping included)
};

/// Summarises request.table, fits, checks on the holdout (when the calibration end leaves one)
/// and stores the model as the next version of its name. A fit that does not converge is stored
/// and reported with its diagnostics, not thrown. Audited.
ClvFitResult FitClv(Store& store, const ClvFitRequest& request, const Context& ctx);

struct ClvPredictRequest {
  std::string model;
  double horizon = 52;         ///< periods of the model's unit
  double discount_rate = 0.1;  ///< annual
  std::string name;            ///< the table written; default MODEL_predictions
  /// Purchase models: P(n purchases over the horizon) for n = 0 … max_count, and of more.
  int max_count = 1;
};

/// Per customer of the model's summary (history to its calibration end): id, frequency,
/// recency, T, p_alive, expected_purchases (over the horizon), p_purchases_0 …
/// p_purchases_N and p_purchases_more (N = max_count; P(Y(horizon) = n | x, t_x, T)),
/// expected_spend and clv (with a spend model). For sBG: id, renewals, churned, p_alive (0 or 1: a
/// contract's end is observed), p_renew_next, expected_purchases (renewals over the horizon, in
/// whole periods), expected_spend (the customer's mean payment, or the mean over customers for
/// those without a renewal yet) and clv. Stored as a table; returned.
Table PredictClv(Store& store, const ClvPredictRequest& request, const Context& ctx);

/// Every CLV model's latest version: name, version, model, table, converged.
nlohmann::json ListClvModels(Store& store);

}  // namespace prospect::clv
