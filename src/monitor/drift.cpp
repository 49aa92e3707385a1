#include "prospect/monitor/drift.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

#include "prospect/common/error.hpp"
#include "prospect/common/numbers.hpp"
#include "prospect/common/parallel.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/models/training.hpp"
#include "prospect/monitor/statistics.hpp"

namespace prospect::monitor {
namespace {

// Evidently's defaults (evidently/calculations/stattests/*.py), in DriftMethod's order.
constexpr std::array<DriftMethodInfo, 6> kDriftMethods = {{
    {DriftMethod::kKs, "ks", "KS p-value", 0.05, true, true},
    {DriftMethod::kChiSquare, "chisquare", "chi-squared p-value", 0.05, true, false},
    {DriftMethod::kZ, "z", "z-test p-value", 0.05, true, false},
    {DriftMethod::kWasserstein, "wasserstein", "Wasserstein distance (normed)", 0.1, false, true},
    {DriftMethod::kJensenShannon, "jensenshannon", "Jensen-Shannon distance", 0.1, false, false},
    {DriftMethod::kPsi, "psi", "PSI", 0.1, false, false},
}};

constexpr size_t kDriftRowsPerChunk = 65536;

std::vector<std::string> DriftMethodNames() {
  std::vector<std::string> names;
  for (const auto& m : kDriftMethods) names.emplace_back(m.name);
  return names;
}

double ConfigThreshold(const nlohmann::json& value, const std::string& where) {
  if (!value.is_number() || !(value.get<double>() >= 0))
    Fail(ErrorCode::kInvalidData, "prospect.toml {}: {} is not a number >= 0", where, value.dump());
  return value.get<double>();
}

DriftMethod ConfigMethod(const nlohmann::json& value, const std::string& where) {
  if (!value.is_string()) {
    Fail(ErrorCode::kInvalidData, "prospect.toml {}: {} is not one of {}", where, value.dump(),
         Join(DriftMethodNames(), ", "));
  }
  try {
    return ParseDriftMethod(value.get<std::string>());
  } catch (const Error& e) {
    Fail(ErrorCode::kInvalidData, "prospect.toml {}: {}", where, e.what());
  }
}

void CheckKeys(const nlohmann::json& object, const std::vector<std::string>& known,
               const std::string& where) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end())
      Fail(ErrorCode::kInvalidData, "prospect.toml {}: unknown key {}; expected one of {}", where,
           key, Join(known, ", "));
  }
}

// One summary per column of the chunks `scan` hands over (columns in `names` order), each chunk's
// columns summarised in parallel and merged into what came before.
std::vector<ColumnSummary> SummarizeChunks(
    const std::vector<std::string>& names,
    const std::function<void(const Store::ChunkCallback&)>& scan, const Context& ctx) {
  std::vector<ColumnSummary> summaries(names.size());
  bool first = true;
  scan([&](const Table& chunk) {
    ParallelFor(ctx, static_cast<int64_t>(names.size()), [&](int64_t c) {
      ColumnSummary part = ColumnSummary::Of(*chunk.column(static_cast<size_t>(c)));
      if (first) {
        summaries[static_cast<size_t>(c)] = std::move(part);
      } else {
        summaries[static_cast<size_t>(c)].Merge(part);
      }
    });
    first = false;
  });
  return summaries;
}

}  // namespace

const DriftMethodInfo& DescribeDriftMethod(DriftMethod method) {
  return kDriftMethods[static_cast<size_t>(method)];
}

DriftMethod ParseDriftMethod(std::string_view name) {
  for (const auto& m : kDriftMethods)
    if (m.name == name) return m.method;
  Fail(ErrorCode::kInvalidArgument, "unknown drift method {:?}; expected one of {}", name,
       Join(DriftMethodNames(), ", "));
}

DriftMethod ChooseDriftMethod(int64_t reference_count, ValueKind kind, size_t distinct_values) {
  if (reference_count <= 1000) {
    if (kind == ValueKind::kNumeric && distinct_values > 5) return DriftMethod::kKs;
    return distinct_values > 2 ? DriftMethod::kChiSquare : DriftMethod::kZ;
  }
  if (kind == ValueKind::kNumeric && distinct_values > 5) return DriftMethod::kWasserstein;
  return DriftMethod::kJensenShannon;
}

