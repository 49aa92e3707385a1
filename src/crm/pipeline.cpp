// Stage history, time in stage, the pipeline and lead conversion (see pipeline.hpp).
#include "prospect/crm/pipeline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "crm/records.hpp"
#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/numbers.hpp"
#include "prospect/common/quantile.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/features/profile.hpp"
#include "prospect/privacy/pii.hpp"

namespace prospect {
using namespace crm_internal;
namespace {

constexpr double kNoStays = std::numeric_limits<double>::quiet_NaN();

double MicrosToDays(int64_t micros) { return static_cast<double>(micros) / kMicrosPerDay; }

double StayMean(const std::vector<double>& values) {
  if (values.empty()) return kNoStays;
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

nlohmann::json FiniteOrNull(double v) { return std::isfinite(v) ? nlohmann::json(v) : nullptr; }

}  // namespace

StageSnapshot LoadStageSnapshot(Store& store, const Context& ctx) {
  StageSnapshot out;
  const std::string table(CrmObjectOf(CrmObject::kOpportunities).table);
  const auto info = store.FindTable(table);
  if (!info || info->schema.IndexOf("opportunity_id") < 0 || info->schema.IndexOf("stage") < 0)
    return out;
  const Table t = store.LoadTable(table, {"opportunity_id", "stage"}, ctx);
  for (size_t r = 0; r < t.num_rows(); ++r)
    out[t.column(0)->FormatValue(r)] = t.column(1)->IsNull(r) ? "" : t.column(1)->FormatValue(r);
  return out;
}

int64_t RecordStageChanges(Store& store, const StageSnapshot& before, const Table& opportunities,
                           int64_t now, const Context& ctx) {
  const Column& ids = opportunities.column("opportunity_id");
  const Column& stages = opportunities.column("stage");
  const Column* people =
      opportunities.HasColumn("customer_id") ? &opportunities.column("customer_id") : nullptr;
  const Column* created =
      opportunities.HasColumn("created_at") ? &opportunities.column("created_at") : nullptr;
  StageChangeRows rows;
  for (size_t r = 0; r < opportunities.num_rows(); ++r) {
    const std::string id = ids.FormatValue(r), stage = stages.FormatValue(r);
    const auto old = before.find(id);
    if (old != before.end() && old->second == stage) continue;
    const std::optional<int64_t> born = created ? CellMicros(*created, r) : std::nullopt;
    rows.Add(id, people && !people->IsNull(r) ? people->FormatValue(r) : "", stage,
             old == before.end() ? "" : old->second, old == before.end() && born ? *born : now);
  }
  if (rows.size() > 0) AppendCrmRows(store, CrmObject::kStageChanges, rows.Finish(), ctx);
  return static_cast<int64_t>(rows.size());
}

StageMove MoveToStage(Store& store, const CrmConfig& config, const std::string& opportunity_id,
                      const std::string& stage, int64_t at, const Context& ctx) {
  const CrmStage* target = config.FindStage(stage);
  if (!target) {
    Fail(ErrorCode::kInvalidArgument, "stage {} is not configured. {}Stages: {}.",
         QuoteForMessage(stage), DidYouMean(stage, config.StageNames()),
         Join(config.StageNames(), ", "));
  }
  StageMove move{opportunity_id, "", target->name, false};
  store.RunInTransaction([&] {
    const Table opportunities = LoadCrmTableOrFail(store, CrmObject::kOpportunities, ctx);
    const size_t row = FindRecordOrFail(opportunities, CrmObject::kOpportunities, opportunity_id);
    const Column& stages = opportunities.column("stage");
    move.from = stages.IsNull(row) ? "" : stages.FormatValue(row);
    if (move.from == move.to) return;
    WriteCrmTable(store, CrmObject::kOpportunities, WithText(opportunities, row, "stage", move.to),
                  ctx);
    StageChangeRows change;
    const std::string person =
        opportunities.HasColumn("customer_id") && !opportunities.column("customer_id").IsNull(row)
            ? opportunities.column("customer_id").FormatValue(row)
            : "";
    change.Add(opportunity_id, person, move.to, move.from, at);
    AppendCrmRows(store, CrmObject::kStageChanges, change.Finish(), ctx);
    store.Audit("crm.stage", fmt::format("opportunity={} from={} to={}", opportunity_id,
                                         move.from.empty() ? "-" : move.from, move.to));
    move.moved = true;
  });
  return move;
}

nlohmann::json StageVisit::ToJson() const {
  return {{"opportunity_id", opportunity_id},
          {"stage", stage},
          {"entered", FormatTimestamp(entered)},
          {"left", left ? nlohmann::json(FormatTimestamp(*left)) : nlohmann::json()},
          {"days", days}};
}

std::vector<StageVisit> StageVisits(const Table& stage_changes, const std::string& opportunity_id,
                                    int64_t as_of) {
  for (const char* name : {"opportunity_id", "stage", "changed_at"}) {
    if (!stage_changes.HasColumn(name))
      Fail(ErrorCode::kInvalidData, "crm_stage_changes has no column {}", name);
  }
  const Column& ids = stage_changes.column("opportunity_id");
  const Column& stages = stage_changes.column("stage");
  const Column& times = stage_changes.column("changed_at");
  if (times.type() != DataType::kTimestamp && times.type() != DataType::kDate) {
    Fail(ErrorCode::kInvalidData, "crm_stage_changes.changed_at holds {} values, not times",
         DataTypeName(times.type()));
  }
  struct Change {
    int64_t at;
    size_t row;
  };
  std::map<std::string, std::vector<Change>> by_opportunity;
  for (size_t r = 0; r < stage_changes.num_rows(); ++r) {
    const std::optional<int64_t> at = CellMicros(times, r);
    if (!at || stages.IsNull(r)) continue;
    const std::string id = ids.FormatValue(r);
    if (!opportunity_id.empty() && id != opportunity_id) continue;
    by_opportunity[id].push_back({*at, r});
  }
  std::vector<StageVisit> out;
  for (auto& [id, changes] : by_opportunity) {
    std::stable_sort(changes.begin(), changes.end(),
                     [](const Change& a, const Change& b) { return a.at < b.at; });
    std::optional<StageVisit> stay;
    for (const Change& c : changes) {
      const std::string stage = stages.FormatValue(c.row);
      if (stay && stay->stage == stage) continue;  // already there: the stay goes on
      if (stay) {
        stay->left = c.at;
        stay->days = MicrosToDays(c.at - stay->entered);
        out.push_back(*stay);
      }
      stay = StageVisit{id, stage, c.at, std::nullopt, 0};
    }
    stay->days = MicrosToDays(std::max<int64_t>(0, as_of - stay->entered));
    out.push_back(*stay);
  }
  return out;
}

nlohmann::json StageTime::ToJson() const {
  return {{"stage", stage},
          {"completed", completed},
          {"mean_days", FiniteOrNull(mean_days)},
          {"median_days", FiniteOrNull(median_days)},
          {"open", open},
          {"open_mean_days", FiniteOrNull(open_mean_days)}};
}

std::vector<StageTime> TimeInStage(const std::vector<StageVisit>& visits, const CrmConfig& config) {
  std::vector<std::string> order = config.StageNames();
  std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> days;  // done, open
  for (const StageVisit& v : visits) {
    if (std::find(order.begin(), order.end(), v.stage) == order.end()) order.push_back(v.stage);
    (v.left ? days[v.stage].first : days[v.stage].second).push_back(v.days);
  }
  std::vector<StageTime> out;
  for (const std::string& stage : order) {
    const auto& [done, open] = days[stage];
    out.push_back({stage, static_cast<int64_t>(done.size()), StayMean(done), Quantile(done, 0.5),
                   static_cast<int64_t>(open.size()), StayMean(open)});
  }
  return out;
}

nlohmann::json PipelineStage::ToJson() const {
  return {{"stage", stage},
          {"probability", probability},
          {"opportunities", opportunities},
          {"amount", amount},
          {"weighted_amount", weighted_amount}};
}

std::vector<PipelineStage> SummarizePipeline(Store& store, const CrmConfig& config,
                                             const Context& ctx) {
  const Table opportunities = LoadCrmTableOrFail(store, CrmObject::kOpportunities, ctx);
  const Column& stages = opportunities.column("stage");
  const Column* amounts =
      opportunities.HasColumn("amount") ? &opportunities.column("amount") : nullptr;
  if (amounts && !IsNumeric(amounts->type())) {
    Fail(ErrorCode::kInvalidData,
         "crm_opportunities.amount holds {} values, not numbers; import it with plain numbers "
         "(1500.00, not $1,500)",
         DataTypeName(amounts->type()));
  }
  std::vector<PipelineStage> out;
  for (const CrmStage& s : config.stages) out.push_back({s.name, s.probability, 0, 0, 0});
  for (size_t r = 0; r < opportunities.num_rows(); ++r) {
    const std::string stage = stages.IsNull(r) ? "" : stages.FormatValue(r);
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const PipelineStage& p) { return p.stage == stage; });
    if (it == out.end()) continue;  // stages are checked on the way in
    ++it->opportunities;
    if (amounts && !amounts->IsNull(r)) it->amount += amounts->NumericAt(r);
  }
  for (PipelineStage& p : out) p.weighted_amount = p.amount * p.probability;
  return out;
}

