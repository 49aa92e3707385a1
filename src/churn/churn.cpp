// Churn early warning: inactivity-window labels at a past label date, profiles as of that date,
// a model from the registry, and today's scored, tiered and explained at-risk list.
#include "prospect/churn/churn.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/features/labels.hpp"
#include "prospect/models/scoring.hpp"
#include "prospect/models/training.hpp"
#include "prospect/store/store.hpp"

namespace prospect {
namespace {

size_t CountBefore(const std::vector<int64_t>& times, int64_t t) {
  return static_cast<size_t>(
      std::count_if(times.begin(), times.end(), [&](int64_t x) { return x < t; }));
}
bool AnyIn(const std::vector<int64_t>& times, int64_t from, int64_t to) {
  return std::any_of(times.begin(), times.end(), [&](int64_t x) { return x >= from && x < to; });
}

double ColumnValue(const Table& t, const std::string& name, size_t r) {
  if (!t.HasColumn(name)) return NAN;
  const Column& c = t.column(name);
  return c.IsNull(r) ? NAN : c.NumericAt(r);
}

}  // namespace

ChurnResult RunChurn(Store& store, const ProfileConfig& config, const ChurnRequest& req,
                     const Context& ctx) {
  if (req.window_days < 1)
    Fail(ErrorCode::kInvalidArgument, "--window {}: expected at least 1 day", req.window_days);
  if (req.min_purchases < 1)
    Fail(ErrorCode::kInvalidArgument, "--min-purchases {}: expected at least 1", req.min_purchases);
  if (!(req.medium >= 0 && req.medium <= req.high && req.high <= 1)) {
    Fail(ErrorCode::kInvalidArgument, "--medium {} --high {}: expected 0 ≤ medium ≤ high ≤ 1",
         req.medium, req.high);
  }
  const ProfileInputs inputs = LoadProfileInputs(store, config, ctx);
  const PurchaseHistory activity = LoadPurchaseHistory(inputs, config, "churn");
  ChurnResult out;
  out.as_of = req.as_of ? *req.as_of : DefaultAsOf(inputs, config);
  out.label_date = out.as_of - req.window_days * kMicrosPerDay;
  const auto min = static_cast<size_t>(req.min_purchases);
  static const std::vector<int64_t> kNone;
  auto times_of = [&](const std::string& key) -> const std::vector<int64_t>& {
    const auto it = activity.times.find(key);
    return it == activity.times.end() ? kNone : it->second;
  };

  // 1. Training customers: active (≥ min purchases) before the label date, profiled as of it.
  const Table past = BuildProfiles(inputs, config, out.label_date, ctx);
  const Column& past_ids = past.column(config.customer_id);
  std::vector<size_t> eligible;
  ColumnVector<uint8_t> churned;
  for (size_t r = 0; r < past.num_rows(); ++r) {
    const auto& times = times_of(CustomerKey(past_ids, r));
    if (CountBefore(times, out.label_date) < min) continue;
    eligible.push_back(r);
    churned.push_back(AnyIn(times, out.label_date, out.as_of) ? 0 : 1);
  }
  const size_t n_churned =
      static_cast<size_t>(std::accumulate(churned.begin(), churned.end(), size_t{0}));
  if (eligible.size() < 20 || n_churned == 0 || n_churned == eligible.size()) {
    // What helps depends on what is missing: more history before the label date (a later as-of
    // or a shorter window moves it later), or the outcome that did not occur.
    const std::string fix =
        eligible.size() < 20 ? "Try a later as-of date or a shorter window, so that more customers "
                               "have purchases before the label date"
        : n_churned == 0     ? "Try a longer window: with this one nobody counts as churned"
                             : "Try a shorter window: with this one everybody counts as churned";
    Fail(ErrorCode::kFailedPrecondition,
         "churn: {} customers had {} or more purchases before {} and {} of them made none in the "
         "{} days after; the "
         "model needs at least 20 customers and both outcomes. {}",
         eligible.size(), min, FormatDate(DayOfTimestamp(out.label_date)), n_churned,
         req.window_days, fix);
  }
  const std::string training_table = req.name + "_training";
  const std::string risk_table = req.name + "_risk";
  const Table training = past.Take(eligible).WithColumn("churned", Column::FromBools(churned));
  store.WriteTable(training_table, training, {}, ctx);
  out.training_customers = eligible.size();
  out.training_churn_rate = static_cast<double>(n_churned) / static_cast<double>(eligible.size());
  ctx.logger().info("churn: {} customers active before {}, {:.1f}% churned in the {} days after",
                    eligible.size(), FormatDate(DayOfTimestamp(out.label_date)),
                    100 * out.training_churn_rate, req.window_days);

  TrainRequest tr;
  tr.table = training_table;
  tr.target = "churned";
  tr.positive = "true";
  tr.id_column = config.customer_id;
  tr.model = req.model;
  tr.params = req.params;
  tr.name = req.name;
  const TrainResult trained = TrainModel(store, tr, ctx);
  out.model = trained.name;
  out.version = trained.version;
  out.holdout = trained.holdout;
  const ModelPackage model = LoadModel(store, trained.name, trained.version);

  // 2. Today's customers at risk, profiled as of today.
  const Table now = BuildProfiles(inputs, config, out.as_of, ctx);
  const Column& now_ids = now.column(config.customer_id);
  std::vector<size_t> active;
  for (size_t r = 0; r < now.num_rows(); ++r) {
    if (CountBefore(times_of(CustomerKey(now_ids, r)), out.as_of) >= min) active.push_back(r);
  }
  const Table current = now.Take(active);
  const std::vector<double> risk =
      current.num_rows() ? model.Score(current, ctx) : std::vector<double>{};
  const auto reasons = current.num_rows() ? ExplainRows(model, current, req.reasons, ctx)
                                          : std::vector<std::vector<Reason>>{};
  const size_t n = current.num_rows();
  std::vector<std::string> tier(n);
  std::vector<double> value(n), annual(n), at_risk(n), recency(n), frequency(n);
  for (size_t i = 0; i < n; ++i) {
    tier[i] = risk[i] >= req.high ? "high" : risk[i] >= req.medium ? "medium" : "low";
    value[i] = ColumnValue(current, "monetary", i);
    annual[i] = ColumnValue(current, "order_amount_365d", i);
    at_risk[i] = std::isnan(annual[i]) ? NAN : risk[i] * annual[i];
    recency[i] = ColumnValue(current, "recency_days", i);
    frequency[i] = ColumnValue(current, "frequency", i);
  }
  auto rank = [](const std::string& t) { return t == "high" ? 0 : t == "medium" ? 1 : 2; };
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (rank(tier[a]) != rank(tier[b])) return rank(tier[a]) < rank(tier[b]);
    const double va = std::isnan(at_risk[a]) ? -INFINITY : at_risk[a],
                 vb = std::isnan(at_risk[b]) ? -INFINITY : at_risk[b];
    if (va != vb) return va > vb;
    return risk[a] > risk[b];
  });
  auto doubles = [&](const std::vector<double>& v) {
    ColumnVector<double> col(n);
    ColumnVector<uint8_t> valid(n, 1);
    for (size_t i = 0; i < n; ++i) {
      col[i] = std::isnan(v[order[i]]) ? 0.0 : v[order[i]];
      valid[i] = std::isnan(v[order[i]]) ? 0 : 1;
    }
    return Column::FromDoubles(std::move(col), std::move(valid));
  };
  std::vector<Field> fields = {
      {config.customer_id, now_ids.type()}, {"churn_risk", DataType::kDouble},
      {"tier", DataType::kString},          {"value", DataType::kDouble},
      {"annual_value", DataType::kDouble},  {"value_at_risk", DataType::kDouble},
      {"recency_days", DataType::kDouble},  {"frequency", DataType::kDouble}};
  std::vector<size_t> rows_in_now(n);
  for (size_t i = 0; i < n; ++i) rows_in_now[i] = active[order[i]];
  std::vector<std::string> tiers_sorted(n);
  for (size_t i = 0; i < n; ++i) tiers_sorted[i] = tier[order[i]];
  std::vector<ColumnPtr> columns = {now_ids.Take(rows_in_now),
                                    doubles(risk),
                                    Column::FromStringVector(tiers_sorted),
                                    doubles(value),
                                    doubles(annual),
                                    doubles(at_risk),
                                    doubles(recency),
                                    doubles(frequency)};
  for (size_t k = 0; k < req.reasons; ++k) {
    std::vector<std::string> words(n);
    ColumnVector<uint8_t> valid(n, 0);
    for (size_t i = 0; i < n; ++i) {
      const auto& rs = reasons[order[i]];
      if (k < rs.size()) words[i] = rs[k].words, valid[i] = 1;
    }
    fields.push_back({fmt::format("reason_{}", k + 1), DataType::kString});
    columns.push_back(Column::FromStringVector(words, std::move(valid)));
  }
  out.at_risk = Table(Schema(fields), columns);
  store.WriteTable(risk_table, out.at_risk, {}, ctx);

  // 3. Summary (also the report's source).
  nlohmann::json tiers = nlohmann::json::object();
  for (const char* t : {"high", "medium", "low"}) {
    size_t count = 0;
    double v = 0;
    for (size_t i = 0; i < n; ++i) {
      if (tier[i] == t) {
        ++count;
        if (!std::isnan(at_risk[i])) v += at_risk[i];
      }
    }
    tiers[t] = {{"customers", count}, {"value_at_risk", v}};
  }
  out.summary = {{"model", out.model},
                 {"version", out.version},
                 {"activity", activity.source},
                 {"window_days", req.window_days},
                 {"label_date", FormatDate(DayOfTimestamp(out.label_date))},
                 {"as_of", FormatDate(DayOfTimestamp(out.as_of))},
                 {"min_purchases", req.min_purchases},
                 {"thresholds", {{"high", req.high}, {"medium", req.medium}}},
                 {"training",
                  {{"table", training_table},
                   {"customers", out.training_customers},
                   {"churn_rate", out.training_churn_rate},
                   {"holdout_roc_auc", out.holdout.roc_auc},
                   {"holdout_average_precision", out.holdout.average_precision}}},
                 {"at_risk_table", risk_table},
                 {"customers_scored", n},
                 {"tiers", tiers},
                 {"warnings", trained.summary.value("warnings", nlohmann::json::array())}};
  store.PutObject("churn", req.name, out.summary, "");
  store.Audit("churn", fmt::format("model={} version={} customers={}", out.model, out.version, n));
  return out;
}

}  // namespace prospect
