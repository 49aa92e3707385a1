// FeaturePipeline fit/transform/serialisation. Numeric columns: impute, then scale (the
// missing indicator is 0/1 and not scaled). Categorical columns: one-hot, frequency or
// target encoding. Quantiles use linear interpolation (numpy's default).
#include "prospect/features/pipeline.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/quantile.hpp"
#include "prospect/common/rng.hpp"
#include "prospect/common/strings.hpp"

namespace prospect {
namespace {

constexpr const char* kMissingLevel = "(missing)";
constexpr const char* kOtherLevel = "__other__";
constexpr int kFormatVersion = 1;

bool IsCategoricalType(DataType t) { return IsStringLike(t); }

// A cell as a number: timestamps in days since epoch so scales stay sane; NaN for null.
double NumberAt(const Column& c, size_t row) {
  if (c.IsNull(row)) return std::numeric_limits<double>::quiet_NaN();
  if (c.type() == DataType::kTimestamp)
    return static_cast<double>(c.ints()[row]) / static_cast<double>(kMicrosPerDay);
  return c.NumericAt(row);
}

std::string LevelAt(const Column& c, size_t row) {
  return c.IsNull(row) ? std::string(kMissingLevel) : std::string(c.StringAt(row));
}

// Each row's index in `lookup` (SIZE_MAX when its level is not there). A dictionary-encoded
// column is looked up once per dictionary entry, not once per row.
std::vector<size_t> LevelIndices(const Column& c,
                                 const std::unordered_map<std::string, size_t>& lookup) {
  auto find = [&](const std::string& level) {
    auto it = lookup.find(level);
    return it == lookup.end() ? SIZE_MAX : it->second;
  };
  std::vector<size_t> out(c.size());
  if (c.type() == DataType::kCategorical) {
    std::vector<size_t> by_code(c.dictionary().size());
    for (size_t k = 0; k < by_code.size(); ++k) by_code[k] = find(c.dictionary()[k]);
    const size_t missing = find(std::string(kMissingLevel));
    const auto codes = c.codes();
    for (size_t r = 0; r < out.size(); ++r)
      out[r] = codes[r] < 0 ? missing : by_code[static_cast<size_t>(codes[r])];
  } else {
    for (size_t r = 0; r < out.size(); ++r) out[r] = find(LevelAt(c, r));
  }
  return out;
}

}  // namespace

const ParamSchema<PipelineParams>& PipelineParams::Schema() {
  static const ParamSchema<PipelineParams> schema(
      "feature pipeline", {{"impute",
                            &PipelineParams::impute,
                            "numeric null replacement",
                            {"mean", "median", "constant"}},
                           {"missing_indicators", &PipelineParams::missing_indicators,
                            "add COL_missing for columns with nulls"},
                           {"scale",
                            &PipelineParams::scale,
                            "numeric scaling",
                            {"standard", "minmax", "robust", "none"}},
                           {"categorical",
                            &PipelineParams::categorical,
                            "categorical encoding",
                            {"onehot", "frequency", "target"}},
                           {"max_categories", &PipelineParams::max_categories,
                            "one-hot levels kept per column", 1, 10000},
                           {"min_frequency", &PipelineParams::min_frequency,
                            "one-hot: rarer levels go to __other__", 1, 1e12},
                           {"target_folds", &PipelineParams::target_folds,
                            "target encoding: out-of-fold folds", 2, 100},
                           {"target_smoothing", &PipelineParams::target_smoothing,
                            "target encoding: prior weight", 0, 1e12}});
  return schema;
}

DenseMatrix FeaturePipeline::FitTransform(const Table& table,
                                          const std::vector<std::string>& columns,
                                          const std::vector<double>* target, const Context& ctx) {
  PipelineParams::Schema().Validate(params_);
  if (columns.empty())
    Fail(ErrorCode::kInvalidArgument, "feature pipeline: no feature columns to fit");
  if (table.num_rows() == 0)
    Fail(ErrorCode::kInvalidData, "feature pipeline: the training table has no rows");
  if (target && target->size() != table.num_rows()) {
    Fail(ErrorCode::kInternal, "feature pipeline: {} target values for {} rows", target->size(),
         table.num_rows());
  }
  const size_t n = table.num_rows();
  steps_.clear();
  feature_names_.clear();
  input_columns_ = columns;
  std::vector<std::vector<double>> oof(columns.size());

  for (size_t ci = 0; ci < columns.size(); ++ci) {
    const Column& col = table.column(columns[ci]);
    ColumnStep step;
    step.column = columns[ci];
    step.categorical = IsCategoricalType(col.type());
    if (!step.categorical) {
      std::vector<double> present;
      present.reserve(n);
      for (size_t r = 0; r < n; ++r) {
        const double v = NumberAt(col, r);
        if (!std::isnan(v)) present.push_back(v);
      }
      if (!present.empty()) {
        if (params_.impute == "mean") {
          step.fill = std::accumulate(present.begin(), present.end(), 0.0) /
                      static_cast<double>(present.size());
        } else if (params_.impute == "median") {
          step.fill = Quantile(present, 0.5);
        }
      }
      step.indicator = params_.missing_indicators && present.size() < n;
      std::vector<double> filled = present;
      filled.resize(n, step.fill);  // nulls take the fill value (order does not matter for scale)
      if (params_.scale == "standard") {
        const double mean =
            std::accumulate(filled.begin(), filled.end(), 0.0) / static_cast<double>(n);
        double ss = 0;
        for (double v : filled) ss += (v - mean) * (v - mean);
        const double sd =
            std::sqrt(ss / static_cast<double>(n));  // ddof = 0, as sklearn StandardScaler
        step.center = mean;
        step.scale = sd > 0 ? sd : 1;
      } else if (params_.scale == "minmax") {
        const auto [lo, hi] = std::minmax_element(filled.begin(), filled.end());
        step.center = *lo;
        step.scale = *hi > *lo ? *hi - *lo : 1;
      } else if (params_.scale == "robust" && !filled.empty()) {
        step.center = Quantile(filled, 0.5);
        const double iqr = Quantile(filled, 0.75) - Quantile(filled, 0.25);
        step.scale = iqr > 0 ? iqr : 1;
      }
      feature_names_.push_back(step.column);
      if (step.indicator) feature_names_.push_back(step.column + "_missing");
    } else {
      std::unordered_map<std::string, size_t> level_index;
      std::vector<std::string> levels;
      std::vector<int64_t> counts;
      std::vector<size_t> row_level(n);
      for (size_t r = 0; r < n; ++r) {
        auto [it, inserted] = level_index.emplace(LevelAt(col, r), levels.size());
        if (inserted) {
          levels.push_back(it->first);
          counts.push_back(0);
        }
        ++counts[it->second];
        row_level[r] = it->second;
      }
      if (params_.categorical == "onehot") {
        std::vector<size_t> order(levels.size());
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
          return counts[a] != counts[b] ? counts[a] > counts[b] : levels[a] < levels[b];
        });
        for (size_t k : order) {
          if (counts[k] >= params_.min_frequency &&
              step.levels.size() < static_cast<size_t>(params_.max_categories)) {
            step.levels.push_back(levels[k]);
          } else {
            step.has_other = true;
          }
        }
        for (const auto& level : step.levels) feature_names_.push_back(step.column + "=" + level);
        if (step.has_other) feature_names_.push_back(step.column + "=" + kOtherLevel);
      } else if (params_.categorical == "frequency") {
        step.levels = levels;
        for (int64_t c : counts)
          step.level_values.push_back(static_cast<double>(c) / static_cast<double>(n));
        step.unseen_value = 0;
        feature_names_.push_back(step.column);
      } else {  // target
        if (!target) {
          Fail(ErrorCode::kInvalidArgument,
               "feature pipeline: target encoding of {} needs a target column", step.column);
        }
        const double m = params_.target_smoothing;
        const double prior =
            std::accumulate(target->begin(), target->end(), 0.0) / static_cast<double>(n);
        std::vector<double> sums(levels.size(), 0.0);
        for (size_t r = 0; r < n; ++r) sums[row_level[r]] += (*target)[r];
        step.levels = levels;
        for (size_t k = 0; k < levels.size(); ++k) {
          step.level_values.push_back((sums[k] + m * prior) / (static_cast<double>(counts[k]) + m));
        }
        step.unseen_value = prior;
        // Out of fold: each row is encoded with statistics from the other folds only.
        const size_t folds = static_cast<size_t>(params_.target_folds);
        std::vector<size_t> perm(n);
        std::iota(perm.begin(), perm.end(), 0);
        Rng rng(DeriveSeed(ctx.seed(), 0x7a67e7));
        std::shuffle(perm.begin(), perm.end(), rng);
        std::vector<size_t> fold(n);
        for (size_t i = 0; i < n; ++i) fold[perm[i]] = i % folds;
        std::vector<std::vector<double>> fold_sum(folds, std::vector<double>(levels.size(), 0.0));
        std::vector<std::vector<int64_t>> fold_count(folds, std::vector<int64_t>(levels.size(), 0));
        std::vector<double> fold_target(folds, 0.0);
        std::vector<int64_t> fold_rows(folds, 0);
        for (size_t r = 0; r < n; ++r) {
          fold_sum[fold[r]][row_level[r]] += (*target)[r];
          ++fold_count[fold[r]][row_level[r]];
          fold_target[fold[r]] += (*target)[r];
          ++fold_rows[fold[r]];
        }
        const double total_target = std::accumulate(fold_target.begin(), fold_target.end(), 0.0);
        oof[ci].resize(n);
        for (size_t r = 0; r < n; ++r) {
          const size_t f = fold[r], k = row_level[r];
          const double rest_rows = static_cast<double>(static_cast<int64_t>(n) - fold_rows[f]);
          const double rest_prior =
              rest_rows > 0 ? (total_target - fold_target[f]) / rest_rows : prior;
          const double rest_sum = sums[k] - fold_sum[f][k];
          const double rest_count = static_cast<double>(counts[k] - fold_count[f][k]);
          oof[ci][r] = (rest_sum + m * rest_prior) / (rest_count + m);
        }
        feature_names_.push_back(step.column);
      }
    }
    steps_.push_back(std::move(step));
  }
  fitted_ = true;
  return TransformRows(table, oof, ctx);
}

