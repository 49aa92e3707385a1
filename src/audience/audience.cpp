// Saved audiences and their ad-platform exports (see audience.hpp).
#include "prospect/audience/audience.hpp"

#include <fmt/format.h>

#include <unordered_map>
#include <unordered_set>

#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/io/csv.hpp"

namespace prospect {
namespace {

std::string QuoteIdentifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

TableInfo FindTableOrFail(Store& store, const std::string& name) {
  if (auto info = store.FindTable(name)) return *info;
  std::vector<std::string> names;
  for (const auto& t : store.ListTables()) names.push_back(t.name);
  Fail(ErrorCode::kNotFound, "no table \"{}\". {}Tables: {}.", name, DidYouMean(name, names),
       names.empty() ? "none yet (use prospect ingest)" : Join(names, ", "));
}

void RequireColumn(const TableInfo& info, const std::string& column, std::string_view what) {
  if (info.schema.IndexOf(column) >= 0) return;
  std::vector<std::string> columns;
  for (const auto& f : info.schema.fields()) columns.push_back(f.name);
  Fail(ErrorCode::kNotFound, "{}: table {} has no column \"{}\". {}Columns: {}.", what, info.name,
       column, DidYouMean(column, columns), Join(columns, ", "));
}

// The id column: the one asked for, else the table's key, else customer_id, else the first.
std::string IdColumnOf(const TableInfo& info, const std::string& requested) {
  if (!requested.empty()) {
    RequireColumn(info, requested, "--id");
    return requested;
  }
  if (info.key) return *info.key;
  if (info.schema.IndexOf("customer_id") >= 0) return "customer_id";
  return info.schema.field(0).name;
}

AudienceVersion VersionOf(const StoredObject& o) {
  return {o.name, o.version, o.meta.value("size", size_t{0}), o.created_at,
          o.meta.value("source", nlohmann::json::object())};
}

StoredObject GetAudience(Store& store, const std::string& name, int64_t version) {
  return store.GetObjectOrFail(kAudienceObjectKind, name, version, "audience", "Audiences",
                               "prospect audience save");
}

// Usual names of each identifier's column, compared without case.
const std::map<std::string, std::vector<std::string>>& UsualColumnNames() {
  static const std::map<std::string, std::vector<std::string>> names = {
      {"email", {"email", "e_mail", "email_address", "mail"}},
      {"phone", {"phone", "phone_number", "mobile", "mobile_phone", "telephone", "tel"}},
      {"first_name", {"first_name", "firstname", "given_name", "fn"}},
      {"last_name", {"last_name", "lastname", "surname", "family_name", "ln"}},
      {"country", {"country", "country_code"}},
      {"postal_code", {"postal_code", "zip", "zip_code", "zipcode", "postcode"}}};
  return names;
}

// The upload file's column for an identifier.
std::string FileColumn(AdPlatform platform, const std::string& identifier) {
  static const std::map<std::string, std::pair<const char*, const char*>> names = {
      {"email", {"Email", "email"}},        {"phone", {"Phone", "phone"}},
      {"first_name", {"First Name", "fn"}}, {"last_name", {"Last Name", "ln"}},
      {"country", {"Country", "country"}},  {"postal_code", {"Zip", "zip"}}};
  const auto& [google, meta] = names.at(identifier);
  return platform == AdPlatform::kGoogle ? google : meta;
}

}  // namespace

nlohmann::json AudienceVersion::ToJson() const {
  return {{"name", name},
          {"version", version},
          {"size", size},
          {"created_at", created_at},
          {"source", source}};
}

nlohmann::json AudienceExportResult::ToJson() const {
  nlohmann::json cov = nlohmann::json::array();
  for (const auto& c : coverage) {
    cov.push_back({{"identifier", c.identifier},
                   {"column", c.column},
                   {"present", c.present},
                   {"valid", c.valid}});
  }
  return {{"audience", name},
          {"version", version},
          {"platform", platform},
          {"out", out},
          {"members", members},
          {"exported", exported},
          {"not_in_contacts", not_in_contacts},
          {"without_identifier", without_identifier},
          {"coverage", cov}};
}

AudienceVersion SaveAudience(Store& store, const AudienceSaveRequest& req, const Context& ctx) {
  Store::CheckObjectName("audience", req.name);
  if (req.table.empty() == req.sql.empty())
    Fail(ErrorCode::kInvalidArgument, "audience save: give --table T or --sql QUERY (one of them)");
  nlohmann::json source;
  std::string query;
  if (!req.sql.empty()) {
    if (!req.where.empty() || !req.order_by.empty() || req.top > 0)
      Fail(ErrorCode::kInvalidArgument,
           "audience save: --where, --order-by and --top go with --table; put them in the --sql "
           "query");
    source = {{"sql", req.sql}};
    query = req.sql;
  } else {
    const TableInfo info = FindTableOrFail(store, req.table);
    const std::string id = IdColumnOf(info, req.id_column);
    query = fmt::format("SELECT {} FROM {}", QuoteIdentifier(id), QuoteIdentifier(req.table));
    if (!req.where.empty()) query += " WHERE (" + req.where + ")";
    if (!req.order_by.empty()) {
      RequireColumn(info, req.order_by, "--order-by");
      query += fmt::format(" ORDER BY {} DESC", QuoteIdentifier(req.order_by));
    }
    if (req.top > 0) query += fmt::format(" LIMIT {}", req.top);
    source = {{"table", req.table}, {"id_column", id}};
    if (!req.where.empty()) source["where"] = req.where;
    if (!req.order_by.empty()) source["order_by"] = req.order_by;
    if (req.top > 0) source["top"] = req.top;
  }
  const Table rows = store.Query(query, ctx);
  if (rows.num_columns() == 0)
    Fail(ErrorCode::kInvalidArgument, "audience save: the query returned no columns");
  const Column& ids = *rows.column(size_t{0});
  std::vector<std::string> members;
  std::unordered_set<std::string> seen;
  std::string body;
  for (size_t r = 0; r < rows.num_rows(); ++r) {
    if (ids.IsNull(r)) continue;
    std::string id = ids.FormatValue(r);
    if (id.find('\n') != std::string::npos)
      Fail(ErrorCode::kInvalidData, "audience save: row {} has an id with a line break", r + 1);
    if (!seen.insert(id).second) continue;
    body += id;
    body += '\n';
    members.push_back(std::move(id));
  }
  if (members.empty()) {
    Fail(ErrorCode::kInvalidArgument,
         "audience save: {} selects nobody; an audience needs at least one customer",
         req.sql.empty() ? fmt::format("table {}{}", req.table,
                                       req.where.empty() ? "" : " with --where " + req.where)
                         : "the --sql query");
  }
  const nlohmann::json meta = {{"size", members.size()}, {"source", source}};
  const int64_t version = store.PutObject(kAudienceObjectKind, req.name, meta, body);
  store.Audit("audience.save",
              fmt::format("audience={} version={} size={}", req.name, version, members.size()));
  return VersionOf(*store.GetObject(kAudienceObjectKind, req.name, version));
}

std::vector<std::string> AudienceMembers(Store& store, const std::string& name, int64_t version) {
  const StoredObject o = GetAudience(store, name, version);
  std::vector<std::string> ids;
  size_t start = 0;
  for (size_t end; (end = o.body.find('\n', start)) != std::string::npos; start = end + 1)
    ids.push_back(o.body.substr(start, end - start));
  return ids;
}

std::vector<AudienceVersion> AudienceHistory(Store& store, const std::string& name) {
  const StoredObject latest = GetAudience(store, name, 0);
  std::vector<AudienceVersion> out;
  for (int64_t v = 1; v <= latest.version; ++v) {
    if (auto o = store.GetObject(kAudienceObjectKind, name, v)) out.push_back(VersionOf(*o));
  }
  return out;
}

AudienceExportResult ExportAudience(Store& store, const AudienceExportRequest& req,
                                    const Context& ctx) {
  const StoredObject audience = GetAudience(store, req.name, req.version);
  const std::vector<std::string> members = AudienceMembers(store, req.name, audience.version);
  const TableInfo contacts = FindTableOrFail(store, req.contacts);
  const std::string id_column = IdColumnOf(contacts, req.contacts_id);

  // The identifier columns: named ones first, then the usual names.
  for (const auto& [identifier, column] : req.columns) {
    if (!UsualColumnNames().contains(identifier)) {
      Fail(ErrorCode::kInvalidArgument, "unknown identifier \"{}\" in --column: use {}", identifier,
           "email, phone, first_name, last_name, country or postal_code");
    }
    RequireColumn(contacts, column, "--column " + identifier);
  }
  std::vector<std::pair<std::string, std::string>> found;  // identifier, column
  for (const char* identifier : kAudienceIdentifiers) {
    if (auto it = req.columns.find(identifier); it != req.columns.end()) {
      found.emplace_back(identifier, it->second);
      continue;
    }
    for (const auto& field : contacts.schema.fields()) {
      const std::string lower = ToLower(field.name);
      const auto& usual = UsualColumnNames().at(identifier);
      if (std::find(usual.begin(), usual.end(), lower) != usual.end()) {
        found.emplace_back(identifier, field.name);
        break;
      }
    }
  }
  auto has = [&](std::string_view identifier) {
    return std::any_of(found.begin(), found.end(),
                       [&](const auto& f) { return f.first == identifier; });
  };
  if (!has("email") && !has("phone") &&
      !(has("first_name") && has("last_name") && has("country") && has("postal_code"))) {
    Fail(ErrorCode::kInvalidArgument,
         "table {} has no e-mail or phone column (nor first and last name, country and postal "
         "code) to match people by; name one with --column email=COLUMN",
         contacts.name);
  }

  std::vector<std::string> columns = {id_column};
  for (const auto& [identifier, column] : found) columns.push_back(column);
  const Table t = store.LoadTable(contacts.name, columns, ctx);
  std::unordered_map<std::string, size_t> row_of;
  const Column& ids = *t.column(size_t{0});
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (!ids.IsNull(r)) row_of.emplace(ids.FormatValue(r), r);
  }

