// Experiment analysis: groups rows by variant, extracts metric values, and runs the tests of
// stats.hpp / sequential.hpp / bayes.hpp per (metric, variant) with a correction over the family.
#include "prospect/experiment/analysis.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <unordered_map>

#include "prospect/common/datetime.hpp"
#include "prospect/common/enum_names.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/large_buffer.hpp"
#include "prospect/common/rng.hpp"
#include "prospect/common/strings.hpp"

namespace prospect::experiment {

// The power at which `mde_absolute` is quoted.
constexpr double kMdePower = 0.8;

namespace {

// Rows grouped by variant: group[row] is the variant index (0 = control) or -1.
struct Grouping {
  std::vector<std::string> names;
  LargeVector<int32_t> group;  ///< variant index per row, -1 for rows left out
  std::vector<int64_t> counts;
  int64_t missing = 0;
};

Grouping GroupRows(const Table& table, const std::string& column_name, const std::string& control) {
  const Column& col = table.column(column_name);
  const size_t n = table.num_rows();
  std::vector<std::string> seen;  // in first-seen order
  std::vector<int32_t> raw(n, -1);
  if (col.type() == DataType::kCategorical) {
    const auto codes = col.codes();
    std::vector<int32_t> map(col.dictionary().size(), -1);
    for (size_t i = 0; i < n; ++i) {
      const int32_t code = codes[i];
      if (code < 0) continue;
      if (map[static_cast<size_t>(code)] < 0) {
        map[static_cast<size_t>(code)] = static_cast<int32_t>(seen.size());
        seen.push_back(col.dictionary()[static_cast<size_t>(code)]);
      }
      raw[i] = map[static_cast<size_t>(code)];
    }
  } else {
    std::unordered_map<std::string, int32_t> index;
    std::string last;
    int32_t last_id = -1;
    std::string text;
    for (size_t i = 0; i < n; ++i) {
      if (col.IsNull(i)) continue;
      if (IsStringLike(col.type())) {
        text.assign(col.StringAt(i));
      } else {
        text = col.FormatValue(i);
      }
      if (last_id >= 0 && text == last) {
        raw[i] = last_id;
        continue;
      }
      auto [it, inserted] = index.try_emplace(text, static_cast<int32_t>(seen.size()));
      if (inserted) seen.push_back(text);
      raw[i] = it->second;
      last = text;
      last_id = it->second;
    }
  }
  // Control first, then the others sorted by name, so output order does not depend on row order.
  auto control_it = std::find(seen.begin(), seen.end(), control);
  if (control_it == seen.end()) {
    std::vector<std::string> sorted = seen;
    std::sort(sorted.begin(), sorted.end());
    if (sorted.size() > 20) sorted.resize(20);
    Fail(ErrorCode::kInvalidArgument, "control {} does not occur in column {}. {}Values there: {}.",
         QuoteForMessage(control), QuoteForMessage(column_name), DidYouMean(control, sorted),
         Join(sorted, ", "));
  }
  if (seen.size() < 2) {
    Fail(ErrorCode::kInvalidData,
         "column {} holds only the control {}: an experiment needs at least 2 variants",
         QuoteForMessage(column_name), QuoteForMessage(control));
  }
  Grouping g;
  g.names.push_back(control);
  std::vector<std::string> others;
  for (const auto& s : seen) {
    if (s != control) others.push_back(s);
  }
  std::sort(others.begin(), others.end());
  g.names.insert(g.names.end(), others.begin(), others.end());
  std::vector<int32_t> remap(seen.size());
  for (size_t k = 0; k < seen.size(); ++k) {
    remap[k] =
        static_cast<int32_t>(std::find(g.names.begin(), g.names.end(), seen[k]) - g.names.begin());
  }
  g.group.resize(n);
  g.counts.assign(g.names.size(), 0);
  for (size_t i = 0; i < n; ++i) {
    if (raw[i] < 0) {
      g.group[i] = -1;
      ++g.missing;
    } else {
      g.group[i] = remap[static_cast<size_t>(raw[i])];
      ++g.counts[static_cast<size_t>(g.group[i])];
    }
  }
  return g;
}

void CheckNumeric(const Column& col, const std::string& name) {
  const DataType t = col.type();
  if (t != DataType::kBool && t != DataType::kInt64 && t != DataType::kDouble) {
    Fail(ErrorCode::kInvalidArgument,
         "metric column {} has type {}; metrics must be bool, int64 or double columns (binary "
         "metrics: bool or "
         "0/1 integers)",
         QuoteForMessage(name), DataTypeName(t));
  }
}

inline double ValueAt(const Column& col, size_t i) {
  switch (col.type()) {
    case DataType::kBool: return col.bools()[i];
    case DataType::kInt64: return static_cast<double>(col.ints()[i]);
    default: return col.doubles()[i];
  }
}

bool IsBinary(const Column& col) {
  if (col.type() == DataType::kBool) return true;
  if (col.type() != DataType::kInt64) return false;
  const auto ints = col.ints();
  for (size_t i = 0; i < ints.size(); ++i) {
    if ((ints[i] != 0 && ints[i] != 1) && !col.IsNull(i)) return false;
  }
  return true;
}

// Per-variant values of one metric (and, aligned, of the CUPED covariate and the day).
struct Samples {
  std::vector<LargeVector<double>> values;
  std::vector<LargeVector<double>> covariate;
  std::vector<LargeVector<int64_t>> days;
};

Samples Gather(const Grouping& g, const Column& metric, const Column* covariate,
               const Column* date) {
  Samples s;
  const size_t k = g.names.size();
  s.values.resize(k);
  if (covariate) s.covariate.resize(k);
  if (date) s.days.resize(k);
  for (size_t v = 0; v < k; ++v) {
    s.values[v].reserve(static_cast<size_t>(g.counts[v]));
  }
  const bool no_nulls = metric.null_count() == 0 && !covariate && !date;
  const size_t n = g.group.size();
  if (no_nulls && metric.type() == DataType::kDouble) {
    const auto d = metric.doubles();
    for (size_t i = 0; i < n; ++i) {
      const int32_t v = g.group[i];
      if (v >= 0) s.values[static_cast<size_t>(v)].push_back(d[i]);
    }
    return s;
  }
  for (size_t i = 0; i < n; ++i) {
    const int32_t v = g.group[i];
    if (v < 0 || metric.IsNull(i)) continue;
    if (covariate && covariate->IsNull(i)) continue;
    if (date && date->IsNull(i)) continue;
    s.values[static_cast<size_t>(v)].push_back(ValueAt(metric, i));
    if (covariate) s.covariate[static_cast<size_t>(v)].push_back(ValueAt(*covariate, i));
    if (date) {
      // Timestamps are bucketed by UTC day so the timeline has one point per day.
      const int64_t day =
          date->type() == DataType::kTimestamp ? DayOfTimestamp(date->ints()[i]) : date->ints()[i];
      s.days[static_cast<size_t>(v)].push_back(day);
    }
  }
  return s;
}

VariantSummary SummarizeBinary(const std::string& name, std::span<const double> values,
                               double alpha) {
  VariantSummary s;
  s.name = name;
  s.n = static_cast<int64_t>(values.size());
  double successes = 0;
  for (double v : values) successes += v;
  if (s.n == 0) return s;
  s.mean = successes / static_cast<double>(s.n);
  s.variance = s.mean * (1.0 - s.mean);
  s.std_error = std::sqrt(s.variance / static_cast<double>(s.n));
  const double z = NormalQuantile(1.0 - alpha / 2.0);
  s.ci_low = s.mean - z * s.std_error;
  s.ci_high = s.mean + z * s.std_error;
  return s;
}

VariantSummary SummarizeContinuous(const std::string& name, const SampleStats& st, double alpha) {
  VariantSummary s;
  s.name = name;
  s.n = st.n;
  s.mean = st.mean;
  s.variance = st.variance;
  if (st.n < 2) return s;
  s.std_error = std::sqrt(st.variance / static_cast<double>(st.n));
  const double q = StudentTQuantile(1.0 - alpha / 2.0, static_cast<double>(st.n - 1));
  s.ci_low = s.mean - q * s.std_error;
  s.ci_high = s.mean + q * s.std_error;
  return s;
}

void RequireUnits(const std::string& metric, const std::string& variant, int64_t n,
                  int64_t needed) {
  if (n < needed) {
    Fail(ErrorCode::kInvalidData,
         "metric {}: variant {} has {} non-null value(s); at least {} are needed",
         QuoteForMessage(metric), QuoteForMessage(variant), n, needed);
  }
}

// Cumulative per-day moments → timeline points for treatment `t` against control 0.
std::vector<TimelinePoint> BuildTimeline(const Samples& s, size_t t, bool binary, double tau2,
                                         double alpha) {
  std::map<int64_t, std::array<double, 6>> per_day;  // n_t, sum_t, ss_t, n_c, sum_c, ss_c
  for (size_t side = 0; side < 2; ++side) {
    const size_t v = side == 0 ? t : 0;
    for (size_t i = 0; i < s.values[v].size(); ++i) {
      auto& a = per_day[s.days[v][i]];
      const double x = s.values[v][i];
      a[side * 3] += 1;
      a[side * 3 + 1] += x;
      a[side * 3 + 2] += x * x;
    }
  }
  std::vector<TimelinePoint> out;
  std::array<double, 6> cum{};
  SequentialTest seq(tau2, alpha);
  const double z = NormalQuantile(1.0 - alpha / 2.0);
  for (const auto& [day, a] : per_day) {
    for (size_t j = 0; j < 6; ++j) cum[j] += a[j];
    if (cum[0] < 2 || cum[3] < 2) continue;
    auto var_of = [&](double n, double sum, double ss) {
      const double m = sum / n;
      return binary ? m * (1 - m) : std::max(0.0, (ss - n * m * m) / (n - 1));
    };
    TimelinePoint p;
    p.day = day;
    p.n_treatment = static_cast<int64_t>(cum[0]);
    p.n_control = static_cast<int64_t>(cum[3]);
    p.lift = cum[1] / cum[0] - cum[4] / cum[3];
    const double variance =
        var_of(cum[0], cum[1], cum[2]) / cum[0] + var_of(cum[3], cum[4], cum[5]) / cum[3];
    p.ci_low = p.lift - z * std::sqrt(variance);
    p.ci_high = p.lift + z * std::sqrt(variance);
    const MsprtLook look = seq.Update(p.lift, variance);
    p.sequential_p = look.p_value;
    p.sequential_low = look.ci_low;
    p.sequential_high = look.ci_high;
    out.push_back(p);
  }
  return out;
}

}  // namespace

RatioMetric ParseRatioMetric(std::string_view text) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size() ||
      text.find('/', slash + 1) != std::string_view::npos) {
    Fail(ErrorCode::kInvalidArgument,
         "--ratio {}: expected NUMERATOR/DENOMINATOR column names, e.g. --ratio revenue/orders",
         QuoteForMessage(text));
  }
  return {std::string(Trim(text.substr(0, slash))), std::string(Trim(text.substr(slash + 1)))};
}

