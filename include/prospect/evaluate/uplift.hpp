// Uplift metrics: how well a score ranks customers by the effect of a treatment, measured on
// customers who were randomly treated or not. Definitions follow scikit-uplift (the Qini and
// uplift curves, their normalised areas, uplift@k, uplift by bins) and CausalML (the unnormalised
// Qini area), so numbers can be compared with theirs; docs/user/uplift-metrics.md states each
// formula. Outcomes may be binary (converted) or continuous (spend): every formula below reads
// y as a number, where scikit-uplift refuses continuous outcomes.
//
// Order and ties: customers are ranked by score, best first. The curves are evaluated only where
// the score changes (a run of tied scores is taken or left whole, as scikit-uplift does), so the
// order inside a tie never matters to them. uplift@k and the bins cut through ties: there tied
// customers come in reverse row order, as scikit-uplift's descending merge sort gives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace prospect {

/// One customer group: outcome y, score (predicted uplift), treated (1) or control (0). All three
/// spans are the same length.
struct UpliftSample {
  std::span<const double> y;
  std::span<const double> score;
  std::span<const uint8_t> treated;
};

/// Points of a curve over the number of customers targeted, best scores first: n[0] = 0 and
/// value[0] = 0, then one point at the end of each run of tied scores.
struct UpliftCurve {
  std::vector<double> n;
  std::vector<double> value;
};

/// Qini curve (Radcliffe 2007): at the top n, Y_t(n) − Y_c(n) · N_t(n) / N_c(n), where N_t, N_c
/// count treated and control customers among them and Y_t, Y_c sum their outcomes (the second
/// term 0 while N_c = 0).
UpliftCurve QiniCurve(const UpliftSample& s);
/// Uplift curve: at the top n, (Y_t(n) / N_t(n) − Y_c(n) / N_c(n)) · n (a ratio of an empty group
/// counts 0).
UpliftCurve UpliftGainCurve(const UpliftSample& s);
/// The best Qini curve the outcomes allow: the Qini curve of the score y·t − y·(1 − t) (treated
/// responders first, control responders last). Without negative effects: the points (0, 0),
/// (r, r), (N, r) for r = Y_t − N_t · Y_c / N_c, the whole-group Qini value (binary outcomes
/// only: kInvalidArgument otherwise).
UpliftCurve PerfectQiniCurve(std::span<const double> y, std::span<const uint8_t> treated,
                             bool negative_effect = true);
/// The best uplift curve: for a binary outcome scikit-uplift's ordering by 2·[y = t] + (y if
/// control responders outnumber treated non-responders, else t); for a continuous one, the
/// score y·t − y·(1 − t).
UpliftCurve PerfectUpliftCurve(std::span<const double> y, std::span<const uint8_t> treated);

/// Area under a curve by the trapezoid rule.
double AreaUnder(const UpliftCurve& curve);

/// scikit-uplift's qini_auc_score: (area(Qini) − area(diagonal)) / (area(perfect Qini) −
/// area(diagonal)), the diagonal running from (0, 0) to the perfect curve's last point. 1 for a
/// perfect ranking, about 0 for a random one, negative when worse than random.
double QiniCoefficient(const UpliftSample& s, bool negative_effect = true);
/// scikit-uplift's uplift_auc_score: the same normalisation for the uplift curve.
double UpliftAuc(const UpliftSample& s);
/// CausalML's qini_score with normalize=False: the Qini value Q_i after each customer i = 1..N in
/// score order (ties in row order, one customer at a time) with Q_0 = 0, minus the random line
/// Q_N · i / N, summed over i = 0..N and divided by N + 1: the mean height of the Qini curve
/// above random, in outcome units. Q_i = Y_t(i) − Y_c(i) · N_t(i) / N_c(i); before the first
/// control customer it is undefined and, as pandas' interpolate() in CausalML, filled linearly
/// from Q_0 to the first defined value.
double QiniArea(const UpliftSample& s);

enum class UpliftAtKStrategy {
  kOverall,  ///< the top ⌊k·N⌋ of all customers; treated and control response within them
  kByGroup,  ///< the top ⌊k·N_t⌋ treated and the top ⌊k·N_c⌋ control customers, separately
};
/// scikit-uplift's uplift_at_k: the mean outcome of the treated minus that of the control
/// customers among the top share k ∈ (0, 1) by score. kInvalidArgument for k outside (0, 1) and
/// kInvalidData when the top k holds no treated or no control customer.
double UpliftAtK(const UpliftSample& s, double k,
                 UpliftAtKStrategy strategy = UpliftAtKStrategy::kOverall);
/// "overall" or "by_group"; kInvalidArgument naming the valid ones.
UpliftAtKStrategy ParseUpliftAtKStrategy(std::string_view name);

/// One bin of customers by score (best bins first).
struct UpliftBin {
  size_t treated = 0, control = 0;
  double response_treated = 0, response_control = 0;  ///< mean outcome; NaN for an empty group
  double uplift = 0;                                  ///< response_treated − response_control
};
/// scikit-uplift's uplift_by_percentile (strategy "overall"): the customers in score order split
/// into `bins` groups of near-equal size (the first N mod bins one larger, as numpy's
/// array_split), each with its treated and control response. kInvalidArgument for bins = 0 or
/// more bins than customers.
std::vector<UpliftBin> UpliftByBins(const UpliftSample& s, size_t bins = 10);

}  // namespace prospect
