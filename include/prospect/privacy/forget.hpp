// Erasure ("right to be forgotten"): a person's rows leave every table of the workspace, derived
// ones included (profiles, scores, segments, audiences), in one transaction; they join a
// suppression list so a later ingest cannot bring them back; and the audit log gets a receipt
// that names no one.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_set>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/store/store.hpp"
#include "prospect/table/table.hpp"

namespace prospect {

class Workspace;
struct PiiDeclaration;

/// The columns that hold a person's id in any table: [profile] customer_id ("customer_id") and
/// [privacy] id_columns of prospect.toml.
std::vector<std::string> PersonIdColumns(const Workspace& workspace);

struct ForgetRequest {
  std::vector<std::string> ids;
  std::vector<std::string> id_columns = {"customer_id"};
  bool compact = false;  ///< then Store::Compact: freed pages overwritten (SQLite VACUUM)
};

struct ForgetResult {
  size_t people = 0;  ///< distinct ids asked for
  struct TableRows {
    std::string table;
    int64_t rows = 0;
  };
  std::vector<TableRows> tables;  ///< rows deleted, per table that had any
  int64_t rows = 0;
  int64_t audience_versions = 0;     ///< audience versions rewritten without them
  int64_t merge_undos = 0;           ///< CRM merges whose undo rows held them (now not undoable)
  std::vector<std::string> retrain;  ///< "kind/name" of models fitted on a table they were in
  size_t suppressed = 0;             ///< entries the suppression list gained
  std::string receipt;               ///< the hash of the audit entry
  nlohmann::json ToJson() const;
};

/// Erases the people with these ids (and the rows that name them by a pseudonymised e-mail of
/// theirs) from every table and audience, in one transaction with the suppression list
/// and the audit receipt. Ids that are nowhere are still suppressed.
ForgetResult Forget(Store& store, const ForgetRequest& request, const Context& ctx);

inline constexpr const char* kSuppressionObjectKind = "suppression";

/// The people a workspace has forgotten: hashes of their ids ("id:" SHA-256) and their e-mails'
/// pseudonyms ("pii:" pseudonym), never the ids themselves.
class SuppressionList {
 public:
  static SuppressionList Load(Store& store);
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  bool ContainsId(std::string_view id) const;
  bool ContainsPseudonym(std::string_view pseudonym) const;
  /// How many entries are e-mail pseudonyms (tied to the key that made them).
  int64_t pseudonyms() const;

  /// `table` without the rows of suppressed people: by any of `id_columns` it has, or by a
  /// pseudonym in an e-mail column of `pii`. `dropped` gets how many went.
  Table DropSuppressed(const Table& table, const std::vector<std::string>& id_columns,
                       const PiiDeclaration* pii, int64_t* dropped) const;

 private:
  friend ForgetResult Forget(Store&, const ForgetRequest&, const Context&);
  static std::string IdEntry(std::string_view id);
  std::unordered_set<std::string> entries_;
};

}  // namespace prospect
