// CRM objects, the column maps of the tools they come from, import and export (see crm.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <unordered_map>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/crm/crm.hpp"
#include "prospect/crm/pipeline.hpp"

namespace prospect {
namespace {

constexpr std::array<CrmObjectInfo, 7> kObjects = {{
    {CrmObject::kPeople, "people", "crm_people", "customer_id"},
    {CrmObject::kCompanies, "companies", "crm_companies", "company_id"},
    {CrmObject::kOpportunities, "opportunities", "crm_opportunities", "opportunity_id"},
    {CrmObject::kStageChanges, "stage-changes", "crm_stage_changes", ""},
    {CrmObject::kCampaigns, "campaigns", "crm_campaigns", "campaign_id"},
    {CrmObject::kCampaignMembers, "campaign-members", "crm_campaign_members", ""},
    {CrmObject::kNotes, "notes", "crm_notes", ""},
}};

// Ids are text in every CRM table, whatever they look like, so that records join on them as the
// rest of the workspace does (compared as text) and a later import cannot change their type.
constexpr const char* kIdColumns[] = {"customer_id", "company_id", "opportunity_id", "campaign_id"};

// The columns of CSV exports as HubSpot and Twenty name them (their default properties).
using ColumnMap = std::vector<std::pair<std::string, std::string>>;

ColumnMap HubspotMap(CrmObject object) {
  switch (object) {
    case CrmObject::kPeople:
      return {{"Record ID", "customer_id"},
              {"First Name", "first_name"},
              {"Last Name", "last_name"},
              {"Email", "email"},
              {"Phone Number", "phone"},
              {"Job Title", "job_title"},
              {"City", "city"},
              {"Country/Region", "country"},
              {"Lifecycle Stage", "lifecycle"},
              {"Primary Associated Company ID", "company_id"},
              {"Contact owner", "owner"},
              {"Create Date", "created_at"}};
    case CrmObject::kCompanies:
      return {{"Record ID", "company_id"},
              {"Company name", "name"},
              {"Company Domain Name", "domain"},
              {"Industry", "industry"},
              {"City", "city"},
              {"Country/Region", "country"},
              {"Number of Employees", "employees"},
              {"Annual Revenue", "annual_revenue"},
              {"Company owner", "owner"},
              {"Create Date", "created_at"}};
    case CrmObject::kOpportunities:
      return {{"Record ID", "opportunity_id"},
              {"Deal Name", "name"},
              {"Deal Stage", "stage"},
              {"Amount", "amount"},
              {"Close Date", "close_date"},
              {"Pipeline", "pipeline"},
              {"Associated Company IDs", "company_id"},
              {"Associated Contact IDs", "customer_id"},
              {"Deal owner", "owner"},
              {"Create Date", "created_at"}};
    default: return {};
  }
}

ColumnMap TwentyMap(CrmObject object) {
  switch (object) {
    case CrmObject::kPeople:
      return {{"Id", "customer_id"},
              {"Name / First Name", "first_name"},
              {"Name / Last Name", "last_name"},
              {"Emails / Primary Email", "email"},
              {"Phones / Primary Phone Number", "phone"},
              {"Phones / Primary Phone Country Code", "phone_country"},
              {"Job Title", "job_title"},
              {"City", "city"},
              {"Company Id", "company_id"},
              {"Created At", "created_at"}};
    case CrmObject::kCompanies:
      return {{"Id", "company_id"},
              {"Name", "name"},
              {"Domain Name / Primary Link Url", "domain"},
              {"Employees", "employees"},
              {"Address / Address City", "city"},
              {"Address / Address Country", "country"},
              {"Annual Recurring Revenue / Amount", "annual_revenue"},
              {"Created At", "created_at"}};
    case CrmObject::kOpportunities:
      return {{"Id", "opportunity_id"},
              {"Name", "name"},
              {"Stage", "stage"},
              {"Amount / Amount", "amount"},
              {"Amount / Currency Code", "currency"},
              {"Close Date", "close_date"},
              {"Company Id", "company_id"},
              {"Point of Contact Id", "customer_id"},
              {"Created At", "created_at"}};
    default: return {};
  }
}

std::string NormalizeStageName(std::string_view text) {
  std::string out;
  for (char c : Trim(text))
    if (c != ' ' && c != '_' && c != '-') out += static_cast<char>(std::tolower(c));
  return out;
}

// The header order of the last import of `object` from `source`: how its export writes them.
constexpr const char* kColumnsObjectKind = "crm.columns";

std::string ColumnsObjectName(CrmObject object, CrmSource source) {
  return fmt::format("{}.{}", CrmObjectOf(object).name, CrmSourceName(source));
}

// Stage columns hold the configured names: "closed won" in a file is stored as "Closed Won".
// kInvalidData names the record, its stage and the configured ones.
Table CanonicalStages(const Table& table, const std::string& id_column, const CrmConfig& config,
                      const std::string& what, bool* changed) {
  Table out = table;
  for (const char* name : {"stage", "from_stage"}) {
    if (!out.HasColumn(name)) continue;
    const Column& stages = out.column(name);
    ColumnBuilder values(DataType::kString);
    for (size_t r = 0; r < stages.size(); ++r) {
      if (stages.IsNull(r)) {
        if (std::string_view(name) == "stage") {
          Fail(ErrorCode::kInvalidData, "{}: {} {} has no stage; expected one of {}", what,
               id_column, table.column(id_column).FormatValue(r), Join(config.StageNames(), ", "));
        }
        values.AppendNull();
        continue;
      }
      const std::string text = stages.FormatValue(r);
      const CrmStage* stage = config.FindStage(text);
      if (!stage) {
        Fail(ErrorCode::kInvalidData,
             "{}: {} {} has stage {}, not one of the configured stages: {} (prospect.toml [crm] "
             "stages)",
             what, id_column, table.column(id_column).FormatValue(r), QuoteForMessage(text),
             Join(config.StageNames(), ", "));
      }
      values.AppendString(stage->name);
      *changed = *changed || stage->name != text;
    }
    out = out.WithColumn(name, values.Finish());
  }
  return out;
}

}  // namespace

const CrmObjectInfo& CrmObjectOf(CrmObject object) {
  for (const CrmObjectInfo& info : kObjects)
    if (info.object == object) return info;
  PROSPECT_CHECK(false);
}

CrmObject CrmObjectOfTable(std::string_view table) {
  for (const CrmObjectInfo& info : kObjects)
    if (info.table == table) return info.object;
  Fail(ErrorCode::kInvalidArgument, "{} is not a CRM table", QuoteForMessage(table));
}

CrmObject ParseCrmObject(std::string_view name) {
  if (name == "deals") return CrmObject::kOpportunities;
  std::vector<std::string> names;
  for (const CrmObjectInfo& info : kObjects) {
    if (info.name == name) return info.object;
    names.emplace_back(info.name);
  }
  Fail(ErrorCode::kInvalidArgument, "{} is not a CRM object. {}Valid objects: {}.",
       QuoteForMessage(name), DidYouMean(name, names), Join(names, ", "));
}

CrmSource ParseCrmSource(std::string_view name) {
  if (name == "prospect") return CrmSource::kProspect;
  if (name == "hubspot") return CrmSource::kHubspot;
  if (name == "twenty") return CrmSource::kTwenty;
  Fail(ErrorCode::kInvalidArgument,
       "{} is not a CRM export format. Valid: prospect, hubspot, twenty.", QuoteForMessage(name));
}

std::string_view CrmSourceName(CrmSource source) {
  switch (source) {
    case CrmSource::kHubspot: return "hubspot";
    case CrmSource::kTwenty: return "twenty";
    default: return "prospect";
  }
}

std::vector<std::pair<std::string, std::string>> CrmColumnMap(CrmSource source, CrmObject object) {
  if (source == CrmSource::kHubspot) return HubspotMap(object);
  if (source == CrmSource::kTwenty) return TwentyMap(object);
  return {};
}

CrmConfig CrmConfig::FromJson(const nlohmann::json& section) {
  CrmConfig config;
  if (!section.contains("stages")) return config;
  const nlohmann::json& stages = section["stages"];
  const auto bad = [](const std::string& what) {
    Fail(ErrorCode::kInvalidData,
         "prospect.toml [crm] stages: {}; expected a list like [{{name = \"NEW\", probability = "
         "0.1}}, ...]",
         what);
  };
  if (!stages.is_array() || stages.empty()) bad("not a non-empty list");
  config.stages.clear();
  for (const nlohmann::json& s : stages) {
    if (!s.is_object() || !s.contains("name") || !s["name"].is_string() ||
        !s.contains("probability") || !s["probability"].is_number())
      bad(fmt::format("entry {} lacks a name or a probability", s.dump()));
    CrmStage stage{s["name"].get<std::string>(), s["probability"].get<double>()};
    if (NormalizeStageName(stage.name).empty()) bad("a stage with an empty name");
    if (!(stage.probability >= 0 && stage.probability <= 1))
      bad(fmt::format("stage {} has probability {}, outside [0, 1]", stage.name,
                      stage.probability));
    if (config.FindStage(stage.name)) bad(fmt::format("stage {} is listed twice", stage.name));
    config.stages.push_back(std::move(stage));
  }
  return config;
}

const CrmStage* CrmConfig::FindStage(std::string_view text) const {
  const std::string key = NormalizeStageName(text);
  for (const CrmStage& s : stages)
    if (NormalizeStageName(s.name) == key) return &s;
  return nullptr;
}

std::vector<std::string> CrmConfig::StageNames() const {
  std::vector<std::string> out;
  for (const CrmStage& s : stages) out.push_back(s.name);
  return out;
}

int64_t CrmTime(std::string_view at) {
  const std::string text = at.empty() ? NowUtc() : std::string(at);
  int64_t micros = 0;
  if (ParseIsoTimestamp(text, &micros)) return micros;
  int64_t days = 0;
  if (ParseIsoDate(text, &days)) return days * kMicrosPerDay;
  Fail(ErrorCode::kInvalidArgument, "--at {}: expected \"YYYY-MM-DD\" or \"YYYY-MM-DD HH:MM:SS\"",
       QuoteForMessage(text));
}

nlohmann::json CrmImportResult::ToJson() const {
  nlohmann::json out = ingest.ToJson();
  out["stage_changes"] = stage_changes;
  return out;
}

CrmImportResult ImportCrm(const Workspace& workspace, const CrmImportRequest& request,
                          const Context& ctx) {
  const CrmObjectInfo& info = CrmObjectOf(request.object);
  const std::string table(info.table);
  Store& store = workspace.store();
  const CrmConfig config = CrmConfig::FromJson(workspace.Section("crm"));
  const int64_t now = CrmTime(request.at);

  IngestRequest ingest;
  ingest.table = table;
  ingest.file = request.file;
  const auto existing = store.FindTable(table);
  if (existing) ingest.mode = request.replace ? WriteMode::kReplace : WriteMode::kAppend;
  if (!info.key.empty()) ingest.key = std::string(info.key);
  std::map<std::string, std::string> header_of;  // column → file header
  for (const auto& [header, column] : CrmColumnMap(request.source, request.object)) {
    const bool overridden = std::any_of(request.map.begin(), request.map.end(), [&](auto& m) {
      return m.substr(0, m.find('=')) == header || m.substr(m.find('=') + 1) == column;
    });
    if (overridden) continue;
    ingest.rename.push_back({header, column, /*optional=*/true});
  }
  for (const std::string& m : request.map) {
    const size_t eq = m.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == m.size())
      Fail(ErrorCode::kInvalidArgument, "--map {}: expected \"File header=column\"",
           QuoteForMessage(m));
    const std::string column(Trim(m.substr(eq + 1)));
    Store::CheckTableName(column);  // a column name follows the same rules
    ingest.rename.push_back({m.substr(0, eq), column, /*optional=*/false});
  }
  for (const ColumnRename& r : ingest.rename) header_of[r.to] = r.from;
  for (const char* id : kIdColumns) ingest.default_types[id] = DataType::kString;
  for (const char* text : {"phone", "phone_country", "stage", "from_stage"})
    ingest.default_types[text] = DataType::kString;
  if (request.object == CrmObject::kStageChanges)
    ingest.default_types["changed_at"] = DataType::kTimestamp;

