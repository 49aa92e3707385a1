// Uplift metrics (see uplift.hpp): curves from cumulative sums over the score order, their
// areas, uplift@k and uplift by bins.
#include "prospect/evaluate/uplift.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "prospect/common/error.hpp"

namespace prospect {
namespace {

void CheckSample(std::string_view what, const UpliftSample& s) {
  if (s.y.size() != s.score.size() || s.y.size() != s.treated.size()) {
    Fail(ErrorCode::kInvalidArgument, "{}: {} outcomes, {} scores and {} treatment flags", what,
         s.y.size(), s.score.size(), s.treated.size());
  }
  if (s.y.empty()) Fail(ErrorCode::kInvalidData, "{}: no customers", what);
  size_t treated = 0;
  for (size_t i = 0; i < s.y.size(); ++i) {
    if (!std::isfinite(s.y[i]))
      Fail(ErrorCode::kInvalidData, "{}: outcome {} of row {} is not a number", what, s.y[i],
           i + 1);
    if (!std::isfinite(s.score[i]))
      Fail(ErrorCode::kInvalidData, "{}: score {} of row {} is not a number", what, s.score[i],
           i + 1);
    if (s.treated[i] > 1) {
      Fail(ErrorCode::kInvalidData, "{}: treatment flag {} of row {}; expected 0 or 1", what,
           s.treated[i], i + 1);
    }
    treated += s.treated[i];
  }
  if (treated == 0 || treated == s.y.size()) {
    Fail(ErrorCode::kInvalidData, "{}: every customer is {}; uplift needs treated and control",
         what, treated == 0 ? "in control" : "treated");
  }
}

// Rows by score, best first; ties in reverse row order (scikit-uplift's
// argsort(kind="mergesort")[::-1]).
std::vector<size_t> ScoreOrder(std::span<const double> score) {
  std::vector<size_t> order(score.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return score[a] != score[b] ? score[a] > score[b] : a > b; });
  return order;
}

// Running sums in score order, read at the end of each run of tied scores.
struct RunningSums {
  std::vector<double> n, treated, y_treated, y_control;
};

RunningSums SumsAtThresholds(const UpliftSample& s) {
  const std::vector<size_t> order = ScoreOrder(s.score);
  RunningSums out;
  double treated = 0, y_t = 0, y_c = 0;
  for (size_t r = 0; r < order.size(); ++r) {
    const size_t i = order[r];
    treated += s.treated[i];
    (s.treated[i] ? y_t : y_c) += s.y[i];
    if (r + 1 == order.size() || s.score[order[r + 1]] != s.score[i]) {
      out.n.push_back(static_cast<double>(r + 1));
      out.treated.push_back(treated);
      out.y_treated.push_back(y_t);
      out.y_control.push_back(y_c);
    }
  }
  return out;
}

double Ratio(double a, double b) { return b != 0 ? a / b : 0.0; }

UpliftCurve CurveFrom(const RunningSums& sums, bool qini) {
  UpliftCurve c;
  c.n.push_back(0);
  c.value.push_back(0);
  for (size_t j = 0; j < sums.n.size(); ++j) {
    const double n_t = sums.treated[j], n_c = sums.n[j] - n_t;
    const double v =
        qini ? sums.y_treated[j] - sums.y_control[j] * Ratio(n_t, n_c)
             : (Ratio(sums.y_treated[j], n_t) - Ratio(sums.y_control[j], n_c)) * sums.n[j];
    c.n.push_back(sums.n[j]);
    c.value.push_back(v);
  }
  return c;
}

bool IsBinary(std::span<const double> y) {
  return std::all_of(y.begin(), y.end(), [](double v) { return v == 0 || v == 1; });
}

// y·t − y·(1 − t): treated responders first, control responders last.
std::vector<double> OracleScore(std::span<const double> y, std::span<const uint8_t> treated) {
  std::vector<double> score(y.size());
  for (size_t i = 0; i < y.size(); ++i) score[i] = treated[i] ? y[i] : -y[i];
  return score;
}

// (area(curve) − area(diagonal to perfect's end)) / (area(perfect) − the same).
double NormalisedArea(const UpliftCurve& curve, const UpliftCurve& perfect) {
  const double diagonal = 0.5 * perfect.n.back() * perfect.value.back();
  const double best = AreaUnder(perfect) - diagonal;
  if (best == 0) {
    Fail(ErrorCode::kInvalidData,
         "uplift: the best possible curve is the random one (no outcome tells the groups apart); "
         "the normalised area is undefined");
  }
  return (AreaUnder(curve) - diagonal) / best;
}

}  // namespace