DriftConfig DriftConfig::FromJson(const nlohmann::json& section) {
  DriftConfig config;
  if (section.is_null() || section.empty()) return config;
  CheckKeys(section, {"drift_share", "method", "threshold", "columns"}, "[monitor.drift]");
  if (section.contains("drift_share")) {
    const auto& v = section["drift_share"];
    if (!v.is_number() || !(v.get<double>() > 0 && v.get<double>() <= 1))
      Fail(ErrorCode::kInvalidData,
           "prospect.toml [monitor.drift] drift_share: {} is not a share in (0, 1]", v.dump());
    config.drift_share = v.get<double>();
  }
  if (section.contains("method"))
    config.method = ConfigMethod(section["method"], "[monitor.drift] method");
  if (section.contains("threshold"))
    config.threshold = ConfigThreshold(section["threshold"], "[monitor.drift] threshold");
  if (section.contains("columns")) {
    if (!section["columns"].is_object())
      Fail(ErrorCode::kInvalidData,
           "prospect.toml [monitor.drift] columns: expected tables like "
           "[monitor.drift.columns.age]");
    for (const auto& [column, rule_json] : section["columns"].items()) {
      const std::string where = fmt::format("[monitor.drift.columns.{}]", column);
      if (!rule_json.is_object())
        Fail(ErrorCode::kInvalidData, "prospect.toml {}: expected a table with method or threshold",
             where);
      CheckKeys(rule_json, {"method", "threshold"}, where);
      ColumnRule rule;
      if (rule_json.contains("method"))
        rule.method = ConfigMethod(rule_json["method"], where + " method");
      if (rule_json.contains("threshold"))
        rule.threshold = ConfigThreshold(rule_json["threshold"], where + " threshold");
      config.columns[column] = rule;
    }
  }
  return config;
}

std::string_view PsiBand(double psi) {
  if (psi < 0.1) return "stable";
  if (psi < 0.25) return "moderate";
  return "significant";
}

ColumnDrift CompareColumn(const std::string& name, const ColumnSummary& reference,
                          const ColumnSummary& current, const DriftConfig& config) {
  ColumnDrift drift;
  drift.column = name;
  drift.kind = reference.kind();
  drift.reference_count = reference.count();
  drift.current_count = current.count();
  drift.reference_missing = reference.missing();
  drift.current_missing = current.missing();
  drift.exact = reference.exact() && current.exact();
  ColumnSummary both = reference;
  both.Merge(current);
  drift.distinct_values = both.distinct();

  const auto rule = config.columns.find(name);
  std::optional<DriftMethod> method = config.method;
  std::optional<double> threshold = config.threshold;
  if (rule != config.columns.end()) {
    if (rule->second.method) method = rule->second.method;
    if (rule->second.threshold) threshold = rule->second.threshold;
  }
  drift.method_configured = method.has_value();
  drift.method =
      method ? *method : ChooseDriftMethod(reference.count(), drift.kind, drift.distinct_values);
  const DriftMethodInfo& info = DescribeDriftMethod(drift.method);
  if (info.numeric_only && drift.kind != ValueKind::kNumeric) {
    Fail(ErrorCode::kInvalidArgument,
         "column {} is categorical; the {} test compares numbers (prospect.toml [monitor.drift])",
         name, info.name);
  }
  drift.threshold = threshold.value_or(info.default_threshold);

  const BinnedShares shares = BinShares(reference, current);
  drift.psi = PopulationStabilityIndex(shares);
  switch (drift.method) {
    case DriftMethod::kKs: drift.value = KsTest(reference, current).p_value; break;
    case DriftMethod::kChiSquare: drift.value = ChiSquareTest(reference, current).p_value; break;
    case DriftMethod::kZ: drift.value = ProportionsZTest(reference, current).p_value; break;
    case DriftMethod::kWasserstein:
      // Evidently divides by the reference's standard deviation, at least 0.001.
      drift.value = WassersteinDistance(reference, current) / std::max(reference.StdDev(), 0.001);
      break;
    case DriftMethod::kJensenShannon: drift.value = JensenShannonDistance(shares); break;
    case DriftMethod::kPsi: drift.value = drift.psi; break;
  }
  drift.drifted = info.p_value ? drift.value < drift.threshold : drift.value >= drift.threshold;
  return drift;
}

