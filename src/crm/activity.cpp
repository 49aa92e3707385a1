// Timelines, notes and campaigns (see activity.hpp).
#include "prospect/crm/activity.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_set>

#include "crm/records.hpp"
#include "prospect/audience/audience.hpp"
#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/crm/crm.hpp"
#include "prospect/features/profile.hpp"
#include "prospect/survey/survey.hpp"

namespace prospect {
using namespace crm_internal;
namespace {

// Text of a cell, "" for null or a missing column.
std::string TextAt(const Table& t, std::string_view column, size_t row) {
  if (!t.HasColumn(column) || t.column(column).IsNull(row)) return "";
  return t.column(column).FormatValue(row);
}

// The rows of `table` whose `id_column` is `id`, with only `columns` (those it has), read a
// chunk at a time so that one person's events do not need the whole table in memory.
Table RowsOfPerson(Store& store, const std::string& table, const std::string& id_column,
                   const std::string& id, std::vector<std::string> columns, const Context& ctx) {
  const auto info = store.FindTable(table);
  if (!info || info->schema.IndexOf(id_column) < 0) return Table();
  std::erase_if(columns, [&](const std::string& c) { return info->schema.IndexOf(c) < 0; });
  columns.insert(columns.begin(), id_column);
  std::vector<Table> parts;
  store.Scan(
      table, columns, 1 << 16,
      [&](const Table& chunk) {
        const std::vector<size_t> rows = chunk.column(0)->RowsWithValueIn({id});
        if (!rows.empty()) parts.push_back(chunk.Take(rows));
      },
      ctx);
  return ConcatTables(parts);
}

bool IsBlank(const std::string& s) { return Trim(s).empty(); }

bool SaysResponded(const Table& members, size_t r) {
  if (members.HasColumn("responded_at") && CellMicros(members.column("responded_at"), r))
    return true;
  return ToLower(TextAt(members, "status", r)) == "responded";
}

}  // namespace

nlohmann::json TimelineEntry::ToJson() const {
  return {{"at", FormatTimestamp(at)}, {"kind", kind}, {"summary", summary}};
}

std::vector<TimelineEntry> PersonTimeline(const Workspace& workspace,
                                          const std::string& customer_id, size_t limit,
                                          const Context& ctx) {
  Store& store = workspace.store();
  const ProfileConfig profile = ProfileConfig::FromJson(workspace.Section("profile"));
  std::vector<TimelineEntry> out;
  bool known = false;
  const auto add = [&](const Table& t, const std::string& time_column, size_t r, const char* kind,
                       std::string summary) {
    if (!t.HasColumn(time_column)) return;
    if (const auto at = CellMicros(t.column(time_column), r))
      out.push_back({*at, kind, std::move(summary)});
  };

  const Table person = RowsOfPerson(store, "crm_people", "customer_id", customer_id,
                                    {"created_at", "converted_at", "lifecycle"}, ctx);
  for (size_t r = 0; r < person.num_rows(); ++r) {
    known = true;
    const std::string lifecycle = TextAt(person, "lifecycle", r);
    add(person, "created_at", r, "lead",
        fmt::format("CRM record created{}", IsBlank(lifecycle) ? "" : " (" + lifecycle + ")"));
    add(person, "converted_at", r, "lead", "converted from lead to customer");
  }
  const Table events = RowsOfPerson(
      store, profile.events_table, profile.customer_id, customer_id,
      {profile.event_time, profile.event_type, profile.event_item, profile.event_value}, ctx);
  for (size_t r = 0; r < events.num_rows(); ++r) {
    known = true;
    std::string what = "event " + TextAt(events, profile.event_type, r);
    if (const std::string item = TextAt(events, profile.event_item, r); !item.empty())
      what += " item " + item;
    if (const std::string value = TextAt(events, profile.event_value, r); !value.empty())
      what += " value " + value;
    add(events, profile.event_time, r, "event", what);
  }
  const Table orders =
      RowsOfPerson(store, profile.orders_table, profile.customer_id, customer_id,
                   {profile.order_time, profile.order_id, profile.order_amount}, ctx);
  std::unordered_set<std::string> seen_orders;  // order lines share their order's id
  for (size_t r = 0; r < orders.num_rows(); ++r) {
    known = true;
    const std::string id = TextAt(orders, profile.order_id, r);
    if (!id.empty() && !seen_orders.insert(id).second) continue;
    std::string what = id.empty() ? "order" : "order " + id;
    if (const std::string amount = TextAt(orders, profile.order_amount, r); !amount.empty())
      what += ", " + profile.order_amount + " " + amount;
    add(orders, profile.order_time, r, "order", what);
  }

  std::map<std::string, std::string> campaign_names;
  if (store.FindTable("crm_campaigns")) {
    const Table campaigns = store.LoadTable("crm_campaigns", ctx);
    for (size_t r = 0; r < campaigns.num_rows(); ++r)
      campaign_names[TextAt(campaigns, "campaign_id", r)] = TextAt(campaigns, "name", r);
  }
  const Table members = RowsOfPerson(store, "crm_campaign_members", "customer_id", customer_id,
                                     {"campaign_id", "sent_at", "responded_at"}, ctx);
  for (size_t r = 0; r < members.num_rows(); ++r) {
    known = true;
    const std::string id = TextAt(members, "campaign_id", r);
    const std::string& label = campaign_names[id];
    const std::string name = label.empty() || label == id ? id : fmt::format("{} ({})", id, label);
    add(members, "sent_at", r, "campaign", "sent campaign " + name);
    add(members, "responded_at", r, "campaign", "responded to campaign " + name);
  }
  const Table opportunities = RowsOfPerson(store, "crm_opportunities", "customer_id", customer_id,
                                           {"opportunity_id", "name", "created_at"}, ctx);
  for (size_t r = 0; r < opportunities.num_rows(); ++r) {
    known = true;
    add(opportunities, "created_at", r, "opportunity",
        fmt::format("opportunity {} opened ({})", TextAt(opportunities, "opportunity_id", r),
                    TextAt(opportunities, "name", r)));
  }
  const Table stages = RowsOfPerson(store, "crm_stage_changes", "customer_id", customer_id,
                                    {"opportunity_id", "from_stage", "stage", "changed_at"}, ctx);
  for (size_t r = 0; r < stages.num_rows(); ++r) {
    known = true;
    const std::string from = TextAt(stages, "from_stage", r);
    add(stages, "changed_at", r, "stage",
        fmt::format("opportunity {} {}{}", TextAt(stages, "opportunity_id", r),
                    from.empty() ? "entered " : from + " → ", TextAt(stages, "stage", r)));
  }
  const Table notes =
      RowsOfPerson(store, "crm_notes", "customer_id", customer_id, {"at", "text"}, ctx);
  for (size_t r = 0; r < notes.num_rows(); ++r) {
    known = true;
    add(notes, "at", r, "note", "note: " + TextAt(notes, "text", r));
  }
  if (!known) {
    Fail(ErrorCode::kNotFound, "customer {} has no CRM record, events, orders or campaigns",
         QuoteForMessage(customer_id));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const TimelineEntry& a, const TimelineEntry& b) { return a.at > b.at; });
  if (limit > 0 && out.size() > limit) out.resize(limit);
  return out;
}

