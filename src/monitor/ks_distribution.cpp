// Two-sided Kolmogorov-Smirnov p-values ported from scipy 1.10 so drift reports match scipy:
// kstwo.sf (scipy/stats/_ksstats.py, after Simard & L'Ecuyer 2011), cephes smirnov (van Mulbregt
// 2018) and ks_2samp's exact and asymptotic paths (scipy/stats/_stats_py.py, _stats_pythran.py).
// Branches, thresholds and the order of floating-point operations follow scipy's, so results agree
// to rounding and exact-path fallbacks happen for the same inputs.
#include "monitor/ks_distribution.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <numbers>
#include <numeric>
#include <tuple>
#include <utility>
#include <vector>

#include "prospect/common/error.hpp"

namespace prospect::monitor {
namespace {

// Double-double arithmetic: the routines of the QD package 2.3.18 (Hida, Li & Bailey) that scipy's
// cephes dd_real.h carries and cephes smirnov uses; each names its QD original.
struct KsDd {
  double hi = 0.0;
  double lo = 0.0;

  // Error-free transformations.
  static double QuickTwoSum(double a, double b, double* err) {  // assumes |a| >= |b|
    const double s = a + b;
    *err = b - (s - a);
    return s;
  }
  static double TwoSum(double a, double b, double* err) {
    const double s = a + b;
    const double c = s - a;
    const double d = b - c;
    const double e = s - c;
    *err = (a - e) + d;
    return s;
  }
  static double TwoProd(double a, double b, double* err) {
    const double p = a * b;
#ifdef FP_FAST_FMA  // QD uses a fused multiply-subtract where it is fast, Dekker's split elsewhere
    *err = std::fma(a, b, -p);
#else
    double a_hi, a_lo, b_hi, b_lo;
    Split(a, &a_hi, &a_lo);
    Split(b, &b_hi, &b_lo);
    const double c = a_hi * b_hi - p;
    const double d = c + a_hi * b_lo + a_lo * b_hi;
    *err = d + a_lo * b_lo;
#endif
    return p;
  }
  static void Split(double a, double* hi, double* lo) {
    constexpr double kSplitter = 134217729.0;                  // 2^27 + 1
    constexpr double kSplitThreshold = 6.69692879491417e+299;  // 2^996
    if (a > kSplitThreshold || a < -kSplitThreshold) {
      a *= 3.7252902984619140625e-09;  // 2^-28
      const double temp = kSplitter * a;
      *hi = temp - (temp - a);
      *lo = a - *hi;
      *hi *= 268435456.0;  // 2^28
      *lo *= 268435456.0;
    } else {
      const double temp = kSplitter * a;
      *hi = temp - (temp - a);
      *lo = a - *hi;
    }
  }

