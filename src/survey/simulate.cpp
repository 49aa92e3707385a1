// Simulated survey responses with a planted driver (see survey.hpp): the known answer that the
// driver analysis is tested against, and sample data for the docs.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/rng.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/survey/survey.hpp"
#include "survey/survey_columns.hpp"

namespace prospect {
namespace {

int64_t SimulationDay(const std::string& name, const std::string& text) {
  int64_t day = 0;
  if (!ParseIsoDate(text, &day)) {
    Fail(ErrorCode::kInvalidArgument,
         "survey simulation parameter {}: {} is not a date (YYYY-MM-DD)", name,
         QuoteForMessage(text));
  }
  return day;
}

}  // namespace

const ParamSchema<SurveySimulation>& SurveySimulation::Schema() {
  using P = SurveySimulation;
  static const ParamSchema<P> schema(
      "survey simulation",
      {{"scale", &P::scale, "nps (0-10) or csat (1-5)", std::vector<std::string>{"nps", "csat"}},
       {"driver", &P::driver, "numeric column of the features table that drives satisfaction"},
       {"id_column", &P::id_column, "customer id column of the features table"},
       {"effect", &P::effect, "latent satisfaction per standard deviation of the driver", 0, 10},
       {"response_share", &P::response_share, "share of customers who answer", 0.0001, 1},
       {"start_date", &P::start_date, "first answer day (YYYY-MM-DD)"},
       {"end_date", &P::end_date, "last answer day (YYYY-MM-DD)"}});
  return schema;
}

Table SimulateSurvey(const Table& features, const std::string& table, const SurveySimulation& sim,
                     const Context& ctx) {
  SurveySimulation::Schema().Validate(sim);
  if (sim.driver.empty()) {
    Fail(ErrorCode::kInvalidArgument,
         "survey simulation: name the driver, a numeric column of table {}", table);
  }
  survey_internal::RequireColumn(features, table, sim.id_column);
  survey_internal::RequireColumn(features, table, sim.driver);
  const Column& driver = features.column(sim.driver);
  if (!IsNumeric(driver.type()) && driver.type() != DataType::kBool) {
    Fail(ErrorCode::kInvalidArgument,
         "survey simulation: the driver {} of table {} holds {} values; it must be a number column",
         sim.driver, table, DataTypeName(driver.type()));
  }
  const int64_t first = SimulationDay("start_date", sim.start_date);
  const int64_t last = SimulationDay("end_date", sim.end_date);
  if (last < first) {
    Fail(ErrorCode::kInvalidArgument, "survey simulation: end_date {} is before start_date {}",
         sim.end_date, sim.start_date);
  }

  // The driver standardised over the customers who have it.
  double sum = 0, sum_sq = 0;
  size_t known = 0;
  for (size_t r = 0; r < driver.size(); ++r) {
    const double v = driver.NumericAt(r);
    if (std::isnan(v)) continue;
    sum += v;
    ++known;
  }
  const double mean = known ? sum / static_cast<double>(known) : 0;
  for (size_t r = 0; r < driver.size(); ++r) {
    const double v = driver.NumericAt(r);
    if (!std::isnan(v)) sum_sq += (v - mean) * (v - mean);
  }
  const double sd = known > 1 ? std::sqrt(sum_sq / static_cast<double>(known - 1)) : 0;
  if (!(sd > 0)) {
    Fail(ErrorCode::kInvalidData,
         "survey simulation: the driver {} of table {} has the same value for every customer, so "
         "it cannot drive satisfaction",
         sim.driver, table);
  }

  const bool nps = sim.scale == "nps";
  const double base = nps ? 7.0 : 3.6, spread = nps ? 1.6 : 0.8;
  const double low = nps ? 0 : 1, high = nps ? 10 : 5;
  Rng rng(DeriveSeed(ctx.seed(), 0x5345));
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_int_distribution<int64_t> day_of(first, last);
  std::normal_distribution<double> noise(0.0, 1.0);
  const Column& ids = features.column(sim.id_column);
  std::vector<size_t> rows;
  ColumnVector<int64_t> days, scores;
  for (size_t r = 0; r < ids.size(); ++r) {
    // Every customer takes the same draws whether or not they answer, so the answers of one
    // customer do not depend on the response share of the others.
    const bool answers = unit(rng) < sim.response_share;
    const int64_t day = day_of(rng);
    const double eps = noise(rng);
    if (!answers || ids.IsNull(r)) continue;
    const double v = driver.NumericAt(r);
    const double z = std::isnan(v) ? 0.0 : (v - mean) / sd;
    const double u = sim.effect * z + eps;
    rows.push_back(r);
    days.push_back(day);
    scores.push_back(static_cast<int64_t>(std::clamp(std::round(base + spread * u), low, high)));
  }
  ctx.logger().info("survey simulation: {} of {} customers answered", rows.size(), ids.size());
  return Table(Schema({{sim.id_column, ids.type()},
                       {"responded_on", DataType::kDate},
                       {"score", DataType::kInt64}}),
               {ids.Take(rows), Column::FromInts(DataType::kDate, std::move(days)),
                Column::FromInts(DataType::kInt64, std::move(scores))});
}

}  // namespace prospect
