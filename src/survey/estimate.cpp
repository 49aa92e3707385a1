// NPS and CSAT with their intervals, the scales' bands, reading scores and naming periods (see
// survey.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/numbers.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/experiment/stats.hpp"
#include "prospect/survey/survey.hpp"

namespace prospect {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// z of a two-sided interval at `confidence`.
double TwoSidedZ(double confidence) {
  if (!(confidence > 0 && confidence < 1)) {
    Fail(ErrorCode::kInvalidArgument,
         "confidence {}: expected a number between 0 and 1 (0.95 for a 95% interval)", confidence);
  }
  return experiment::NormalQuantile(1 - (1 - confidence) / 2);
}

// The counts of an estimate and the z of its interval; score and interval are left to the
// scale's formula (NaN when there are no responses).
SatisfactionEstimate Counted(int64_t low, int64_t middle, int64_t high, double confidence,
                             double* z) {
  *z = TwoSidedZ(confidence);
  if (low < 0 || middle < 0 || high < 0) {
    Fail(ErrorCode::kInvalidArgument, "survey counts must not be negative (got {}, {}, {})", low,
         middle, high);
  }
  SatisfactionEstimate e;
  e.low = low;
  e.middle = middle;
  e.high = high;
  e.responses = low + middle + high;
  if (e.responses == 0) e.score = e.std_error = e.ci_low = e.ci_high = kNaN;
  return e;
}

struct ScaleRange {
  int64_t min, max;
  const char* rule;
};
ScaleRange RangeOf(SurveyScale scale) {
  return scale == SurveyScale::kNps ? ScaleRange{0, 10, "NPS scores are whole numbers from 0 to 10"}
                                    : ScaleRange{1, 5, "CSAT scores are whole numbers from 1 to 5"};
}

[[noreturn]] void BadScore(const std::string& table, const std::string& column, size_t row,
                           const std::string& value, bool out_of_range, SurveyScale scale) {
  const ScaleRange range = RangeOf(scale);
  // A CSAT table read as NPS is fine (1–5 are NPS scores too); the other way round is the usual
  // slip, so say which scale the value belongs to.
  const bool nps_value = scale == SurveyScale::kCsat && out_of_range;
  Fail(ErrorCode::kInvalidData, "table {}, column {}, row {}: {} is {}; {}{}", table, column,
       row + 1, value, out_of_range ? "out of range" : "not a score", range.rule,
       nps_value ? " (0 to 10 is the NPS scale)" : "");
}

}  // namespace

std::string_view SurveyScaleName(SurveyScale scale) {
  return scale == SurveyScale::kNps ? "nps" : "csat";
}

SurveyScale ParseSurveyScale(std::string_view name) {
  if (name == "nps") return SurveyScale::kNps;
  if (name == "csat") return SurveyScale::kCsat;
  Fail(ErrorCode::kInvalidArgument, "scale {}: expected nps (0 to 10) or csat (1 to 5)",
       QuoteForMessage(name));
}

SurveyBand BandOf(SurveyScale scale, int64_t score) {
  if (scale == SurveyScale::kNps) {
    return score >= 9 ? SurveyBand::kHigh : score >= 7 ? SurveyBand::kMiddle : SurveyBand::kLow;
  }
  return score >= 4 ? SurveyBand::kHigh : score == 3 ? SurveyBand::kMiddle : SurveyBand::kLow;
}

const std::vector<std::string>& BandNames(SurveyScale scale) {
  static const std::vector<std::string> nps = {"detractors", "passives", "promoters"};
  static const std::vector<std::string> csat = {"dissatisfied", "neutral", "satisfied"};
  return scale == SurveyScale::kNps ? nps : csat;
}

nlohmann::json SatisfactionEstimate::ToJson(SurveyScale scale) const {
  const auto& bands = BandNames(scale);
  nlohmann::json out = nlohmann::json::object();
  if (!group.empty()) out["group"] = group;
  if (!period.empty()) out["period"] = period;
  out["responses"] = responses;
  out[bands[0]] = low;
  out[bands[1]] = middle;
  out[bands[2]] = high;
  out["score"] = score;  // NaN (no responses) is written as null
  out["std_error"] = std_error;
  out["ci"] = {ci_low, ci_high};
  return out;
}

