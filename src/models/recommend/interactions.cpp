// Interaction tables to users × items matrices (see interactions.hpp).
#include "prospect/models/recommend/interactions.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "prospect/common/error.hpp"

namespace prospect {
namespace {

constexpr double kSecondsPerDay = 86400;

// A row's time in days, for decay.
double DaysAt(const Column& time, size_t row) {
  const auto v = static_cast<double>(time.ints()[row]);
  switch (time.type()) {
    case DataType::kTimestamp: return v / 1e6 / kSecondsPerDay;
    case DataType::kDate: return v;
    default: return v / kSecondsPerDay;
  }
}

// `column` (named `name`) at `row`, which must not be null.
const Column& Present(const Column& column, const std::string& name, size_t row) {
  if (column.IsNull(row))
    Fail(ErrorCode::kInvalidData, "interactions: column {} is empty at row {}", name, row + 1);
  return column;
}

// Rows of weight > 0 among `rows` (all rows when empty).
std::vector<size_t> KeptRows(std::span<const double> weights, std::span<const size_t> rows) {
  std::vector<size_t> kept;
  if (rows.empty()) {
    for (size_t r = 0; r < weights.size(); ++r) {
      if (weights[r] > 0) kept.push_back(r);
    }
  } else {
    for (const size_t r : rows) {
      PROSPECT_CHECK(r < weights.size());
      if (weights[r] > 0) kept.push_back(r);
    }
  }
  return kept;
}

// One entry per (user, item): weights summed, or the largest kept when deduplicating.
CsrMatrix MatrixOf(size_t users, size_t items, std::vector<CsrMatrix::Triplet> entries,
                   bool deduplicate) {
  if (deduplicate) {
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
      return a.row != b.row ? a.row < b.row : a.col != b.col ? a.col < b.col : a.value > b.value;
    });
    entries.erase(
        std::unique(entries.begin(), entries.end(),
                    [](const auto& a, const auto& b) { return a.row == b.row && a.col == b.col; }),
        entries.end());
  }
  return CsrMatrix::FromTriplets(users, items, entries);
}

}  // namespace

nlohmann::json InteractionSpec::ToJson() const {
  nlohmann::json j = {
      {"user_column", user_column}, {"item_column", item_column}, {"deduplicate", deduplicate}};
  if (!value_column.empty()) j["value_column"] = value_column;
  if (!std::isnan(min_value)) j["min_value"] = min_value;
  if (!type_column.empty()) {
    j["type_column"] = type_column;
    j["type_weights"] = type_weights;
  }
  if (half_life_days > 0 || window_days > 0) j["time_column"] = time_column;
  if (half_life_days > 0) j["half_life_days"] = half_life_days;
  if (window_days > 0) j["window_days"] = window_days;
  return j;
}

InteractionSpec InteractionSpec::FromJson(const nlohmann::json& j) {
  InteractionSpec spec;
  try {
    spec.user_column = j.at("user_column").get<std::string>();
    spec.item_column = j.at("item_column").get<std::string>();
    spec.deduplicate = j.at("deduplicate").get<bool>();
    spec.value_column = j.value("value_column", "");
    spec.min_value = j.value("min_value", std::nan(""));
    spec.type_column = j.value("type_column", "");
    if (j.contains("type_weights"))
      spec.type_weights = j["type_weights"].get<std::map<std::string, double>>();
    spec.time_column = j.value("time_column", "");
    spec.half_life_days = j.value("half_life_days", 0.0);
    spec.window_days = j.value("window_days", 0.0);
  } catch (const nlohmann::json::exception& e) {
    Fail(ErrorCode::kInvalidData, "interaction spec {}: {}", j.dump().substr(0, 200), e.what());
  }
  return spec;
}

