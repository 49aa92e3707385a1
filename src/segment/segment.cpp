// Segmentation orchestration. Nulls are filled before clustering (recency of customers who never
// bought = their tenure; other columns: the median); strongly right-skewed non-negative columns
// (skewness > 2, e.g. spend) are log1p-transformed so a few big customers do not become their
// own clusters; then columns are standardised. All of this is reported in the summary.
#include "prospect/segment/segment.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "prospect/common/error.hpp"
#include "prospect/common/numbers.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/linalg/dense.hpp"
#include "prospect/models/cluster/clusterer.hpp"
#include "prospect/models/cluster/metrics.hpp"
#include "prospect/models/cluster/rfm.hpp"
#include "prospect/models/cluster/stable_ids.hpp"

namespace prospect {
namespace {

const std::vector<std::string> kDefaultProfileFeatures = {
    "recency_days", "frequency",    "monetary",  "avg_order_value",
    "tenure_days",  "events_total", "trend_30d", "distinct_items"};

double Skewness(std::span<const double> v) {
  double mean = 0;
  for (double x : v) mean += x / static_cast<double>(v.size());
  double m2 = 0, m3 = 0;
  for (double x : v) {
    m2 += (x - mean) * (x - mean);
    m3 += (x - mean) * (x - mean) * (x - mean);
  }
  m2 /= static_cast<double>(v.size());
  m3 /= static_cast<double>(v.size());
  return m2 > 0 ? m3 / std::pow(m2, 1.5) : 0;
}

bool HasParam(const RegistryEntry<Clusterer>& info, const std::string& name) {
  return std::any_of(info.factory.params.begin(), info.factory.params.end(),
                     [&](const ParamDoc& p) { return p.name == name; });
}

// Known segments for --truth "TABLE.COLUMN": checks the spec, the table and its columns before
// any clustering is done, and returns the table.
std::optional<Table> LoadTruth(Store& store, const Table& table, const SegmentRequest& req,
                               const Context& ctx) {
  if (req.truth.empty()) return std::nullopt;
  const size_t dot = req.truth.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == req.truth.size()) {
    Fail(ErrorCode::kInvalidArgument,
         "--truth {}: expected TABLE.COLUMN, for example ground_truth.segment",
         QuoteForMessage(req.truth));
  }
  const std::string truth_table = req.truth.substr(0, dot),
                    truth_column = req.truth.substr(dot + 1);
  if (!table.HasColumn(req.id_column)) {
    Fail(ErrorCode::kInvalidArgument, "--truth needs the id column {} in table {}; set --id",
         req.id_column, req.table);
  }
  if (!store.FindTable(truth_table)) {
    Fail(ErrorCode::kNotFound, "--truth {}: no table {} in the workspace; ingest it first",
         req.truth, truth_table);
  }
  Table truth = store.LoadTable(truth_table, ctx);
  for (const std::string& c : {req.id_column, truth_column}) {
    if (!truth.HasColumn(c)) {
      std::vector<std::string> columns;
      for (const auto& f : truth.schema().fields()) columns.push_back(f.name);
      Fail(ErrorCode::kInvalidArgument, "--truth {}: table {} has no column {}; its columns: {}",
           req.truth, truth_table, c, Join(columns, ", "));
    }
  }
  return truth;
}

// The adjusted Rand index between `labels` (rows of `table`) and the known segments, joined on
// the id column (as text); rows without a known segment are left out. Also a crosstab.
nlohmann::json CompareWithTruth(const Table& truth, const Table& table,
                                const std::vector<int32_t>& labels,
                                const std::vector<std::string>& names, const SegmentRequest& req) {
  const size_t dot = req.truth.find('.');
  const std::string truth_table = req.truth.substr(0, dot),
                    truth_column = req.truth.substr(dot + 1);
  const Column& truth_id = truth.column(req.id_column);
  const Column& truth_value = truth.column(truth_column);
  std::unordered_map<std::string, std::string> known;
  known.reserve(truth.num_rows());
  for (size_t r = 0; r < truth.num_rows(); ++r) {
    if (!truth_id.IsNull(r) && !truth_value.IsNull(r))
      known.emplace(truth_id.FormatValue(r), truth_value.FormatValue(r));
  }
  const Column& id = table.column(req.id_column);
  std::map<std::string, int32_t> truth_code;  // sorted: the crosstab lists known segments in order
  for (const auto& [key, value] : known) truth_code.emplace(value, 0);
  int32_t next = 0;
  for (auto& [value, code] : truth_code) code = next++;
  std::vector<int32_t> found, expected;
  std::vector<std::vector<int64_t>> crosstab(names.size() + 1,
                                             std::vector<int64_t>(truth_code.size(), 0));
  for (size_t r = 0; r < id.size(); ++r) {
    if (id.IsNull(r)) continue;
    auto it = known.find(id.FormatValue(r));
    if (it == known.end()) continue;
    const int32_t t = truth_code.at(it->second);
    found.push_back(labels[r]);
    expected.push_back(t);
    const size_t row = labels[r] >= 0 && static_cast<size_t>(labels[r]) < names.size()
                           ? static_cast<size_t>(labels[r])
                           : names.size();
    ++crosstab[row][static_cast<size_t>(t)];
  }
  if (found.empty()) {
    Fail(ErrorCode::kInvalidData, "--truth {}: no {} of table {} is in {} with a value", req.truth,
         req.id_column, req.table, truth_table);
  }
  nlohmann::json known_values = nlohmann::json::array();
  for (const auto& [value, code] : truth_code) known_values.push_back(value);
  nlohmann::json rows = nlohmann::json::array();
  for (size_t s = 0; s <= names.size(); ++s) {
    if (s == names.size() &&
        std::all_of(crosstab[s].begin(), crosstab[s].end(), [](int64_t v) { return v == 0; }))
      break;
    rows.push_back({{"segment", s < names.size() ? names[s] : "Noise"}, {"counts", crosstab[s]}});
  }
  return {{"table", truth_table},
          {"column", truth_column},
          {"rows_matched", found.size()},
          {"rows", id.size()},
          {"adjusted_rand_index", AdjustedRandIndex(found, expected)},
          {"known_segments", known_values},
          {"crosstab", rows}};
}

bool NamedLikeAnId(const std::string& name) {
  const std::string lower = ToLower(name);
  return lower == "id" || (lower.size() > 3 && lower.ends_with("_id")) ||
         (name.size() > 2 && name.ends_with("Id")) || (name.size() > 2 && name.ends_with("ID"));
}

bool UniqueAndComplete(const Column& c) {
  if (c.null_count() > 0) return false;
  std::unordered_set<std::string> seen;
  seen.reserve(c.size());
  for (size_t r = 0; r < c.size(); ++r) {
    if (!seen.insert(c.FormatValue(r)).second) return false;
  }
  return true;
}

// The segments table must join back to the rows segmented, so it always carries an id.
std::string ResolveIdColumn(Store& store, const Table& table, const SegmentRequest& req) {
  if (!req.id_column.empty()) {
    if (!table.HasColumn(req.id_column)) {
      Fail(ErrorCode::kInvalidArgument, "id column {} is not in table {}",
           QuoteForMessage(req.id_column), req.table);
    }
    return req.id_column;
  }
  const auto info = store.FindTable(req.table);
  if (info && info->key && table.HasColumn(*info->key)) return *info->key;
  if (table.HasColumn(req.preferred_id)) return req.preferred_id;
  std::vector<std::string> named;
  for (const auto& f : table.schema().fields()) {
    if (!NamedLikeAnId(f.name)) continue;
    named.push_back(f.name);
    if ((f.type == DataType::kInt64 || IsStringLike(f.type)) &&
        UniqueAndComplete(table.column(f.name)))
      return f.name;
  }
  Fail(ErrorCode::kInvalidArgument,
       "table {} has no id column to carry into the segments table (looked for its key, {}, and a "
       "unique column "
       "named like an id{}). Possible fix: name the id column (--id COLUMN)",
       req.table, req.preferred_id,
       named.empty() ? std::string()
                     : fmt::format("; {} are not unique and complete", Join(named, ", ")));
}

}  // namespace