DenseMatrix FeaturePipeline::Transform(const Table& table, const Context& ctx) const {
  if (!fitted_) Fail(ErrorCode::kFailedPrecondition, "feature pipeline: Transform before Fit");
  return TransformRows(table, std::vector<std::vector<double>>(steps_.size()), ctx);
}

DenseMatrix FeaturePipeline::TransformRows(const Table& table,
                                           const std::vector<std::vector<double>>& oof,
                                           const Context& ctx) const {
  const size_t n = table.num_rows(), d = feature_names_.size();
  std::vector<const Column*> cols;
  for (const auto& step : steps_) {
    if (!table.HasColumn(step.column)) {
      Fail(ErrorCode::kInvalidData,
           "the data has no column \"{}\", which the model was trained on ({} columns: {})",
           step.column, input_columns_.size(), Join(input_columns_, ", "));
    }
    const Column& c = table.column(step.column);
    if (IsCategoricalType(c.type()) != step.categorical) {
      Fail(ErrorCode::kInvalidData, "column \"{}\" is {} here but was {} in training", step.column,
           DataTypeName(c.type()), step.categorical ? "categorical" : "numeric");
    }
    cols.push_back(&c);
  }
  DenseMatrix out(n, d);
  // Level lookups per step, built once.
  std::vector<std::unordered_map<std::string, size_t>> lookup(steps_.size());
  for (size_t s = 0; s < steps_.size(); ++s) {
    for (size_t k = 0; k < steps_[s].levels.size(); ++k) lookup[s].emplace(steps_[s].levels[k], k);
  }
  const bool onehot = params_.categorical == "onehot";
  size_t offset = 0;
  for (size_t s = 0; s < steps_.size(); ++s) {
    const ColumnStep& step = steps_[s];
    const Column& col = *cols[s];
    if (!step.categorical) {
      for (size_t r = 0; r < n; ++r) {
        const double v = NumberAt(col, r);
        const bool missing = std::isnan(v);
        out(r, offset) = ((missing ? step.fill : v) - step.center) / step.scale;
        if (step.indicator) out(r, offset + 1) = missing ? 1.0 : 0.0;
      }
      offset += step.indicator ? 2 : 1;
    } else if (onehot) {
      const size_t width = step.levels.size() + (step.has_other ? 1 : 0);
      const std::vector<size_t> level = LevelIndices(col, lookup[s]);
      for (size_t r = 0; r < n; ++r) {
        if (level[r] != SIZE_MAX) {
          out(r, offset + level[r]) = 1.0;
        } else if (step.has_other) {
          out(r, offset + step.levels.size()) = 1.0;
        }
      }
      offset += width;
    } else {
      const std::vector<size_t> level =
          oof[s].empty() ? LevelIndices(col, lookup[s]) : std::vector<size_t>();
      for (size_t r = 0; r < n; ++r) {
        if (!oof[s].empty()) {
          out(r, offset) = oof[s][r];
          continue;
        }
        out(r, offset) = level[r] != SIZE_MAX ? step.level_values[level[r]] : step.unseen_value;
      }
      offset += 1;
    }
    ctx.ThrowIfCancelled();
  }
  PROSPECT_CHECK(offset == d);
  return out;
}