nlohmann::json Conversion::ToJson() const {
  return {{"customer_id", customer_id},
          {"added_to_customers", added_to_customers},
          {"copied_columns", copied_columns}};
}

Conversion ConvertLead(const Workspace& workspace, const std::string& customer_id, int64_t at,
                       const Context& ctx) {
  Store& store = workspace.store();
  const ProfileConfig profile = ProfileConfig::FromJson(workspace.Section("profile"));
  Conversion out{customer_id, false, {}};
  store.RunInTransaction([&] {
    Table people = LoadCrmTableOrFail(store, CrmObject::kPeople, ctx);
    const size_t row = FindRecordOrFail(people, CrmObject::kPeople, customer_id);
    people = WithTime(WithText(people, row, "lifecycle", "customer"), row, "converted_at", at);
    WriteCrmTable(store, CrmObject::kPeople, people, ctx);

    const auto customers = store.FindTable(profile.customers_table);
    if (customers && customers->schema.IndexOf(profile.customer_id) >= 0) {
      const Table ids = store.LoadTable(profile.customers_table, {profile.customer_id}, ctx);
      if (ids.column(0)->RowsWithValueIn({customer_id}).empty()) {
        const auto pii_people = FindPiiDeclaration(store, "crm_people");
        const auto pii_customers = FindPiiDeclaration(store, profile.customers_table);
        // The id in the customers table's type (text, or a whole number).
        const auto id_cell = [&](const Field& f) {
          ColumnBuilder b(f.type);
          int64_t number = 0;
          if (IsStringLike(f.type)) {
            b.AppendString(customer_id);
          } else if (f.type == DataType::kInt64 && ParseInt64(customer_id, &number)) {
            b.AppendInt(number);
          } else {
            Fail(ErrorCode::kInvalidData, "{}.{} holds {} values; {} does not fit",
                 profile.customers_table, f.name, DataTypeName(f.type),
                 QuoteForMessage(customer_id));
          }
          return b.Finish();
        };
        std::vector<ColumnPtr> columns;
        for (const Field& f : customers->schema.fields()) {
          const bool signup = f.name == profile.signup_column &&
                              (f.type == DataType::kDate || f.type == DataType::kTimestamp);
          const bool shared = people.HasColumn(f.name) && !people.column(f.name).IsNull(row) &&
                              people.column(f.name).type() == f.type &&
                              (pii_people && pii_people->Find(f.name)) ==
                                  (pii_customers && pii_customers->Find(f.name));
          if (f.name == profile.customer_id) {
            columns.push_back(id_cell(f));
            continue;
          }
          if (signup) {
            columns.push_back(
                Column::FromInts(f.type, {f.type == DataType::kDate ? DayOfTimestamp(at) : at}));
          } else if (shared) {
            columns.push_back(people.column(f.name).Take(std::vector<size_t>{row}));
          } else {
            columns.push_back(NullColumn(f.type, 1));
            continue;
          }
          out.copied_columns.push_back(f.name);
        }
        WriteOptions write;
        write.mode = WriteMode::kAppend;
        store.WriteTable(profile.customers_table, Table(customers->schema, std::move(columns)),
                         write, ctx);
        out.added_to_customers = true;
      }
    }
    store.Audit("crm.convert",
                fmt::format("added_to_customers={} columns={}",
                            out.added_to_customers ? "yes" : "no", out.copied_columns.size()));
  });
  return out;
}

}  // namespace prospect