std::string_view MetricKindName(MetricKind kind) {
  static constexpr EnumName<MetricKind> kNames[] = {{MetricKind::kBinary, "binary"},
                                                    {MetricKind::kContinuous, "continuous"},
                                                    {MetricKind::kRatio, "ratio"}};
  return NameOf(kNames, kind);
}

ExperimentAnalysis AnalyzeExperiment(const Table& table, const AnalysisOptions& options,
                                     const Context& ctx) {
  if (options.metrics.empty() && options.ratios.empty()) {
    Fail(ErrorCode::kInvalidArgument,
         "no metric to analyse: give at least one --metric COL (or --ratio NUM/DEN)");
  }
  if (!(options.alpha > 0.0 && options.alpha < 1.0)) {
    Fail(ErrorCode::kOutOfRange, "--alpha {} is out of range: it must be strictly between 0 and 1",
         options.alpha);
  }
  if (!(options.winsorize == 0.0 || (options.winsorize > 0.0 && options.winsorize < 100.0))) {
    Fail(ErrorCode::kOutOfRange,
         "--winsorize {} is out of range: give a percentile in (0, 100), e.g. 99",
         options.winsorize);
  }
  if (!(options.tau_sd > 0.0))
    Fail(ErrorCode::kOutOfRange, "--tau {} must be positive", options.tau_sd);
  ExperimentAnalysis out;
  out.variant_column = options.variant_column;
  out.control = options.control;
  out.alpha = options.alpha;
  out.correction = options.correction;
  out.tau_sd = options.tau_sd;
  out.prior = options.prior;

  const Grouping g = GroupRows(table, options.variant_column, options.control);
  out.variants = g.names;
  out.rows_without_variant = g.missing;
  const size_t k = g.names.size();

  // Sample-ratio mismatch: counts of units per variant against the planned shares.
  out.srm.variants = g.names;
  out.srm.observed = g.counts;
  out.srm.threshold = options.srm_threshold;
  out.srm.expected_shares.assign(k, 1.0 / static_cast<double>(k));
  if (!options.expected_shares.empty()) {
    double total = 0.0;
    for (const auto& w : options.expected_shares) total += w.weight;
    for (size_t v = 0; v < k; ++v) {
      auto it = std::find_if(options.expected_shares.begin(), options.expected_shares.end(),
                             [&](const VariantWeight& w) { return w.name == g.names[v]; });
      if (it == options.expected_shares.end()) {
        Fail(ErrorCode::kInvalidArgument,
             "--weights gives no share for variant {}; name every variant: {}",
             QuoteForMessage(g.names[v]), Join(g.names, ", "));
      }
      out.srm.expected_shares[v] = it->weight / total;
    }
  }
  out.srm.chi_square = ChiSquareGoodnessOfFit(out.srm.observed, out.srm.expected_shares);
  out.srm.mismatch = out.srm.chi_square.p_value < options.srm_threshold;
  if (out.srm.mismatch) {
    out.warnings.push_back(
        fmt::format("sample ratio mismatch: chi-square p = {:.3g} < {} — the split is not what was "
                    "planned, so the results "
                    "may be biased; check assignment and logging before trusting them",
                    out.srm.chi_square.p_value, options.srm_threshold));
  }
  if (g.missing > 0) {
    out.warnings.push_back(fmt::format("{} row(s) have no value in {} and were left out", g.missing,
                                       QuoteForMessage(options.variant_column)));
  }

  const Column* covariate = nullptr;
  if (!options.cuped_column.empty()) {
    covariate = &table.column(options.cuped_column);
    CheckNumeric(*covariate, options.cuped_column);
  }
  const Column* date = nullptr;
  if (!options.date_column.empty()) {
    date = &table.column(options.date_column);
    if (!IsIntegerStorage(date->type())) {
      Fail(ErrorCode::kInvalidArgument,
           "--date column {} has type {}; it must be a date, timestamp or int64 column",
           QuoteForMessage(options.date_column), DataTypeName(date->type()));
    }
    out.timeline_is_calendar =
        date->type() == DataType::kDate || date->type() == DataType::kTimestamp;
  }
  const double z_alpha = NormalQuantile(1.0 - options.alpha / 2.0);
  uint64_t stream = 0;

  for (const std::string& name : options.metrics) {
    ctx.ThrowIfCancelled();
    const Column& col = table.column(name);
    CheckNumeric(col, name);
    MetricResult m;
    m.name = name;
    m.kind = IsBinary(col) ? MetricKind::kBinary : MetricKind::kContinuous;
    Samples s = Gather(g, col, covariate, date);
    for (size_t v = 0; v < k; ++v)
      RequireUnits(name, g.names[v], static_cast<int64_t>(s.values[v].size()), 2);

    if (m.kind == MetricKind::kContinuous && options.winsorize > 0.0) {
      std::vector<double> pooled;
      for (const auto& vals : s.values) pooled.insert(pooled.end(), vals.begin(), vals.end());
      const double cap = PercentileLinear(std::move(pooled), options.winsorize);
      m.winsor_cap = cap;
      for (auto& vals : s.values) {
        for (double& x : vals) x = std::min(x, cap);
      }
    }

    std::vector<SampleStats> stats(k);
    for (size_t v = 0; v < k; ++v) {
      stats[v] = Summarize(s.values[v]);
      m.variants.push_back(m.kind == MetricKind::kBinary
                               ? SummarizeBinary(g.names[v], s.values[v], options.alpha)
                               : SummarizeContinuous(g.names[v], stats[v], options.alpha));
    }

    // CUPED (Deng, Xu, Kohavi & Walker 2013): Y - theta (X - mean X), theta = cov(X, Y) / var(X)
    // over all units of all variants, so the adjustment is the same function for every arm.
    std::vector<SampleStats> adjusted;
    if (covariate) {
      double sx = 0, sy = 0, nn = 0;
      for (size_t v = 0; v < k; ++v) {
        for (size_t i = 0; i < s.values[v].size(); ++i)
          sx += s.covariate[v][i], sy += s.values[v][i], nn += 1;
      }
      const double mx = sx / nn, my = sy / nn;
      double sxy = 0, sxx = 0;
      for (size_t v = 0; v < k; ++v) {
        for (size_t i = 0; i < s.values[v].size(); ++i) {
          const double dx = s.covariate[v][i] - mx;
          sxy += dx * (s.values[v][i] - my);
          sxx += dx * dx;
        }
      }
      if (!(sxx > 0.0)) {
        Fail(ErrorCode::kInvalidData,
             "--cuped column {} is constant, so it cannot reduce variance; pick a pre-period "
             "metric that varies between units",
             QuoteForMessage(options.cuped_column));
      }
      m.cuped = true;
      m.cuped_theta = sxy / sxx;
      for (size_t v = 0; v < k; ++v) {
        for (size_t i = 0; i < s.values[v].size(); ++i)
          s.values[v][i] -= m.cuped_theta * (s.covariate[v][i] - mx);
        adjusted.push_back(Summarize(s.values[v]));
      }
      // Variance of the control-vs-rest differences before and after, summed over comparisons.
      double before = 0, after = 0;
      for (size_t v = 1; v < k; ++v) {
        before += stats[v].variance / stats[v].n + stats[0].variance / stats[0].n;
        after += adjusted[v].variance / adjusted[v].n + adjusted[0].variance / adjusted[0].n;
      }
      m.variance_reduction = before > 0 ? 1.0 - after / before : 0.0;
    }

    const std::vector<SampleStats>& used = covariate ? adjusted : stats;
    if (options.bayesian) {
      for (size_t v = 0; v < k; ++v) {
        if (m.kind == MetricKind::kBinary && !covariate) {
          const auto successes =
              static_cast<int64_t>(std::llround(m.variants[v].mean * m.variants[v].n));
          m.posteriors.push_back(
              BetaPosterior(successes, m.variants[v].n, options.prior, options.alpha));
        } else {
          m.posteriors.push_back(NormalPosterior(used[v], options.alpha));
        }
      }
    }

    for (size_t v = 1; v < k; ++v) {
      Comparison c;
      c.variant = g.names[v];
      double se_t = 0, se_c = 0, variance = 0;
      if (m.kind == MetricKind::kBinary && !covariate) {
        c.test = "two-proportion z";
        const auto x_t = static_cast<int64_t>(std::llround(m.variants[v].mean * m.variants[v].n));
        const auto x_c = static_cast<int64_t>(std::llround(m.variants[0].mean * m.variants[0].n));
        c.absolute = TwoProportionZTest(x_t, m.variants[v].n, x_c, m.variants[0].n, options.alpha);
        se_t = m.variants[v].std_error;
        se_c = m.variants[0].std_error;
      } else {
        c.test = covariate ? "cuped welch t" : "welch t";
        c.absolute = WelchTTest(used[v], used[0], options.alpha);
        se_t = std::sqrt(used[v].variance / used[v].n);
        se_c = std::sqrt(used[0].variance / used[0].n);
      }
      variance = se_t * se_t + se_c * se_c;
      c.relative = RelativeLift(used[v].mean, se_t, used[0].mean, se_c, options.alpha);
      if (m.kind == MetricKind::kContinuous && options.mann_whitney && !covariate) {
        c.mann_whitney = MannWhitneyU(s.values[v], s.values[0]);
      }
      // Mixing variance in units of the pooled per-unit variance of the two arms.
      const double n_t = static_cast<double>(used[v].n), n_c = static_cast<double>(used[0].n);
      const double unit_var =
          (m.kind == MetricKind::kBinary && !covariate)
              ? (m.variants[v].variance * n_t + m.variants[0].variance * n_c) / (n_t + n_c)
              : (used[v].variance * n_t + used[0].variance * n_c) / (n_t + n_c);
      const double tau2 = options.tau_sd * options.tau_sd * unit_var;
      if (options.sequential && tau2 > 0.0)
        c.sequential = Msprt(c.absolute.estimate, variance, tau2, options.alpha);
      if (date && tau2 > 0.0) {
        c.timeline =
            BuildTimeline(s, v, m.kind == MetricKind::kBinary && !covariate, tau2, options.alpha);
        if (options.sequential && !c.timeline.empty()) {
          // With a date the always-valid p-value is the running minimum over the days.
          c.sequential->p_value = c.timeline.back().sequential_p;
          c.sequential->ci_low = c.timeline.back().sequential_low;
          c.sequential->ci_high = c.timeline.back().sequential_high;
        }
      }
      if (options.bayesian) {
        const uint64_t seed = DeriveSeed(ctx.seed(), stream++);
        c.bayes = (m.kind == MetricKind::kBinary && !covariate)
                      ? CompareBeta(m.posteriors[v], m.posteriors[0], options.alpha, seed,
                                    options.bayes_draws)
                      : CompareNormal(m.posteriors[v], m.posteriors[0], options.alpha, seed,
                                      options.bayes_draws);
      }
      m.comparisons.push_back(std::move(c));
    }
    out.metrics.push_back(std::move(m));
  }

  for (const RatioMetric& r : options.ratios) {
    ctx.ThrowIfCancelled();
    const Column& num = table.column(r.numerator);
    const Column& den = table.column(r.denominator);
    CheckNumeric(num, r.numerator);
    CheckNumeric(den, r.denominator);
    MetricResult m;
    m.name = r.Name();
    m.kind = MetricKind::kRatio;
    std::vector<std::vector<double>> ys(k), xs(k);
    for (size_t i = 0; i < g.group.size(); ++i) {
      const int32_t v = g.group[i];
      if (v < 0 || num.IsNull(i) || den.IsNull(i)) continue;
      ys[static_cast<size_t>(v)].push_back(ValueAt(num, i));
      xs[static_cast<size_t>(v)].push_back(ValueAt(den, i));
    }
    std::vector<RatioStats> rs(k);
    for (size_t v = 0; v < k; ++v) {
      RequireUnits(m.name, g.names[v], static_cast<int64_t>(ys[v].size()), 2);
      rs[v] = DeltaMethodRatio(ys[v], xs[v]);
      VariantSummary s;
      s.name = g.names[v];
      s.n = rs[v].n;
      s.mean = rs[v].ratio;
      s.std_error = std::sqrt(rs[v].variance);
      s.variance = rs[v].variance * static_cast<double>(rs[v].n);
      s.ci_low = s.mean - z_alpha * s.std_error;
      s.ci_high = s.mean + z_alpha * s.std_error;
      m.variants.push_back(s);
      if (options.bayesian) {
        // Large-sample Normal posterior of the ratio (flat prior, delta-method variance).
        Posterior p;
        p.mean = s.mean;
        p.sd = s.std_error;
        p.ci_low = s.ci_low;
        p.ci_high = s.ci_high;
        m.posteriors.push_back(p);
      }
    }
    for (size_t v = 1; v < k; ++v) {
      Comparison c;
      c.variant = g.names[v];
      c.test = "delta-method z";
      const double variance = rs[v].variance + rs[0].variance;
      c.absolute = ZTestFromEstimate(rs[v].ratio - rs[0].ratio, std::sqrt(variance), options.alpha);
      c.relative = RelativeLift(rs[v].ratio, std::sqrt(rs[v].variance), rs[0].ratio,
                                std::sqrt(rs[0].variance), options.alpha);
      const double unit_var =
          (m.variants[v].variance * rs[v].n + m.variants[0].variance * rs[0].n) /
          static_cast<double>(rs[v].n + rs[0].n);
      const double tau2 = options.tau_sd * options.tau_sd * unit_var;
      if (options.sequential && tau2 > 0.0)
        c.sequential = Msprt(c.absolute.estimate, variance, tau2, options.alpha);
      if (options.bayesian) {
        c.bayes = CompareNormal(m.posteriors[v], m.posteriors[0], options.alpha,
                                DeriveSeed(ctx.seed(), stream++), options.bayes_draws);
      }
      m.comparisons.push_back(std::move(c));
    }
    out.metrics.push_back(std::move(m));
  }

  // One family: every (metric, variant) comparison's primary p-value.
  std::vector<double> p_values;
  for (const auto& m : out.metrics) {
    for (const auto& c : m.comparisons) p_values.push_back(c.absolute.p_value);
  }
  const Corrected corrected = AdjustPValues(p_values, options.correction, options.alpha);
  size_t idx = 0;
  const double z_power = NormalQuantile(kMdePower);
  for (auto& m : out.metrics) {
    for (auto& c : m.comparisons) {
      c.p_adjusted = corrected.p_adjusted[idx];
      c.significant = corrected.reject[idx];
      ++idx;
      c.mde_absolute = (z_alpha + z_power) * c.absolute.std_error;
      const double control = m.variants[0].mean;
      c.mde_relative = control != 0.0 ? c.mde_absolute / std::abs(control) : NAN;
    }
  }
  return out;
}

