// Erasure of people from a workspace (see forget.hpp).
#include "prospect/privacy/forget.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "prospect/audience/audience.hpp"
#include "prospect/common/digest.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/crm/merge.hpp"
#include "prospect/privacy/pii.hpp"
#include "prospect/workspace/workspace.hpp"

namespace prospect {
namespace {

// The kinds of stored object fitted on a table's rows; meta "table" names the table.
constexpr const char* kFittedKinds[] = {"model",        "recommender", "uplift",
                                        "segmentation", "clv",         "churn"};

constexpr const char* kSuppressionName = "people";

std::vector<std::string> IdColumnsOf(const TableInfo& info, const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const std::string& n : names)
    if (info.schema.IndexOf(n) >= 0) out.push_back(n);
  return out;
}

// The declared e-mail columns: an e-mail names one person, so a row with theirs is theirs. Phones
// and names are shared (a household, a namesake) and identify no one alone.
std::vector<std::string> EmailColumns(const PiiDeclaration* pii) {
  std::vector<std::string> out;
  if (!pii) return out;
  for (const PiiColumn& c : pii->columns)
    if (c.kind == PiiKind::kEmail) out.push_back(c.name);
  return out;
}

}  // namespace

std::vector<std::string> PersonIdColumns(const Workspace& workspace) {
  std::vector<std::string> out = {"customer_id"};
  const nlohmann::json& profile = workspace.Section("profile");
  if (profile.contains("customer_id") && profile["customer_id"].is_string())
    out[0] = profile["customer_id"].get<std::string>();
  const nlohmann::json& privacy = workspace.Section("privacy");
  if (privacy.contains("id_columns")) {
    const nlohmann::json& list = privacy["id_columns"];
    if (!list.is_array())
      Fail(ErrorCode::kInvalidData, "prospect.toml [privacy] id_columns: expected a list of names");
    for (const auto& v : list) {
      if (!v.is_string())
        Fail(ErrorCode::kInvalidData, "prospect.toml [privacy] id_columns: {} is not a name",
             v.dump());
      if (std::find(out.begin(), out.end(), v.get<std::string>()) == out.end())
        out.push_back(v.get<std::string>());
    }
  }
  return out;
}

nlohmann::json ForgetResult::ToJson() const {
  nlohmann::json per_table = nlohmann::json::array();
  for (const TableRows& t : tables) per_table.push_back({{"table", t.table}, {"rows", t.rows}});
  return {{"people", people},           {"rows", rows},
          {"tables", per_table},        {"audience_versions", audience_versions},
          {"retrain", retrain},         {"suppressed", suppressed},
          {"merge_undos", merge_undos}, {"receipt", receipt}};
}

std::string SuppressionList::IdEntry(std::string_view id) {
  return fmt::format("id:{}", Sha256Hex(std::string(id)));
}

SuppressionList SuppressionList::Load(Store& store) {
  SuppressionList list;
  const auto object = store.GetObject(kSuppressionObjectKind, kSuppressionName);
  if (!object) return list;
  size_t start = 0;
  for (size_t end; (end = object->body.find('\n', start)) != std::string::npos; start = end + 1)
    list.entries_.insert(object->body.substr(start, end - start));
  return list;
}

bool SuppressionList::ContainsId(std::string_view id) const {
  return entries_.contains(IdEntry(id));
}

int64_t SuppressionList::pseudonyms() const {
  return std::count_if(entries_.begin(), entries_.end(),
                       [](const std::string& e) { return e.rfind("pii:", 0) == 0; });
}

bool SuppressionList::ContainsPseudonym(std::string_view pseudonym) const {
  return entries_.contains(fmt::format("pii:{}", pseudonym));
}

Table SuppressionList::DropSuppressed(const Table& table,
                                      const std::vector<std::string>& id_columns,
                                      const PiiDeclaration* pii, int64_t* dropped) const {
  *dropped = 0;
  if (entries_.empty()) return table;
  std::vector<const Column*> ids, pseudonyms;
  for (const std::string& c : id_columns)
    if (table.HasColumn(c)) ids.push_back(&table.column(c));
  if (pii) {
    for (const std::string& c : EmailColumns(pii))
      if (table.HasColumn(c)) pseudonyms.push_back(&table.column(c));
  }
  std::vector<size_t> kept;
  for (size_t r = 0; r < table.num_rows(); ++r) {
    bool suppressed = false;
    for (const Column* c : ids)
      suppressed = suppressed || (!c->IsNull(r) && ContainsId(c->FormatValue(r)));
    for (const Column* c : pseudonyms)
      suppressed = suppressed || (!c->IsNull(r) && ContainsPseudonym(c->StringAt(r)));
    if (!suppressed) kept.push_back(r);
  }
  *dropped = static_cast<int64_t>(table.num_rows() - kept.size());
  return *dropped == 0 ? table : table.Take(kept);
}