std::vector<double> InteractionWeights(const Table& table, const InteractionSpec& spec,
                                       std::span<const size_t> reference_rows) {
  const size_t n = table.num_rows();
  // Every column is looked up once (and must exist, whatever the rows hold).
  const Column& user = table.column(spec.user_column);
  const Column& item = table.column(spec.item_column);
  const Column* value = spec.value_column.empty() ? nullptr : &table.column(spec.value_column);
  if (value && !IsNumeric(value->type()) && value->type() != DataType::kBool) {
    Fail(ErrorCode::kInvalidArgument,
         "interactions: value column {} is {}; expected a number or bool column", spec.value_column,
         DataTypeName(value->type()));
  }
  const Column* type = spec.type_column.empty() ? nullptr : &table.column(spec.type_column);
  if (type && spec.type_weights.empty()) {
    Fail(ErrorCode::kInvalidArgument,
         "interactions: event types come from column {} but no type has a weight (for example "
         "view=1, cart=3, purchase=5)",
         spec.type_column);
  }
  const bool timed = spec.half_life_days > 0 || spec.window_days > 0;
  const Column* time = timed ? &table.column(spec.time_column) : nullptr;
  if (time && time->type() != DataType::kTimestamp && time->type() != DataType::kDate &&
      time->type() != DataType::kInt64) {
    Fail(ErrorCode::kInvalidArgument,
         "interactions: time column {} is {}; expected a timestamp, date or int64 (Unix seconds)",
         spec.time_column, DataTypeName(time->type()));
  }
  double latest = -INFINITY;
  for (size_t r = 0; time && r < n; ++r) {
    const double days = DaysAt(Present(*time, spec.time_column, r), r);
    if (reference_rows.empty()) latest = std::max(latest, days);
  }
  for (const size_t r : reference_rows) {
    if (time) latest = std::max(latest, DaysAt(*time, r));
  }

  std::vector<double> weights(n, 1.0);
  for (size_t r = 0; r < n; ++r) {
    Present(user, spec.user_column, r);
    Present(item, spec.item_column, r);
    double w = 1;
    if (value) {
      const double v = Present(*value, spec.value_column, r).NumericAt(r);
      if (!std::isnan(spec.min_value)) {
        w = v >= spec.min_value ? 1 : 0;
      } else if (!(std::isfinite(v) && v >= 0)) {
        Fail(ErrorCode::kInvalidData,
             "interactions: column {} holds {} at row {}; a weight must be a finite number >= 0 "
             "(or give a threshold to read it as a rating)",
             spec.value_column, v, r + 1);
      } else {
        w = v;
      }
    }
    if (type) {
      const auto it = spec.type_weights.find(Present(*type, spec.type_column, r).FormatValue(r));
      w *= it == spec.type_weights.end() ? 0 : it->second;
    }
    const double age = time ? latest - DaysAt(*time, r) : 0;
    if (spec.half_life_days > 0) w *= std::exp2(-age / spec.half_life_days);
    if (spec.window_days > 0 && age >= spec.window_days) w = 0;
    weights[r] = w;
  }
  return weights;
}

InteractionMatrix BuildInteractions(const Table& table, const InteractionSpec& spec,
                                    std::span<const double> weights, std::span<const size_t> rows) {
  PROSPECT_CHECK(weights.size() == table.num_rows());
  const std::vector<size_t> kept = KeptRows(weights, rows);
  IdNumbers users =
      NumberIds(table.column(spec.user_column), kept, spec.user_column, "interactions");
  IdNumbers items =
      NumberIds(table.column(spec.item_column), kept, spec.item_column, "interactions");
  std::vector<CsrMatrix::Triplet> entries(kept.size());
  for (size_t k = 0; k < kept.size(); ++k)
    entries[k] = {users.of_row[k], items.of_row[k], weights[kept[k]]};
  InteractionMatrix out;
  out.row_ids = std::move(users.ids);
  out.col_ids = std::move(items.ids);
  out.matrix =
      MatrixOf(out.row_ids.size(), out.col_ids.size(), std::move(entries), spec.deduplicate);
  return out;
}

