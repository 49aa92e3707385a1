// `prospect clv fit | predict | list` as library calls (see clv.hpp).
#include "prospect/clv/clv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "prospect/clv/frequency_model.hpp"
#include "prospect/clv/gamma_gamma.hpp"
#include "prospect/clv/sbg.hpp"
#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/stopwatch.hpp"
#include "prospect/common/strings.hpp"

namespace prospect::clv {
namespace {

constexpr const char* kGammaGamma = "gamma-gamma";
constexpr const char* kShiftedBetaGeometric = "sbg";
constexpr int kHoldoutGroups = 7;  // 0 … 6 repeat purchases, then 7+

SummaryRequest SummaryRequestOf(const nlohmann::json& meta) {
  SummaryRequest s;
  s.customer_column = meta["customer_column"];
  s.date_column = meta["date_column"];
  s.value_column = meta["value_column"];
  s.unit = ParseTimeUnit(meta["unit"].get<std::string>());
  s.calibration_end = meta["calibration_end_day"].get<int64_t>();
  s.observation_end = meta["observation_end_day"].get<int64_t>();
  s.exact_times = meta.value("exact_times", false);
  return s;
}

CustomerSummary SummariseTable(Store& store, const std::string& table, const SummaryRequest& s,
                               const Context& ctx) {
  std::vector<std::string> columns = {s.customer_column, s.date_column};
  if (!s.value_column.empty()) columns.push_back(s.value_column);
  return Summarise(store.LoadTable(table, columns, ctx), s, ctx);
}

HoldoutCheck EmptyCheck(double length, std::string grouped_by) {
  HoldoutCheck out;
  out.length = length;
  out.grouped_by = std::move(grouped_by);
  out.rows.resize(kHoldoutGroups + 1);
  for (int g = 0; g <= kHoldoutGroups; ++g)
    out.rows[static_cast<size_t>(g)].frequency =
        g < kHoldoutGroups ? std::to_string(g) : fmt::format("{}+", kHoldoutGroups);
  return out;
}

// One customer into the row of `group` calibration purchases (or renewals) and the totals.
void AddToCheck(HoldoutCheck& out, double group, double actual, double predicted, double naive) {
  auto& row = out.rows[static_cast<size_t>(std::min<double>(group, kHoldoutGroups))];
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

// Sums to means per customer.
void FinishCheck(HoldoutCheck& out) {
  size_t customers = 0;
  for (auto& row : out.rows) {
    if (row.customers == 0) continue;
    customers += row.customers;
    const double n = static_cast<double>(row.customers);
    row.actual /= n;
    row.predicted /= n;
    row.naive /= n;
  }
  if (customers == 0) return;
  out.model_mae /= static_cast<double>(customers);
  out.naive_mae /= static_cast<double>(customers);
}

HoldoutCheck CheckHoldout(const FrequencyModel& m, const CustomerSummary& s) {
  HoldoutCheck out = EmptyCheck(s.holdout_length, "repeat purchases");
  // The conditional expectation once per distinct history (2F1 per call), as PredictClv does.
  std::map<std::tuple<double, double, double>, double> expected;
  for (size_t i = 0; i < s.size(); ++i) {
    const double x = s.frequency[i], t_x = s.recency[i], age = s.age[i];
    auto [it, added] = expected.try_emplace({x, t_x, age});
    if (added) it->second = ConditionalExpectedPurchases(m, out.length, x, t_x, age);
    const double naive = age > 0 ? x / age * out.length : 0.0;
    AddToCheck(out, x, s.holdout_purchases[i], it->second, naive);
  }
  FinishCheck(out);
  return out;
}

// Subscribers at the calibration end: renewals made in the holdout against the sBG's expectation
// and against a constant retention rate (the pooled share of renewals made when due, a geometric
// model without heterogeneity: the naive baseline of Fader & Hardie 2007).
HoldoutCheck CheckRenewals(const ShiftedBetaGeometric& m, const CustomerSummary& s,
                           const Subscriptions& subs) {
  HoldoutCheck out = EmptyCheck(s.holdout_length, "renewals");
  double made = 0, missed = 0;
  for (size_t i = 0; i < subs.size(); ++i) {
    made += subs.renewals[i];
    missed += subs.churned[i];
  }
  const double rate = made + missed > 0 ? made / (made + missed) : 0;
  for (size_t i = 0; i < subs.size(); ++i) {
    if (subs.churned[i]) continue;
    const auto due = static_cast<int>(std::floor(s.age[i] + s.holdout_length) - subs.due[i]);
    double naive = 0, survive = 1;
    for (int k = 1; k <= due; ++k) naive += survive *= rate;
    AddToCheck(out, subs.renewals[i], std::min<double>(s.holdout_purchases[i], due),
               m.ExpectedRenewals(subs.renewals[i], due), naive);
  }
  FinishCheck(out);
  return out;
}

// BG/NBD, MBG/NBD, Pareto/NBD: per customer P(alive), expected purchases, spend and CLV.
Table PredictPurchases(const nlohmann::json& meta, const CustomerSummary& s,
                       const ClvPredictRequest& req, const std::string& id_column,
                       const Context& ctx) {
  const FrequencyModel m =
      FrequencyModelFromJson(meta["model"].get<std::string>(), meta["frequency"]["params"]);
  std::optional<GammaGamma> spend;
  if (meta.contains("spend")) {
    const auto& p = meta["spend"]["params"];
    spend = GammaGamma{.p = p["p"], .q = p["q"], .gamma = p["gamma"]};
  }
  const double days_per_period = DaysPerUnit(s.unit);
  const auto periods = static_cast<int>(std::ceil(req.horizon));

  const auto counts = static_cast<size_t>(req.max_count) + 1;

  // Per distinct history: P(alive), expected purchases over the horizon, the discounted sum of
  // the expected purchases per period (CLV = that × expected spend) and P(n purchases).
  struct Prediction {
    double p_alive = 0, purchases = 0, discounted = 0;
    std::vector<double> counts;
  };
  std::map<std::tuple<double, double, double>, Prediction> cache;
  ColumnVector<double> alive(s.size()), purchases(s.size()), spend_col(s.size()), clv_col(s.size());
  std::vector<ColumnVector<double>> count_cols(counts + 1, ColumnVector<double>(s.size()));
  for (size_t i = 0; i < s.size(); ++i) {
    const double x = s.frequency[i], t_x = s.recency[i], age = s.age[i];
    auto [it, added] = cache.try_emplace({x, t_x, age});
    Prediction& p = it->second;
    if (added) {
      p.p_alive = ProbabilityAlive(m, x, t_x, age);
      double previous = 0;
      for (int k = 1; k <= periods; ++k) {
        const double t = std::min<double>(k, req.horizon);
        const double e = ExpectedPurchasesIfAlive(m, t, x, age) * p.p_alive;
        p.discounted +=
            (e - previous) / std::pow(1 + req.discount_rate, t * days_per_period / 365.25);
        previous = e;
      }
      p.purchases = previous;
      p.counts = PurchaseCountsIfAlive(m, req.horizon, req.max_count, x, age);
      for (double& c : p.counts) c *= p.p_alive;
      p.counts[0] += 1 - p.p_alive;  // a customer who has left buys nothing
    }
    alive[i] = p.p_alive;
    purchases[i] = p.purchases;
    double listed = 0;
    for (size_t n = 0; n < counts; ++n) listed += count_cols[n][i] = p.counts[n];
    count_cols[counts][i] = std::max(0.0, 1 - listed);
    spend_col[i] = spend ? spend->ExpectedSpend(x, s.monetary[i]) : 0;
    clv_col[i] = spend ? p.discounted * spend_col[i] : 0;
    if (i % 4096 == 0) ctx.ThrowIfCancelled();
  }
  Table base = s.ToTable(id_column);
  std::vector<Field> fields = {
      base.schema().field(0),         {"frequency", DataType::kDouble},
      {"recency", DataType::kDouble}, {"T", DataType::kDouble},
      {"p_alive", DataType::kDouble}, {"expected_purchases", DataType::kDouble}};
  std::vector<ColumnPtr> columns = {base.column(size_t{0}),
                                    base.column(size_t{1}),
                                    base.column(size_t{2}),
                                    base.column(size_t{3}),
                                    Column::FromDoubles(std::move(alive)),
                                    Column::FromDoubles(std::move(purchases))};
  for (size_t n = 0; n <= counts; ++n) {
    fields.push_back(
        {n < counts ? fmt::format("p_purchases_{}", n) : "p_purchases_more", DataType::kDouble});
    columns.push_back(Column::FromDoubles(std::move(count_cols[n])));
  }
  fields.push_back({"expected_spend", DataType::kDouble});
  fields.push_back({"clv", DataType::kDouble});
  // Without a spend model there is no spend or CLV: empty cells, not zeros.
  const ColumnVector<uint8_t> valid(spend ? 0 : s.size(), 0);
  columns.push_back(Column::FromDoubles(std::move(spend_col), valid));
  columns.push_back(Column::FromDoubles(std::move(clv_col), valid));
  return Table(Schema(std::move(fields)), std::move(columns));
}

// sBG: per customer renewals so far, P(renewing next), expected renewals over the horizon's
// whole periods and, with a value column, CLV = mean payment × discounted expected renewals.
Table PredictRenewals(const nlohmann::json& meta, const CustomerSummary& s,
                      const ClvPredictRequest& req, const std::string& id_column) {
  const auto& p = meta["retention"]["params"];
  const ShiftedBetaGeometric m{.alpha = p["alpha"], .beta = p["beta"]};
  const Subscriptions subs = SubscriptionsOf(s);
  const auto periods = static_cast<int>(std::ceil(req.horizon));
  const double discount = std::pow(1 + req.discount_rate, -DaysPerUnit(s.unit) / 365.25);
  double paid = 0, payers = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.frequency[i] > 0) {
      paid += s.monetary[i];
      ++payers;
    }
  }
  const bool valued = !meta["value_column"].get<std::string>().empty();
  const double mean_payment = valued && payers > 0 ? paid / payers : std::nan("");
  const size_t n = s.size();
  ColumnVector<double> renewals(n), churned(n), alive(n), renew(n), purchases(n), spend(n), clv(n);
  std::map<double, std::array<double, 3>> cache;  // by renewals: P(renew), E[renewals], discounted
  for (size_t i = 0; i < n; ++i) {
    const double r = subs.renewals[i];
    auto [it, added] = cache.try_emplace(r);
    if (added)
      it->second = {m.RetentionRate(r + 1), m.ExpectedRenewals(r, periods),
                    m.ExpectedRenewals(r, periods, discount)};
    const bool gone = subs.churned[i] != 0;
    renewals[i] = r;
    churned[i] = gone;
    alive[i] = !gone;
    renew[i] = gone ? 0 : it->second[0];
    purchases[i] = gone ? 0 : it->second[1];
    spend[i] = s.frequency[i] > 0 && valued ? s.monetary[i] : mean_payment;
    clv[i] = gone ? 0 : it->second[2] * spend[i];
  }
  Table base = s.ToTable(id_column);
  std::vector<Field> fields = {base.schema().field(0)};
  std::vector<ColumnPtr> columns = {base.column(size_t{0})};
  for (auto& [name, values] : std::vector<std::pair<std::string, ColumnVector<double>*>>{
           {"renewals", &renewals},
           {"churned", &churned},
           {"p_alive", &alive},
           {"p_renew_next", &renew},
           {"expected_purchases", &purchases},
           {"expected_spend", &spend},
           {"clv", &clv}}) {
    fields.push_back({name, DataType::kDouble});
    columns.push_back(Column::FromDoubles(std::move(*values)));
  }
  return Table(Schema(std::move(fields)), std::move(columns));
}

}  // namespace