namespace {

nlohmann::json Num(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(); }

nlohmann::json Interval(double low, double high) {
  return nlohmann::json::array({Num(low), Num(high)});
}

}  // namespace

nlohmann::json AnalysisToJson(const ExperimentAnalysis& a) {
  nlohmann::json doc;
  doc["variant_column"] = a.variant_column;
  doc["control"] = a.control;
  doc["variants"] = a.variants;
  doc["alpha"] = a.alpha;
  doc["correction"] = std::string(CorrectionName(a.correction));
  doc["rows_without_variant"] = a.rows_without_variant;
  nlohmann::json srm;
  srm["test"] = "chi-square goodness of fit";
  srm["observed"] = nlohmann::json::object();
  srm["expected_share"] = nlohmann::json::object();
  for (size_t v = 0; v < a.srm.variants.size(); ++v) {
    srm["observed"][a.srm.variants[v]] = a.srm.observed[v];
    srm["expected_share"][a.srm.variants[v]] = a.srm.expected_shares[v];
  }
  srm["statistic"] = Num(a.srm.chi_square.statistic);
  srm["df"] = a.srm.chi_square.df;
  srm["p_value"] = Num(a.srm.chi_square.p_value);
  srm["threshold"] = a.srm.threshold;
  srm["passed"] = !a.srm.mismatch;
  doc["srm"] = srm;
  nlohmann::json metrics = nlohmann::json::array();
  for (const auto& m : a.metrics) {
    nlohmann::json jm;
    jm["metric"] = m.name;
    jm["kind"] = std::string(MetricKindName(m.kind));
    if (m.winsor_cap) jm["winsorized_at"] = *m.winsor_cap;
    if (m.cuped)
      jm["cuped"] = {{"theta", m.cuped_theta}, {"variance_reduction", m.variance_reduction}};
    nlohmann::json variants = nlohmann::json::array();
    for (size_t v = 0; v < m.variants.size(); ++v) {
      const auto& s = m.variants[v];
      nlohmann::json jv = {{"variant", s.name},
                           {"n", s.n},
                           {"mean", Num(s.mean)},
                           {"std_error", Num(s.std_error)},
                           {"ci", Interval(s.ci_low, s.ci_high)}};
      if (v < m.posteriors.size()) {
        const auto& p = m.posteriors[v];
        nlohmann::json post = {{"mean", Num(p.mean)},
                               {"sd", Num(p.sd)},
                               {"credible_interval", Interval(p.ci_low, p.ci_high)}};
        if (p.alpha > 0) {
          post["distribution"] = "beta";
          post["alpha"] = p.alpha;
          post["beta"] = p.beta;
        } else {
          post["distribution"] = "normal";
        }
        jv["posterior"] = post;
      }
      variants.push_back(jv);
    }
    jm["variants"] = variants;
    nlohmann::json comps = nlohmann::json::array();
    for (size_t ci = 0; ci < m.comparisons.size(); ++ci) {
      const auto& c = m.comparisons[ci];
      const auto& t = m.variants[ci + 1];
      nlohmann::json jc = {{"variant", c.variant},
                           {"control", a.control},
                           {"test", c.test},
                           {"n", t.n},
                           {"mean", Num(t.mean)},
                           {"control_mean", Num(m.variants[0].mean)},
                           {"estimate", Num(t.mean)},
                           {"statistic", Num(c.absolute.statistic)},
                           {"absolute_lift", Num(c.absolute.estimate)},
                           {"absolute_ci", Interval(c.absolute.ci_low, c.absolute.ci_high)},
                           {"relative_lift", Num(c.relative.estimate)},
                           {"relative_ci", Interval(c.relative.ci_low, c.relative.ci_high)},
                           {"p_value", Num(c.absolute.p_value)},
                           {"p_adjusted", Num(c.p_adjusted)},
                           {"significant", c.significant},
                           {"mde",
                            {{"power", kMdePower},
                             {"absolute", Num(c.mde_absolute)},
                             {"relative", Num(c.mde_relative)}}}};
      if (c.absolute.df > 0) jc["df"] = c.absolute.df;
      if (c.mann_whitney) {
        jc["mann_whitney"] = {{"u", Num(c.mann_whitney->statistic)},
                              {"p_value", Num(c.mann_whitney->p_value)},
                              {"prob_superiority", Num(c.mann_whitney->estimate)}};
      }
      if (c.sequential) {
        jc["sequential"] = {
            {"method", "mSPRT normal mixture"},
            {"tau_sd", a.tau_sd},
            {"p_value", Num(c.sequential->p_value)},
            {"confidence_sequence", Interval(c.sequential->ci_low, c.sequential->ci_high)}};
      }
      if (c.bayes) {
        jc["bayesian"] = {
            {"prob_beat_control", Num(c.bayes->prob_beat_control)},
            {"expected_loss_treatment", Num(c.bayes->expected_loss_treatment)},
            {"expected_loss_control", Num(c.bayes->expected_loss_control)},
            {"difference_mean", Num(c.bayes->diff_mean)},
            {"difference_credible_interval", Interval(c.bayes->diff_low, c.bayes->diff_high)},
            {"relative_credible_interval", Interval(c.bayes->lift_low, c.bayes->lift_high)}};
      }
      if (!c.timeline.empty()) {
        nlohmann::json tl = nlohmann::json::array();
        for (const auto& p : c.timeline) {
          nlohmann::json point = {
              {"day", p.day},
              {"n_treatment", p.n_treatment},
              {"n_control", p.n_control},
              {"lift", Num(p.lift)},
              {"ci", Interval(p.ci_low, p.ci_high)},
              {"sequential_p", Num(p.sequential_p)},
              {"confidence_sequence", Interval(p.sequential_low, p.sequential_high)}};
          if (a.timeline_is_calendar) point["date"] = FormatDate(p.day);
          tl.push_back(std::move(point));
        }
        jc["timeline"] = tl;
      }
      comps.push_back(jc);
    }
    jm["comparisons"] = comps;
    metrics.push_back(jm);
  }
  doc["metrics"] = metrics;
  doc["warnings"] = a.warnings;
  if (a.prior.alpha > 0)
    doc["prior"] = {{"beta_alpha", a.prior.alpha}, {"beta_beta", a.prior.beta}, {"normal", "flat"}};
  return doc;
}

int64_t SaveAnalysis(Store& store, const std::string& name, const std::string& table,
                     const nlohmann::json& analysis) {
  return store.PutObject(kExperimentObjectKind, name, {{"table", table}, {"analysis", analysis}},
                         "");
}

}  // namespace prospect::experiment