  static KsDd AddDoubles(double a, double b) {  // dd_add_d_d
    KsDd r;
    r.hi = TwoSum(a, b, &r.lo);
    return r;
  }
  static KsDd MulDoubles(double a, double b) {  // dd_mul_d_d
    KsDd r;
    r.hi = TwoProd(a, b, &r.lo);
    return r;
  }
  static KsDd Add(KsDd a, KsDd b) {  // dd_add (dd_ieee_add)
    double s2, t2;
    double s1 = TwoSum(a.hi, b.hi, &s2);
    const double t1 = TwoSum(a.lo, b.lo, &t2);
    s2 += t1;
    s1 = QuickTwoSum(s1, s2, &s2);
    s2 += t2;
    KsDd r;
    r.hi = QuickTwoSum(s1, s2, &r.lo);
    return r;
  }
  static KsDd Sub(KsDd a, KsDd b) { return Add(a, {-b.hi, -b.lo}); }  // dd_sub
  static KsDd AddDouble(KsDd a, double b) {                           // dd_add_dd_d
    double s2;
    const double s1 = TwoSum(a.hi, b, &s2);
    s2 += a.lo;
    KsDd r;
    r.hi = QuickTwoSum(s1, s2, &r.lo);
    return r;
  }
  static KsDd SubDouble(KsDd a, double b) { return AddDouble(a, -b); }  // dd_sub_dd_d
  static KsDd Mul(KsDd a, KsDd b) {                                     // dd_mul
    double p2;
    const double p1 = TwoProd(a.hi, b.hi, &p2);
    p2 += (a.hi * b.lo + a.lo * b.hi);
    KsDd r;
    r.hi = QuickTwoSum(p1, p2, &r.lo);
    return r;
  }
  static KsDd MulDouble(KsDd a, double b) {  // dd_mul_dd_d (dd_mul_d_dd is the same sum)
    double e1, e2;
    const double p1 = TwoProd(a.hi, b, &e1);
    const double p2 = TwoProd(a.lo, b, &e2);
    KsDd r;
    r.hi = QuickTwoSum(p1, e2 + p2 + e1, &r.lo);
    return r;
  }
  static KsDd Div(KsDd a, KsDd b) {  // dd_div (dd_accurate_div)
    double q1 = a.hi / b.hi;
    KsDd r = Sub(a, MulDouble(b, q1));
    double q2 = r.hi / b.hi;
    r = Sub(r, MulDouble(b, q2));
    const double q3 = r.hi / b.hi;
    q1 = QuickTwoSum(q1, q2, &q2);
    return AddDouble({q1, q2}, q3);
  }
  static KsDd Floor(KsDd a) {  // dd_floor
    double hi = std::floor(a.hi);
    double lo = 0.0;
    if (hi == a.hi) {  // the high word is an integer already: round the low word
      lo = std::floor(a.lo);
      hi = QuickTwoSum(hi, lo, &lo);
    }
    return {hi, lo};
  }
  // dd_frexp: a = result * 2^exponent with 0.5 <= |hi| < 1, or |hi| == 1 and hi*lo < 0.
  static KsDd Frexp(KsDd a, int* exponent) {
    int e;
    double man = std::frexp(a.hi, &e);
    double b1 = std::ldexp(a.lo, -e);
    if (std::fabs(man) == 0.5 && man * b1 < 0) {
      man *= 2;
      b1 *= 2;
      e -= 1;
    }
    *exponent = e;
    return {man, b1};
  }
  static KsDd Ldexp(KsDd a, int e) { return {std::ldexp(a.hi, e), std::ldexp(a.lo, e)}; }
};

constexpr KsDd kKsDdOne{1.0, 0.0};
constexpr KsDd kKsDdZero{0.0, 0.0};

// cephes MINLOG (log 2^-1075): below it exp() gives 0.
constexpr double kKsCephesMinLog = -7.451332191019412076235E2;

// cephes kolmogorov.c pow_D: a^m, pow() on the high word corrected for the low word.
KsDd KsPowD(KsDd a, int m) {
  if (m <= 0) {
    if (m == 0) return kKsDdOne;
    return KsDd::Div(kKsDdOne, KsPowD(a, -m));
  }
  if (a.hi == 0.0) return kKsDdZero;
  const double ans = std::pow(a.hi, m);
  const double r = a.lo / a.hi;
  double adj = m * r;
  if (std::fabs(adj) > 1e-8) {
    if (std::fabs(adj) < 1e-4) {
      adj += (m * r) * ((m - 1) / 2.0 * r);  // first two terms of (1+r)^m - 1
    } else {
      adj = std::expm1(m * std::log1p(r));
    }
  }
  return KsDd::AddDoubles(ans, ans * adj);
}

// cephes nextPowerOf2 (used to split a large power into pieces that stay normal).
double KsNextPowerOf2(double x) {
  const double q = std::ldexp(x, 1 - DBL_MANT_DIG);
  double l = std::fabs(q + x);
  if (l == 0) {
    l = std::fabs(x);
  } else {
    const int l_int = static_cast<int>(l);
    if (l_int == l) l = l_int;
  }
  return l;
}

// cephes pow2Scaled_D: a^m as a significand and a separate power-of-2 exponent, since binomial
// terms of large n leave the double range.
KsDd KsPowScaled(KsDd a, int m, int* exponent) {
  constexpr int kMaxExponent = 960;  // < 1023-52, so both words stay normalised
  if (m <= 0) {
    if (m == 0) {
      *exponent = 0;
      return kKsDdOne;
    }
    int e1, e2;
    const KsDd ans = KsDd::Frexp(KsDd::Div(kKsDdOne, KsPowScaled(a, -m, &e1)), &e2);
    *exponent = -e1 + e2;
    return ans;
  }
  int y_e;
  const KsDd y = KsDd::Frexp(a, &y_e);
  if (m == 1) {
    *exponent = y_e;
    return y;
  }
  int max_expt = kMaxExponent;
  if (m * (y.hi - 1) / y.hi < -kMaxExponent * std::numbers::ln2) {
    const double lg2y = std::log(y.hi) / std::numbers::ln2;
    if (m * lg2y <= -kMaxExponent) {
      max_expt = static_cast<int>(KsNextPowerOf2(-kMaxExponent / lg2y + 1) / 2);
    }
  }
  if (m <= max_expt) {
    int ans_e;
    const KsDd ans = KsDd::Frexp(KsPowD(y, m), &ans_e);
    *exponent = ans_e + m * y_e;
    return ans;
  }
  const int q = m / max_expt;
  const int r = m % max_expt;
  int y2r_e, y2m_e, y2mq_e, ans_e;
  const KsDd y2r = KsPowScaled(y, r, &y2r_e);
  const KsDd y2m = KsPowScaled(y, max_expt, &y2m_e);
  const KsDd y2mq = KsPowScaled(y2m, q, &y2mq_e);
  const KsDd ans = KsDd::Frexp(KsDd::Mul(y2r, y2mq), &ans_e);
  y2mq_e += y2m_e * q;
  *exponent = ans_e + y2mq_e + y2r_e + m * y_e;
  return ans;
}

// cephes pow4_D: ((a+b)/(c+d))^m.
KsDd KsPow4(double a, double b, double c, double d, int m) {
  if (m <= 0) {
    if (m == 0) return kKsDdOne;
    return KsPow4(c, d, a, b, -m);
  }
  const KsDd num = KsDd::AddDoubles(a, b);
  const KsDd den = KsDd::AddDoubles(c, d);
  if (num.hi == 0.0) {
    return den.hi == 0.0 ? KsDd{NAN, NAN} : kKsDdZero;
  }
  if (den.hi == 0.0) {
    return num.hi < 0.0 ? KsDd{-INFINITY, -INFINITY} : KsDd{INFINITY, INFINITY};
  }
  return KsPowD(KsDd::Div(num, den), m);
}

// scipy.special.smirnov(n, x): P(D+_n >= x), the one-sided statistic's survival function. A port
// of cephes kolmogorov.c _smirnov (scipy 1.10) keeping only the sf (the pdf is not needed):
// Boost.Math has no one-sided Smirnov distribution (its kolmogorov_smirnov.hpp, newer than Debian's
// Boost 1.74, is the two-sided limit that kstwo.sf never calls).
double KsSmirnovSf(int64_t n64, double x) {
  constexpr int kMaxComputeN = 1000000;  // SMIRNOV_MAX_COMPUTE_N: above, an approximation
  constexpr int kUpperSumMaxTerms = 3;   // SM_UPPER_MAX_TERMS
  constexpr int kUpperSumMinN = 10;      // SM_UPPERSUM_MIN_N
  if (!(n64 > 0 && x >= 0.0 && x <= 1.0)) return NAN;
  if (n64 == 1) return 1 - x;
  if (x == 0.0) return 1.0;
  if (x == 1.0) return 0.0;
  if (n64 > kMaxComputeN) {
    // p ~ e^(-(6nx+1)^2 / 18n). Checked first here (cephes checks the cases below first) so n
    // fits an int below; it gives the same answers because for such n those cases need x <= 1/n
    // or x >= 1-1/n, where t <= 1 and t >= n-1 in kstwo never call smirnov.
    const double nd = static_cast<double>(n64);
    if (-2 * nd * x * x < kKsCephesMinLog) return 0.0;
    const double logp = -std::pow(6.0 * nd * x + 1, 2) / 18.0 / nd;
    if (logp < -std::numbers::ln2) return std::exp(logp);  // most precision for small p
    return 1 - (-std::expm1(logp));
  }
  const int n = static_cast<int>(n64);

  // modNX: floor(n*x) and the remainder alpha, exactly; a remainder that rounds to 1 carries.
  const KsDd nx_dd = KsDd::MulDoubles(n, x);
  const KsDd nx_floor = KsDd::Floor(nx_dd);
  double alpha = KsDd::Sub(nx_dd, nx_floor).hi;
  int nxfl = static_cast<int>(nx_floor.hi);
  if (alpha == 1) {
    nxfl += 1;
    alpha = 0;
  }
  int n1mxfl = n - nxfl - (alpha == 0 ? 0 : 1);
  int n1mxceil = n - nxfl;
  if (alpha == 0) {  // the last term belongs to neither the lower nor the upper sum
    n1mxfl -= 1;
    n1mxceil += 1;
  }

  if (nxfl == 0 || (nxfl == 1 && alpha == 0)) {  // x <= 1/n
    const double t = KsPowD(KsDd::AddDoubles(1, x), n - 1).hi;
    return 1 - x * t;
  }
  if (-2 * n * x * x < kKsCephesMinLog) return 0.0;                 // the sf underflows
  if (nxfl >= n - 1) return KsPowD(KsDd::AddDoubles(1, -x), n).hi;  // x >= 1 - 1/n

  // The upper sum only when it has few terms: it alternates in sign and loses ~1.6 bits a term.
  const int n_upper_terms = n - n1mxceil + 1;
  const bool use_upper_sum =
      (n_upper_terms <= 1 && x < 0.5) ||
      (n >= kUpperSumMinN && n_upper_terms <= kUpperSumMaxTerms && x <= 0.5 / std::sqrt(n));

  int start = 0, step = 1, n_terms = n1mxfl + 1;
  KsDd aj;
  if (use_upper_sum) {
    start = n;
    step = -1;
    n_terms = n - n1mxceil + 1;
    aj = KsPow4(1, x, 1, 0, n - 1);
  } else {
    aj = KsDd::Div(KsPow4(1, -x, 1, 0, n), {x, 0.0});
  }
  KsDd aj_sum = KsDd::Add(kKsDdZero, aj);
  // The binomial coefficient C(n, v) as a double-double significand and an int exponent.
  KsDd c_man = kKsDdOne;
  int c_expt = 0;
  const auto update_binomial = [&](int j) {
    int e;
    c_man = KsDd::Frexp(
        KsDd::Mul(c_man, KsDd::Div({static_cast<double>(n - j), 0.0}, {j + 1.0, 0.0})), &e);
    c_expt += e;
  };
  update_binomial(0);
  const int vmid = n / 2;
  for (int j = 1; j < n_terms; ++j) {
    const int v = start + j * step;
    // A_v = C(n, v) (1 - x - v/n)^(n-v) (x + v/n)^(v-1)   (cephes computeAv)
    int t1_e, t2_e;
    const KsDd t2x = KsDd::SubDouble(
        KsDd::Div({static_cast<double>(n - v), 0.0}, {static_cast<double>(n), 0.0}), x);
    const KsDd t2 = KsPowScaled(t2x, n - v, &t2_e);
    const KsDd t1x =
        KsDd::AddDouble(KsDd::Div({static_cast<double>(v), 0.0}, {static_cast<double>(n), 0.0}), x);
    const KsDd t1 = KsPowScaled(t1x, v - 1, &t1_e);
    aj = KsDd::Ldexp(KsDd::Mul(KsDd::Mul(t1, t2), c_man), c_expt + t1_e + t2_e);
    if (std::isfinite(aj.hi) && aj.hi != 0.0) aj_sum = KsDd::Add(aj_sum, aj);
    if (aj.hi != 0.0) {  // stop once the remaining terms cannot change the sum
      if (4 * (n_terms - j) * std::fabs(aj.hi) < DBL_EPSILON * aj_sum.hi && j != n_terms - 1) {
        break;
      }
    } else if (j > vmid) {
      break;
    }
    update_binomial(j);
  }
  const double prob = KsDd::MulDouble(aj_sum, x).hi;
  const double sf = step < 0 ? 1 - prob : prob;
  return std::clamp(sf, 0.0, 1.0);
}

// A numpy scalar that scipy's DMTW and Pomeranz code keeps as float64 until a rescaling by the
// long double constants _EP128/_EM128 promotes it to long double; mirrored so results round alike.
class KsNumpyScalar {
 public:
  explicit KsNumpyScalar(double value) : d_(value) {}
  long double AbsExtended() const { return extended_ ? std::fabs(ld_) : std::fabs(d_); }
  void MulDiv(int64_t i, int64_t n) {  // p = i * p / n
    if (extended_) {
      ld_ = static_cast<long double>(i) * ld_ / static_cast<long double>(n);
    } else {
      d_ = static_cast<double>(i) * d_ / static_cast<double>(n);
    }
  }
  void Mul(int64_t m) {  // p *= m
    if (extended_) {
      ld_ *= static_cast<long double>(m);
    } else {
      d_ *= static_cast<double>(m);
    }
  }
  void ScaleExtended(long double factor) {  // p *= _EP128 or _EM128: now a long double
    ld_ = (extended_ ? ld_ : static_cast<long double>(d_)) * factor;
    extended_ = true;
  }
  void Ldexp(int e) {
    if (extended_) {
      ld_ = std::ldexp(ld_, e);
    } else {
      d_ = std::ldexp(d_, e);
    }
  }
  // clip(1 - clip(p)): the sf kstwo makes of this cdf, rounded to the float64 scipy returns.
  double SfOfCdf() const {
    if (extended_) {
      return static_cast<double>(std::clamp(1.0L - std::clamp(ld_, 0.0L, 1.0L), 0.0L, 1.0L));
    }
    return std::clamp(1.0 - std::clamp(d_, 0.0, 1.0), 0.0, 1.0);
  }

