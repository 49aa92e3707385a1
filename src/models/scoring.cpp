// Scores, reasons and importance of a registered model (see scoring.hpp).
#include "prospect/models/scoring.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "prospect/common/error.hpp"
#include "prospect/common/rng.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/evaluate/metrics.hpp"
#include "prospect/models/registry.hpp"

namespace prospect {
namespace {

// Maps each pipeline output feature to its input column index.
std::vector<size_t> FeatureOwners(const FeaturePipeline& p) {
  std::vector<size_t> owner;
  const bool onehot = p.params().categorical == "onehot";
  for (size_t s = 0; s < p.steps().size(); ++s) {
    const auto& step = p.steps()[s];
    size_t width = 1;
    if (!step.categorical) {
      width = step.indicator ? 2 : 1;
    } else if (onehot) {
      width = step.levels.size() + (step.has_other ? 1 : 0);
    }
    owner.insert(owner.end(), width, s);
  }
  return owner;
}

// "days since last order" for "days_since_last_order".
std::string Readable(std::string name) {
  std::replace(name.begin(), name.end(), '_', ' ');
  return name;
}

// What a 0/1 target's positive class is, as a noun for "the chance of …": "churned" → "churn",
// "purchased_30d" → "a purchase within 30 days"; other names are read as they are.
std::string OutcomeNoun(const std::string& target) {
  static const std::pair<const char*, const char*> kNouns[] = {{"churned", "churn"},
                                                               {"churn", "churn"},
                                                               {"converted", "conversion"},
                                                               {"purchased", "a purchase"},
                                                               {"bought", "a purchase"},
                                                               {"visited", "a visit"},
                                                               {"clicked", "a click"},
                                                               {"responded", "a response"},
                                                               {"subscribed", "a subscription"},
                                                               {"retained", "retention"},
                                                               {"renewed", "a renewal"},
                                                               {"won", "a win"},
                                                               {"defaulted", "a default"},
                                                               {"cancelled", "cancellation"},
                                                               {"canceled", "cancellation"}};
  const std::string lower = ToLower(target);
  for (const auto& [word, noun] : kNouns) {
    if (lower == word || lower == std::string("is_") + word) return noun;
    // purchased_30d, churned_90d: the window in words.
    const std::string prefix = std::string(word) + "_";
    if (lower.rfind(prefix, 0) == 0 && lower.size() > prefix.size() + 1 && lower.back() == 'd' &&
        std::all_of(lower.begin() + static_cast<std::ptrdiff_t>(prefix.size()), lower.end() - 1,
                    [](char c) { return c >= '0' && c <= '9'; })) {
      return fmt::format("{} within {} days", noun,
                         lower.substr(prefix.size(), lower.size() - prefix.size() - 1));
    }
  }
  return Readable(target);
}

// Whole numbers and |v| >= 100 without decimals, smaller ones to 3 significant digits.
std::string Number(double v) {
  if ((v == std::floor(v) || std::fabs(v) >= 100) && std::fabs(v) < 1e15)
    return fmt::format("{:.0f}", v);
  return fmt::format("{:.3g}", v);
}

// One reason in words a marketer can read: what the value is, how it compares with the typical
// customer of the training data (the imputation median, when the pipeline kept one), and what it
// does to the outcome, with a strength from the size of the log-odds contribution.
std::string ReasonWords(const ModelPackage& model, size_t step_index, const Column& col, size_t row,
                        double contribution) {
  const FeaturePipeline::ColumnStep& step = model.pipeline.steps()[step_index];
  const std::string outcome =
      (model.positive == "1" || model.positive == "true" || model.positive == "yes" ||
       model.positive == "True" || model.positive == "Yes" || model.positive == "1.0")
          ? OutcomeNoun(model.target)
          : fmt::format("{} = {}", model.target, model.positive);
  const double size = std::fabs(contribution);
  const char* strength = size >= 1.0 ? "strongly " : size < 0.1 ? "slightly " : "";
  const std::string effect = fmt::format("{}{} the chance of {}", strength,
                                         contribution > 0 ? "raises" : "lowers", outcome);
  const std::string what = Readable(step.column);
  if (col.IsNull(row)) return fmt::format("{} is unknown, which {}", what, effect);
  if (step.categorical || !IsNumeric(col.type()))
    return fmt::format("{} is {}, which {}", what, col.FormatValue(row), effect);
  const double v = col.NumericAt(row);
  const bool has_typical = model.pipeline.params().impute == "median";
  if (!has_typical || v == step.fill)
    return fmt::format("{} is {}, which {}", what, Number(v), effect);
  return fmt::format("{} is {} ({} the typical {}), which {}", what, Number(v),
                     v > step.fill ? "above" : "below", Number(step.fill), effect);
}

}  // namespace

std::vector<std::vector<Reason>> ExplainRows(const ModelPackage& model, const Table& table,
                                             size_t top, const Context& ctx) {
  const DenseMatrix x = model.pipeline.Transform(table, ctx);
  const size_t d = x.cols();
  const std::vector<double> contrib = model.regressor ? model.regressor->Contributions(x, ctx)
                                                      : model.classifier->Contributions(x, ctx);
  const std::vector<size_t> owner = FeatureOwners(model.pipeline);
  const auto& inputs = model.pipeline.input_columns();
  std::vector<std::vector<Reason>> out(table.num_rows());
  for (size_t r = 0; r < table.num_rows(); ++r) {
    std::vector<double> per(inputs.size(), 0.0);
    for (size_t j = 0; j < d; ++j) per[owner[j]] += contrib[r * (d + 1) + j];
    std::vector<size_t> order(inputs.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return std::abs(per[a]) > std::abs(per[b]); });
    for (size_t i = 0; i < order.size() && i < top; ++i) {
      const size_t c = order[i];
      if (per[c] == 0) break;
      Reason reason;
      reason.column = inputs[c];
      const Column& col = table.column(inputs[c]);
      reason.value = col.IsNull(r) ? "missing" : col.FormatValue(r);
      reason.contribution = per[c];
      reason.words = ReasonWords(model, c, col, r, per[c]);
      out[r].push_back(std::move(reason));
    }
  }
  return out;
}