  CrmImportResult result;
  store.RunInTransaction([&] {
    const StageSnapshot before = request.object == CrmObject::kOpportunities
                                     ? LoadStageSnapshot(store, ctx)
                                     : StageSnapshot{};
    result.ingest = Ingest(workspace, ingest, ctx);
    if (request.object == CrmObject::kOpportunities || request.object == CrmObject::kStageChanges) {
      const std::string id_column = "opportunity_id";
      Table records = store.LoadTable(table, ctx);
      if (!records.HasColumn(id_column) || !records.HasColumn("stage") ||
          (request.object == CrmObject::kStageChanges && !records.HasColumn("changed_at"))) {
        Fail(ErrorCode::kInvalidData, "{}: {} need the columns {}; the table has {}", request.file,
             info.name,
             request.object == CrmObject::kStageChanges ? "opportunity_id, stage, changed_at"
                                                        : "opportunity_id, stage",
             Join(result.ingest.schema.Names(), ", "));
      }
      bool changed = false;
      records = CanonicalStages(records, id_column, config, request.file, &changed);
      if (changed) {
        WriteOptions write;
        if (!info.key.empty()) write.key = std::string(info.key);
        store.WriteTable(table, records, write, ctx);
      }
      if (request.object == CrmObject::kOpportunities)
        result.stage_changes = RecordStageChanges(store, before, records, now, ctx);
    }
    // The header order, so that an export to the same tool gives the file's columns back.
    if (request.source != CrmSource::kProspect || !request.map.empty()) {
      nlohmann::json columns = nlohmann::json::array();
      for (const Field& f : result.ingest.schema.fields()) {
        const auto header = header_of.find(f.name);
        columns.push_back({header == header_of.end() ? f.name : header->second, f.name});
      }
      const std::string name = ColumnsObjectName(request.object, request.source);
      const auto stored = store.GetObject(kColumnsObjectKind, name);
      if (!stored || stored->meta["columns"] != columns)
        store.PutObject(kColumnsObjectKind, name, {{"columns", columns}}, "");
    }
  });
  return result;
}

