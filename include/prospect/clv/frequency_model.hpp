// The non-contractual purchase-frequency models (BG/NBD, MBG/NBD, Pareto/NBD) behind one set of
// calls, so that the holdout check, the predictions and the report treat them alike.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "prospect/clv/bgnbd.hpp"
#include "prospect/clv/pareto_nbd.hpp"

namespace prospect::clv {

using FrequencyModel = std::variant<BgNbd, ParetoNbd>;

/// "bgnbd", "mbgnbd", "pareto-nbd".
std::vector<std::string> FrequencyModelNames();
bool IsFrequencyModel(std::string_view name);

struct FrequencyFit {
  FrequencyModel model;
  MleResult mle;
};
/// Fits the named model (one of FrequencyModelNames()) to the grouped histories.
FrequencyFit FitFrequencyModel(std::string_view name, const GroupedHistories& histories,
                               const MleOptions& options = {});
/// The model `name` at the parameters of an MleResult::ToJson()["params"].
FrequencyModel FrequencyModelFromJson(std::string_view name, const nlohmann::json& params);

double ProbabilityAlive(const FrequencyModel& model, double x, double t_x, double age);
double ConditionalExpectedPurchases(const FrequencyModel& model, double t, double x, double t_x,
                                    double age);
/// E[Y(t) | x, T, alive at T]: the conditional expectation is this × P(alive), so a path over
/// many t needs P(alive) (for Pareto/NBD two hypergeometric series) once.
double ExpectedPurchasesIfAlive(const FrequencyModel& model, double t, double x, double age);
/// P(Y(t) = n | x, T, alive at T) for n = 0 … max_n; P(Y(t) = n | x, t_x, T) is this ×
/// P(alive), plus 1 − P(alive) at n = 0.
std::vector<double> PurchaseCountsIfAlive(const FrequencyModel& model, double t, int max_n,
                                          double x, double age);

}  // namespace prospect::clv