nlohmann::json GlobalImportance(const ModelPackage& model, const Table* table, const Context& ctx) {
  const auto& inputs = model.pipeline.input_columns();
  const std::vector<size_t> owner = FeatureOwners(model.pipeline);
  std::vector<double> own(inputs.size(), 0.0);
  const auto imp = model.regressor ? model.regressor->Importance() : model.classifier->Importance();
  for (size_t j = 0; j < imp.size(); ++j) own[owner[j]] += imp[j];
  std::vector<double> perm(inputs.size(), NAN);
  double baseline = NAN;
  std::string permutation_rows;
  if (table && table->HasColumn(model.target) &&
      !model.regressor) {  // permutation AUC: classifiers
    // Permutation importance on up to 20,000 rows — the held-out ones when `table` is the
    // training table — shuffling one column's features across rows.
    std::vector<size_t> rows = HeldOutRows(model, *table);
    permutation_rows = rows.empty() ? "all" : "held-out";
    if (rows.empty()) {
      rows.resize(table->num_rows());
      std::iota(rows.begin(), rows.end(), 0);
    }
    Rng rng(DeriveSeed(ctx.seed(), 99));
    if (rows.size() > 20000) {
      std::shuffle(rows.begin(), rows.end(), rng);
      rows.resize(20000);
    }
    const Table all = table->Take(rows);
    std::vector<double> y_all = model.Labels(all);
    std::vector<size_t> known;
    for (size_t r = 0; r < y_all.size(); ++r) {
      if (!std::isnan(y_all[r])) known.push_back(r);
    }
    const Table sample = all.Take(known);
    const std::vector<double> y = model.Labels(sample);
    const DenseMatrix x = model.pipeline.Transform(sample, ctx);
    const size_t n = x.rows(), d = x.cols();
    baseline = RocAuc(y, model.classifier->PredictProba(x, ctx));
    for (size_t c = 0; c < inputs.size(); ++c) {
      std::vector<size_t> order(n);
      std::iota(order.begin(), order.end(), 0);
      std::shuffle(order.begin(), order.end(), rng);
      DenseMatrix shuffled = x;
      for (size_t r = 0; r < n; ++r) {
        for (size_t j = 0; j < d; ++j) {
          if (owner[j] == c) shuffled(r, j) = x(order[r], j);
        }
      }
      perm[c] = baseline - RocAuc(y, model.classifier->PredictProba(shuffled, ctx));
    }
  }
  const std::string& importance_kind =
      model.regressor ? RegressorRegistry().Find(model.regressor->Type()).traits.importance_kind
                      : ClassifierRegistry().Find(model.classifier->Type()).traits.importance_kind;
  nlohmann::json rows = nlohmann::json::array();
  std::vector<size_t> order(inputs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return own[a] > own[b]; });
  for (size_t c : order) {
    rows.push_back({{"column", inputs[c]},
                    {"importance", own[c]},
                    {"permutation_auc_drop",
                     std::isnan(perm[c]) ? nlohmann::json() : nlohmann::json(perm[c])}});
  }
  return {{"model", model.name},
          {"version", model.version},
          {"importance_kind", importance_kind},
          {"baseline_auc", std::isnan(baseline) ? nlohmann::json() : nlohmann::json(baseline)},
          {"permutation_rows",
           permutation_rows.empty() ? nlohmann::json() : nlohmann::json(permutation_rows)},
          {"columns", rows}};
}

