// `prospect clv fit | predict | list` as library calls (see clv.hpp).
#include "prospect/clv/clv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "prospect/clv/bgnbd.hpp"
#include "prospect/clv/gamma_gamma.hpp"
#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace prospect::clv {
namespace {

constexpr const char* kGammaGamma = "gamma-gamma";
constexpr int kHoldoutGroups = 7;  // 0 … 6 repeat purchases, then 7+

bool IsFrequencyModel(const std::string& m) { return m == "bgnbd" || m == "mbgnbd"; }

SummaryRequest SummaryRequestOf(const nlohmann::json& meta) {
  SummaryRequest s;
  s.customer_column = meta["customer_column"];
  s.date_column = meta["date_column"];
  s.value_column = meta["value_column"];
  s.unit = ParseTimeUnit(meta["unit"].get<std::string>());
  s.calibration_end = meta["calibration_end_day"].get<int64_t>();
  s.observation_end = meta["observation_end_day"].get<int64_t>();
  return s;
}

CustomerSummary SummariseTable(Store& store, const std::string& table, const SummaryRequest& s,
                               const Context& ctx) {
  std::vector<std::string> columns = {s.customer_column, s.date_column};
  if (!s.value_column.empty()) columns.push_back(s.value_column);
  return Summarise(store.LoadTable(table, columns, ctx), s, ctx);
}

BgNbd FrequencyModelOf(const nlohmann::json& meta) {
  const auto& p = meta["frequency"]["params"];
  return {.r = p["r"],
          .alpha = p["alpha"],
          .a = p["a"],
          .b = p["b"],
          .modified = meta["model"] == "mbgnbd"};
}

HoldoutCheck CheckHoldout(const BgNbd& m, const CustomerSummary& s) {
  HoldoutCheck out;
  out.length = s.holdout_length;
  out.rows.resize(kHoldoutGroups + 1);
  for (int g = 0; g <= kHoldoutGroups; ++g)
    out.rows[static_cast<size_t>(g)].frequency =
        g < kHoldoutGroups ? std::to_string(g) : fmt::format("{}+", kHoldoutGroups);
  // The conditional expectation once per distinct history (2F1 per call), as PredictClv does.
  std::map<std::tuple<double, double, double>, double> expected;
  for (size_t i = 0; i < s.size(); ++i) {
    const double x = s.frequency[i], t_x = s.recency[i], age = s.age[i];
    auto [it, added] = expected.try_emplace({x, t_x, age});
    if (added) it->second = m.ConditionalExpectedPurchases(out.length, x, t_x, age);
    const double predicted = it->second;
    const double naive = age > 0 ? x / age * out.length : 0.0;
    const double actual = s.holdout_purchases[i];
    auto& row = out.rows[static_cast<size_t>(std::min<double>(x, kHoldoutGroups))];
    ++row.customers;
    row.actual += actual;
    row.predicted += predicted;
    row.naive += naive;
    out.actual_total += actual;
    out.predicted_total += predicted;
    out.naive_total += naive;
    out.model_mae += std::fabs(predicted - actual);
    out.naive_mae += std::fabs(naive - actual);
  }
  for (auto& row : out.rows) {
    if (row.customers == 0) continue;
    const double n = static_cast<double>(row.customers);
    row.actual /= n;
    row.predicted /= n;
    row.naive /= n;
  }
  out.model_mae /= static_cast<double>(s.size());
  out.naive_mae /= static_cast<double>(s.size());
  return out;
}

}  // namespace

std::vector<std::string> ClvModelNames() { return {"bgnbd", "mbgnbd", kGammaGamma}; }

nlohmann::json HoldoutCheck::ToJson() const {
  nlohmann::json r = nlohmann::json::array();
  for (const Row& row : rows) {
    r.push_back({{"frequency", row.frequency},
                 {"customers", row.customers},
                 {"actual", row.actual},
                 {"predicted", row.predicted},
                 {"naive", row.naive}});
  }
  return {{"length", length},
          {"by_frequency", r},
          {"actual_total", actual_total},
          {"predicted_total", predicted_total},
          {"naive_total", naive_total},
          {"model_mae", model_mae},
          {"naive_mae", naive_mae}};
}