SatisfactionEstimate EstimateNps(int64_t promoters, int64_t passives, int64_t detractors,
                                 double confidence) {
  double z = 0;
  SatisfactionEstimate e = Counted(detractors, passives, promoters, confidence, &z);
  if (e.responses == 0) return e;
  // Each response is X = +1 (promoter), 0 (passive) or −1 (detractor) and NPS/100 is the mean of
  // X, so Var(NPS/100) = (E[X²] − E[X]²)/n = [p_P + p_D − (p_P − p_D)²]/n: the multinomial
  // (delta-method) variance, with the normal (Wald) interval of Rocks (2016), "Interval
  // estimation for the 'net promoter score'", The American Statistician 70(4), 365–372.
  const double n = static_cast<double>(e.responses);
  const double p = static_cast<double>(promoters) / n, d = static_cast<double>(detractors) / n;
  const double variance = std::max(0.0, (p + d - (p - d) * (p - d)) / n);
  e.score = 100 * (p - d);
  e.std_error = 100 * std::sqrt(variance);
  e.ci_low = std::max(-100.0, e.score - z * e.std_error);
  e.ci_high = std::min(100.0, e.score + z * e.std_error);
  return e;
}

SatisfactionEstimate EstimateCsat(int64_t satisfied, int64_t neutral, int64_t dissatisfied,
                                  double confidence) {
  double z = 0;
  SatisfactionEstimate e = Counted(dissatisfied, neutral, satisfied, confidence, &z);
  if (e.responses == 0) return e;
  // Wilson score interval (Wilson 1927, "Probable inference, the law of succession, and
  // statistical inference", JASA 22, 209–212): stays inside [0, 1] and keeps its coverage near
  // 0 and 1, where the Wald interval does not; statsmodels' proportion_confint(method="wilson").
  const double n = static_cast<double>(e.responses);
  const double p = static_cast<double>(satisfied) / n, z2 = z * z;
  const double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const double half = z / (1 + z2 / n) * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  e.score = 100 * p;
  e.std_error = 100 * std::sqrt(p * (1 - p) / n);
  e.ci_low = 100 * std::max(0.0, centre - half);
  e.ci_high = 100 * std::min(1.0, centre + half);
  return e;
}

std::vector<int64_t> ReadScores(const Table& responses, const std::string& table,
                                const std::string& column, SurveyScale scale) {
  const Column& c = responses.column(column);
  const ScaleRange range = RangeOf(scale);
  if (c.type() == DataType::kDate || c.type() == DataType::kTimestamp ||
      c.type() == DataType::kBool) {
    Fail(ErrorCode::kInvalidData, "table {}: column {} holds {} values, not scores; {}", table,
         column, DataTypeName(c.type()), range.rule);
  }
  std::vector<int64_t> out(c.size(), -1);
  for (size_t r = 0; r < c.size(); ++r) {
    if (c.IsNull(r)) continue;
    double v = 0;
    if (IsStringLike(c.type())) {
      const std::string_view text = Trim(c.StringAt(r));
      if (text.empty()) continue;
      if (!ParseDouble(text, &v)) BadScore(table, column, r, QuoteForMessage(text), false, scale);
    } else {
      v = c.NumericAt(r);
    }
    if (!std::isfinite(v) || v != std::floor(v)) {
      BadScore(table, column, r, c.FormatValue(r), false, scale);
    }
    if (v < static_cast<double>(range.min) || v > static_cast<double>(range.max)) {
      BadScore(table, column, r, c.FormatValue(r), true, scale);
    }
    out[r] = static_cast<int64_t>(v);
  }
  return out;
}

std::string PeriodOf(int64_t day, std::string_view unit) {
  if (unit == "month") {
    const CivilDate d = CivilFromDays(day);
    return fmt::format("{:04}-{:02}", d.year, d.month);
  }
  if (unit == "week") return FormatDate(MondayOf(day));
  Fail(ErrorCode::kInvalidArgument, "period {}: expected month or week", QuoteForMessage(unit));
}

}  // namespace prospect
