// Duplicate CRM records and their merge: find them; see, field by field, whose value a merge
// keeps (the dry run); merge, audited; and undo a merge from its audit entry.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/crm/crm.hpp"
#include "prospect/store/store.hpp"

namespace prospect {

/// Records that look like one: their ids (in stored order) and why.
struct DuplicateGroup {
  std::vector<std::string> ids;
  std::vector<std::string> reasons;  ///< "same email", "same phone", "same name and company", ...
  nlohmann::json ToJson() const;
};

/// People match on an e-mail (normalised as for ad platforms, or the same pseudonym), a phone
/// (E.164, national numbers read in their country column or `default_country`), or first and
/// last name with the same company or city. Companies match on the web domain (without scheme,
/// "www." and path) or the name without its legal form ("Acme Inc." and "ACME"). Groups are the
/// connected records, largest first.
std::vector<DuplicateGroup> FindDuplicates(const Table& records, CrmObject object,
                                           const std::string& default_country = "");
/// The same over the object's stored records (kNotFound when there are none yet).
std::vector<DuplicateGroup> FindDuplicates(Store& store, CrmObject object,
                                           const std::string& default_country, const Context& ctx);

/// Which value of a field the merged record takes.
struct FieldChoice {
  std::string field;
  std::optional<std::string> keep;   ///< the kept record's value (nullopt: empty)
  std::optional<std::string> other;  ///< the merged-away record's value
  std::string winner;                ///< "keep", "other" or "same"
  std::string reason;
  nlohmann::json ToJson() const;
};

/// Records of other tables that point at the merged-away record and will point at the kept one.
struct MergeReference {
  std::string table;
  std::string column;
  int64_t rows = 0;
};

struct MergeRequest {
  CrmObject object = CrmObject::kPeople;
  std::string keep;   ///< the id that stays
  std::string other;  ///< the id merged into it, then gone
  /// Per field, "keep" or "other": whose value wins. By default the kept record's value wins
  /// unless it is empty.
  std::map<std::string, std::string> take;
  bool dry_run = true;
};

struct MergeResult {
  CrmObject object = CrmObject::kPeople;
  std::string keep, other;
  std::vector<FieldChoice> fields;
  std::vector<MergeReference> references;
  bool merged = false;   ///< false for a dry run
  int64_t audit_id = 0;  ///< the audit entry of the merge; `crm undo` takes it
  std::string undo;      ///< "crm.undo/NAME": the stored rows an undo puts back
  nlohmann::json ToJson() const;
};

/// Plans the merge and, unless dry_run, applies it in one transaction: the kept record gets the
/// chosen values, the other is deleted, references move to the kept id; the rows as they were go
/// into a stored object named by the audit entry. People, companies, opportunities and
/// campaigns can be merged. kNotFound for an unknown id, kInvalidArgument for a bad `take`.
MergeResult MergeRecords(Store& store, const MergeRequest& request, const Context& ctx);

struct UndoResult {
  int64_t merge_audit_id = 0;
  int64_t audit_id = 0;  ///< the undo's own entry
  std::vector<std::string> tables;
  nlohmann::json ToJson() const;
};

/// Puts back the records a merge changed, found through its audit entry, in one transaction.
/// kFailedPrecondition when the merge was undone already, its rows were erased by `forget`, or
/// the kept record (or a row pointing at it) changed since: undoing would lose that change.
UndoResult UndoMerge(Store& store, int64_t merge_audit_id, const Context& ctx);

inline constexpr const char* kMergeUndoObjectKind = "crm.undo";

/// For `forget`: empties the undo rows of every merge that held one of these people (by
/// customer_id); those merges can no longer be undone. Returns how many.
int64_t EraseFromMergeUndo(Store& store, const std::unordered_set<std::string>& customer_ids);

}  // namespace prospect