nlohmann::json ColumnDrift::ToJson() const {
  const DriftMethodInfo& info = DescribeDriftMethod(method);
  return {{"column", column},
          {"kind", ValueKindName(kind)},
          {"method", info.name},
          {"method_title", info.title},
          {"method_from", method_configured ? "prospect.toml" : "default"},
          {"value", value},
          {"threshold", threshold},
          {"drifted", drifted},
          {"psi", psi},
          {"psi_band", PsiBand(psi)},
          {"reference_count", reference_count},
          {"current_count", current_count},
          {"reference_missing", reference_missing},
          {"current_missing", current_missing},
          {"distinct_values", distinct_values},
          {"exact", exact}};
}

DriftReport CompareSummaries(const std::vector<std::string>& names,
                             const std::vector<ColumnSummary>& reference,
                             const std::vector<ColumnSummary>& current, const DriftConfig& config) {
  PROSPECT_CHECK(names.size() == reference.size() && names.size() == current.size());
  DriftReport report;
  report.drift_share = config.drift_share;
  for (size_t c = 0; c < names.size(); ++c) {
    if (reference[c].count() == 0 || current[c].count() == 0) {
      report.skipped.emplace_back(names[c], reference[c].count() == 0
                                                ? "no values in the reference"
                                                : "no values in the current data");
      continue;
    }
    report.columns.push_back(CompareColumn(names[c], reference[c], current[c], config));
    if (report.columns.back().drifted) ++report.drifted;
  }
  // Evidently: the share of drifting columns at or above drift_share.
  report.dataset_drift = !report.columns.empty() &&
                         static_cast<double>(report.drifted) >=
                             config.drift_share * static_cast<double>(report.columns.size());
  return report;
}

double DriftReport::DriftedShare() const {
  return columns.empty() ? 0.0 : static_cast<double>(drifted) / static_cast<double>(columns.size());
}

nlohmann::json DriftReport::ToJson() const {
  nlohmann::json cols = nlohmann::json::array();
  for (const auto& c : columns) cols.push_back(c.ToJson());
  nlohmann::json skip = nlohmann::json::array();
  for (const auto& [column, why] : skipped) skip.push_back({{"column", column}, {"reason", why}});
  return {{"reference", reference},
          {"current", current},
          {"model", model.empty() ? nlohmann::json() : nlohmann::json(model)},
          {"columns", cols},
          {"skipped", skip},
          {"drifted_columns", drifted},
          {"compared_columns", columns.size()},
          {"drift_share", DriftedShare()},
          {"drift_share_threshold", drift_share},
          {"dataset_drift", dataset_drift}};
}

RowRange RowRange::Parse(std::string_view text) {
  const auto bad = [&]() {
    Fail(ErrorCode::kInvalidArgument,
         "row range {:?}: expected FROM:TO with percentages or fractions, e.g. \":30%\" (the "
         "first 30 %) or \"70%:\" (the last 30 %)",
         text);
  };
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) bad();
  const auto side = [&](std::string_view s, double fallback) {
    s = Trim(s);
    if (s.empty()) return fallback;
    double scale = 1;
    if (s.back() == '%') {
      s.remove_suffix(1);
      scale = 100;
    }
    double v = 0;
    if (!ParseDouble(s, &v) || !(v / scale >= 0 && v / scale <= 1)) bad();
    return v / scale;
  };
  RowRange range{side(text.substr(0, colon), 0), side(text.substr(colon + 1), 1)};
  if (!(range.from < range.to)) bad();
  return range;
}