UpliftCurve QiniCurve(const UpliftSample& s) {
  CheckSample("Qini curve", s);
  return CurveFrom(SumsAtThresholds(s), true);
}

UpliftCurve UpliftGainCurve(const UpliftSample& s) {
  CheckSample("uplift curve", s);
  return CurveFrom(SumsAtThresholds(s), false);
}

UpliftCurve PerfectQiniCurve(std::span<const double> y, std::span<const uint8_t> treated,
                             bool negative_effect) {
  const std::vector<double> oracle = OracleScore(y, treated);
  const UpliftSample s{y, oracle, treated};
  CheckSample("perfect Qini curve", s);
  if (negative_effect) return CurveFrom(SumsAtThresholds(s), true);
  if (!IsBinary(y)) {
    Fail(ErrorCode::kInvalidArgument,
         "perfect Qini curve without negative effects: the outcome must be 0/1 (the curve rises "
         "one responder per customer); use the curve with negative effects for a continuous one");
  }
  double n_t = 0, y_t = 0, y_c = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    n_t += treated[i];
    (treated[i] ? y_t : y_c) += y[i];
  }
  const double n = static_cast<double>(y.size());
  const double r = y_t - n_t * y_c / (n - n_t);
  return {{0, r, n}, {0, r, r}};
}

UpliftCurve PerfectUpliftCurve(std::span<const double> y, std::span<const uint8_t> treated) {
  std::vector<double> score;
  if (IsBinary(y)) {
    double control_responders = 0, treated_non_responders = 0;
    for (size_t i = 0; i < y.size(); ++i) {
      control_responders += !treated[i] && y[i] == 1;
      treated_non_responders += treated[i] && y[i] == 0;
    }
    const bool by_outcome = control_responders > treated_non_responders;
    for (size_t i = 0; i < y.size(); ++i) {
      score.push_back(2.0 * (y[i] == treated[i]) + (by_outcome ? y[i] : treated[i]));
    }
  } else {
    score = OracleScore(y, treated);
  }
  const UpliftSample s{y, score, treated};
  CheckSample("perfect uplift curve", s);
  return CurveFrom(SumsAtThresholds(s), false);
}

double AreaUnder(const UpliftCurve& curve) {
  double area = 0;
  for (size_t j = 1; j < curve.n.size(); ++j)
    area += 0.5 * (curve.n[j] - curve.n[j - 1]) * (curve.value[j] + curve.value[j - 1]);
  return area;
}

double QiniCoefficient(const UpliftSample& s, bool negative_effect) {
  const UpliftCurve curve = QiniCurve(s);  // checks the sample before the perfect curve does
  return NormalisedArea(curve, PerfectQiniCurve(s.y, s.treated, negative_effect));
}

double UpliftAuc(const UpliftSample& s) {
  const UpliftCurve curve = UpliftGainCurve(s);
  return NormalisedArea(curve, PerfectUpliftCurve(s.y, s.treated));
}