Table ExportCrm(Store& store, CrmObject object, CrmSource source, const Context& ctx) {
  const std::string table(CrmObjectOf(object).table);
  const TableInfo info = store.FindTableOrFail(table);
  ColumnMap order;
  if (const auto stored = store.GetObject(kColumnsObjectKind, ColumnsObjectName(object, source))) {
    for (const nlohmann::json& pair : stored->meta["columns"])
      order.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
  } else {
    order = CrmColumnMap(source, object);
  }
  std::vector<std::string> columns;
  std::vector<Field> fields;
  for (const auto& [header, column] : order) {
    const int i = info.schema.IndexOf(column);
    if (i < 0 || std::find(columns.begin(), columns.end(), column) != columns.end()) continue;
    columns.push_back(column);
    fields.push_back({header, info.schema.field(i).type});
  }
  for (const Field& f : info.schema.fields()) {
    if (std::find(columns.begin(), columns.end(), f.name) != columns.end()) continue;
    columns.push_back(f.name);
    fields.push_back(f);
  }
  const Table records = store.LoadTable(table, columns, ctx);
  // Other tools read numbers, not our types: 18000, not the 18000.0 that keeps a double a double
  // when prospect reads its own CSV back.
  std::vector<ColumnPtr> out = records.columns();
  for (size_t c = 0; c < out.size(); ++c) {
    if (out[c]->type() != DataType::kDouble) continue;
    ColumnBuilder text(DataType::kString);
    for (size_t r = 0; r < out[c]->size(); ++r) {
      if (out[c]->IsNull(r)) {
        text.AppendNull();
      } else {
        text.AppendString(fmt::format("{}", out[c]->doubles()[r]));
      }
    }
    out[c] = text.Finish();
    fields[c].type = DataType::kString;
  }
  return Table(Schema(std::move(fields)), std::move(out));
}

}  // namespace prospect