std::vector<ColumnSummary> SummarizeStoredTable(Store& store, const std::string& table,
                                                const std::vector<std::string>& columns,
                                                const RowRange& rows, const Context& ctx) {
  if (columns.empty()) return {};  // (Scan would read every column)
  const TableInfo info = store.FindTableOrFail(table);
  const auto total = static_cast<double>(info.rows);
  const auto first = static_cast<int64_t>(std::llround(rows.from * total));
  const auto end = static_cast<int64_t>(std::llround(rows.to * total));
  int64_t seen = 0;
  return SummarizeChunks(
      columns,
      [&](const Store::ChunkCallback& on_chunk) {
        store.Scan(
            table, columns, kDriftRowsPerChunk,
            [&](const Table& chunk) {
              const auto n = static_cast<int64_t>(chunk.num_rows());
              const int64_t lo = std::max(first, seen), hi = std::min(end, seen + n);
              seen += n;
              if (rows.whole() || chunk.num_rows() == 0) return on_chunk(chunk);
              if (lo >= hi) return;
              std::vector<size_t> keep;
              for (int64_t r = lo; r < hi; ++r) keep.push_back(static_cast<size_t>(r - (seen - n)));
              on_chunk(chunk.Take(keep));
            },
            ctx);
      },
      ctx);
}

namespace {

// The rows of `table` in `range`, in order.
Table SliceRows(const Table& table, const RowRange& range) {
  if (range.whole()) return table;
  const auto total = static_cast<double>(table.num_rows());
  std::vector<size_t> rows;
  for (auto r = static_cast<size_t>(std::llround(range.from * total));
       r < static_cast<size_t>(std::llround(range.to * total)); ++r)
    rows.push_back(r);
  return table.Take(rows);
}

// A table's columns summarised a chunk of rows at a time, as a stored table's would be.
std::vector<ColumnSummary> SummarizeInMemory(const Table& table, const Context& ctx) {
  return SummarizeChunks(
      table.schema().Names(),
      [&](const Store::ChunkCallback& on_chunk) {
        if (table.num_rows() <= kDriftRowsPerChunk) return on_chunk(table);
        std::vector<size_t> rows;
        for (size_t start = 0; start < table.num_rows(); start += kDriftRowsPerChunk) {
          rows.resize(std::min(kDriftRowsPerChunk, table.num_rows() - start));
          std::iota(rows.begin(), rows.end(), start);
          on_chunk(table.Take(rows));
        }
      },
      ctx);
}

// The columns to compare: those asked for, or every column both sides have; dates, timestamps,
// the tables' keys and columns whose kind differs between the sides are skipped with a reason.
std::vector<std::string> DriftColumns(const Schema& reference, const Schema& current,
                                      const std::vector<std::string>& keys,
                                      const DriftRequest& request, DriftReport* report) {
  std::vector<std::string> wanted = request.columns;
  for (const auto& name : wanted) {
    if (reference.IndexOf(name) < 0)
      Fail(ErrorCode::kNotFound, "column {} is not in the reference {} (columns: {})", name,
           request.reference, Join(reference.Names(), ", "));
    if (current.IndexOf(name) < 0)
      Fail(ErrorCode::kNotFound, "column {} is not in the current table {} (columns: {})", name,
           request.current, Join(current.Names(), ", "));
  }
  if (wanted.empty()) {
    for (const auto& field : reference.fields()) {
      if (current.IndexOf(field.name) < 0) continue;
      if (std::find(keys.begin(), keys.end(), field.name) != keys.end()) {
        report->skipped.emplace_back(field.name, "the table's key: one value per row");
        continue;
      }
      wanted.push_back(field.name);
    }
  }
  std::vector<std::string> columns;
  for (const auto& name : wanted) {
    if (std::find(request.exclude.begin(), request.exclude.end(), name) != request.exclude.end())
      continue;
    const auto ref_kind =
        ValueKindOf(reference.field(static_cast<size_t>(reference.IndexOf(name))).type);
    const auto cur_kind =
        ValueKindOf(current.field(static_cast<size_t>(current.IndexOf(name))).type);
    if (!ref_kind || !cur_kind) {
      report->skipped.emplace_back(name, "a date or timestamp: it moves as time passes");
    } else if (*ref_kind != *cur_kind) {
      report->skipped.emplace_back(
          name, fmt::format("{} in the reference, {} in the current data", ValueKindName(*ref_kind),
                            ValueKindName(*cur_kind)));
    } else {
      columns.push_back(name);
    }
  }
  return columns;
}

DriftReport DriftAgainstModel(Store& store, const std::string& model_name,
                              const DriftRequest& request, const DriftConfig& config,
                              const Context& ctx) {
  const ModelPackage model = LoadModel(store, model_name);
  Table reference = SliceRows(store.LoadTable(model.table, ctx), request.reference_rows);
  Table current = SliceRows(store.LoadTable(request.current, ctx), request.current_rows);
  DriftReport skipped;
  DriftRequest within = request;
  if (within.columns.empty())
    within.columns = model.meta.value("input_columns", std::vector<std::string>{});
  const auto columns = DriftColumns(reference.schema(), current.schema(), {}, within, &skipped);
  // The score: the model on each side's rows, compared as one more column.
  const std::string score = "score:" + model_name;
  const auto with_score = [&](const Table& rows) {
    const std::vector<double> scores = model.Score(rows, ctx);
    return rows.Select(columns).WithColumn(
        score, Column::FromDoubles(ColumnVector<double>(scores.begin(), scores.end())));
  };
  DriftReport report = CompareTables(with_score(reference), with_score(current), config, ctx);
  report.skipped.insert(report.skipped.begin(), skipped.skipped.begin(), skipped.skipped.end());
  return report;
}

}  // namespace