double QiniArea(const UpliftSample& s) {
  CheckSample("Qini area", s);
  std::vector<size_t> order(s.y.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return s.score[a] > s.score[b]; });
  std::vector<double> q(order.size() + 1, 0.0);
  double n_t = 0, y_t = 0, y_c = 0;
  for (size_t r = 0; r < order.size(); ++r) {
    const size_t i = order[r];
    n_t += s.treated[i];
    (s.treated[i] ? y_t : y_c) += s.y[i];
    const double n_c = static_cast<double>(r + 1) - n_t;
    q[r + 1] = n_c > 0 ? y_t - y_c * n_t / n_c : std::nan("");
  }
  // Before the first control customer the value is undefined (0 · ∞ in CausalML's pandas), and
  // pandas' interpolate() fills it linearly from Q_0 = 0 to the first defined value.
  size_t first = 1;
  while (std::isnan(q[first])) ++first;  // a control customer exists (CheckSample)
  for (size_t r = 1; r < first; ++r)
    q[r] = q[first] * static_cast<double>(r) / static_cast<double>(first);
  const double n = static_cast<double>(order.size());
  double sum = 0;
  for (size_t r = 0; r < q.size(); ++r) sum += q[r] - q.back() * static_cast<double>(r) / n;
  return sum / static_cast<double>(q.size());
}

UpliftAtKStrategy ParseUpliftAtKStrategy(std::string_view name) {
  if (name == "overall") return UpliftAtKStrategy::kOverall;
  if (name == "by_group") return UpliftAtKStrategy::kByGroup;
  Fail(ErrorCode::kInvalidArgument, "uplift@k strategy \"{}\": expected overall or by_group", name);
}

double UpliftAtK(const UpliftSample& s, double k, UpliftAtKStrategy strategy) {
  CheckSample("uplift@k", s);
  if (!(k > 0 && k < 1))
    Fail(ErrorCode::kInvalidArgument, "uplift@k: k is {}; expected a share in (0, 1)", k);
  const std::vector<size_t> order = ScoreOrder(s.score);
  double n_t_all = 0;
  for (const uint8_t t : s.treated) n_t_all += t;
  const double n_all = static_cast<double>(order.size());
  // scikit-uplift truncates: int(n * k).
  const auto take_all = static_cast<size_t>(n_all * k);
  const auto take_t = static_cast<size_t>(n_t_all * k);
  const auto take_c = static_cast<size_t>((n_all - n_t_all) * k);
  double y_t = 0, y_c = 0, n_t = 0, n_c = 0;
  for (size_t r = 0; r < order.size(); ++r) {
    const size_t i = order[r];
    const bool in = strategy == UpliftAtKStrategy::kOverall
                        ? r < take_all
                        : (s.treated[i] ? n_t < static_cast<double>(take_t)
                                        : n_c < static_cast<double>(take_c));
    if (!in) continue;
    (s.treated[i] ? n_t : n_c) += 1;
    (s.treated[i] ? y_t : y_c) += s.y[i];
  }
  if (n_t == 0 || n_c == 0) {
    Fail(ErrorCode::kInvalidData,
         "uplift@k: the top {:g} % holds {} treated and {} control customers; both are needed",
         100 * k, n_t, n_c);
  }
  return y_t / n_t - y_c / n_c;
}

std::vector<UpliftBin> UpliftByBins(const UpliftSample& s, size_t bins) {
  CheckSample("uplift by bins", s);
  if (bins == 0 || bins > s.y.size()) {
    Fail(ErrorCode::kInvalidArgument, "uplift by bins: {} bins for {} customers", bins, s.y.size());
  }
  const std::vector<size_t> order = ScoreOrder(s.score);
  std::vector<UpliftBin> out(bins);
  const size_t base = order.size() / bins, extra = order.size() % bins;
  size_t r = 0;
  for (size_t b = 0; b < bins; ++b) {
    double y_t = 0, y_c = 0;
    const size_t size = base + (b < extra ? 1 : 0);
    for (size_t j = 0; j < size; ++j, ++r) {
      const size_t i = order[r];
      (s.treated[i] ? out[b].treated : out[b].control) += 1;
      (s.treated[i] ? y_t : y_c) += s.y[i];
    }
    UpliftBin& bin = out[b];
    bin.response_treated = bin.treated ? y_t / static_cast<double>(bin.treated) : std::nan("");
    bin.response_control = bin.control ? y_c / static_cast<double>(bin.control) : std::nan("");
    bin.uplift = bin.response_treated - bin.response_control;
  }
  return out;
}

}  // namespace prospect
