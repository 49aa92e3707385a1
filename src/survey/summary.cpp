// NPS / CSAT of a survey table, overall, by group and over time (see survey.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <utility>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/segment/segment.hpp"
#include "prospect/store/store.hpp"
#include "prospect/survey/survey.hpp"
#include "survey/survey_columns.hpp"

namespace prospect {
namespace {

using survey_internal::RequireColumn;

constexpr const char* kNoGroup = "(none)";
// Groups smaller than this get a warning: their intervals are wide and the normal approximation
// is rough.
constexpr int64_t kSmallGroup = 30;

std::optional<std::string> KeyOf(Store& store, const std::string& table) {
  const auto info = store.FindTable(table);
  return info ? info->key : std::nullopt;
}

// The values of `column` of `other` for each response, joined on the customer id.
std::vector<std::string> JoinedLabels(const Table& responses, const std::string& id,
                                      const Table& other, const std::string& other_name,
                                      const std::string& other_key, const std::string& column) {
  RequireColumn(other, other_name, column);
  const Table left = responses.Select({id});
  const Table right =
      column == other_key ? other.Select({other_key}) : other.Select({other_key, column});
  const Table joined = LookupJoin(left, id, right, other_key);
  const Column& values = column == other_key ? joined.column(id) : joined.column(column);
  std::vector<std::string> out(values.size());
  for (size_t r = 0; r < values.size(); ++r)
    out[r] = values.IsNull(r) ? kNoGroup : values.FormatValue(r);
  return out;
}

// The segmentation whose assignments the segments table holds: the last one run, as the audit
// log records it (RunSegmentation writes "segment" entries "segmentation=NAME method=… k=…").
// Empty when the log has none.
std::string LastSegmentation(Store& store) {
  constexpr std::string_view kKey = "segmentation=";
  const std::vector<AuditEntry> log = store.AuditLog();
  for (auto it = log.rbegin(); it != log.rend(); ++it) {
    if (it->action != "segment" || !it->detail.starts_with(kKey)) continue;
    const size_t end = it->detail.find(' ');
    return it->detail.substr(kKey.size(),
                             end == std::string::npos ? std::string::npos : end - kKey.size());
  }
  return "";
}

// The segment name of each response, from the `segments` table, which must hold the assignments
// of segmentation `name`.
std::vector<std::string> SegmentLabels(Store& store, const Table& responses, const std::string& id,
                                       const std::string& name, const Context& ctx) {
  (void)store.GetObjectOrFail("segmentation", name, 0, "segmentation", "Segmentations",
                              "prospect segment");
  const std::string last = LastSegmentation(store);
  if (!last.empty() && last != name) {
    Fail(ErrorCode::kFailedPrecondition,
         "the segments table holds the segments of segmentation \"{}\", run after \"{}\"; run "
         "segmentation \"{}\" again to group by it",
         last, name, name);
  }
  const Table segments = store.LoadTable(kSegmentsTable, ctx);
  RequireColumn(segments, kSegmentsTable, "segment_name");
  const std::string key = segments.schema().field(0).name;
  if (key == "segment" || key == "segment_name") {
    Fail(ErrorCode::kFailedPrecondition,
         "the segments table has no customer id column, so responses cannot be matched to "
         "segments; segment a table with an id column");
  }
  return JoinedLabels(responses, id, segments, kSegmentsTable, key, "segment_name");
}

// Each response's period ("" for none): the date or timestamp column bucketed by `unit`.
std::vector<std::string> PeriodLabels(const Table& responses, const std::string& table,
                                      const std::string& requested, const std::string& unit,
                                      std::string* column_used) {
  std::string column = requested;
  if (column.empty()) {
    std::vector<std::string> dated;
    for (const Field& f : responses.schema().fields()) {
      if (f.type == DataType::kDate || f.type == DataType::kTimestamp) dated.push_back(f.name);
    }
    if (dated.size() != 1) {
      Fail(ErrorCode::kInvalidArgument,
           "table {} has {} date or timestamp columns{}; name the time column to group by {}",
           table, dated.size(), dated.empty() ? "" : " (" + Join(dated, ", ") + ")", unit);
    }
    column = dated[0];
  }
  RequireColumn(responses, table, column);
  const Column& c = responses.column(column);
  if (c.type() != DataType::kDate && c.type() != DataType::kTimestamp) {
    Fail(ErrorCode::kInvalidData, "table {}: column {} holds {} values, not dates or timestamps",
         table, column, DataTypeName(c.type()));
  }
  *column_used = column;
  std::vector<std::string> out(c.size());
  const auto values = c.ints();
  for (size_t r = 0; r < c.size(); ++r) {
    if (c.IsNull(r)) {
      out[r] = kNoGroup;
      continue;
    }
    const int64_t day = c.type() == DataType::kDate ? values[r] : DayOfTimestamp(values[r]);
    out[r] = PeriodOf(day, unit);
  }
  return out;
}

SatisfactionEstimate EstimateOf(SurveyScale scale, const std::array<int64_t, 3>& counts,
                                double confidence) {
  return scale == SurveyScale::kNps ? EstimateNps(counts[2], counts[1], counts[0], confidence)
                                    : EstimateCsat(counts[2], counts[1], counts[0], confidence);
}

// "(none)" after every real value.
bool LabelBefore(const std::string& a, const std::string& b) {
  const bool a_none = a == kNoGroup, b_none = b == kNoGroup;
  return a_none != b_none ? b_none : a < b;
}

}  // namespace

nlohmann::json SurveyReport::ToJson() const {
  nlohmann::json list = nlohmann::json::array();
  for (const SatisfactionEstimate& g : groups) list.push_back(g.ToJson(scale));
  nlohmann::json out = {{"scale", SurveyScaleName(scale)},
                        {"table", table},
                        {"score_column", score_column},
                        {"confidence", confidence},
                        {"skipped", skipped},
                        {"overall", overall.ToJson(scale)},
                        {"groups", list},
                        {"warnings", warnings}};
  if (!id_column.empty()) out["id_column"] = id_column;
  if (!grouped_by.empty()) out["grouped_by"] = grouped_by;
  if (!over.empty()) {
    out["over"] = over;
    out["time_column"] = time_column;
  }
  return out;
}

SurveyReport SummarizeSurvey(Store& store, const SurveyRequest& request, const Context& ctx) {
  (void)EstimateNps(0, 0, 0, request.confidence);  // the confidence's check, before any work
  if (!request.by.empty() && !request.by_segment.empty()) {
    Fail(ErrorCode::kInvalidArgument,
         "group the responses by a column or by a segmentation, not both (got {} and {})",
         QuoteForMessage(request.by), QuoteForMessage(request.by_segment));
  }
  if (!request.over.empty() && request.over != "month" && request.over != "week") {
    Fail(ErrorCode::kInvalidArgument, "over {}: expected month or week",
         QuoteForMessage(request.over));
  }
  if (request.over.empty() && !request.time_column.empty()) {
    Fail(ErrorCode::kInvalidArgument,
         "time column {} is for results over time: say month or week as well",
         QuoteForMessage(request.time_column));
  }

  const Table responses = store.LoadTable(request.table, ctx);
  SurveyReport out;
  out.scale = request.scale;
  out.table = request.table;
  out.confidence = request.confidence;
  out.score_column =
      survey_internal::ScoreColumn(responses, request.table, request.score_column, request.scale);
  const std::vector<int64_t> scores =
      ReadScores(responses, request.table, out.score_column, request.scale);

  std::vector<std::string> groups, periods;
  const bool joins = !request.by_segment.empty() || request.by.find('.') != std::string::npos;
  if (joins || !request.id_column.empty()) {
    out.id_column = survey_internal::IdColumn(responses, request.table, request.id_column,
                                              KeyOf(store, request.table));
  }
  if (!request.by_segment.empty()) {
    groups = SegmentLabels(store, responses, out.id_column, request.by_segment, ctx);
    out.grouped_by = "segmentation " + request.by_segment;
  } else if (joins) {
    const size_t dot = request.by.find('.');
    const std::string other_name = request.by.substr(0, dot), column = request.by.substr(dot + 1);
    const Table other = store.LoadTable(other_name, ctx);
    const std::string key =
        survey_internal::JoinKey(other, other_name, "", KeyOf(store, other_name), out.id_column);
    groups = JoinedLabels(responses, out.id_column, other, other_name, key, column);
    out.grouped_by = request.by;
  } else if (!request.by.empty()) {
    RequireColumn(responses, request.table, request.by);
    const Column& c = responses.column(request.by);
    groups.resize(c.size());
    for (size_t r = 0; r < c.size(); ++r) groups[r] = c.IsNull(r) ? kNoGroup : c.FormatValue(r);
    out.grouped_by = request.by;
  }
  if (!request.over.empty()) {
    periods =
        PeriodLabels(responses, request.table, request.time_column, request.over, &out.time_column);
    out.over = request.over;
  }

  std::array<int64_t, 3> all{};
  std::map<std::pair<std::string, std::string>, std::array<int64_t, 3>> cells;
  for (size_t r = 0; r < scores.size(); ++r) {
    if (scores[r] < 0) {
      ++out.skipped;
      continue;
    }
    const auto band = static_cast<size_t>(BandOf(request.scale, scores[r]));
    ++all[band];
    if (!groups.empty() || !periods.empty()) {
      ++cells[{groups.empty() ? "" : groups[r], periods.empty() ? "" : periods[r]}][band];
    }
  }
  out.overall = EstimateOf(request.scale, all, request.confidence);
  std::vector<std::pair<std::string, std::string>> keys;
  for (const auto& [key, counts] : cells) keys.push_back(key);
  std::stable_sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return LabelBefore(a.first, b.first);
    return LabelBefore(a.second, b.second);
  });
  size_t small = 0;
  for (const auto& key : keys) {
    SatisfactionEstimate e = EstimateOf(request.scale, cells[key], request.confidence);
    e.group = key.first;
    e.period = key.second;
    if (e.responses < kSmallGroup) ++small;
    out.groups.push_back(std::move(e));
  }
  if (out.skipped > 0) {
    out.warnings.push_back(fmt::format("{} rows without a score were left out", out.skipped));
  }
  if (small > 0) {
    out.warnings.push_back(fmt::format(
        "{} of {} groups have fewer than {} responses: their intervals are wide and only rough",
        small, out.groups.size(), kSmallGroup));
  }
  if (all[0] + all[1] + all[2] == 0) {
    out.warnings.push_back(fmt::format("table {} has no scores", request.table));
  }
  return out;
}

}  // namespace prospect