DriftReport MeasureDrift(Store& store, const DriftRequest& request, const DriftConfig& config,
                         const Context& ctx) {
  const auto current = store.FindTableOrFail(request.current);
  constexpr std::string_view kModelPrefix = "model:";
  std::optional<TableInfo> reference;
  if (!request.reference.starts_with(kModelPrefix)) reference = store.FindTable(request.reference);
  DriftReport report;
  if (!reference) {
    std::string model = request.reference;
    if (model.starts_with(kModelPrefix)) model.erase(0, kModelPrefix.size());
    // Whether the model exists, from the registry's list (its file is read once, to score).
    const auto models = store.ListObjects("model");
    if (std::none_of(models.begin(), models.end(),
                     [&](const StoredObject& o) { return o.name == model; })) {
      Fail(ErrorCode::kNotFound,
           "reference {} is neither a table nor a model (tables: {}; models: see prospect models)",
           request.reference, [&] {
             std::vector<std::string> names;
             for (const auto& t : store.ListTables()) names.push_back(t.name);
             return Join(names, ", ");
           }());
    }
    report = DriftAgainstModel(store, model, request, config, ctx);
    report.model = model;
  } else {
    std::vector<std::string> keys;
    if (reference->key) keys.push_back(*reference->key);
    if (current.key) keys.push_back(*current.key);
    DriftReport skipped;
    const auto columns = DriftColumns(reference->schema, current.schema, keys, request, &skipped);
    const auto ref_summaries =
        SummarizeStoredTable(store, reference->name, columns, request.reference_rows, ctx);
    const auto cur_summaries =
        SummarizeStoredTable(store, current.name, columns, request.current_rows, ctx);
    report = CompareSummaries(columns, ref_summaries, cur_summaries, config);
    report.skipped.insert(report.skipped.begin(), skipped.skipped.begin(), skipped.skipped.end());
  }
  report.reference = request.reference;
  report.current = request.current;
  return report;
}

DriftReport CompareTables(const Table& reference, const Table& current, const DriftConfig& config,
                          const Context& ctx) {
  DriftReport report;
  const auto columns = DriftColumns(reference.schema(), current.schema(), {}, {}, &report);
  const Table ref = reference.Select(columns), cur = current.Select(columns);
  DriftReport compared =
      CompareSummaries(columns, SummarizeInMemory(ref, ctx), SummarizeInMemory(cur, ctx), config);
  compared.skipped.insert(compared.skipped.begin(), report.skipped.begin(), report.skipped.end());
  return compared;
}

void SaveDriftReport(Store& store, const DriftReport& report) {
  const std::string name = report.model.empty() ? report.current : report.model;
  store.PutObject("drift_report", name, report.ToJson(), "");
  store.Audit("monitor.drift",
              fmt::format("reference={} current={} drifted={}/{}", report.reference, report.current,
                          report.drifted, report.columns.size()));
}

}  // namespace prospect::monitor