SegmentResult RunSegmentation(Store& store, const SegmentRequest& request, const Context& ctx) {
  const RegistryEntry<Clusterer>& info = ClustererRegistry().Find(request.method);
  if (request.scale != "standard" && request.scale != "none") {
    Fail(ErrorCode::kInvalidArgument, "--scale {}: use standard or none",
         QuoteForMessage(request.scale));
  }
  const Table table = store.LoadTable(request.table, ctx);
  SegmentRequest req = request;
  req.id_column = ResolveIdColumn(store, table, request);
  const std::optional<Table> truth = LoadTruth(store, table, req, ctx);
  const bool rfm = req.method == "rfm";
  std::vector<std::string> features = req.features;
  if (features.empty()) {
    if (rfm) {
      features = {"recency_days", "frequency", "monetary"};
    } else {
      for (const auto& f : kDefaultProfileFeatures) {
        if (table.HasColumn(f)) features.push_back(f);
      }
      if (features.empty()) {
        for (const auto& f : table.schema().fields()) {
          if (f.name != req.id_column && (IsNumeric(f.type) || f.type == DataType::kBool))
            features.push_back(f.name);
        }
      }
    }
  }
  if (rfm && features.size() != 3) {
    Fail(ErrorCode::kInvalidArgument,
         "rfm needs exactly three features (recency, frequency, monetary); got {}",
         Join(features, ","));
  }
  if (features.empty())
    Fail(ErrorCode::kInvalidArgument, "table {} has no numeric columns to segment on", req.table);

  // Fill nulls and (for distance-based methods) tame heavy tails, column by column.
  nlohmann::json transforms = nlohmann::json::array();
  std::vector<std::string> filled_names;
  std::vector<ColumnPtr> filled_columns;
  std::vector<Field> fields;
  for (size_t j = 0; j < features.size(); ++j) {
    const Column& c = table.column(features[j]);
    if (!IsNumeric(c.type()) && c.type() != DataType::kBool) {
      Fail(ErrorCode::kInvalidArgument, "feature {} is {}; segment on numeric columns", features[j],
           DataTypeName(c.type()));
    }
    ColumnVector<double> v(c.size());
    std::vector<double> present;
    for (size_t r = 0; r < c.size(); ++r) {
      v[r] = c.NumericAt(r);
      if (!std::isnan(v[r])) present.push_back(v[r]);
    }
    if (present.empty())
      Fail(ErrorCode::kInvalidData, "feature {} is empty in every row", features[j]);
    size_t nulls = c.size() - present.size();
    if (nulls) {
      const bool recency = features[j] == "recency_days" && table.HasColumn("tenure_days");
      std::nth_element(present.begin(),
                       present.begin() + static_cast<std::ptrdiff_t>(present.size() / 2),
                       present.end());
      const double median = present[present.size() / 2];
      double max = *std::max_element(present.begin(), present.end());
      for (size_t r = 0; r < v.size(); ++r) {
        if (!std::isnan(v[r])) continue;
        const double tenure = recency ? table.column("tenure_days").NumericAt(r) : NAN;
        v[r] = recency ? (std::isnan(tenure) ? max : tenure) : rfm ? 0.0 : median;
      }
      transforms.push_back({{"column", features[j]},
                            {"nulls_filled", nulls},
                            {"with", recency ? "tenure_days"
                                     : rfm   ? "0"
                                             : "median"}});
    }
    if (!rfm && req.scale == "standard") {
      const bool non_negative = std::all_of(v.begin(), v.end(), [](double x) { return x >= 0; });
      if (non_negative && Skewness(v) > 2) {
        for (double& x : v) x = std::log1p(x);
        transforms.push_back({{"column", features[j]}, {"transform", "log1p"}});
      }
    }
    fields.push_back({features[j], DataType::kDouble});
    filled_columns.push_back(Column::FromDoubles(std::move(v)));
  }
  const Table prepared(Schema(fields), filled_columns);
  const DenseMatrix x = MatrixFromTable(
      prepared, features, rfm || req.scale == "none" ? Scaling::kNone : Scaling::kStandard, nullptr,
      ctx);

  // Fit.
  nlohmann::json params = req.params;
  if (HasParam(info, "k") && !params.contains("k")) {
    if (req.k == "auto") {
      if (!HasParam(info, "k_min")) {
        Fail(ErrorCode::kInvalidArgument,
             "{} does not choose the number of segments itself: set k to a number (--k 5), or use "
             "kmeans (chooses k "
             "by silhouette) or gmm (by BIC)",
             req.method);
      }
      params["k"] = 0;
      // Two segments are rarely actionable for a marketer; search 3.. unless told otherwise.
      if (HasParam(info, "k_min") && !params.contains("k_min")) params["k_min"] = 3;
    } else {
      int64_t k = 0;
      if (!ParseInt64(req.k, &k)) {
        Fail(ErrorCode::kInvalidArgument, "--k {}: expected a number or auto",
             QuoteForMessage(req.k));
      }
      params["k"] = k;
    }
  }
  auto clusterer = ClustererRegistry().Create(req.method, params);
  clusterer->Fit(x.view(), ctx);
  std::vector<int32_t> labels = clusterer->labels();
  const int32_t k = clusterer->num_clusters();

  // Stable ids: match to the previous run of this segmentation (same method and features).
  nlohmann::json stability = {{"matched_previous", false}};
  const auto previous = store.GetObject("segmentation", req.name);
  if (!rfm && previous && previous->meta.value("method", "") == req.method &&
      previous->meta.value("features", nlohmann::json()) == nlohmann::json(features)) {
    const auto old = Clusterer::Load(previous->body);
    const DenseMatrix old_centres = old->Centres(), new_centres = clusterer->Centres();
    if (old_centres.rows() > 0 && new_centres.rows() > 0 &&
        old_centres.cols() == new_centres.cols()) {
      const std::vector<int32_t> mapping = MatchCentres(old_centres.view(), new_centres.view());
      Renumber(labels, mapping);
      stability = {{"matched_previous", true},
                   {"previous_version", previous->version},
                   {"mapping", mapping}};
    }
  }

  SegmentResult result;
  result.labels = labels;
  if (rfm) {
    result.names = RfmSegmentNames();
  } else {
    for (int32_t s = 0; s < k; ++s) result.names.push_back(fmt::format("Segment {}", s + 1));
  }
  PersonaOptions po;
  po.id_column = req.id_column;
  result.personas = BuildPersonas(table, labels, result.names, po, ctx);

  // Store assignments and the segmentation.
  const bool has_id = table.HasColumn(req.id_column);
  ColumnVector<int64_t> seg(labels.begin(), labels.end());
  ColumnBuilder seg_name(DataType::kCategorical);
  for (int32_t l : labels) {
    if (l >= 0 && l < static_cast<int32_t>(result.names.size())) {
      seg_name.AppendString(result.names[static_cast<size_t>(l)]);
    } else {
      seg_name.AppendString("Noise");
    }
  }
  std::vector<Field> out_fields;
  std::vector<ColumnPtr> out_columns;
  if (has_id) {
    out_fields.push_back({req.id_column, table.column(req.id_column).type()});
    out_columns.push_back(table.column(table.ColumnIndex(req.id_column)));
  }
  out_fields.push_back({"segment", DataType::kInt64});
  out_columns.push_back(Column::FromInts(DataType::kInt64, std::move(seg)));
  out_fields.push_back({"segment_name", DataType::kCategorical});
  out_columns.push_back(seg_name.Finish());
  store.WriteTable(kSegmentsTable, Table(Schema(out_fields), out_columns), {}, ctx);

  result.summary = clusterer->Summary();
  if (stability["matched_previous"].get<bool>() && result.summary.contains("sizes")) {
    result.summary["sizes"] = ClusterSizes(labels, k);
  }
  result.summary["table"] = req.table;
  result.summary["features"] = features;
  result.summary["transforms"] = transforms;
  result.summary["scale"] = rfm ? "none" : req.scale;
  result.summary["stability"] = stability;
  result.summary["names"] = result.names;
  if (truth) result.summary["truth"] = CompareWithTruth(*truth, table, labels, result.names, req);
  nlohmann::json meta = result.summary;
  meta["method"] = req.method;
  meta["personas"] = result.personas.ToJson();
  const int64_t version = store.PutObject("segmentation", req.name, meta, clusterer->Save());
  result.summary["name"] = req.name;
  result.summary["version"] = version;
  store.Audit("segment", fmt::format("segmentation={} method={} k={}", req.name, req.method, k));
  return result;
}

}  // namespace prospect