void AddNote(Store& store, const std::string& customer_id, const std::string& text, int64_t at,
             const Context& ctx) {
  if (IsBlank(customer_id) || IsBlank(text))
    Fail(ErrorCode::kInvalidArgument, "a note needs a customer id and some text");
  const Table row(Schema({{"customer_id", DataType::kString},
                          {"at", DataType::kTimestamp},
                          {"text", DataType::kString}}),
                  {Column::FromStringVector({customer_id}),
                   Column::FromInts(DataType::kTimestamp, {at}), Column::FromStringVector({text})});
  store.RunInTransaction([&] {
    AppendCrmRows(store, CrmObject::kNotes, row, ctx);
    store.Audit("crm.note", "notes=1");
  });
}

int64_t SendCampaign(Store& store, const std::string& campaign_id, const std::string& audience,
                     int64_t at, const Context& ctx) {
  if (IsBlank(campaign_id)) Fail(ErrorCode::kInvalidArgument, "a campaign needs an id");
  const std::vector<std::string> ids = AudienceMembers(store, audience);
  int64_t added = 0;
  store.RunInTransaction([&] {
    std::unordered_set<std::string> already;
    if (store.FindTable("crm_campaign_members")) {
      const Table members = store.LoadTable("crm_campaign_members", ctx);
      for (size_t r = 0; r < members.num_rows(); ++r)
        if (TextAt(members, "campaign_id", r) == campaign_id)
          already.insert(TextAt(members, "customer_id", r));
    }
    std::vector<std::string> new_ids;
    for (const std::string& id : ids)
      if (already.insert(id).second) new_ids.push_back(id);
    added = static_cast<int64_t>(new_ids.size());
    if (!store.FindTable("crm_campaigns") ||
        !FindRecord(store.LoadTable("crm_campaigns", ctx), CrmObject::kCampaigns, campaign_id)) {
      const Table campaign(
          Schema({{"campaign_id", DataType::kString},
                  {"name", DataType::kString},
                  {"audience", DataType::kString},
                  {"created_at", DataType::kTimestamp}}),
          {Column::FromStringVector({campaign_id}), Column::FromStringVector({campaign_id}),
           Column::FromStringVector({audience}), Column::FromInts(DataType::kTimestamp, {at})});
      AppendCrmRows(store, CrmObject::kCampaigns, campaign, ctx);
    }
    if (!new_ids.empty()) {
      ColumnBuilder sent(DataType::kTimestamp);
      for (size_t i = 0; i < new_ids.size(); ++i) sent.AppendInt(at);
      const Table rows(
          Schema({{"campaign_id", DataType::kString},
                  {"customer_id", DataType::kString},
                  {"sent_at", DataType::kTimestamp},
                  {"responded_at", DataType::kTimestamp}}),
          {Column::FromStringVector(std::vector<std::string>(new_ids.size(), campaign_id)),
           Column::FromStringVector(new_ids), sent.Finish(),
           NullColumn(DataType::kTimestamp, new_ids.size())});
      AppendCrmRows(store, CrmObject::kCampaignMembers, rows, ctx);
    }
    store.Audit("crm.campaign.send",
                fmt::format("campaign={} audience={} added={}", campaign_id, audience, added));
  });
  return added;
}