ClvFitResult FitClv(Store& store, const ClvFitRequest& req, const Context& ctx) {
  const std::vector<std::string> models = ClvModelNames();
  if (std::find(models.begin(), models.end(), req.model) == models.end()) {
    Fail(ErrorCode::kInvalidArgument, "clv: unknown model {}. {}Models: {}.",
         QuoteForMessage(req.model), DidYouMean(req.model, models), Join(models, ", "));
  }
  if (req.model == kGammaGamma && req.value_column.empty())
    Fail(ErrorCode::kInvalidArgument, "clv: gamma-gamma models spend: give --value COLUMN");
  if (req.date_column.empty()) Fail(ErrorCode::kInvalidArgument, "clv: give the --date column");
  std::string name = req.name;
  if (name.empty()) {
    name = req.table + "_" + req.model;
    std::replace(name.begin(), name.end(), '-', '_');
  }
  Store::CheckTableName(name);  // also the prediction table's stem

  SummaryRequest sr;
  sr.customer_column = req.customer_column;
  sr.date_column = req.date_column;
  sr.value_column = req.value_column;
  sr.unit = req.unit;
  sr.calibration_end = req.calibration_end;
  const CustomerSummary s = SummariseTable(store, req.table, sr, ctx);
  size_t repeat = 0;
  for (double x : s.frequency) repeat += x > 0;
  ctx.logger().info("clv: {} customers ({} with repeat purchases) from {} transactions to {}",
                    s.size(), repeat, s.transactions, FormatDate(s.calibration_end));

  nlohmann::json meta = {{"type", "clv"},
                         {"model", req.model},
                         {"table", req.table},
                         {"customer_column", req.customer_column},
                         {"date_column", req.date_column},
                         {"value_column", req.value_column},
                         {"unit", TimeUnitName(req.unit)},
                         {"first_day", FormatDate(s.first_day)},
                         {"calibration_end", FormatDate(s.calibration_end)},
                         {"calibration_end_day", s.calibration_end},
                         {"observation_end", FormatDate(s.observation_end)},
                         {"observation_end_day", s.observation_end},
                         {"customers", s.size()},
                         {"max_T", *std::max_element(s.age.begin(), s.age.end())},
                         {"repeat_buyers", repeat},
                         {"transactions", s.transactions},
                         {"skipped_rows", s.skipped_rows}};
  bool converged = true;
  if (IsFrequencyModel(req.model)) {
    const BgNbdFit fit = FitBgNbd(GroupHistories(s), req.model == "mbgnbd");
    meta["frequency"] = fit.mle.ToJson();
    converged = converged && fit.mle.converged;
    if (s.holdout_length > 0) meta["holdout"] = CheckHoldout(fit.model, s).ToJson();
  }
  if (!req.value_column.empty()) {
    const GammaGammaFit spend = FitGammaGamma(s);
    meta["spend"] = spend.mle.ToJson();
    meta["spend"]["customers"] = spend.customers;
    meta["spend"]["frequency_spend_correlation"] = spend.frequency_spend_correlation;
    meta["spend"]["mean_spend"] = spend.model.MeanSpend();
    converged = converged && spend.mle.converged;
  }
  meta["converged"] = converged;
  ClvFitResult out;
  out.version = store.PutObject(kClvObjectKind, name, meta, "");
  store.Audit("clv fit", fmt::format("model={} version={}", name, out.version));
  out.name = name;
  out.converged = converged;
  out.summary = meta;
  out.summary["name"] = name;
  out.summary["version"] = out.version;
  return out;
}

