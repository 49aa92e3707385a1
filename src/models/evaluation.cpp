// `prospect evaluate`: held-out rows, threshold choice, metrics and calibration of a registered
// model. The metric definitions live in src/evaluate (docs/user/metrics.md).
#include "prospect/models/evaluation.hpp"

#include <cmath>
#include <cstdlib>

#include "prospect/common/error.hpp"
#include "prospect/common/numbers.hpp"
#include "prospect/common/rng.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/evaluate/calibration.hpp"
#include "prospect/evaluate/split.hpp"

namespace prospect {
namespace {

MetricsReport ComputeAt(const std::vector<double>& y, const std::vector<double>& p,
                        const EvaluateRequest& req) {
  MetricsReportOptions o;
  o.lift_bins = req.lift_bins;
  o.calibration_bins = req.calibration_bins;
  o.value_per_conversion = req.value_per_conversion;
  o.cost_per_contact = req.cost_per_contact;
  if (req.threshold == "max-f1" || req.threshold == "max-profit") {
    // The chosen threshold is the one the report computes; then the report is redone at it.
    MetricsReport first = MetricsReport::Compute(y, p, {}, o);
    o.threshold = req.threshold == "max-f1" ? first.max_f1.threshold : first.max_profit->threshold;
  } else {
    ParseDouble(req.threshold, &o.threshold);  // checked by CheckThresholdSpec
  }
  return MetricsReport::Compute(y, p, {}, o);
}

}  // namespace

std::string CheckThresholdSpec(const std::string& spec) {
  if (spec == "max-f1" || spec == "max-profit") return spec;
  double v = 0;
  if (!ParseDouble(spec, &v) || !(v >= 0 && v <= 1)) {
    Fail(ErrorCode::kInvalidArgument,
         "--threshold {}: expected a probability between 0 and 1, max-f1 or max-profit",
         QuoteForMessage(spec));
  }
  return spec;
}

EvaluateResult EvaluateModel(Store& store, const EvaluateRequest& req, const Context& ctx) {
  CheckThresholdSpec(req.threshold);
  if (req.value_per_conversion.has_value() != req.cost_per_contact.has_value()) {
    Fail(ErrorCode::kInvalidArgument,
         "give --value-per-conversion and --cost-per-contact together (one is missing)");
  }
  if (req.threshold == "max-profit" && !req.value_per_conversion) {
    Fail(ErrorCode::kInvalidArgument,
         "--threshold max-profit needs --value-per-conversion V and --cost-per-contact C (the "
         "money a conversion "
         "brings and a contact costs)");
  }
  if (!req.calibrate.empty() && req.calibrate != "platt" && req.calibrate != "isotonic") {
    Fail(ErrorCode::kInvalidArgument, "--calibrate {}: use platt or isotonic",
         QuoteForMessage(req.calibrate));
  }
  const ModelPackage model = LoadModel(store, req.model, req.version);
  if (model.regressor && !req.calibrate.empty()) {
    Fail(ErrorCode::kInvalidArgument,
         "calibrate {}: model {} is a regressor; calibration is for classifiers", req.calibrate,
         model.name);
  }
  EvaluateResult out;
  out.model = model.name;
  out.version = model.version;
  out.table = req.table.empty() ? model.table : req.table;
  Table table = store.LoadTable(out.table, ctx);
  out.rows_used = "all";
  if (out.table == model.table) {
    const std::vector<size_t> held = HeldOutRows(model, table);
    if (!held.empty()) {
      table = table.Take(held);
      out.rows_used = "held-out";
    } else {
      out.warnings.push_back(
          fmt::format("table {} changed since model {} v{} was trained on it, so its held-out rows "
                      "are unknown: evaluating on "
                      "every row, training rows included (optimistic)",
                      out.table, model.name, model.version));
    }
  }
  const std::vector<double> labels = model.Labels(table);
  const std::vector<double> scores = model.Score(table, ctx);
  std::vector<double> y, p;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (!std::isnan(labels[i])) y.push_back(labels[i]), p.push_back(scores[i]);
  }
  if (y.size() < labels.size()) {
    out.warnings.push_back(fmt::format("{} rows with an empty {} were left out",
                                       labels.size() - y.size(), model.target));
  }
  if (y.empty())
    Fail(ErrorCode::kInvalidData, "table {} has no rows with a known {} to evaluate on", out.table,
         model.target);
  out.rows = y.size();
  if (model.regressor) {
    out.regression = RegressionMetrics::Compute(y, p);
    return out;
  }
  out.metrics = ComputeAt(y, p, req);

