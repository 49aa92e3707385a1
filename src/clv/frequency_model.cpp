// One set of calls over the purchase-frequency models (see frequency_model.hpp).
#include "prospect/clv/frequency_model.hpp"

#include <algorithm>

#include "prospect/common/error.hpp"

namespace prospect::clv {
namespace {

constexpr std::string_view kBgNbd = "bgnbd", kMbgNbd = "mbgnbd", kParetoNbd = "pareto-nbd";

}  // namespace

std::vector<std::string> FrequencyModelNames() {
  return {std::string(kBgNbd), std::string(kMbgNbd), std::string(kParetoNbd)};
}

bool IsFrequencyModel(std::string_view name) {
  return name == kBgNbd || name == kMbgNbd || name == kParetoNbd;
}

FrequencyFit FitFrequencyModel(std::string_view name, const GroupedHistories& histories,
                               const MleOptions& options) {
  if (name == kParetoNbd) {
    ParetoNbdFit fit = FitParetoNbd(histories, options);
    return {fit.model, std::move(fit.mle)};
  }
  if (name == kBgNbd || name == kMbgNbd) {
    BgNbdFit fit = FitBgNbd(histories, name == kMbgNbd, options);
    return {fit.model, std::move(fit.mle)};
  }
  Fail(ErrorCode::kInvalidArgument, "clv: {} is not a purchase-frequency model", name);
}

FrequencyModel FrequencyModelFromJson(std::string_view name, const nlohmann::json& p) {
  if (name == kParetoNbd)
    return ParetoNbd{.r = p["r"], .alpha = p["alpha"], .s = p["s"], .beta = p["beta"]};
  return BgNbd{
      .r = p["r"], .alpha = p["alpha"], .a = p["a"], .b = p["b"], .modified = name == kMbgNbd};
}

double ProbabilityAlive(const FrequencyModel& model, double x, double t_x, double age) {
  return std::visit([&](const auto& m) { return m.ProbabilityAlive(x, t_x, age); }, model);
}

double ConditionalExpectedPurchases(const FrequencyModel& model, double t, double x, double t_x,
                                    double age) {
  return std::visit([&](const auto& m) { return m.ConditionalExpectedPurchases(t, x, t_x, age); },
                    model);
}

double ExpectedPurchasesIfAlive(const FrequencyModel& model, double t, double x, double age) {
  return std::visit([&](const auto& m) { return m.ExpectedPurchasesIfAlive(t, x, age); }, model);
}

std::vector<double> PurchaseCountsIfAlive(const FrequencyModel& model, double t, int max_n,
                                          double x, double age) {
  return std::visit([&](const auto& m) { return m.PurchaseCountsIfAlive(t, max_n, x, age); },
                    model);
}

}  // namespace prospect::clv