Table PredictClv(Store& store, const ClvPredictRequest& req, const Context& ctx) {
  const StoredObject o = store.GetObjectOrFail(kClvObjectKind, req.model, 0, "CLV model",
                                               "CLV models", "prospect clv fit");
  const nlohmann::json& meta = o.meta;
  if (!meta.contains("frequency"))
    Fail(ErrorCode::kInvalidArgument,
         "clv predict: {} is a spend model only; fit a frequency model (--model bgnbd --value "
         "COL) to predict purchases and CLV",
         req.model);
  if (!(req.horizon > 0 && std::isfinite(req.horizon)))
    Fail(ErrorCode::kInvalidArgument, "clv predict: horizon {}: expected a number of periods > 0",
         req.horizon);
  if (!(req.discount_rate >= 0 && std::isfinite(req.discount_rate)))
    Fail(ErrorCode::kInvalidArgument,
         "clv predict: discount rate {}: expected an annual rate ≥ 0 (0.1 for 10 %)",
         req.discount_rate);
  const SummaryRequest sr = SummaryRequestOf(meta);
  const CustomerSummary s = SummariseTable(store, meta["table"], sr, ctx);
  const BgNbd m = FrequencyModelOf(meta);
  std::optional<GammaGamma> spend;
  if (meta.contains("spend")) {
    const auto& p = meta["spend"]["params"];
    spend = GammaGamma{.p = p["p"], .q = p["q"], .gamma = p["gamma"]};
  }
  const double days_per_period = sr.unit == TimeUnit::kWeek ? 7.0 : 1.0;
  const auto periods = static_cast<int>(std::ceil(req.horizon));

  // Per distinct history: P(alive), expected purchases over the horizon and the discounted sum
  // of the expected purchases per period (CLV = that × expected spend).
  std::map<std::tuple<double, double, double>, std::array<double, 3>> cache;
  ColumnVector<double> alive(s.size()), purchases(s.size()), spend_col(s.size()), clv_col(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const double x = s.frequency[i], t_x = s.recency[i], age = s.age[i];
    auto [it, added] = cache.try_emplace({x, t_x, age});
    if (added) {
      double previous = 0, discounted = 0;
      for (int k = 1; k <= periods; ++k) {
        const double t = std::min<double>(k, req.horizon);
        const double e = m.ConditionalExpectedPurchases(t, x, t_x, age);
        discounted +=
            (e - previous) / std::pow(1 + req.discount_rate, t * days_per_period / 365.25);
        previous = e;
      }
      it->second = {m.ProbabilityAlive(x, t_x, age), previous, discounted};
    }
    alive[i] = it->second[0];
    purchases[i] = it->second[1];
    spend_col[i] = spend ? spend->ExpectedSpend(x, s.monetary[i]) : std::nan("");
    clv_col[i] = spend ? it->second[2] * spend_col[i] : std::nan("");
    if (i % 4096 == 0) ctx.ThrowIfCancelled();
  }
  Table base = s.ToTable(sr.customer_column);
  Table out =
      Table(Schema({base.schema().field(0),
                    {"frequency", DataType::kDouble},
                    {"recency", DataType::kDouble},
                    {"T", DataType::kDouble},
                    {"p_alive", DataType::kDouble},
                    {"expected_purchases", DataType::kDouble},
                    {"expected_spend", DataType::kDouble},
                    {"clv", DataType::kDouble}}),
            {base.column(size_t{0}), base.column(size_t{1}), base.column(size_t{2}),
             base.column(size_t{3}), Column::FromDoubles(std::move(alive)),
             Column::FromDoubles(std::move(purchases)), Column::FromDoubles(std::move(spend_col)),
             Column::FromDoubles(std::move(clv_col))});
  const std::string name = req.name.empty() ? req.model + "_predictions" : req.name;
  store.WriteTable(name, out, {}, ctx);
  store.Audit("clv predict", fmt::format("model={} table={} horizon={} discount_rate={}", req.model,
                                         name, req.horizon, req.discount_rate));
  return out;
}

nlohmann::json ListClvModels(Store& store) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& o : store.ListObjects(kClvObjectKind)) {
    out.push_back({{"name", o.name},
                   {"version", o.version},
                   {"model", o.meta.value("model", "")},
                   {"table", o.meta.value("table", "")},
                   {"unit", o.meta.value("unit", "")},
                   {"calibration_end", o.meta.value("calibration_end", "")},
                   {"converged", o.meta.value("converged", false)},
                   {"created_at", o.created_at}});
  }
  return out;
}

}  // namespace prospect::clv