ForgetResult Forget(Store& store, const ForgetRequest& request, const Context& ctx) {
  std::unordered_set<std::string> ids;
  for (const std::string& id : request.ids) {
    const std::string_view trimmed = Trim(id);
    if (!trimmed.empty()) ids.emplace(trimmed);
  }
  if (ids.empty()) Fail(ErrorCode::kInvalidArgument, "forget: no ids given");
  ForgetResult out;
  out.people = ids.size();

  store.RunInTransaction([&] {
    // First by id, keeping the pseudonymised e-mails of the rows deleted; then the rows anywhere
    // that name them by one of those.
    std::map<std::string, int64_t> per_table;
    std::map<std::string, std::vector<std::string>> emails_of;  // tables with e-mail columns
    std::unordered_set<std::string> pseudonyms;
    for (const TableInfo& info : store.ListTables()) {
      const auto pii = FindPiiDeclaration(store, info.name);
      const std::vector<std::string> emails = EmailColumns(pii ? &*pii : nullptr);
      if (!emails.empty()) emails_of[info.name] = emails;
      for (const std::string& column : IdColumnsOf(info, request.id_columns)) {
        Table deleted;
        per_table[info.name] +=
            store.DeleteRows(info.name, column, ids, ctx, emails.empty() ? nullptr : &deleted);
        for (const std::string& email : emails) {
          const Column& values = deleted.column(email);
          for (size_t r = 0; r < values.size(); ++r)
            if (!values.IsNull(r)) pseudonyms.emplace(values.StringAt(r));
        }
      }
    }
    if (!pseudonyms.empty()) {
      for (const auto& [table, emails] : emails_of) {
        for (const std::string& email : emails)
          per_table[table] += store.DeleteRows(table, email, pseudonyms, ctx);
      }
    }
    std::unordered_set<std::string> touched;
    for (const auto& [table, rows] : per_table) {
      if (rows == 0) continue;
      out.tables.push_back({table, rows});
      out.rows += rows;
      touched.insert(table);
    }
    out.audience_versions = EraseFromAudiences(store, ids);
    out.merge_undos = EraseFromMergeUndo(store, ids);

    // Models fitted on their rows keep what they learned from them until trained again.
    for (const char* kind : kFittedKinds) {
      for (const StoredObject& o : store.ListObjects(kind)) {
        if (touched.contains(o.meta.value("table", std::string())))
          out.retrain.push_back(std::string(kind) + "/" + o.name);
      }
    }

    // The suppression list: one version, rewritten, so no old copy outlives a later change.
    SuppressionList list = SuppressionList::Load(store);
    const size_t before = list.size();
    std::vector<std::string> subjects;
    for (const std::string& id : ids) {
      subjects.push_back(SuppressionList::IdEntry(id));
      list.entries_.insert(subjects.back());
    }
    for (const std::string& p : pseudonyms) list.entries_.insert(fmt::format("pii:{}", p));
    out.suppressed = list.size() - before;
    std::vector<std::string> sorted(list.entries_.begin(), list.entries_.end());
    std::sort(sorted.begin(), sorted.end());
    std::string body;
    for (const std::string& e : sorted) body += e + "\n";
    const nlohmann::json meta = {{"entries", sorted.size()}};
    if (store.GetObject(kSuppressionObjectKind, kSuppressionName)) {
      store.RewriteObject(kSuppressionObjectKind, kSuppressionName, 1, meta, body);
    } else {
      store.PutObject(kSuppressionObjectKind, kSuppressionName, meta, body);
    }

    // The receipt names no one: the digest of the request's suppression entries lets whoever
    // holds its ids show later that this entry erased them.
    std::sort(subjects.begin(), subjects.end());
    std::vector<std::string> table_counts;
    for (const auto& t : out.tables) table_counts.push_back(fmt::format("{}:{}", t.table, t.rows));
    out.receipt =
        store
            .Audit("forget",
                   fmt::format(
                       "people={} rows={} tables={} audience_versions={}{} retrain={} subjects={}",
                       out.people, out.rows, table_counts.empty() ? "-" : Join(table_counts, ","),
                       out.audience_versions,
                       out.merge_undos > 0 ? fmt::format(" merge_undos={}", out.merge_undos) : "",
                       out.retrain.empty() ? "-" : Join(out.retrain, ","),
                       Sha256Hex(Join(subjects, "\n"))))
            .hash;
  });
  if (request.compact) store.Compact();
  return out;
}

}  // namespace prospect