  AudienceExportResult out;
  out.name = req.name;
  out.version = audience.version;
  out.platform = AdPlatformName(req.platform);
  out.out = req.out;
  out.members = members.size();
  for (const auto& [identifier, column] : found) out.coverage.push_back({identifier, column, 0, 0});
  std::vector<ColumnBuilder> file(found.size(), ColumnBuilder(DataType::kString));
  const int country_index = [&] {
    for (size_t i = 0; i < found.size(); ++i)
      if (found[i].first == "country") return static_cast<int>(i) + 1;
    return -1;
  }();
  std::vector<std::optional<std::string>> values(found.size());
  for (const std::string& member : members) {
    const auto row = row_of.find(member);
    if (row == row_of.end()) {
      ++out.not_in_contacts;
      continue;
    }
    const size_t r = row->second;
    const std::string country = country_index > 0 && !t.column(country_index)->IsNull(r)
                                    ? std::string(Trim(t.column(country_index)->FormatValue(r)))
                                    : req.default_country;
    for (size_t i = 0; i < found.size(); ++i) {
      values[i].reset();
      const Column& c = *t.column(i + 1);
      if (c.IsNull(r)) continue;
      const std::string cell = c.FormatValue(r);
      if (Trim(cell).empty()) continue;
      ++out.coverage[i].present;
      const std::string& identifier = found[i].first;
      if (identifier == "email") values[i] = NormalizeEmail(cell);
      if (identifier == "phone") values[i] = NormalizePhone(cell, country, req.platform);
      if (identifier == "first_name" || identifier == "last_name")
        values[i] = NormalizeName(cell, req.platform);
      if (identifier == "country") values[i] = NormalizeCountry(cell, req.platform);
      if (identifier == "postal_code") values[i] = NormalizePostalCode(cell, country, req.platform);
      if (values[i]) ++out.coverage[i].valid;
    }
    auto valid = [&](std::string_view identifier) {
      for (size_t i = 0; i < found.size(); ++i)
        if (found[i].first == identifier && values[i]) return true;
      return false;
    };
    if (!valid("email") && !valid("phone") &&
        !(valid("first_name") && valid("last_name") && valid("country") && valid("postal_code"))) {
      ++out.without_identifier;
      continue;
    }
    ++out.exported;
    for (size_t i = 0; i < found.size(); ++i) {
      if (!values[i]) {
        file[i].AppendNull();
        continue;
      }
      // Google takes country and postal code in the clear; everything else goes hashed.
      const bool clear = req.platform == AdPlatform::kGoogle &&
                         (found[i].first == "country" || found[i].first == "postal_code");
      file[i].AppendString(clear ? *values[i] : Sha256Hex(*values[i]));
    }
  }
  std::vector<Field> fields;
  std::vector<ColumnPtr> cols;
  for (size_t i = 0; i < found.size(); ++i) {
    fields.push_back({FileColumn(req.platform, found[i].first), DataType::kString});
    cols.push_back(file[i].Finish());
  }
  WriteCsv(Table(Schema(std::move(fields)), std::move(cols)), req.out, ctx);
  store.Audit("audience.export", fmt::format("audience={} version={} platform={} rows={}", req.name,
                                             audience.version, out.platform, out.exported));
  return out;
}

}  // namespace prospect
