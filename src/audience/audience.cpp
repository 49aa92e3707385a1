// Saved audiences and their ad-platform exports (see audience.hpp).
#include "prospect/audience/audience.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/io/csv.hpp"
#include "prospect/privacy/pii.hpp"

namespace prospect {
namespace {

std::string QuoteIdentifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void RequireColumn(const TableInfo& info, const std::string& column, std::string_view what) {
  if (info.schema.IndexOf(column) >= 0) return;
  const std::vector<std::string> columns = info.schema.Names();
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

// The identifiers an export can carry, in the order of the file's columns.
enum Identifier : size_t { kEmail, kPhone, kFirstName, kLastName, kCountry, kPostalCode, kCount };

struct IdentifierSpec {
  const char* name;                        ///< as --column names it
  std::vector<std::string> usual_columns;  ///< contact columns found by name, without case
  const char* google_column;
  const char* meta_column;
};

const std::array<IdentifierSpec, kCount>& IdentifierSpecs() {
  static const std::array<IdentifierSpec, kCount> specs = {{
      {"email", {"email", "e_mail", "email_address", "mail"}, "Email", "email"},
      {"phone",
       {"phone", "phone_number", "mobile", "mobile_phone", "telephone", "tel"},
       "Phone",
       "phone"},
      {"first_name", {"first_name", "firstname", "given_name", "fn"}, "First Name", "fn"},
      {"last_name", {"last_name", "lastname", "surname", "family_name", "ln"}, "Last Name", "ln"},
      {"country", {"country", "country_code"}, "Country", "country"},
      {"postal_code", {"postal_code", "zip", "zip_code", "zipcode", "postcode"}, "Zip", "zip"},
  }};
  return specs;
}

// Whether a member can be matched: by e-mail, by phone, or by name with country and postal code.
// `has` holds, per identifier, anything that tests as true when it is there.
template <class PerIdentifier>
bool Matchable(const PerIdentifier& has) {
  return has[kEmail] || has[kPhone] ||
         (has[kFirstName] && has[kLastName] && has[kCountry] && has[kPostalCode]);
}

std::optional<std::string> Normalize(size_t identifier, const std::string& cell,
                                     const std::string& country, AdPlatform platform) {
  switch (identifier) {
    case kEmail: return NormalizeEmail(cell);
    case kPhone: return NormalizePhone(cell, country, platform);
    case kFirstName:
    case kLastName: return NormalizeName(cell, platform);
    case kCountry: return NormalizeCountry(cell, platform);
    default: return NormalizePostalCode(cell, country, platform);
  }
}

std::vector<std::string> MembersOf(const StoredObject& audience) {
  std::vector<std::string> ids;
  size_t start = 0;
  for (size_t end; (end = audience.body.find('\n', start)) != std::string::npos; start = end + 1)
    ids.push_back(audience.body.substr(start, end - start));
  return ids;
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
    const TableInfo info = store.FindTableOrFail(req.table);
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
  return MembersOf(GetAudience(store, name, version));
}

std::vector<AudienceVersion> ListAudiences(Store& store) {
  std::vector<AudienceVersion> out;
  for (const StoredObject& o : store.ListObjects(kAudienceObjectKind)) out.push_back(VersionOf(o));
  return out;
}

int64_t EraseFromAudiences(Store& store, const std::unordered_set<std::string>& ids) {
  int64_t changed = 0;
  for (const StoredObject& latest : store.ListObjects(kAudienceObjectKind)) {
    for (int64_t v = 1; v <= latest.version; ++v) {
      const auto version = store.GetObject(kAudienceObjectKind, latest.name, v);
      if (!version) continue;
      std::string body;
      size_t size = 0;
      for (const std::string& id : MembersOf(*version)) {
        if (ids.contains(id)) continue;
        body += id + "\n";
        ++size;
      }
      if (body.size() == version->body.size()) continue;
      nlohmann::json meta = version->meta;
      meta["size"] = size;
      store.RewriteObject(kAudienceObjectKind, latest.name, v, meta, body);
      ++changed;
    }
  }
  return changed;
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
  const std::vector<std::string> members = MembersOf(audience);
  const TableInfo contacts = store.FindTableOrFail(req.contacts);
  const std::string id_column = IdColumnOf(contacts, req.contacts_id);
  const auto& specs = IdentifierSpecs();

  // The column of each identifier: named ones, then the usual names.
  std::array<std::optional<std::string>, kCount> column_of;
  for (const auto& [identifier, column] : req.columns) {
    const auto spec = std::find_if(specs.begin(), specs.end(),
                                   [&](const IdentifierSpec& s) { return s.name == identifier; });
    if (spec == specs.end()) {
      Fail(ErrorCode::kInvalidArgument, "unknown identifier \"{}\" in --column: use {}", identifier,
           "email, phone, first_name, last_name, country or postal_code");
    }
    RequireColumn(contacts, column, "--column " + identifier);
    column_of[static_cast<size_t>(spec - specs.begin())] = column;
  }
  for (size_t i = 0; i < kCount; ++i) {
    for (const auto& field : contacts.schema.fields()) {
      if (column_of[i]) break;
      const auto& usual = specs[i].usual_columns;
      if (std::find(usual.begin(), usual.end(), ToLower(field.name)) != usual.end())
        column_of[i] = field.name;
    }
  }
  if (!Matchable(column_of)) {
    Fail(ErrorCode::kInvalidArgument,
         "table {} has no e-mail or phone column (nor first and last name, country and postal "
         "code) to match people by; name one with --column email=COLUMN",
         contacts.name);
  }

  // The contacts: the id, then the identifier columns found, in the identifiers' order. A
  // pseudonymised column is read from its sealed raw values, opened with the key.
  const auto pii = FindPiiDeclaration(store, contacts.name);
  std::vector<std::string> columns = {id_column};
  std::vector<size_t> present;  // identifiers found, in file order
  std::vector<bool> sealed;     // per entry of `present`
  for (size_t i = 0; i < kCount; ++i) {
    if (!column_of[i]) continue;
    present.push_back(i);
    const PiiColumn* declared = pii ? pii->Find(*column_of[i]) : nullptr;
    sealed.push_back(declared != nullptr);
    if (!declared) {
      columns.push_back(*column_of[i]);
      continue;
    }
    if (declared->sealed_column.empty()) {
      Fail(ErrorCode::kFailedPrecondition,
           "column {} of {} holds pseudonyms and its raw values were not kept, but ad platforms "
           "match on raw values: ingest {} again with --pii-keep-raw (they are kept sealed)",
           declared->name, contacts.name, contacts.name);
    }
    if (!req.key) {
      Fail(ErrorCode::kFailedPrecondition,
           "column {} of {} is sealed: exporting it needs the PII key (PROSPECT_PII_KEY_FILE or "
           "[pii] key_file)",
           declared->name, contacts.name);
    }
    columns.push_back(declared->sealed_column);
  }
  const Table t = store.LoadTable(contacts.name, columns, ctx);
  std::unordered_map<std::string, size_t> row_of;
  const Column& ids = *t.column(size_t{0});
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (!ids.IsNull(r)) row_of.emplace(ids.FormatValue(r), r);
  }
  auto cell = [&](size_t k, size_t r) -> std::optional<std::string> {  // k: index in `present`
    const Column& c = *t.column(k + 1);
    if (c.IsNull(r)) return std::nullopt;
    std::string text = c.FormatValue(r);
    if (sealed[k]) text = req.key->Open(text);
    if (Trim(text).empty()) return std::nullopt;
    return text;
  };

  AudienceExportResult out;
  out.name = req.name;
  out.version = audience.version;
  out.platform = AdPlatformName(req.platform);
  out.out = req.out;
  out.members = members.size();
  for (const size_t i : present) out.coverage.push_back({specs[i].name, *column_of[i], 0, 0});
  std::vector<ColumnBuilder> file(present.size(), ColumnBuilder(DataType::kString));
  const auto country_at = std::find(present.begin(), present.end(), size_t{kCountry});
  for (const std::string& member : members) {
    const auto row = row_of.find(member);
    if (row == row_of.end()) {
      ++out.not_in_contacts;
      continue;
    }
    const size_t r = row->second;
    std::string country = req.default_country;
    if (country_at != present.end()) {
      if (auto c = cell(static_cast<size_t>(country_at - present.begin()), r))
        country = std::string(Trim(*c));
    }
    std::array<std::optional<std::string>, kCount> value;
    for (size_t k = 0; k < present.size(); ++k) {
      const std::optional<std::string> text = cell(k, r);
      if (!text) continue;
      ++out.coverage[k].present;
      value[present[k]] = Normalize(present[k], *text, country, req.platform);
      if (value[present[k]]) ++out.coverage[k].valid;
    }
    if (!Matchable(value)) {
      ++out.without_identifier;
      continue;
    }
    ++out.exported;
    for (size_t k = 0; k < present.size(); ++k) {
      const std::optional<std::string>& v = value[present[k]];
      if (!v) {
        file[k].AppendNull();
        continue;
      }
      // Google takes country and postal code in the clear; everything else goes hashed.
      const bool clear = req.platform == AdPlatform::kGoogle &&
                         (present[k] == kCountry || present[k] == kPostalCode);
      file[k].AppendString(clear ? *v : Sha256Hex(*v));
    }
  }
  std::vector<Field> fields;
  std::vector<ColumnPtr> cols;
  for (size_t k = 0; k < present.size(); ++k) {
    const IdentifierSpec& spec = specs[present[k]];
    fields.push_back({req.platform == AdPlatform::kGoogle ? spec.google_column : spec.meta_column,
                      DataType::kString});
    cols.push_back(file[k].Finish());
  }
  const Table upload(Schema(std::move(fields)), std::move(cols));
  if (req.out.empty()) {
    out.csv = CsvText(upload, ctx);
  } else {
    WriteCsv(upload, req.out, ctx);
  }
  std::string detail = fmt::format("audience={} version={} platform={} rows={}", req.name,
                                   audience.version, out.platform, out.exported);
  std::vector<std::string> opened;
  for (size_t k = 0; k < present.size(); ++k)
    if (sealed[k]) opened.push_back(*column_of[present[k]]);
  if (!opened.empty()) detail += fmt::format(" opened={}.{}", contacts.name, Join(opened, ","));
  store.Audit("audience.export", detail);
  return out;
}

}  // namespace prospect