MappedInteractions MapInteractions(const Table& table, const InteractionSpec& spec,
                                   std::span<const double> weights, std::span<const size_t> rows,
                                   const InteractionMatrix& trained) {
  PROSPECT_CHECK(weights.size() == table.num_rows());
  std::unordered_map<std::string, size_t> user_index, item_index;
  for (size_t u = 0; u < trained.row_ids.size(); ++u) user_index.emplace(trained.row_ids[u], u);
  for (size_t i = 0; i < trained.col_ids.size(); ++i) item_index.emplace(trained.col_ids[i], i);
  const Column& users = table.column(spec.user_column);
  const Column& items = table.column(spec.item_column);
  MappedInteractions out;
  std::vector<CsrMatrix::Triplet> entries;
  for (const size_t r : KeptRows(weights, rows)) {
    const auto u = user_index.find(users.FormatValue(r));
    const auto i = item_index.find(items.FormatValue(r));
    if (u == user_index.end()) {
      ++out.rows_unknown_user;
    } else if (i == item_index.end()) {
      ++out.rows_unknown_item;
    } else {
      entries.push_back({u->second, i->second, weights[r]});
    }
  }
  out.matrix = MatrixOf(trained.row_ids.size(), trained.col_ids.size(), std::move(entries),
                        spec.deduplicate);
  return out;
}

void AddItems(InteractionMatrix* m, std::span<const std::string> ids) {
  std::unordered_set<std::string> known(m->col_ids.begin(), m->col_ids.end());
  for (const std::string& id : ids) {
    if (known.insert(id).second) m->col_ids.push_back(id);
  }
  const CsrMatrix& x = m->matrix;
  m->matrix = CsrMatrix::FromArrays(x.rows(), m->col_ids.size(),
                                    std::vector<int64_t>(x.indptr().begin(), x.indptr().end()),
                                    std::vector<int32_t>(x.indices().begin(), x.indices().end()),
                                    std::vector<double>(x.values().begin(), x.values().end()));
}

InteractionMatrix ExtendInteractions(const InteractionMatrix& trained, const Table& table,
                                     const InteractionSpec& spec, std::span<const double> weights,
                                     std::vector<int32_t>* changed_users) {
  PROSPECT_CHECK(weights.size() == table.num_rows());
  InteractionMatrix out;
  out.row_ids = trained.row_ids;
  out.col_ids = trained.col_ids;
  std::unordered_map<std::string, size_t> user_index, item_index;
  for (size_t u = 0; u < out.row_ids.size(); ++u) user_index.emplace(out.row_ids[u], u);
  for (size_t i = 0; i < out.col_ids.size(); ++i) item_index.emplace(out.col_ids[i], i);
  auto number = [](std::unordered_map<std::string, size_t>& index, std::vector<std::string>& ids,
                   std::string id) {
    const auto [it, added] = index.emplace(id, ids.size());
    if (added) ids.push_back(std::move(id));
    return it->second;
  };
  const Column& users = table.column(spec.user_column);
  const Column& items = table.column(spec.item_column);
  const CsrMatrix& old = trained.matrix;
  std::vector<CsrMatrix::Triplet> entries;
  entries.reserve(old.nnz());
  for (size_t u = 0; u < old.rows(); ++u) {
    const auto cols = old.RowIndices(u);
    const auto vals = old.RowValues(u);
    for (size_t k = 0; k < cols.size(); ++k)
      entries.push_back({u, static_cast<size_t>(cols[k]), vals[k]});
  }
  std::vector<uint8_t> changed;
  for (const size_t r : KeptRows(weights, {})) {
    const size_t u = number(user_index, out.row_ids, users.FormatValue(r));
    const size_t i = number(item_index, out.col_ids, items.FormatValue(r));
    entries.push_back({u, i, weights[r]});
    if (changed.size() <= u) changed.resize(u + 1, 0);
    changed[u] = 1;
  }
  changed_users->clear();
  for (size_t u = 0; u < changed.size(); ++u) {
    if (changed[u]) changed_users->push_back(static_cast<int32_t>(u));
  }
  out.matrix =
      MatrixOf(out.row_ids.size(), out.col_ids.size(), std::move(entries), spec.deduplicate);
  return out;
}

}  // namespace prospect