Table ScoreTable(const ModelPackage& model, const Table& table, const Context& ctx) {
  const std::vector<double> predicted = model.Score(table, ctx);
  ColumnVector<double> scores(predicted.begin(), predicted.end());
  if (!model.id_column.empty() && table.HasColumn(model.id_column)) {
    const ColumnPtr id = table.column(table.ColumnIndex(model.id_column));
    return Table(Schema({{model.id_column, id->type()}, {"score", DataType::kDouble}}),
                 {id, Column::FromDoubles(std::move(scores))});
  }
  ColumnVector<int64_t> rows(table.num_rows());
  std::iota(rows.begin(), rows.end(), int64_t{1});
  return Table(Schema({{"row", DataType::kInt64}, {"score", DataType::kDouble}}),
               {Column::FromInts(DataType::kInt64, std::move(rows)),
                Column::FromDoubles(std::move(scores))});
}

nlohmann::json CustomerExplanation::ToJson() const {
  nlohmann::json rs = nlohmann::json::array();
  for (const Reason& r : reasons) {
    rs.push_back({{"column", r.column},
                  {"value", r.value},
                  {"contribution", r.contribution},
                  {"words", r.words}});
  }
  return {{"model", model}, {"customer", customer}, {"score", score}, {"reasons", rs}};
}

CustomerExplanation ExplainCustomer(const ModelPackage& model, const Table& table,
                                    const std::string& customer, size_t top, const Context& ctx) {
  if (model.id_column.empty()) {
    Fail(ErrorCode::kInvalidArgument,
         "model {} was trained without an id column, so customers cannot be looked up", model.name);
  }
  const Column& ids = table.column(model.id_column);
  for (size_t r = 0; r < table.num_rows(); ++r) {
    if (ids.IsNull(r) || ids.FormatValue(r) != customer) continue;
    const Table row = table.Take(std::vector<size_t>{r});
    CustomerExplanation out;
    out.model = model.name;
    out.customer = customer;
    out.score = model.Score(row, ctx)[0];
    out.reasons = ExplainRows(model, row, top, ctx)[0];
    return out;
  }
  Fail(ErrorCode::kNotFound, "no customer {} in column {}", customer, model.id_column);
}

}  // namespace prospect
