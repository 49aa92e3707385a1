// Duplicates, merge and undo (see merge.hpp).
#include "prospect/crm/merge.hpp"

#include <fmt/format.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <functional>
#include <numeric>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "crm/records.hpp"
#include "prospect/common/digest.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/privacy/identifiers.hpp"
#include "prospect/privacy/pii.hpp"

namespace prospect {
using namespace crm_internal;
namespace {

// Where other CRM tables point at a record of `object`.
struct Pointer {
  CrmObject table;
  const char* column;
};

std::vector<Pointer> PointersTo(CrmObject object) {
  switch (object) {
    case CrmObject::kPeople:
      return {{CrmObject::kOpportunities, "customer_id"},
              {CrmObject::kStageChanges, "customer_id"},
              {CrmObject::kCampaignMembers, "customer_id"},
              {CrmObject::kNotes, "customer_id"}};
    case CrmObject::kCompanies:
      return {{CrmObject::kPeople, "company_id"}, {CrmObject::kOpportunities, "company_id"}};
    case CrmObject::kOpportunities: return {{CrmObject::kStageChanges, "opportunity_id"}};
    case CrmObject::kCampaigns: return {{CrmObject::kCampaignMembers, "campaign_id"}};
    default:
      Fail(ErrorCode::kInvalidArgument,
           "{} cannot be merged: merge people, companies, opportunities or campaigns",
           CrmObjectOf(object).name);
  }
}

std::optional<std::string> ValueAt(const Column& column, size_t row) {
  if (column.IsNull(row)) return std::nullopt;
  std::string text = column.FormatValue(row);
  if (Trim(text).empty()) return std::nullopt;
  return text;
}

// Without accents, so that "García" and "Garcia" match: NFD, then no combining marks.
std::string WithoutAccents(std::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  if (U_FAILURE(status)) return std::string(text);
  const icu::UnicodeString decomposed =
      nfd->normalize(icu::UnicodeString::fromUTF8(
                         icu::StringPiece(text.data(), static_cast<int32_t>(text.size()))),
                     status);
  if (U_FAILURE(status)) return std::string(text);
  icu::UnicodeString kept;
  for (int32_t i = 0; i < decomposed.length();) {
    const UChar32 c = decomposed.char32At(i);
    if (u_charType(c) != U_NON_SPACING_MARK) kept.append(c);
    i += U16_LENGTH(c);
  }
  std::string out;
  kept.toUTF8String(out);
  return out;
}

// Union-find over record rows.
struct Groups {
  explicit Groups(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  size_t Root(size_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  }
  void Join(size_t a, size_t b) { parent[Root(a)] = Root(b); }
  std::vector<size_t> parent;
};

// Company names without their legal form and punctuation: "Acme, Inc." → "acme".
std::string CompanyNameKey(std::string_view name) {
  static const std::set<std::string> kLegalForms = {
      "inc",         "incorporated", "ltd",     "limited", "llc", "plc", "corp",
      "corporation", "co",           "company", "gmbh",    "ag",  "sa",  "sas",
      "sarl",        "bv",           "nv",      "srl",     "spa", "oy",  "ab"};
  std::vector<std::string> words;
  std::string word;
  for (char c : ToLower(name) + " ") {
    if (std::isalnum(static_cast<unsigned char>(c)) || (c & 0x80)) {
      word += c;
    } else if (c == ' ' || c == ',' || c == '-' || c == '&') {
      if (!word.empty()) words.push_back(word);
      word.clear();
    }  // other punctuation ("." in "Inc.") is dropped inside the word
  }
  while (words.size() > 1 && kLegalForms.contains(words.back())) words.pop_back();
  return Join(words, " ");
}

std::string DomainKey(std::string_view raw) {
  std::string d = ToLower(Trim(raw));
  for (const char* scheme : {"https://", "http://"})
    if (d.rfind(scheme, 0) == 0) d = d.substr(std::string_view(scheme).size());
  if (d.rfind("www.", 0) == 0) d = d.substr(4);
  d = d.substr(0, d.find_first_of("/?#"));
  return d;
}

// Rows of `table` whose `column` (as text) is one of `ids`: what an undo keeps and puts back.
Table RowsWith(const Table& table, const std::string& column,
               const std::unordered_set<std::string>& ids) {
  if (!table.HasColumn(column)) return table.Take(std::vector<size_t>{});
  return table.Take(table.column(column).RowsWithValueIn(ids));
}

std::string Digest(const Table& rows) { return Sha256Hex(TableToJson(rows).dump()); }

}  // namespace

nlohmann::json DuplicateGroup::ToJson() const { return {{"ids", ids}, {"reasons", reasons}}; }

std::vector<DuplicateGroup> FindDuplicates(const Table& records, CrmObject object,
                                           const std::string& default_country) {
  const CrmObjectInfo& info = CrmObjectOf(object);
  if (object != CrmObject::kPeople && object != CrmObject::kCompanies)
    Fail(ErrorCode::kInvalidArgument, "duplicates are found among people or companies, not {}",
         info.name);
  const size_t n = records.num_rows();
  const Column& ids = records.column(info.key);
  const auto column = [&](const char* name) -> const Column* {
    return records.HasColumn(name) ? &records.column(name) : nullptr;
  };
  // Each rule gives a row a key; rows with the same key of a rule are one record.
  std::vector<std::pair<std::string, std::function<std::optional<std::string>(size_t)>>> rules;
  if (object == CrmObject::kPeople) {
    const Column *email = column("email"), *phone = column("phone"), *first = column("first_name"),
                 *last = column("last_name"), *company = column("company_id"),
                 *city = column("city"), *country = column("country");
    if (email) {
      rules.push_back({"same email", [=](size_t r) -> std::optional<std::string> {
                         const auto v = ValueAt(*email, r);
                         if (!v) return std::nullopt;
                         if (!PiiKeyIdOf(*v).empty()) return *v;  // the same pseudonym
                         return NormalizeEmail(*v);
                       }});
    }
    if (phone) {
      rules.push_back({"same phone", [=](size_t r) -> std::optional<std::string> {
                         const auto v = ValueAt(*phone, r);
                         if (!v) return std::nullopt;
                         if (!PiiKeyIdOf(*v).empty()) return *v;
                         const auto c = country ? ValueAt(*country, r) : std::nullopt;
                         return NormalizePhone(*v, c && c->size() == 2 ? *c : default_country,
                                               AdPlatform::kGoogle);
                       }});
    }
    if (first && last) {
      const auto name = [=](size_t r) -> std::optional<std::string> {
        const auto f = ValueAt(*first, r), l = ValueAt(*last, r);
        if (!f || !l) return std::nullopt;
        const auto nf = NormalizeName(WithoutAccents(*f), AdPlatform::kMeta),
                   nl = NormalizeName(WithoutAccents(*l), AdPlatform::kMeta);
        if (!nf || !nl) return std::nullopt;
        return *nf + "|" + *nl;
      };
      for (const auto& [where, col] : {std::pair{"company", company}, std::pair{"city", city}}) {
        if (!col) continue;
        rules.push_back(
            {fmt::format("same name and {}", where), [=](size_t r) -> std::optional<std::string> {
               const auto nm = name(r);
               const auto at = ValueAt(*col, r);
               if (!nm || !at) return std::nullopt;
               return *nm + "|" + ToLower(WithoutAccents(Trim(*at)));
             }});
      }
    }
  } else {
    const Column *domain = column("domain"), *name = column("name");
    if (domain) {
      rules.push_back({"same domain", [=](size_t r) -> std::optional<std::string> {
                         const auto v = ValueAt(*domain, r);
                         if (!v) return std::nullopt;
                         const std::string d = DomainKey(*v);
                         return d.empty() ? std::nullopt : std::optional(d);
                       }});
    }
    if (name) {
      rules.push_back({"same name", [=](size_t r) -> std::optional<std::string> {
                         const auto v = ValueAt(*name, r);
                         if (!v) return std::nullopt;
                         const std::string k = CompanyNameKey(*v);
                         return k.empty() ? std::nullopt : std::optional(k);
                       }});
    }
  }
  Groups groups(n);
  std::vector<std::set<std::string>> reasons(n);  // per row, the rules that joined it
  for (const auto& [reason, key_of] : rules) {
    std::unordered_map<std::string, size_t> first_with;
    for (size_t r = 0; r < n; ++r) {
      const auto key = key_of(r);
      if (!key) continue;
      const auto [it, added] = first_with.emplace(*key, r);
      if (added) continue;
      groups.Join(r, it->second);
      reasons[r].insert(reason);
      reasons[it->second].insert(reason);
    }
  }
  std::map<size_t, DuplicateGroup> by_root;
  std::map<size_t, std::set<std::string>> why;
  for (size_t r = 0; r < n; ++r) {
    const size_t root = groups.Root(r);
    by_root[root].ids.push_back(ids.FormatValue(r));
    why[root].insert(reasons[r].begin(), reasons[r].end());
  }
  std::vector<DuplicateGroup> out;
  for (auto& [root, group] : by_root) {
    if (group.ids.size() < 2) continue;
    group.reasons.assign(why[root].begin(), why[root].end());
    out.push_back(std::move(group));
  }
  std::stable_sort(out.begin(), out.end(), [](const DuplicateGroup& a, const DuplicateGroup& b) {
    return a.ids.size() > b.ids.size();
  });
  return out;
}

std::vector<DuplicateGroup> FindDuplicates(Store& store, CrmObject object,
                                           const std::string& default_country, const Context& ctx) {
  return FindDuplicates(LoadCrmTableOrFail(store, object, ctx), object, default_country);
}

nlohmann::json FieldChoice::ToJson() const {
  return {{"field", field},
          {"keep", keep ? nlohmann::json(*keep) : nlohmann::json()},
          {"other", other ? nlohmann::json(*other) : nlohmann::json()},
          {"winner", winner},
          {"reason", reason}};
}

nlohmann::json MergeResult::ToJson() const {
  nlohmann::json refs = nlohmann::json::array();
  for (const MergeReference& r : references)
    refs.push_back({{"table", r.table}, {"column", r.column}, {"rows", r.rows}});
  nlohmann::json choices = nlohmann::json::array();
  for (const FieldChoice& f : fields) choices.push_back(f.ToJson());
  return {{"object", CrmObjectOf(object).name},
          {"keep", keep},
          {"other", other},
          {"fields", choices},
          {"references", refs},
          {"merged", merged},
          {"audit_id", merged ? nlohmann::json(audit_id) : nlohmann::json()},
          {"undo", merged ? nlohmann::json(undo) : nlohmann::json()}};
}

MergeResult MergeRecords(Store& store, const MergeRequest& request, const Context& ctx) {
  const CrmObjectInfo& info = CrmObjectOf(request.object);
  const std::vector<Pointer> pointers = PointersTo(request.object);
  if (request.keep == request.other)
    Fail(ErrorCode::kInvalidArgument, "merge: the two ids are the same ({})", request.keep);
  MergeResult out;
  out.object = request.object;
  out.keep = request.keep;
  out.other = request.other;
  const Table records = LoadCrmTableOrFail(store, request.object, ctx);
  const size_t keep = FindRecordOrFail(records, request.object, request.keep);
  const size_t other = FindRecordOrFail(records, request.object, request.other);
  for (const auto& [field, who] : request.take) {
    if (!records.HasColumn(field) || field == info.key) {
      Fail(ErrorCode::kInvalidArgument, "--take {}: {} has no field {} to choose. {}Fields: {}.",
           field, info.table, field, DidYouMean(field, records.schema().Names()),
           Join(records.schema().Names(), ", "));
    }
    if (who != "keep" && who != "other")
      Fail(ErrorCode::kInvalidArgument, "--take {}={}: expected keep or other", field, who);
  }
  std::vector<size_t> source_row;  // per column: the row its merged value comes from
  for (size_t c = 0; c < records.num_columns(); ++c) {
    const std::string& field = records.schema().field(c).name;
    FieldChoice choice{field, ValueAt(*records.column(c), keep), ValueAt(*records.column(c), other),
                       "keep", ""};
    const auto asked = request.take.find(field);
    if (field == info.key) {
      choice.reason = "the id that stays";
    } else if (asked != request.take.end()) {
      choice.winner = asked->second;
      choice.reason = "asked";
    } else if (choice.keep == choice.other) {
      choice.winner = "same";
      choice.reason = "equal";
    } else if (!choice.keep) {
      choice.winner = "other";
      choice.reason = "kept record's is empty";
    } else {
      choice.reason = "kept record's";
    }
    source_row.push_back(choice.winner == "other" ? other : keep);
    out.fields.push_back(std::move(choice));
  }
  for (const Pointer& p : pointers) {
    const std::string table(CrmObjectOf(p.table).table);
    const auto t = store.FindTable(table);
    if (!t || t->schema.IndexOf(p.column) < 0) continue;
    const Table rows = RowsWith(store.LoadTable(table, {p.column}, ctx), p.column, {request.other});
    if (rows.num_rows() > 0)
      out.references.push_back({table, p.column, static_cast<int64_t>(rows.num_rows())});
  }
  if (request.dry_run) return out;

  store.RunInTransaction([&] {
    const std::unordered_set<std::string> both = {request.keep, request.other};
    nlohmann::json before = nlohmann::json::object(), after = nlohmann::json::object();
    nlohmann::json columns = nlohmann::json::object();
    before[info.table] = TableToJson(records.Take(std::vector<size_t>{keep, other}));
    columns[info.table] = info.key;

    // The kept record takes the chosen values where it stood; the other goes.
    std::vector<ColumnPtr> merged;
    for (size_t c = 0; c < records.num_columns(); ++c)
      merged.push_back(records.column(c)->Take(std::vector<size_t>{source_row[c]}));
    const Table with_merged = ConcatTables({records, Table(records.schema(), std::move(merged))});
    std::vector<size_t> order;
    for (size_t r = 0; r < records.num_rows(); ++r) {
      if (r == other) continue;
      order.push_back(r == keep ? records.num_rows() : r);
    }
    const Table updated = with_merged.Take(order);
    WriteCrmTable(store, request.object, updated, ctx);
    after[info.table] = Digest(RowsWith(updated, std::string(info.key), {request.keep}));

    for (const MergeReference& ref : out.references) {
      const CrmObject object = CrmObjectOfTable(ref.table);
      const Table table = store.LoadTable(ref.table, ctx);
      before[ref.table] = TableToJson(RowsWith(table, ref.column, both));
      columns[ref.table] = ref.column;
      const Column& ids = table.column(ref.column);
      ColumnBuilder repointed(DataType::kString);
      for (size_t r = 0; r < ids.size(); ++r) {
        if (ids.IsNull(r)) {
          repointed.AppendNull();
        } else {
          const std::string id = ids.FormatValue(r);
          repointed.AppendString(id == request.other ? request.keep : id);
        }
      }
      ColumnPtr column = repointed.Finish();
      if (ids.type() == DataType::kCategorical) column = Column::DictionaryEncode(*column);
      if (column->type() != ids.type()) {
        Fail(ErrorCode::kInvalidData, "{}.{} holds {} values, not ids as text", ref.table,
             ref.column, DataTypeName(ids.type()));
      }
      const Table changed = table.WithColumn(ref.column, column);
      WriteCrmTable(store, object, changed, ctx);
      after[ref.table] = Digest(RowsWith(changed, ref.column, {request.keep}));
    }

    const std::string name =
        fmt::format("merge-{}", store.ListObjects(kMergeUndoObjectKind).size() + 1);
    store.PutObject(
        kMergeUndoObjectKind, name,
        {{"object", info.name}, {"columns", columns}, {"after", after}, {"undone", false}},
        before.dump());
    int64_t from_other = 0;
    for (const FieldChoice& f : out.fields) from_other += f.winner == "other";
    out.audit_id =
        store
            .Audit("crm.merge",
                   fmt::format("object={} undo={}/{} fields_from_other={} references={}", info.name,
                               kMergeUndoObjectKind, name, from_other, out.references.size()))
            .id;
    out.undo = fmt::format("{}/{}", kMergeUndoObjectKind, name);
    out.merged = true;
  });
  return out;
}

nlohmann::json UndoResult::ToJson() const {
  return {{"merge_audit_id", merge_audit_id}, {"audit_id", audit_id}, {"tables", tables}};
}

UndoResult UndoMerge(Store& store, int64_t merge_audit_id, const Context& ctx) {
  const std::vector<AuditEntry> log = store.AuditLog(merge_audit_id);
  if (log.empty() || log.front().id != merge_audit_id)
    Fail(ErrorCode::kNotFound, "no audit entry {} (prospect audit list shows them)",
         merge_audit_id);
  const AuditEntry& entry = log.front();
  if (entry.action != "crm.merge") {
    Fail(ErrorCode::kInvalidArgument, "audit entry {} is a {}, not a crm.merge", merge_audit_id,
         entry.action);
  }
  const std::string prefix = fmt::format("undo={}/", kMergeUndoObjectKind);
  const size_t at = entry.detail.find(prefix);
  PROSPECT_CHECK(at != std::string::npos);
  const size_t start = at + prefix.size();
  const std::string name = entry.detail.substr(start, entry.detail.find(' ', start) - start);
  const auto undo = store.GetObject(kMergeUndoObjectKind, name);
  if (!undo) Fail(ErrorCode::kNotFound, "the rows of merge {} are gone ({})", merge_audit_id, name);
  if (undo->meta.value("undone", false))
    Fail(ErrorCode::kFailedPrecondition, "merge {} was undone already", merge_audit_id);
  if (undo->meta.value("erased", false)) {
    Fail(ErrorCode::kFailedPrecondition,
         "merge {} cannot be undone: a person in it was erased by forget", merge_audit_id);
  }
  const nlohmann::json before = nlohmann::json::parse(undo->body);
  const nlohmann::json& columns = undo->meta["columns"];
  const nlohmann::json& after = undo->meta["after"];
  UndoResult out;
  out.merge_audit_id = merge_audit_id;
  store.RunInTransaction([&] {
    std::unordered_set<std::string> both;  // the kept id and the merged-away one
    const std::string record_table(
        CrmObjectOf(ParseCrmObject(undo->meta["object"].get<std::string>())).table);
    const Table originals = TableFromJson(before[record_table]);
    const std::string key = columns[record_table].get<std::string>();
    for (size_t r = 0; r < originals.num_rows(); ++r)
      both.insert(originals.column(key).FormatValue(r));
    const std::string kept = originals.column(key).FormatValue(0);
    for (const auto& [table, column_json] : columns.items()) {
      const std::string column = column_json.get<std::string>();
      const Table now = store.LoadTable(table, ctx);
      if (Digest(RowsWith(now, column, {kept})) != after[table].get<std::string>()) {
        Fail(ErrorCode::kFailedPrecondition,
             "{} changed since merge {} (rows with {} {}); undoing would lose that change", table,
             merge_audit_id, column, kept);
      }
    }
    for (const auto& [table, column_json] : columns.items()) {
      const std::string column = column_json.get<std::string>();
      store.DeleteRows(table, column, both, ctx);
      const Table rows = TableFromJson(before[table]);
      if (rows.num_rows() > 0) AppendCrmRows(store, CrmObjectOfTable(table), rows, ctx);
      out.tables.push_back(table);
    }
    nlohmann::json meta = undo->meta;
    meta["undone"] = true;
    store.RewriteObject(kMergeUndoObjectKind, name, undo->version, meta, "");
    out.audit_id =
        store
            .Audit("crm.undo", fmt::format("merge={} undo={}/{} tables={}", merge_audit_id,
                                           kMergeUndoObjectKind, name, Join(out.tables, ",")))
            .id;
  });
  return out;
}

int64_t EraseFromMergeUndo(Store& store, const std::unordered_set<std::string>& customer_ids) {
  int64_t erased = 0;
  for (const StoredObject& listed : store.ListObjects(kMergeUndoObjectKind)) {
    const auto undo = store.GetObject(kMergeUndoObjectKind, listed.name);
    if (!undo || undo->body.empty()) continue;
    const nlohmann::json before = nlohmann::json::parse(undo->body);
    bool holds = false;
    for (const auto& [table, rows] : before.items()) {
      const Table t = TableFromJson(rows);
      if (t.HasColumn("customer_id") && RowsWith(t, "customer_id", customer_ids).num_rows() > 0)
        holds = true;
    }
    if (!holds) continue;
    nlohmann::json meta = undo->meta;
    meta["erased"] = true;
    store.RewriteObject(kMergeUndoObjectKind, listed.name, undo->version, meta, "");
    ++erased;
  }
  return erased;
}

}  // namespace prospect