nlohmann::json FeaturePipeline::ToJson() const {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : steps_) {
    steps.push_back({{"column", s.column},
                     {"categorical", s.categorical},
                     {"fill", s.fill},
                     {"indicator", s.indicator},
                     {"center", s.center},
                     {"scale", s.scale},
                     {"levels", s.levels},
                     {"level_values", s.level_values},
                     {"has_other", s.has_other},
                     {"unseen_value", s.unseen_value}});
  }
  return {{"format_version", kFormatVersion},
          {"params", PipelineParams::Schema().ToJson(params_)},
          {"input_columns", input_columns_},
          {"feature_names", feature_names_},
          {"steps", steps}};
}

FeaturePipeline FeaturePipeline::FromJson(const nlohmann::json& j) {
  try {
    const int version = j.at("format_version").get<int>();
    if (version > kFormatVersion) {
      Fail(ErrorCode::kFailedPrecondition,
           "feature pipeline format {} is newer than this prospect understands ({})", version,
           kFormatVersion);
    }
    FeaturePipeline p;
    PipelineParams::Schema().SetFromJson(p.params_, j.at("params"));
    p.input_columns_ = j.at("input_columns").get<std::vector<std::string>>();
    p.feature_names_ = j.at("feature_names").get<std::vector<std::string>>();
    size_t width = 0;
    for (const auto& s : j.at("steps")) {
      ColumnStep step;
      step.column = s.at("column").get<std::string>();
      step.categorical = s.at("categorical").get<bool>();
      step.fill = s.at("fill").get<double>();
      step.indicator = s.at("indicator").get<bool>();
      step.center = s.at("center").get<double>();
      step.scale = s.at("scale").get<double>();
      step.levels = s.at("levels").get<std::vector<std::string>>();
      step.level_values = s.at("level_values").get<std::vector<double>>();
      step.has_other = s.at("has_other").get<bool>();
      step.unseen_value = s.at("unseen_value").get<double>();
      if (!step.categorical) {
        width += step.indicator ? 2 : 1;
      } else if (p.params_.categorical == "onehot") {
        width += step.levels.size() + (step.has_other ? 1 : 0);
      } else {
        if (step.level_values.size() != step.levels.size())
          Fail(ErrorCode::kInvalidData, "level count mismatch");
        width += 1;
      }
      p.steps_.push_back(std::move(step));
    }
    if (width != p.feature_names_.size() || p.steps_.size() != p.input_columns_.size()) {
      Fail(ErrorCode::kInvalidData, "{} features declared, {} described", p.feature_names_.size(),
           width);
    }
    p.fitted_ = true;
    return p;
  } catch (const nlohmann::json::exception& e) {
    Fail(ErrorCode::kInvalidData, "feature pipeline: malformed description: {}", e.what());
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kFailedPrecondition) throw;
    Fail(ErrorCode::kInvalidData, "feature pipeline: malformed description: {}", e.what());
  }
}

}  // namespace prospect