  if (!req.calibrate.empty()) {
    if (model.calibrator) {
      out.warnings.push_back(
          fmt::format("model {} v{} was already calibrated ({}); the new calibration replaces it",
                      model.name, model.version, model.calibrator->method()));
    }
    const std::vector<double> raw_all = model.RawScore(table, ctx);
    std::vector<double> raw;
    for (size_t i = 0; i < labels.size(); ++i) {
      if (!std::isnan(labels[i])) raw.push_back(raw_all[i]);
    }
    // Cross-fitted calibrated probabilities: each half calibrated by the other half's fit.
    std::vector<double> crossed(raw.size());
    for (const auto& fold : StratifiedKFold(y, 2, DeriveSeed(ctx.seed(), 23))) {
      std::vector<double> fy, fp, tp;
      for (size_t i : fold.train) fy.push_back(y[i]), fp.push_back(raw[i]);
      for (size_t i : fold.test) tp.push_back(raw[i]);
      const auto fitted = ProbabilityCalibrator::Fit(req.calibrate, fp, fy).Apply(tp);
      for (size_t k = 0; k < fold.test.size(); ++k) crossed[fold.test[k]] = fitted[k];
    }
    out.calibrated = ComputeAt(y, crossed, req);
    if (out.calibrated->log_loss > out.metrics.log_loss) {
      out.warnings.push_back(fmt::format(
          "{} calibration makes the log-loss worse on these rows ({:.4f} → {:.4f}, cross-fitted): "
          "the model's own "
          "probabilities are better calibrated. The calibrated version is saved all the same; "
          "score with version {} "
          "to keep the uncalibrated probabilities",
          req.calibrate, out.metrics.log_loss, out.calibrated->log_loss, model.version));
    }
    const ProbabilityCalibrator final_fit = ProbabilityCalibrator::Fit(req.calibrate, raw, y);
    out.calibration = final_fit.ToJson();
    out.calibration["fitted_on"] = {{"table", out.table},
                                    {"rows", out.rows_used},
                                    {"count", y.size()},
                                    {"from_version", model.version}};
    const auto object = store.GetObject("model", model.name, model.version);
    if (!object)
      Fail(ErrorCode::kInternal, "model {} v{} vanished while evaluating", model.name,
           model.version);
    nlohmann::json meta = object->meta;
    meta["calibration"] = out.calibration;
    meta["calibrated_metrics"] = {{"roc_auc", out.calibrated->roc_auc},
                                  {"log_loss", out.calibrated->log_loss},
                                  {"brier", out.calibrated->brier}};
    out.calibrated_version = store.PutObject("model", model.name, meta, object->body);
    store.Audit("calibrate", fmt::format("model={} version={} method={} from={}", model.name,
                                         out.calibrated_version, req.calibrate, model.version));
  }
  return out;
}

nlohmann::json EvaluateResult::ToJson() const {
  nlohmann::json doc = regression ? regression->ToJson() : metrics.ToJson();
  doc["model"] = model;
  doc["version"] = version;
  doc["table"] = table;
  doc["rows_used"] = rows_used;
  doc["warnings"] = warnings;
  if (regression) return doc;
  if (calibrated) {
    nlohmann::json cal = calibrated->ToJson();
    doc["calibration"] = {{"method", calibration.value("method", "")},
                          {"version", calibrated_version},
                          {"calibrator", calibration},
                          {"cross_fitted", cal}};
  } else {
    doc["calibration"] = nullptr;
  }
  return doc;
}

}  // namespace prospect
