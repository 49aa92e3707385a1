// Store::Open dispatches on the URL scheme; table-name rules shared by every backend.
#include "prospect/store/store.hpp"

#include <fmt/format.h>

#include <limits>
#include <optional>

#include "prospect/common/digest.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/write_rules.hpp"

namespace prospect {

nlohmann::json TableInfo::ToJson() const {
  return {{"name", name},
          {"rows", rows},
          {"key", key ? nlohmann::json(*key) : nlohmann::json()},
          {"columns", schema.ToJson()},
          {"updated_at", updated_at}};
}

std::unique_ptr<Store> Store::Open(const std::string& url) {
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return OpenPostgresStore(url);
  }
  const std::string path = url.rfind("sqlite:", 0) == 0 ? url.substr(7) : url;
  if (path.empty()) Fail(ErrorCode::kInvalidArgument, "empty store path in \"{}\"", url);
  return OpenSqliteStore(path);
}

Table Store::LoadTable(const std::string& name, const std::vector<std::string>& columns,
                       const Context& ctx) {
  std::optional<Table> whole;
  Scan(
      name, columns, std::numeric_limits<size_t>::max(), [&](const Table& chunk) { whole = chunk; },
      ctx);
  return std::move(*whole);
}

void Store::CheckTableName(const std::string& name) {
  auto is_alpha = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  bool ok = !name.empty() && name.size() <= 63 && is_alpha(name[0]);
  for (char c : name) ok = ok && (is_alpha(c) || (c >= '0' && c <= '9'));
  if (!ok) {
    Fail(ErrorCode::kInvalidArgument,
         "invalid table name \"{}\": use a letter or underscore, then letters, digits or "
         "underscores (at most 63)",
         name);
  }
  if (name.rfind("prospect_", 0) == 0 || name.rfind("sqlite_", 0) == 0) {
    Fail(ErrorCode::kInvalidArgument,
         "invalid table name \"{}\": names starting with \"prospect_\" or \"sqlite_\" are reserved",
         name);
  }
}

TableInfo Store::FindTableOrFail(const std::string& name) {
  if (auto info = FindTable(name)) return std::move(*info);
  std::vector<std::string> names;
  for (const auto& t : ListTables()) names.push_back(t.name);
  store_rules::TableNotFound(name, names);
}

StoredObject Store::GetObjectOrFail(const std::string& kind, const std::string& name,
                                    int64_t version, std::string_view noun, std::string_view plural,
                                    std::string_view create) {
  if (auto object = GetObject(kind, name, version)) return std::move(*object);
  if (version > 0 && GetObject(kind, name))
    Fail(ErrorCode::kNotFound, "{} {} has no version {}", noun, name, version);
  std::vector<std::string> names;
  for (const auto& o : ListObjects(kind)) names.push_back(o.name);
  Fail(ErrorCode::kNotFound, "no {} \"{}\". {}{}: {}.", noun, name, DidYouMean(name, names), plural,
       names.empty() ? fmt::format("none yet (use {})", create) : Join(names, ", "));
}

nlohmann::json AuditEntry::ToJson() const {
  return {{"id", id},         {"at", at},         {"actor", actor},
          {"action", action}, {"detail", detail}, {"prev_hash", prev_hash},
          {"hash", hash}};
}

std::string AuditHash(const AuditEntry& e) {
  // A JSON array: every field delimited, so no two different entries serialise alike.
  return Sha256Hex(
      nlohmann::json::array({e.id, e.at, e.actor, e.action, e.detail, e.prev_hash}).dump());
}

AuditEntry Store::ChainAuditEntry(const std::optional<AuditEntry>& last, AuditEntry entry) {
  entry.id = last ? last->id + 1 : 1;
  entry.prev_hash = last ? last->hash : "";
  entry.hash = AuditHash(entry);
  return entry;
}

void Store::CheckObjectName(std::string_view what, const std::string& name) {
  auto is_alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  bool ok = !name.empty() && name.size() <= 128 && is_alnum(name[0]);
  for (char c : name) ok = ok && (is_alnum(c) || c == '_' || c == '-' || c == '.');
  if (!ok) {
    Fail(ErrorCode::kInvalidArgument,
         "invalid {} name {}: use a letter or digit, then letters, digits, \"_\", \"-\" or \".\" "
         "(at most 128)",
         what, QuoteForMessage(name));
  }
}

}  // namespace prospect