 private:
  double d_ = 0.0;
  long double ld_ = 0.0L;
  bool extended_ = false;
};

constexpr int kKsE128 = 128;
constexpr long double kKsEp128 = 0x1p128L;
constexpr long double kKsEm128 = 0x1p-128L;

// _kolmogn_DMTW: Pr(D_n <= d) by the Durbin matrix, as Marsaglia, Tsang & Wang (2003) compute it.
// For d = (k - h)/n, the k-th diagonal entry of (n!/n^n) H^n with H of size (2k-1)^2.
KsNumpyScalar KsKolmogornDmtwCdf(int64_t n, double d) {
  if (d >= 1.0) return KsNumpyScalar(1.0);
  const double nd = static_cast<double>(n) * d;
  if (nd <= 0.5) return KsNumpyScalar(0.0);
  const int k = static_cast<int>(std::ceil(nd));
  const double h = k - nd;
  const int m = 2 * k - 1;
  const auto at = [m](std::vector<double>& a, int r, int c) -> double& {
    return a[static_cast<size_t>(r) * m + c];
  };

  // v[j] = (1 - h^(j+1)) / (j+1)! (the first column, and reversed the last row); w[j] = 1/j!.
  std::vector<double> v(m), w(m);
  double fac = 1.0;
  for (int j = 1; j <= m; ++j) {
    v[j - 1] = 1.0 - std::pow(h, j);
    w[j - 1] = fac;
    fac /= j;  // may underflow, harmlessly
    v[j - 1] *= fac;
  }
  const double tt = std::pow(std::max(2 * h - 1.0, 0.0), m) - 2 * std::pow(h, m);
  v[m - 1] = (1.0 + tt) * fac;

  std::vector<double> hm(static_cast<size_t>(m) * m, 0.0);
  for (int i = 1; i < m; ++i) {
    for (int r = i - 1; r < m; ++r) at(hm, r, i) = w[r - (i - 1)];
  }
  for (int r = 0; r < m; ++r) at(hm, r, 0) = v[r];
  for (int c = 0; c < m; ++c) at(hm, m - 1, c) = v[m - 1 - c];

  const auto matmul = [m, &at](std::vector<double>& a, std::vector<double>& b) {
    std::vector<double> out(static_cast<size_t>(m) * m, 0.0);
    for (int r = 0; r < m; ++r) {
      for (int t = 0; t < m; ++t) {
        const double a_rt = at(a, r, t);
        for (int c = 0; c < m; ++c) out[static_cast<size_t>(r) * m + c] += a_rt * at(b, t, c);
      }
    }
    return out;
  };
  std::vector<double> hpwr(static_cast<size_t>(m) * m, 0.0);
  for (int i = 0; i < m; ++i) at(hpwr, i, i) = 1.0;
  int64_t nn = n;
  int64_t expnt = 0;   // scaling of hpwr
  int64_t hexpnt = 0;  // scaling of hm
  while (nn > 0) {
    if (nn % 2) {
      hpwr = matmul(hpwr, hm);
      expnt += hexpnt;
    }
    hm = matmul(hm, hm);
    hexpnt *= 2;
    if (std::fabs(at(hm, k - 1, k - 1)) > kKsEp128) {
      for (double& x : hm) x /= static_cast<double>(kKsEp128);
      hexpnt += kKsE128;
    }
    nn /= 2;
  }

  KsNumpyScalar p(at(hpwr, k - 1, k - 1));
  for (int64_t i = 1; i <= n; ++i) {  // times n!/n^n
    p.MulDiv(i, n);
    if (p.AbsExtended() < kKsEm128) {
      p.ScaleExtended(kKsEp128);
      expnt -= kKsE128;
    }
  }
  if (expnt != 0) p.Ldexp(static_cast<int>(expnt));
  return p;
}

// _pomeranz_compute_j1j2: the ends of the non-zero stretch of row i.
std::pair<int64_t, int64_t> KsPomeranzJ1J2(int64_t i, int64_t n, int64_t ll, int64_t ceilf,
                                           int64_t roundf) {
  int64_t j1, j2;
  if (i == 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const int64_t ip1div2 = (i + 1) / 2;
    const int64_t ip1mod2 = (i + 1) % 2;
    if (ip1mod2 == 0) {  // i is odd
      if (ip1div2 == n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = ip1div2 - 1 - ll - roundf - 1;
        j2 = ip1div2 + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = ip1div2 - 1 - ll - 1;
      j2 = ip1div2 + ll + roundf - 1;
    }
  }
  return {std::max<int64_t>(j1 + 2, 0), std::min(j2, n)};
}

// _kolmogn_Pomeranz: Pr(D_n <= x) by the Pomeranz (1974) recursion; each row is the convolution of
// the previous one with (almost) Poisson probabilities, n! times the last entry of the last row.
KsNumpyScalar KsKolmogornPomeranzCdf(int64_t n, double x) {
  const double t = static_cast<double>(n) * x;
  const int64_t ll = static_cast<int64_t>(std::floor(t));
  const double f = 1.0 * (t - static_cast<double>(ll));
  const double g = std::min(f, 1.0 - f);
  const int64_t ceilf = f > 0 ? 1 : 0;
  const int64_t roundf = f > 0.5 ? 1 : 0;
  const int64_t npwrs = 2 * (ll + 1);
  // (g/n)^m/m!, (2g/n)^m/m!, ((1-2g)/n)^m/m!
  std::vector<double> gpower(npwrs), twogpower(npwrs), onem2gpower(npwrs);
  gpower[0] = twogpower[0] = onem2gpower[0] = 1.0;
  const double g_over_n = g / static_cast<double>(n);
  const double two_g_over_n = 2 * g / static_cast<double>(n);
  const double one_minus_two_g_over_n = (1 - 2 * g) / static_cast<double>(n);
  for (int64_t m = 1; m < npwrs; ++m) {
    gpower[m] = gpower[m - 1] * g_over_n / static_cast<double>(m);
    twogpower[m] = twogpower[m - 1] * two_g_over_n / static_cast<double>(m);
    onem2gpower[m] = onem2gpower[m - 1] * one_minus_two_g_over_n / static_cast<double>(m);
  }

  std::vector<double> v0(npwrs, 0.0), v1(npwrs, 0.0), conv;
  v1[0] = 1;
  int64_t v0s = 0, v1s = 0;  // the column where each row's stored stretch starts
  int64_t expnt = 0;
  int64_t j1, j2;
  std::tie(j1, j2) = KsPomeranzJ1J2(0, n, ll, ceilf, roundf);
  for (int64_t i = 1; i < 2 * n + 2; ++i) {
    const int64_t k1 = j1;
    std::swap(v0, v1);
    std::swap(v0s, v1s);
    std::fill(v1.begin(), v1.end(), 0.0);
    std::tie(j1, j2) = KsPomeranzJ1J2(i, n, ll, ceilf, roundf);
    const std::vector<double>& pwrs =
        (i == 1 || i == 2 * n + 1) ? gpower : (i % 2 ? twogpower : onem2gpower);
    const int64_t ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      // The slices scipy takes stay inside the rows for every n and x that reach this method.
      PROSPECT_CHECK(k1 - v0s >= 0 && k1 - v0s + ln2 <= npwrs && j1 - k1 >= 0);
      const double* a = v0.data() + (k1 - v0s);
      conv.assign(static_cast<size_t>(2 * ln2 - 1), 0.0);  // np.convolve, full length
      for (int64_t r = 0; r < ln2; ++r) {
        for (int64_t s = 0; s < ln2; ++s) conv[r + s] += a[r] * pwrs[s];
      }
      const int64_t conv_start = j1 - k1;
      const int64_t conv_len = j2 - j1 + 1;
      for (int64_t r = 0; r < conv_len; ++r) v1[r] = conv[conv_start + r];
      const double v1_max = *std::max_element(v1.begin(), v1.end());
      if (0 < v1_max && v1_max < kKsEm128) {  // rescale against underflow
        for (double& e : v1) e *= static_cast<double>(kKsEp128);
        expnt -= kKsE128;
      }
      v1s = v0s + j1 - k1;
    }
  }

  PROSPECT_CHECK(n - v1s >= 0 && n - v1s < npwrs);
  KsNumpyScalar ans(v1[n - v1s]);
  for (int64_t m = 1; m <= n; ++m) {  // times n!
    if (ans.AbsExtended() > kKsEp128) {
      ans.ScaleExtended(kKsEm128);
      expnt += kKsE128;
    }
    ans.Mul(m);
  }
  if (expnt != 0) ans.Ldexp(static_cast<int>(expnt));
  return ans;
}

// numpy's float64 add.reduce of a short array: 0 + pairwise sum, which for n <= 128 elements is
// eight interleaved partial sums combined as a tree, then the leftovers.
double KsNumpySum(const std::vector<double>& a) {
  const size_t n = a.size();
  double res = 0.0;
  if (n < 8) {
    for (const double x : a) res += x;
    return 0.0 + res;
  }
  PROSPECT_CHECK(n <= 128);  // numpy's PW_BLOCKSIZE; PelzGood sums at most 8 terms here
  double r[8];
  for (size_t j = 0; j < 8; ++j) r[j] = a[j];
  size_t i = 8;
  for (; i < n - (n % 8); i += 8) {
    for (size_t j = 0; j < 8; ++j) r[j] += a[i + j];
  }
  res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
  for (; i < n; ++i) res += a[i];
  return 0.0 + res;
}

// _kolmogn_PelzGood: the Pelz & Good (1976) approximation to Pr(D_n <= x), the Li-Chien/Korolyuk
// expansion K0 + K1/sqrt(n) + K2/n + K3/n^1.5 in a form (Jacobi theta) suited to small z.
double KsKolmogornPelzGoodCdf(int64_t n, double x) {
  constexpr double kPi = std::numbers::pi;
  // scipy's _SQRT2PI, _SQRT3, _PI_SQUARED, _PI_FOUR, _PI_SIX (numpy's values, to the last bit).
  constexpr double kSqrt2Pi = 2.5066282746310002;
  constexpr double kSqrt3 = 1.7320508075688772;
  constexpr double kPiSquared = 9.869604401089358;
  constexpr double kPiFour = 97.40909103400242;
  constexpr double kPiSix = 961.3891935753043;
  constexpr double kMinLog = -708;
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;

  const double z = std::sqrt(static_cast<double>(n)) * x;
  const double zsquared = std::pow(z, 2), zthree = std::pow(z, 3), zfour = std::pow(z, 4),
               zsix = std::pow(z, 6);
  const double qlog = -kPiSquared / 8 / zsquared;
  if (qlog < kMinLog) return 0.0;  // z below ~0.0417
  double q = std::exp(qlog);

  // Coefficients of the terms in the sums for K1, K2 and K3.
  const double k1a = -zsquared;
  const double k1b = kPiSquared / 4;
  const double k2a = 6 * zsix + 2 * zfour;
  const double k2b = (2 * zfour - 5 * zsquared) * kPiSquared / 4;
  const double k2c = kPiFour * (1 - 2 * zsquared) / 16;
  const double k3d = kPiSix * (5 - 30 * zsquared) / 64;
  const double k3c = kPiFour * (-60 * zsquared + 212 * zfour) / 16;
  const double k3b = kPiSquared * (135 * zfour - 96 * zsix) / 4;
  const double k3a = -30 * zsix - 90 * std::pow(z, 8);

  // Horner scheme for sum c_i q^(i^2) over odd i.
  double kk[4] = {0.0, 0.0, 0.0, 0.0};
  const int64_t maxk = static_cast<int64_t>(std::ceil(16 * z / kPi));
  for (int64_t k = maxk; k > 0; --k) {
    const int64_t m = 2 * k - 1;
    const double msquared = static_cast<double>(m * m);
    const double mfour = static_cast<double>(m * m * m * m);
    const double msix = static_cast<double>(m * m * m * m * m * m);
    const double qpower = std::pow(q, static_cast<double>(8 * k));
    const double coeffs[4] = {1.0, k1a + k1b * msquared, k2a + k2b * msquared + k2c * mfour,
                              k3a + k3b * msquared + k3c * mfour + k3d * msix};
    for (int i = 0; i < 4; ++i) kk[i] = kk[i] * qpower + coeffs[i];
  }
  const double divisors[4] = {z, 6 * zfour, 72 * std::pow(z, 7), 6480 * std::pow(z, 10)};
  for (int i = 0; i < 4; ++i) kk[i] = kk[i] * q * kSqrt2Pi / divisors[i];

  // The other sums, over all integers k, for K2 and K3.
  q = std::exp(-kPiSquared / 2 / zsquared);
  const double sqrt3z = kSqrt3 * z;
  std::vector<double> k2_terms, k3_terms;
  for (int64_t k = maxk; k > 0; --k) {
    const double ksquared = static_cast<double>(k * k);
    const double kspi = kPi * static_cast<double>(k);
    const double qpwer = std::pow(q, ksquared);
    k2_terms.push_back(ksquared * qpwer);
    k3_terms.push_back((sqrt3z + kspi) * (sqrt3z - kspi) * ksquared * qpwer);
  }
  kk[2] += KsNumpySum(k2_terms) * (kPiSquared * kSqrt2Pi / (-36 * zthree));
  kk[3] += KsNumpySum(k3_terms) * (kPiSquared * kSqrt2Pi / (216 * zsix));
  const double nd = static_cast<double>(n);
  for (int i = 0; i < 4; ++i) kk[i] /= std::pow(nd, i / 2.0);
  return 0.0 + kk[0] + kk[1] + kk[2] + kk[3];
}

// _log_nfactorial_div_n_pow_n: log(n!/n^n) by Stirling, n*log(n) removed up front.
double KsLogNFactorialOverNPowN(int64_t n) {
  static constexpr double kStirlingCoeffs[] = {-2.955065359477124183e-2,  6.4102564102564102564e-3,
                                               -1.9175269175269175269e-3, 8.4175084175084175084e-4,
                                               -5.952380952380952381e-4,  7.9365079365079365079e-4,
                                               -2.7777777777777777778e-3, 8.3333333333333333333e-2};
  constexpr double kLog2Pi = 1.8378770664093453;  // scipy's _LOG_2PI, np.log(2 * np.pi)
  const double nd = static_cast<double>(n);
  const double rn = 1.0 / nd;
  double poly = 0.0;  // np.polyval: Horner from 0
  for (const double c : kStirlingCoeffs) poly = poly * (rn / nd) + c;
  return std::log(nd) / 2 - nd + kLog2Pi / 2 + rn * poly;
}

// _kolmogn(n, x, cdf=False) for 0.5/n < x < 1: Simard & L'Ecuyer's choice of method by n and n x^2.
double KsKolmogornSf(int64_t n, double x) {
  if (x >= 1.0) return 0.0;
  if (x <= 0.0) return 1.0;
  const double nd = static_cast<double>(n);
  const double t = nd * x;
  if (t <= 1.0) {  // Ruben-Gambino: 1/2n <= x <= 1/n
    if (t <= 0.5) return 1.0;
    double prob;
    if (n <= 140) {
      prob = 1.0;
      const double inv_n = 1.0 / nd;
      for (int64_t i = 1; i <= n; ++i) prob *= static_cast<double>(i) * inv_n * (2 * t - 1);
    } else {
      prob = std::exp(KsLogNFactorialOverNPowN(n) + nd * std::log(2 * t - 1));
    }
    return std::clamp(1.0 - prob, 0.0, 1.0);
  }
  if (t >= nd - 1) {  // Ruben-Gambino
    return std::clamp(2 * std::pow(1.0 - x, nd), 0.0, 1.0);
  }
  if (x >= 0.5) return std::clamp(2 * KsSmirnovSf(n, x), 0.0, 1.0);  // exact: 2 * smirnov

  const double nxsquared = t * x;
  if (n <= 140) {
    if (nxsquared <= 0.754693) return KsKolmogornDmtwCdf(n, x).SfOfCdf();
    if (nxsquared <= 4) return KsKolmogornPomeranzCdf(n, x).SfOfCdf();
    return std::clamp(2 * KsSmirnovSf(n, x), 0.0, 1.0);  // Miller's approximation
  }
  // scipy splits the cdf and sf here, with different cutoffs on n x^2.
  if (nxsquared >= 370.0) return 0.0;
  if (nxsquared >= 2.2) return std::clamp(2 * KsSmirnovSf(n, x), 0.0, 1.0);
  if (n <= 100000 && nd * std::pow(x, 1.5) <= 1.4) return KsKolmogornDmtwCdf(n, x).SfOfCdf();
  return std::clamp(1.0 - KsKolmogornPelzGoodCdf(n, x), 0.0, 1.0);
}

// kstwo.sf as rv_continuous.sf gives it: 1 at or below the support's start 0.5/n, 0 from 1 on.
double KsKstwoSf(double d, int64_t n) {
  if (d <= 0.5 / static_cast<double>(n)) return 1.0;
  if (d >= 1.0) return 0.0;
  return KsKolmogornSf(n, d);
}

// _compute_prob_outside_square: Pr(D_{n,n} >= h/n) = 2 * (A0 - A0 A1 + ...) evaluated from the
// inside out as 2 A0 (1 - A1 (1 - A2 (...))), which avoids subtractive cancellation.
double KsProbOutsideSquare(int64_t n, int64_t h) {
  double p = 0.0;
  for (int64_t k =
           static_cast<int64_t>(std::floor(static_cast<double>(n) / static_cast<double>(h)));
       k >= 0; --k) {
    double p1 = 1.0;
    for (int64_t j = 0; j < h; ++j) {
      p1 = static_cast<double>(n - k * h - j) * p1 / static_cast<double>(n + k * h + j + 1);
    }
    p = p1 * (1.0 - p);
  }
  return 2 * p;
}

// _compute_outer_prob_inside_method (scipy's pythran module): the share of lattice paths from
// (0, 0) to (m, n) that leave |x/m - y/n| < h/lcm(m, n), by Hodges' (1958) inside method in
// Viehmann's (2021) form that computes 1 - p directly, one sliding column at a time.
double KsOuterProbInsideMethod(int64_t m, int64_t n, int64_t g, int64_t h) {
  if (m < n) std::swap(m, n);
  const int64_t mg = m / g;
  const int64_t ng = n / g;
  const auto floor_div = [](int64_t a, int64_t b) {
    return static_cast<int64_t>(std::floor(static_cast<double>(a) / static_cast<double>(b)));
  };
  const auto ceil_div = [](int64_t a, int64_t b) {
    return static_cast<int64_t>(std::ceil(static_cast<double>(a) / static_cast<double>(b)));
  };
  int64_t minj = 0;
  int64_t maxj = std::min(ceil_div(h, mg), n + 1);
  int64_t curlen = maxj - minj;
  const int64_t len_a = std::min(2 * maxj + 2, n + 1);
  std::vector<double> a(len_a, 1.0);
  std::fill(a.begin() + minj, a.begin() + std::min(maxj, len_a), 0.0);
  for (int64_t i = 1; i <= m; ++i) {
    const int64_t lastminj = minj;
    const int64_t lastlen = curlen;
    minj = std::min(std::max(floor_div(ng * i - h, mg) + 1, int64_t{0}), n);
    maxj = std::min(ceil_div(ng * i + h, mg), n + 1);
    if (maxj <= minj) return 1.0;
    double val = minj == 0 ? 0.0 : 1.0;
    PROSPECT_CHECK(maxj - lastminj <= len_a && maxj - minj <= len_a);
    for (int64_t jj = 0; jj < maxj - minj; ++jj) {
      const int64_t j = jj + minj;
      val = (a[jj + minj - lastminj] * static_cast<double>(i) + val * static_cast<double>(j)) /
            static_cast<double>(i + j);
      a[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) {  // carried-over entries become 1
      std::fill(a.begin() + (maxj - minj),
                a.begin() + std::min(maxj - minj + (lastlen - curlen), len_a), 1.0);
    }
  }
  return a[maxj - minj - 1];
}

void KsCheckStatistic(double d) {
  if (!(d >= 0.0 && d <= 1.0)) {
    Fail(ErrorCode::kInvalidArgument,
         "Kolmogorov-Smirnov statistic {} is out of range: it must be between 0 and 1", d);
  }
}

}  // namespace

double KolmogorovSf(double d, int64_t n) {
  if (n < 1) {
    Fail(ErrorCode::kInvalidArgument,
         "Kolmogorov-Smirnov sample size {} is out of range: it must be at least 1", n);
  }
  KsCheckStatistic(d);
  return KsKstwoSf(d, n);
}

double KsTwoSamplePValue(double d, int64_t n1, int64_t n2) {
  if (n1 < 1 || n2 < 1) {
    Fail(ErrorCode::kInvalidArgument,
         "Kolmogorov-Smirnov sample sizes {} and {} are out of range: both must be at least 1", n1,
         n2);
  }
  KsCheckStatistic(d);
  constexpr int64_t kMaxAutoN = 10000;  // scipy's MAX_AUTO_N: exact up to this size
  if (std::max(n1, n2) <= kMaxAutoN) {
    // _attempt_exact_2kssamp: d moves to the lattice of attainable values h/lcm(n1, n2), which
    // also absorbs the rounding in a d that came from differences of floating-point ECDFs.
    const int64_t g = std::gcd(n1, n2);
    const int64_t lcm = (n1 / g) * n2;
    // np.round: half to even, as nearbyint in the default rounding mode.
    const int64_t h = static_cast<int64_t>(std::nearbyint(d * static_cast<double>(lcm)));
    d = static_cast<double>(h) * 1.0 / static_cast<double>(lcm);
    if (h == 0) return 1.0;
    const double prob =
        n1 == n2 ? KsProbOutsideSquare(n1, h) : KsOuterProbInsideMethod(n1, n2, g, h);
    if (prob >= 0 && prob <= 1) return prob;
    // Rounding can push the exact value past 1; scipy then warns and uses the asymptotic
    // p-value of the lattice d.
  }
  const double m = static_cast<double>(std::max(n1, n2));
  const double n = static_cast<double>(std::min(n1, n2));
  const double en = m * n / (m + n);  // the effective sample size, rounded half to even
  return std::clamp(KsKstwoSf(d, static_cast<int64_t>(std::nearbyint(en))), 0.0, 1.0);
}

}  // namespace prospect::monitor
