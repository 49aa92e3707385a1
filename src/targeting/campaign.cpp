// `prospect target`: uplift scores → optimiser → stored audience (see campaign.hpp).
#include "prospect/targeting/campaign.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "prospect/common/error.hpp"
#include "prospect/common/numbers.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/targeting/uplift.hpp"

namespace prospect {
namespace {

// The value column of another table (TABLE.COLUMN: e.g. a CLV model's predictions), looked up
// by the customer id, as a column beside t's rows. Every customer must have a value there.
ColumnPtr ValueFromTable(Store& store, const Table& t, const std::string& value,
                         const std::string& id, const Context& ctx) {
  const size_t dot = value.rfind('.');
  const std::string table = value.substr(0, dot), column = value.substr(dot + 1);
  if (id.empty() || !t.HasColumn(id))
    Fail(ErrorCode::kInvalidArgument, "value {}: the customers need the id column {} to join on",
         value, id);
  const Table joined =
      LookupJoin(t.Select({id}), id, store.LoadTable(table, {id, column}, ctx), id);
  const Column& values = joined.column(column);
  size_t missing = 0, first = 0;
  for (size_t r = 0; r < values.size(); ++r) {
    if (values.IsNull(r) && missing++ == 0) first = r;
  }
  if (missing > 0) {
    Fail(ErrorCode::kInvalidData,
         "value {}: {} of {} customers have no value in {} (customer {} first); target only "
         "customers in {}, or give the others a value in a column of their own",
         value, missing, t.num_rows(), table, t.column(id).FormatValue(first), table);
  }
  return joined.column(joined.ColumnIndex(column));
}

// Each customer's value per response: the number, a column of t, or TABLE.COLUMN.
std::vector<double> ValuesOf(Store& store, const Table& t, const std::string& value,
                             const std::string& id, const Context& ctx) {
  double number = 0;
  if (ParseDouble(value, &number)) {
    if (!std::isfinite(number))
      Fail(ErrorCode::kInvalidArgument, "value {}: expected a number or a column", value);
    return std::vector<double>(t.num_rows(), number);
  }
  ColumnPtr joined;
  if (!t.HasColumn(value) && value.find('.') != std::string::npos)
    joined = ValueFromTable(store, t, value, id, ctx);
  if (!joined && !t.HasColumn(value)) {
    (void)t.column(value);  // kNotFound naming the columns
  }
  const Column& c = joined ? *joined : t.column(value);
  if (!IsNumeric(c.type())) {
    Fail(ErrorCode::kInvalidArgument, "value column {} is {}; expected a number per customer",
         value, DataTypeName(c.type()));
  }
  const Column* ids = id.empty() || !t.HasColumn(id) ? nullptr : &t.column(id);
  std::vector<double> out(c.size());
  for (size_t r = 0; r < c.size(); ++r) {
    if (c.IsNull(r)) {
      Fail(ErrorCode::kInvalidData,
           "value column {} is empty for {} (row {}); fill it in or give a number", value,
           ids ? fmt::format("customer {}", ids->FormatValue(r)) : std::string("a customer"),
           r + 1);
    }
    out[r] = c.NumericAt(r);
  }
  return out;
}

}  // namespace

CampaignResult PlanCampaign(Store& store, const CampaignRequest& req, const Context& ctx) {
  const UpliftPackage model = LoadUplift(store, req.uplift_model);
  CampaignResult out;
  out.name = req.name.empty() ? "audience_" + model.name : req.name;
  Store::CheckTableName(out.name);

  // The treatments to choose from: all of the model's, or the ones asked for.
  std::vector<size_t> columns;  // in the model's effect rows
  if (req.treatments.empty()) {
    columns.resize(model.treatments.size());
    std::iota(columns.begin(), columns.end(), size_t{0});
  } else {
    for (const std::string& t : req.treatments) {
      const auto it = std::find(model.treatments.begin(), model.treatments.end(), t);
      if (it == model.treatments.end()) {
        Fail(ErrorCode::kInvalidArgument, "treatment {}: uplift model {} has {}",
             QuoteForMessage(t), model.name, Join(model.treatments, ", "));
      }
      columns.push_back(static_cast<size_t>(it - model.treatments.begin()));
    }
  }
  for (size_t c : columns) out.treatments.push_back(model.treatments[c]);
  const size_t k = columns.size();
  std::vector<double> cost = req.cost;
  if (cost.size() == 1 && k > 1) cost.assign(k, cost[0]);
  if (cost.size() != k) {
    Fail(ErrorCode::kInvalidArgument,
         "cost: {} numbers for {} treatments ({}); give one for all or one per treatment",
         cost.size(), k, Join(out.treatments, ", "));
  }

  const Table table = model.WithFeatures(store, store.LoadTable(req.table, ctx), ctx);
  const std::vector<double> value = ValuesOf(store, table, req.value, model.id_column, ctx);
  const std::vector<double> all = model.Predict(table, ctx);
  const size_t n = table.num_rows(), kt = model.treatments.size();
  std::vector<double> uplift(n * k);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < k; ++j) uplift[i * k + j] = all[i * kt + columns[j]];
  }
  TargetingProblem problem;
  problem.uplift = uplift;
  problem.treatments = k;
  problem.value = value;
  problem.cost = cost;
  problem.budget = req.budget;
  problem.capacity = req.capacity;
  out.plan = OptimiseTargeting(problem);
  ctx.logger().info("target: {} of {} customers contacted, spend {:.2f}, expected profit {:.2f}",
                    out.plan.contacted, n, out.plan.spend, out.plan.expected_profit);

  // The audience, best expected profit first.
  std::vector<size_t> rows;
  for (size_t i = 0; i < n; ++i) {
    if (out.plan.choice[i] >= 0) rows.push_back(i);
  }
  auto profit_of = [&](size_t i) {
    const auto j = static_cast<size_t>(out.plan.choice[i]);
    return uplift[i * k + j] * value[i] - cost[j];
  };
  std::stable_sort(rows.begin(), rows.end(),
                   [&](size_t a, size_t b) { return profit_of(a) > profit_of(b); });
  const bool has_id = !model.id_column.empty() && table.HasColumn(model.id_column);
  std::vector<Field> fields;
  std::vector<ColumnPtr> cols;
  if (has_id) {
    fields.push_back({model.id_column, table.column(model.id_column).type()});
    cols.push_back(table.column(table.ColumnIndex(model.id_column))->Take(rows));
  } else {
    ColumnVector<int64_t> row_numbers(rows.size());
    for (size_t r = 0; r < rows.size(); ++r) row_numbers[r] = static_cast<int64_t>(rows[r] + 1);
    fields.push_back({"row", DataType::kInt64});
    cols.push_back(Column::FromInts(DataType::kInt64, std::move(row_numbers)));
  }
  std::vector<std::string> chosen(rows.size());
  ColumnVector<double> u(rows.size()), v(rows.size()), c(rows.size()), p(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    const size_t i = rows[r];
    const auto j = static_cast<size_t>(out.plan.choice[i]);
    chosen[r] = out.treatments[j];
    u[r] = uplift[i * k + j];
    v[r] = value[i];
    c[r] = cost[j];
    p[r] = profit_of(i);
  }
  fields.push_back({"treatment", DataType::kString});
  cols.push_back(Column::FromStringVector(chosen));
  for (const char* name : {"uplift", "value", "cost", "expected_profit"})
    fields.push_back({name, DataType::kDouble});
  cols.push_back(Column::FromDoubles(std::move(u)));
  cols.push_back(Column::FromDoubles(std::move(v)));
  cols.push_back(Column::FromDoubles(std::move(c)));
  cols.push_back(Column::FromDoubles(std::move(p)));
  out.audience = Table(Schema(std::move(fields)), std::move(cols));

  out.summary = out.plan.ToJson();
  out.summary["name"] = out.name;
  out.summary["uplift_model"] = model.name;
  out.summary["uplift_version"] = model.version;
  out.summary["table"] = req.table;
  out.summary["customers"] = n;
  out.summary["treatments"] = out.treatments;
  out.summary["cost"] = cost;
  out.summary["value"] = req.value;
  out.summary["budget"] = std::isfinite(req.budget) ? nlohmann::json(req.budget) : nullptr;
  out.summary["capacity"] = req.capacity == std::numeric_limits<size_t>::max()
                                ? nlohmann::json(nullptr)
                                : nlohmann::json(req.capacity);
  out.summary["method"] = out.plan.exact ? "exact" : "greedy (multiple-choice knapsack LP)";
  store.WriteTable(out.name, out.audience, {}, ctx);
  store.PutObject(kCampaignPlanObjectKind, out.name, out.summary, "");
  store.Audit("target", fmt::format("audience={} model={} contacted={}", out.name, model.name,
                                    out.plan.contacted));
  return out;
}

nlohmann::json ListCampaignPlans(Store& store) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& o : store.ListObjects(kCampaignPlanObjectKind)) {
    out.push_back({{"name", o.name},
                   {"uplift_model", o.meta.value("uplift_model", "")},
                   {"contacted", o.meta.value("contacted", 0)},
                   {"spend", o.meta.value("spend", 0.0)},
                   {"expected_profit", o.meta.value("expected_profit", 0.0)},
                   {"created_at", o.created_at}});
  }
  return out;
}

}  // namespace prospect