void RecordResponse(Store& store, const std::string& campaign_id, const std::string& customer_id,
                    int64_t at, const Context& ctx) {
  store.RunInTransaction([&] {
    const Table members = LoadCrmTableOrFail(store, CrmObject::kCampaignMembers, ctx);
    for (size_t r = 0; r < members.num_rows(); ++r) {
      if (TextAt(members, "campaign_id", r) != campaign_id ||
          TextAt(members, "customer_id", r) != customer_id)
        continue;
      WriteCrmTable(store, CrmObject::kCampaignMembers, WithTime(members, r, "responded_at", at),
                    ctx);
      store.Audit("crm.campaign.response", fmt::format("campaign={} responses=1", campaign_id));
      return;
    }
    Fail(ErrorCode::kNotFound, "customer {} was not sent campaign {}", QuoteForMessage(customer_id),
         QuoteForMessage(campaign_id));
  });
}

nlohmann::json CampaignOutcome::ToJson() const {
  const auto number = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nullptr; };
  return {{"campaign_id", campaign_id}, {"name", name},
          {"members", members},         {"sent", sent},
          {"responded", responded},     {"response_rate", number(response_rate)},
          {"ci_low", number(ci_low)},   {"ci_high", number(ci_high)}};
}

std::vector<CampaignOutcome> SummarizeCampaigns(Store& store, const Context& ctx) {
  const Table members = LoadCrmTableOrFail(store, CrmObject::kCampaignMembers, ctx);
  if (!members.HasColumn("campaign_id"))
    Fail(ErrorCode::kInvalidData, "crm_campaign_members has no column campaign_id");
  std::map<std::string, std::string> names;
  if (store.FindTable("crm_campaigns")) {
    const Table campaigns = store.LoadTable("crm_campaigns", ctx);
    for (size_t r = 0; r < campaigns.num_rows(); ++r)
      names[TextAt(campaigns, "campaign_id", r)] = TextAt(campaigns, "name", r);
  }
  const bool has_sent = members.HasColumn("sent_at") || members.HasColumn("status");
  std::map<std::string, CampaignOutcome> by_id;
  for (size_t r = 0; r < members.num_rows(); ++r) {
    const std::string id = TextAt(members, "campaign_id", r);
    CampaignOutcome& c = by_id[id];
    c.campaign_id = id;
    ++c.members;
    const bool responded = SaysResponded(members, r);
    const std::string status = ToLower(TextAt(members, "status", r));
    const bool sent = !has_sent || responded || status == "sent" ||
                      (members.HasColumn("sent_at") && CellMicros(members.column("sent_at"), r));
    c.sent += sent;
    c.responded += responded;
  }
  std::vector<CampaignOutcome> out;
  for (auto& [id, c] : by_id) {
    c.name = names[id];
    // The share with the Wilson interval, as CSAT's satisfied share is estimated.
    const SatisfactionEstimate e = EstimateCsat(c.responded, 0, c.sent - c.responded, 0.95);
    c.response_rate = e.score / 100;
    c.ci_low = e.ci_low / 100;
    c.ci_high = e.ci_high / 100;
    out.push_back(c);
  }
  return out;
}

}  // namespace prospect