std::vector<std::string> ClvModelNames() {
  std::vector<std::string> names = FrequencyModelNames();
  names.push_back(kShiftedBetaGeometric);
  names.push_back(kGammaGamma);
  return names;
}

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
          {"grouped_by", grouped_by},
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
  if (req.exact_times && req.model == kShiftedBetaGeometric)
    Fail(ErrorCode::kInvalidArgument,
         "clv: sbg counts renewals per period; exact times are for the purchase models");
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
  sr.exact_times = req.exact_times;
  const Stopwatch summary_watch;
  const CustomerSummary s = SummariseTable(store, req.table, sr, ctx);
  const double summary_seconds = summary_watch.Seconds();
  double fit_seconds = 0, frequency_seconds = 0;
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
                         {"exact_times", req.exact_times},
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
    const Stopwatch watch;
    const FrequencyFit fit = FitFrequencyModel(req.model, GroupHistories(s));
    frequency_seconds = watch.Seconds();
    fit_seconds += frequency_seconds;
    meta["frequency"] = fit.mle.ToJson();
    converged = converged && fit.mle.converged;
    if (s.holdout_length > 0) meta["holdout"] = CheckHoldout(fit.model, s).ToJson();
  }
  if (req.model == kShiftedBetaGeometric) {
    const Stopwatch watch;
    const Subscriptions subs = SubscriptionsOf(s);
    const ShiftedBetaGeometricFit fit = FitShiftedBetaGeometric(subs);
    fit_seconds += watch.Seconds();
    meta["retention"] = fit.mle.ToJson();
    size_t churned = 0;
    for (char c : subs.churned) churned += c != 0;
    meta["retention"]["churned"] = churned;
    converged = converged && fit.mle.converged;
    if (s.holdout_length > 0) meta["holdout"] = CheckRenewals(fit.model, s, subs).ToJson();
  }
  // sBG values a subscriber by their mean payment: no spend model.
  if (!req.value_column.empty() && req.model != kShiftedBetaGeometric) {
    const Stopwatch watch;
    const GammaGammaFit spend = FitGammaGamma(s);
    fit_seconds += watch.Seconds();
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
  out.summary_seconds = summary_seconds;
  out.fit_seconds = fit_seconds;
  out.frequency_seconds = frequency_seconds;
  out.summary = meta;
  out.summary["name"] = name;
  out.summary["version"] = out.version;
  return out;
}

Table PredictClv(Store& store, const ClvPredictRequest& req, const Context& ctx) {
  const StoredObject o = store.GetObjectOrFail(kClvObjectKind, req.model, 0, "CLV model",
                                               "CLV models", "prospect clv fit");
  const nlohmann::json& meta = o.meta;
  if (!meta.contains("frequency") && !meta.contains("retention"))
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
  if (req.max_count < 0 || req.max_count > 100)
    Fail(ErrorCode::kInvalidArgument, "clv predict: --max-count {}: expected 0 to 100",
         req.max_count);
  const SummaryRequest sr = SummaryRequestOf(meta);
  const CustomerSummary s = SummariseTable(store, meta["table"], sr, ctx);
  const Table out = meta.contains("retention")
                        ? PredictRenewals(meta, s, req, sr.customer_column)
                        : PredictPurchases(meta, s, req, sr.customer_column, ctx);
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
