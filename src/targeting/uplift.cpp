// Uplift models in the workspace: balance check, held-out split, fit, measure, store, score
// (see uplift.hpp).
#include "prospect/targeting/uplift.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/evaluate/split.hpp"
#include "prospect/models/training.hpp"

namespace prospect {
namespace {

// Fewer customers than this in a group leave nothing to learn its effect from.
constexpr size_t kMinGroupSize = 10;
constexpr double kImbalancedSmd = 0.1;

nlohmann::json NumberOrNull(double v) { return std::isfinite(v) ? nlohmann::json(v) : nullptr; }

// A metric that is undefined on these rows (a top k without controls, an outcome that never
// differs) is NaN in the report rather than the end of training.
template <typename F>
double OrNaN(F metric) {
  try {
    return metric();
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kInvalidData) throw;
    return NAN;
  }
}

UpliftCurve AtMostPoints(const UpliftCurve& curve, size_t points) {
  if (curve.n.size() <= points) return curve;
  UpliftCurve out;
  for (size_t i = 0; i < points; ++i) {
    const size_t at = i * (curve.n.size() - 1) / (points - 1);
    out.n.push_back(curve.n[at]);
    out.value.push_back(curve.value[at]);
  }
  return out;
}

// "Womens E-Mail" → "womens_e_mail": a treatment's value as part of a column name.
std::string NamePart(std::string_view value) {
  std::string out;
  for (char c : value) {
    const bool word = std::isalnum(static_cast<unsigned char>(c));
    if (word) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out.empty() ? "treatment" : out;
}

// Each row's group (0 control, k treatment k, −1 neither or empty).
std::vector<int32_t> GroupsOf(const Column& column, const std::string& control,
                              const std::vector<std::string>& treatments) {
  std::map<std::string, int32_t, std::less<>> code{{control, 0}};
  for (size_t k = 0; k < treatments.size(); ++k)
    code.emplace(treatments[k], static_cast<int32_t>(k + 1));
  std::vector<int32_t> group(column.size(), -1);
  for (size_t r = 0; r < column.size(); ++r) {
    if (column.IsNull(r)) continue;
    const auto it = code.find(column.FormatValue(r));
    if (it != code.end()) group[r] = it->second;
  }
  return group;
}

// The treatments of a request: as listed (each a value of the column, none the control), or
// every value but the control, in sorted order.
std::vector<std::string> ResolveTreatments(const Column& column, const UpliftTrainRequest& req) {
  std::map<std::string, size_t> counts;
  for (size_t r = 0; r < column.size(); ++r) {
    if (!column.IsNull(r)) ++counts[column.FormatValue(r)];
  }
  std::vector<std::string> listed;
  for (const auto& [value, n] : counts) {
    if (listed.size() == 10) {
      listed.push_back("…");
      break;
    }
    listed.push_back(fmt::format("{} ({} rows)", value, n));
  }
  if (!counts.count(req.control)) {
    Fail(ErrorCode::kInvalidArgument, "control {}: column {} has no such value. Values: {}",
         QuoteForMessage(req.control), req.treatment, Join(listed, ", "));
  }
  std::vector<std::string> out;
  if (req.treatments.empty()) {
    for (const auto& [value, n] : counts) {
      if (value != req.control) out.push_back(value);
    }
    if (out.empty()) {
      Fail(ErrorCode::kInvalidData,
           "column {} holds only the control value {}: there is no treatment to learn",
           req.treatment, QuoteForMessage(req.control));
    }
    return out;
  }
  for (const std::string& t : req.treatments) {
    if (t == req.control)
      Fail(ErrorCode::kInvalidArgument, "treatments: {} is the control", QuoteForMessage(t));
    if (!counts.count(t)) {
      Fail(ErrorCode::kInvalidArgument, "treatments: column {} has no value {}. Values: {}",
           req.treatment, QuoteForMessage(t), Join(listed, ", "));
    }
    if (std::find(out.begin(), out.end(), t) != out.end())
      Fail(ErrorCode::kInvalidArgument, "treatments: {} is listed twice", QuoteForMessage(t));
    out.push_back(t);
  }
  return out;
}

// Means and variances of every feature per group, over the rows of both parts.
TreatmentBalance MeasureBalance(const std::vector<std::string>& values,
                                std::span<const int32_t> group, std::span<const double> y,
                                const std::vector<const DenseMatrix*>& parts,
                                const std::vector<std::string>& features) {
  const size_t groups = values.size(), d = features.size();
  std::vector<double> n(groups, 0), y_sum(groups, 0), sum(groups * d, 0), sq(groups * d, 0);
  size_t row = 0;
  for (const DenseMatrix* x : parts) {
    for (size_t i = 0; i < x->rows(); ++i, ++row) {
      const auto g = static_cast<size_t>(group[row]);
      n[g] += 1;
      y_sum[g] += y[row];
      for (size_t j = 0; j < d; ++j) {
        const double v = (*x)(i, j);
        sum[g * d + j] += v;
        sq[g * d + j] += v * v;
      }
    }
  }
  TreatmentBalance out;
  const double total = std::accumulate(n.begin(), n.end(), 0.0);
  for (size_t g = 0; g < groups; ++g) {
    out.groups.push_back({.value = values[g],
                          .customers = static_cast<size_t>(n[g]),
                          .share = n[g] / total,
                          .outcome_mean = y_sum[g] / n[g]});
  }
  auto mean = [&](size_t g, size_t j) { return sum[g * d + j] / n[g]; };
  auto var = [&](size_t g, size_t j) {
    return std::max(0.0, sq[g * d + j] / n[g] - mean(g, j) * mean(g, j));
  };
  for (size_t g = 1; g < groups; ++g) {
    for (size_t j = 0; j < d; ++j) {
      const double pooled = std::sqrt((var(g, j) + var(0, j)) / 2);
      if (pooled <= 0) continue;
      const double smd = (mean(g, j) - mean(0, j)) / pooled;
      if (std::fabs(smd) > kImbalancedSmd)
        out.imbalanced.push_back({.treatment = values[g], .feature = features[j], .smd = smd});
    }
  }
  return out;
}

// The rows a model can learn from or be measured on: a group it knows and an outcome.
std::vector<size_t> UsableRows(std::span<const int32_t> group, std::span<const double> y) {
  std::vector<size_t> rows;
  for (size_t r = 0; r < group.size(); ++r) {
    if (group[r] >= 0 && !std::isnan(y[r])) rows.push_back(r);
  }
  return rows;
}

template <typename T>
std::vector<T> TakeValues(std::span<const T> v, std::span<const size_t> rows) {
  std::vector<T> out(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) out[i] = v[rows[i]];
  return out;
}

// The held-out split: stratified by group and, for a 0/1 outcome, by outcome too, so both parts
// hold every group's responders in proportion.
TrainTestSplit UpliftSplit(std::span<const int32_t> group, std::span<const double> y, bool binary,
                           double test_fraction, uint64_t seed) {
  std::vector<double> strata(group.size());
  for (size_t r = 0; r < group.size(); ++r)
    strata[r] = binary ? 2.0 * group[r] + y[r] : static_cast<double>(group[r]);
  return StratifiedSplit(strata, test_fraction, seed);
}

bool IsBinary(std::span<const double> y) {
  return std::all_of(y.begin(), y.end(), [](double v) { return v == 0 || v == 1; });
}

}  // namespace

nlohmann::json TreatmentBalance::ToJson() const {
  nlohmann::json gs = nlohmann::json::array(), im = nlohmann::json::array();
  for (const Group& g : groups) {
    gs.push_back({{"value", g.value},
                  {"customers", g.customers},
                  {"share", g.share},
                  {"outcome_mean", g.outcome_mean}});
  }
  for (const Imbalance& i : imbalanced)
    im.push_back({{"treatment", i.treatment}, {"feature", i.feature}, {"smd", i.smd}});
  return {{"groups", gs}, {"imbalanced", im}};
}

nlohmann::json TreatmentUplift::ToJson() const {
  nlohmann::json bins = nlohmann::json::array();
  for (const UpliftBin& b : deciles) {
    bins.push_back({{"treated", b.treated},
                    {"control", b.control},
                    {"response_treated", NumberOrNull(b.response_treated)},
                    {"response_control", NumberOrNull(b.response_control)},
                    {"uplift", NumberOrNull(b.uplift)}});
  }
  return {{"treatment", treatment},
          {"treated", treated},
          {"control", control},
          {"observed_effect", NumberOrNull(observed_effect)},
          {"mean_predicted", NumberOrNull(mean_predicted)},
          {"k", k},
          {"uplift_at_k", NumberOrNull(uplift_at_k)},
          {"qini_coefficient", NumberOrNull(qini_coefficient)},
          {"qini_area", NumberOrNull(qini_area)},
          {"uplift_auc", NumberOrNull(uplift_auc)},
          {"deciles", bins},
          {"qini", {{"n", qini.n}, {"value", qini.value}}}};
}

std::vector<TreatmentUplift> MeasureUplift(std::span<const double> y,
                                           std::span<const int32_t> group,
                                           std::span<const double> effect,
                                           const std::vector<std::string>& treatments, double k) {
  const size_t kt = treatments.size();
  if (y.size() != group.size() || effect.size() != y.size() * kt) {
    Fail(ErrorCode::kInternal, "uplift: {} outcomes, {} groups, {} effects for {} treatments",
         y.size(), group.size(), effect.size(), kt);
  }
  std::vector<TreatmentUplift> out;
  for (size_t t = 0; t < kt; ++t) {
    std::vector<double> yy, score;
    std::vector<uint8_t> treated;
    double sum_t = 0, sum_c = 0;
    for (size_t r = 0; r < y.size(); ++r) {
      if (group[r] != 0 && group[r] != static_cast<int32_t>(t + 1)) continue;
      const bool is_treated = group[r] != 0;
      yy.push_back(y[r]);
      score.push_back(effect[r * kt + t]);
      treated.push_back(is_treated);
      (is_treated ? sum_t : sum_c) += y[r];
    }
    TreatmentUplift m;
    m.treatment = treatments[t];
    m.treated = static_cast<size_t>(std::count(treated.begin(), treated.end(), 1));
    m.control = treated.size() - m.treated;
    m.k = k;
    m.observed_effect =
        sum_t / static_cast<double>(m.treated) - sum_c / static_cast<double>(m.control);
    m.mean_predicted = score.empty() ? NAN
                                     : std::accumulate(score.begin(), score.end(), 0.0) /
                                           static_cast<double>(score.size());
    if (m.treated == 0 || m.control == 0) {
      m.uplift_at_k = m.qini_coefficient = m.qini_area = m.uplift_auc = NAN;
      out.push_back(std::move(m));
      continue;
    }
    const UpliftSample s{.y = yy, .score = score, .treated = treated};
    m.uplift_at_k = OrNaN([&] { return UpliftAtK(s, k); });
    m.qini_coefficient = OrNaN([&] { return QiniCoefficient(s); });
    m.qini_area = OrNaN([&] { return QiniArea(s); });
    m.uplift_auc = OrNaN([&] { return UpliftAuc(s); });
    m.deciles = UpliftByBins(s, 10);
    m.qini = AtMostPoints(QiniCurve(s), 101);
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<int32_t> UpliftPackage::Groups(const Table& t) const {
  return GroupsOf(t.column(treatment_column), control, treatments);
}

std::vector<double> UpliftPackage::Outcomes(const Table& t) const {
  const Column& c = t.column(target);
  const bool classification = meta.value("task", "classification") == "classification";
  if (!classification && !IsNumeric(c.type())) {
    Fail(ErrorCode::kInvalidData,
         "uplift model {}: outcome {} is {} here; the model learned a number", name, target,
         DataTypeName(c.type()));
  }
  std::vector<double> y(c.size());
  for (size_t r = 0; r < c.size(); ++r) {
    if (c.IsNull(r)) {
      y[r] = NAN;
    } else {
      y[r] = classification ? (c.FormatValue(r) == positive ? 1.0 : 0.0) : c.NumericAt(r);
    }
  }
  return y;
}

Table UpliftPackage::WithFeatures(Store& store, const Table& t, const Context& ctx) const {
  if (features.empty()) return t;
  const auto& inputs = pipeline.input_columns();
  if (std::all_of(inputs.begin(), inputs.end(), [&](const auto& c) { return t.HasColumn(c); }))
    return t;
  return LookupJoin(t, id_column, store.LoadTable(features, ctx), id_column);
}

std::vector<double> UpliftPackage::Predict(const Table& t, const Context& ctx) const {
  const DenseMatrix x = pipeline.Transform(t, ctx);
  return learner.Predict(x, ctx);
}

Table UpliftPackage::Score(const Table& t, const Context& ctx) const {
  const std::vector<double> effect = Predict(t, ctx);
  const size_t kt = treatments.size(), n = t.num_rows();
  std::vector<Field> fields;
  std::vector<ColumnPtr> columns;
  if (!id_column.empty() && t.HasColumn(id_column)) {
    const ColumnPtr& id = t.column(t.ColumnIndex(id_column));
    fields.push_back({id_column, id->type()});
    columns.push_back(id);
  } else {
    ColumnVector<int64_t> rows(n);
    std::iota(rows.begin(), rows.end(), int64_t{1});
    fields.push_back({"row", DataType::kInt64});
    columns.push_back(Column::FromInts(DataType::kInt64, std::move(rows)));
  }
  for (size_t k = 0; k < kt; ++k) {
    ColumnVector<double> v(n);
    for (size_t r = 0; r < n; ++r) v[r] = effect[r * kt + k];
    fields.push_back(
        {kt == 1 ? std::string("uplift") : "uplift_" + NamePart(treatments[k]), DataType::kDouble});
    columns.push_back(Column::FromDoubles(std::move(v)));
  }
  return Table(Schema(std::move(fields)), std::move(columns));
}

UpliftTrainResult TrainUplift(Store& store, const UpliftTrainRequest& req, const Context& ctx) {
  const std::string name =
      req.name.empty() ? fmt::format("{}_{}_{}", req.table, req.target, req.learner) : req.name;
  Store::CheckObjectName("uplift model", name);
  if (req.treatment.empty() || req.control.empty() || req.target.empty()) {
    Fail(ErrorCode::kInvalidArgument,
         "uplift train needs the treatment column, the control group's value and the target");
  }
  if (req.treatment == req.target)
    Fail(ErrorCode::kInvalidArgument, "treatment and target are both {}", req.treatment);
  if (!(req.test_fraction > 0 && req.test_fraction < 1)) {
    Fail(ErrorCode::kInvalidArgument, "test_fraction {}: expected a share in (0, 1)",
         req.test_fraction);
  }
  if (!(req.k > 0 && req.k < 1))
    Fail(ErrorCode::kInvalidArgument, "k {}: expected a share in (0, 1)", req.k);
  UpliftMetaLearner learner({{"learner", req.learner},
                             {"base", req.model},
                             {"base_params", req.params},
                             {"propensity", req.propensity}});

  Table full = store.LoadTable(req.table, ctx);
  if (!req.features.empty()) {
    if (req.id_column.empty())
      Fail(ErrorCode::kInvalidArgument, "features {}: give the id column to join on", req.features);
    full = LookupJoin(full, req.id_column, store.LoadTable(req.features, ctx), req.id_column);
  }
  const std::vector<std::string> treatments = ResolveTreatments(full.column(req.treatment), req);
  TrainRequest tr;
  tr.table = req.table;
  tr.target = req.target;
  tr.positive = req.positive;
  tr.task = req.task;
  tr.id_column = req.id_column;
  tr.exclude = req.exclude;
  tr.exclude.push_back(req.treatment);
  const TrainTask task = ChooseTask(full, tr);

  // The rows of the chosen groups with an outcome.
  std::vector<int32_t> group = GroupsOf(full.column(req.treatment), req.control, treatments);
  std::vector<size_t> keep;
  size_t other_groups = 0, no_outcome = 0;
  const Column& target_column = full.column(req.target);
  for (size_t r = 0; r < full.num_rows(); ++r) {
    if (group[r] < 0) {
      ++other_groups;
    } else if (target_column.IsNull(r)) {
      ++no_outcome;
    } else {
      keep.push_back(r);
    }
  }
  const Table table = full.Take(keep);
  group = TakeValues<int32_t>(group, keep);
  PreparedTable prepared = PrepareTraining(table, tr, task, SplitSpec{});
  if (other_groups > 0) {
    prepared.warnings.push_back(fmt::format("{} rows of other {} values (or none) were left out",
                                            other_groups, req.treatment));
  }
  if (no_outcome > 0) {
    prepared.warnings.push_back(
        fmt::format("{} rows with an empty {} were left out", no_outcome, req.target));
  }
  const bool binary = IsBinary(prepared.target);
  std::vector<std::string> values{req.control};
  values.insert(values.end(), treatments.begin(), treatments.end());
  for (size_t g = 0; g < values.size(); ++g) {
    const auto n = static_cast<size_t>(std::count(group.begin(), group.end(), g));
    if (n < kMinGroupSize) {
      Fail(ErrorCode::kInvalidData,
           "{} group {} has {} customers with a {}; at least {} are needed to learn from",
           g == 0 ? "control" : "treatment", QuoteForMessage(values[g]), n, req.target,
           kMinGroupSize);
    }
  }

  EncodedSplit data = EncodeSplit(
      prepared, UpliftSplit(group, prepared.target, binary, req.test_fraction, ctx.seed()),
      /*scale_features=*/true, ctx);
  const std::vector<int32_t> group_train = TakeValues<int32_t>(group, data.rows.train),
                             group_test = TakeValues<int32_t>(group, data.rows.test);
  std::vector<int32_t> group_both = group_train;
  group_both.insert(group_both.end(), group_test.begin(), group_test.end());
  std::vector<double> y_both = data.y_train;
  y_both.insert(y_both.end(), data.y_test.begin(), data.y_test.end());
  WarnAboutLeakage(data.x_train, data.y_train, data.pipeline.feature_names(), binary, req.target,
                   &prepared.warnings);
  UpliftTrainResult result;
  result.balance = MeasureBalance(values, group_both, y_both, {&data.x_train, &data.x_test},
                                  data.pipeline.feature_names());
  for (const auto& g : result.balance.groups) {
    ctx.logger().info("uplift: {} {}: {} customers ({:.1f} %), mean {} {:.4g}",
                      g.value == req.control ? "control" : "treatment", g.value, g.customers,
                      100 * g.share, req.target, g.outcome_mean);
  }
  for (const auto& i : result.balance.imbalanced) {
    prepared.warnings.push_back(fmt::format(
        "{} and control differ in {} (standardised mean difference {:.3f}, above {}): was the "
        "campaign randomised? Consider propensity=estimate",
        i.treatment, i.feature, i.smd, kImbalancedSmd));
  }
  ctx.logger().info("uplift: fitting the {}-learner ({}) on {} rows; {} held out", req.learner,
                    req.model, data.rows.train.size(), data.rows.test.size());
  learner.Fit({.x = data.x_train,
               .y = data.y_train,
               .group = group_train,
               .treatments = treatments.size(),
               .feature_names = data.pipeline.feature_names()},
              ctx);
  result.holdout =
      MeasureUplift(data.y_test, group_test, learner.Predict(data.x_test, ctx), treatments, req.k);

  nlohmann::json holdout = nlohmann::json::array();
  for (const TreatmentUplift& m : result.holdout) holdout.push_back(m.ToJson());
  const nlohmann::json meta = {
      {"type", "uplift/meta"},
      {"learner", req.learner},
      {"model", req.model},
      {"params", learner.params().base_params},
      {"propensity", req.propensity},
      {"mean_propensity", learner.mean_propensity()},
      {"task", TrainTaskName(task)},
      {"table", req.table},
      {"treatment_column", req.treatment},
      {"control", req.control},
      {"treatments", treatments},
      {"target", req.target},
      {"positive", prepared.positive},
      {"id_column", req.id_column},
      {"features", req.features},
      {"input_columns", prepared.features},
      {"feature_names", data.pipeline.feature_names()},
      {"pipeline", data.pipeline.ToJson()},
      {"test_fraction", req.test_fraction},
      {"seed", ctx.seed()},
      {"rows", {{"train", data.rows.train.size()}, {"test", data.rows.test.size()}}},
      {"data_fingerprint", TableFingerprint(table)},
      {"balance", result.balance.ToJson()},
      {"holdout", holdout},
      {"warnings", prepared.warnings}};
  result.version = store.PutObject(kUpliftObjectKind, name, meta, learner.Save());
  store.Audit("uplift train", fmt::format("model={} version={}", name, result.version));
  result.name = name;
  result.summary = meta;
  result.summary.erase("pipeline");
  result.summary["name"] = name;
  result.summary["version"] = result.version;
  return result;
}

UpliftPackage LoadUplift(Store& store, const std::string& name, int64_t version) {
  auto object = store.GetObjectOrFail(kUpliftObjectKind, name, version, "uplift model",
                                      "Uplift models", "prospect uplift train");
  UpliftPackage pkg;
  pkg.name = name;
  pkg.version = object.version;
  pkg.meta = std::move(object.meta);
  try {
    pkg.table = pkg.meta.at("table").get<std::string>();
    pkg.treatment_column = pkg.meta.at("treatment_column").get<std::string>();
    pkg.control = pkg.meta.at("control").get<std::string>();
    pkg.treatments = pkg.meta.at("treatments").get<std::vector<std::string>>();
    pkg.target = pkg.meta.at("target").get<std::string>();
    pkg.positive = pkg.meta.at("positive").get<std::string>();
    pkg.id_column = pkg.meta.at("id_column").get<std::string>();
    pkg.features = pkg.meta.value("features", "");
    pkg.pipeline = FeaturePipeline::FromJson(pkg.meta.at("pipeline"));
  } catch (const nlohmann::json::exception& e) {
    Fail(ErrorCode::kInvalidData, "uplift model {} v{}: its registry entry is malformed: {}", name,
         pkg.version, e.what());
  }
  pkg.learner = UpliftMetaLearner::Load(object.body);
  if (pkg.learner.treatments() != pkg.treatments.size()) {
    Fail(ErrorCode::kInvalidData,
         "uplift model {} v{}: the learner has {} treatments, its registry entry {}", name,
         pkg.version, pkg.learner.treatments(), pkg.treatments.size());
  }
  return pkg;
}

nlohmann::json UpliftEvaluation::ToJson() const {
  nlohmann::json ts = nlohmann::json::array();
  for (const TreatmentUplift& t : treatments) ts.push_back(t.ToJson());
  return {{"table", table}, {"held_out", held_out}, {"rows", rows}, {"treatments", ts}};
}

UpliftEvaluation EvaluateUplift(Store& store, const UpliftPackage& model, const std::string& table,
                                double k, const Context& ctx) {
  if (!(k > 0 && k < 1)) Fail(ErrorCode::kInvalidArgument, "k {}: expected a share in (0, 1)", k);
  UpliftEvaluation out;
  out.table = table.empty() ? model.table : table;
  const Table full = model.WithFeatures(store, store.LoadTable(out.table, ctx), ctx);
  std::vector<int32_t> group = model.Groups(full);
  std::vector<double> y = model.Outcomes(full);
  const std::vector<size_t> usable = UsableRows(group, y);
  Table rows = full.Take(usable);
  group = TakeValues<int32_t>(group, usable);
  y = TakeValues<double>(y, usable);
  // On the training data, only what the model never saw counts: its split, reproduced.
  if (out.table == model.table &&
      TableFingerprint(rows) == model.meta.value("data_fingerprint", "")) {
    const TrainTestSplit split = UpliftSplit(group, y, model.learner.binary_outcome(),
                                             model.meta.at("test_fraction").get<double>(),
                                             model.meta.at("seed").get<uint64_t>());
    rows = rows.Take(split.test);
    group = TakeValues<int32_t>(group, split.test);
    y = TakeValues<double>(y, split.test);
    out.held_out = true;
  }
  if (rows.num_rows() == 0) {
    Fail(ErrorCode::kInvalidData,
         "table {} has no rows of the model's groups ({} = {} or {}) with a {}", out.table,
         model.treatment_column, QuoteForMessage(model.control), Join(model.treatments, ", "),
         model.target);
  }
  out.rows = rows.num_rows();
  out.treatments = MeasureUplift(y, group, model.Predict(rows, ctx), model.treatments, k);
  store.PutObject(kUpliftEvaluationObjectKind, model.name,
                  {{"model", model.name}, {"version", model.version}, {"evaluation", out.ToJson()}},
                  "");
  return out;
}

nlohmann::json ListUpliftModels(Store& store) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& o : store.ListObjects(kUpliftObjectKind)) {
    out.push_back({{"name", o.name},
                   {"version", o.version},
                   {"learner", o.meta.value("learner", "")},
                   {"model", o.meta.value("model", "")},
                   {"table", o.meta.value("table", "")},
                   {"target", o.meta.value("target", "")},
                   {"treatments", o.meta.value("treatments", nlohmann::json::array())},
                   {"created_at", o.created_at}});
  }
  return out;
}

}  // namespace prospect
