// Segmentation orchestration. Nulls are filled before clustering (recency of customers who never
// bought = their tenure; other columns: the median); strongly right-skewed non-negative columns
// (skewness > 2, e.g. spend) are log1p-transformed so a few big customers do not become their
// own clusters; then columns are standardised. All of this is reported in the summary.
#include "prospect/segment/segment.hpp"

#include <algorithm>
#include <cmath>

#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/linalg/dense.hpp"
#include "prospect/models/cluster/registry.hpp"
#include "prospect/models/cluster/rfm.hpp"
#include "prospect/models/cluster/stable_ids.hpp"

namespace prospect {
namespace {

const std::vector<std::string> kDefaultProfileFeatures = {
    "recency_days", "frequency", "monetary", "avg_order_value", "tenure_days", "events_total", "trend_30d",
    "distinct_items"};

double Skewness(const std::vector<double>& v) {
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

bool HasParam(const ClustererInfo& info, const std::string& name) {
  return std::any_of(info.params.begin(), info.params.end(), [&](const ParamDoc& p) { return p.name == name; });
}

}  // namespace

SegmentResult RunSegmentation(Store& store, const SegmentRequest& req, const Context& ctx) {
  const ClustererInfo& info = FindClusterer(req.method);
  if (req.scale != "standard" && req.scale != "none") {
    Fail(ErrorCode::kInvalidArgument, "--scale {}: use standard or none", QuoteForMessage(req.scale));
  }
  const Table table = store.LoadTable(req.table, ctx);
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
          if (f.name != req.id_column && (IsNumeric(f.type) || f.type == DataType::kBool)) features.push_back(f.name);
        }
      }
    }
  }
  if (rfm && features.size() != 3) {
    Fail(ErrorCode::kInvalidArgument, "rfm needs exactly three features (recency, frequency, monetary); got {}",
         Join(features, ","));
  }
  if (features.empty()) Fail(ErrorCode::kInvalidArgument, "table {} has no numeric columns to segment on", req.table);

  // Fill nulls and (for distance-based methods) tame heavy tails, column by column.
  nlohmann::json transforms = nlohmann::json::array();
  std::vector<std::string> filled_names;
  std::vector<ColumnPtr> filled_columns;
  std::vector<Field> fields;
  for (size_t j = 0; j < features.size(); ++j) {
    const Column& c = table.column(features[j]);
    if (!IsNumeric(c.type()) && c.type() != DataType::kBool) {
      Fail(ErrorCode::kInvalidArgument, "feature {} is {}; segment on numeric columns", features[j], DataTypeName(c.type()));
    }
    std::vector<double> v(c.size());
    std::vector<double> present;
    for (size_t r = 0; r < c.size(); ++r) {
      v[r] = c.NumericAt(r);
      if (!std::isnan(v[r])) present.push_back(v[r]);
    }
    if (present.empty()) Fail(ErrorCode::kInvalidData, "feature {} is empty in every row", features[j]);
    size_t nulls = c.size() - present.size();
    if (nulls) {
      const bool recency = features[j] == "recency_days" && table.HasColumn("tenure_days");
      std::nth_element(present.begin(), present.begin() + static_cast<std::ptrdiff_t>(present.size() / 2), present.end());
      const double median = present[present.size() / 2];
      double max = *std::max_element(present.begin(), present.end());
      for (size_t r = 0; r < v.size(); ++r) {
        if (!std::isnan(v[r])) continue;
        const double tenure = recency ? table.column("tenure_days").NumericAt(r) : NAN;
        v[r] = recency ? (std::isnan(tenure) ? max : tenure) : rfm ? 0.0 : median;
      }
      transforms.push_back({{"column", features[j]}, {"nulls_filled", nulls},
                            {"with", recency ? "tenure_days" : rfm ? "0" : "median"}});
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
  const DenseMatrix x = MatrixFromTable(prepared, features, rfm || req.scale == "none" ? Scaling::kNone : Scaling::kStandard,
                                        nullptr, ctx);

  // Fit.
  nlohmann::json params = req.params;
  if (HasParam(info, "k") && !params.contains("k")) {
    if (req.k == "auto") {
      params["k"] = 0;
      // Two segments are rarely actionable for a marketer; search 3.. unless told otherwise.
      if (HasParam(info, "k_min") && !params.contains("k_min")) params["k_min"] = 3;
    } else {
      try {
        params["k"] = std::stoll(req.k);
      } catch (...) {
        Fail(ErrorCode::kInvalidArgument, "--k {}: expected a number or auto", QuoteForMessage(req.k));
      }
    }
  }
  auto clusterer = CreateClusterer(req.method, params);
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
    if (old_centres.rows() > 0 && new_centres.rows() > 0 && old_centres.cols() == new_centres.cols()) {
      const std::vector<int32_t> mapping = MatchCentres(old_centres.view(), new_centres.view());
      Renumber(labels, mapping);
      stability = {{"matched_previous", true}, {"previous_version", previous->version}, {"mapping", mapping}};
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
  std::vector<int64_t> seg(labels.begin(), labels.end());
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
