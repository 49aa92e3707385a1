// Saved audiences: a named, versioned list of customer ids (from a table with a condition, the
// top N by a column, or an SQL query), with its size history, and its export for ad platforms
// (Google Customer Match, Meta Custom Audiences) with normalised, hashed identifiers.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_set>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/privacy/identifiers.hpp"
#include "prospect/privacy/pii.hpp"
#include "prospect/store/store.hpp"

namespace prospect {

inline constexpr const char* kAudienceObjectKind = "audience";

struct AudienceSaveRequest {
  std::string name;
  std::string table;      ///< members from this table's id column, or
  std::string sql;        ///< a read-only query whose first column holds the ids
  std::string where;      ///< with `table`: an SQL condition on its rows
  std::string order_by;   ///< with `table` and `top`: the column ranked, highest first
  size_t top = 0;         ///< only the first N (0: every row)
  std::string id_column;  ///< default: the table's key, else customer_id, else its first column
};

/// One version of an audience, as its history lists it.
struct AudienceVersion {
  std::string name;
  int64_t version = 0;
  size_t size = 0;
  std::string created_at;
  nlohmann::json source;  ///< how it was made: {table, where, order_by, top, id_column} or {sql}
  nlohmann::json ToJson() const;
};

/// Saves the members as a new version of the audience and returns that version. Ids are kept in
/// the source's order, each once; null ids are left out. An empty result is kInvalidArgument
/// (an audience of nobody is a mistake in the condition, not something to upload).
AudienceVersion SaveAudience(Store& store, const AudienceSaveRequest& request, const Context& ctx);

/// The member ids of a version (0: the latest); kNotFound naming the audiences there are.
std::vector<std::string> AudienceMembers(Store& store, const std::string& name,
                                         int64_t version = 0);

/// Every version of the audience, oldest first: its size history.
std::vector<AudienceVersion> AudienceHistory(Store& store, const std::string& name);

/// The latest version of every saved audience.
std::vector<AudienceVersion> ListAudiences(Store& store);

/// Erasure: every version of every audience without these ids (its size with it), rewritten in
/// place. Returns how many versions changed.
int64_t EraseFromAudiences(Store& store, const std::unordered_set<std::string>& ids);

struct AudienceExportRequest {
  std::string name;
  int64_t version = 0;  ///< 0: the latest
  AdPlatform platform = AdPlatform::kGoogle;
  std::string out;  ///< the upload file (CSV); "-" for standard output; "" for the result's csv
  std::string contacts = "customers";  ///< the table with the members' contact details
  std::string contacts_id;  ///< its id column; default its key, else customer_id, else the first
  /// identifier → column of `contacts`; the rest are found by their usual names (email, e_mail,
  /// phone, mobile, first_name, surname, zip, postcode, ...).
  std::map<std::string, std::string> columns;
  std::string default_country;  ///< ISO alpha-2 for national phone numbers without a country
  /// Opens the sealed raw values of pseudonymised contact columns (see pii.hpp); needed only
  /// when the contacts table has PII declared. The export is then audited as a decryption.
  const PiiKey* key = nullptr;
};

/// How many exported members had each identifier: present (a non-empty cell) and valid (it
/// normalised; an e-mail without "@", say, does not).
struct IdentifierCoverage {
  std::string identifier, column;
  size_t present = 0, valid = 0;
};

struct AudienceExportResult {
  std::string name, platform, out;
  int64_t version = 0;
  size_t members = 0;
  size_t exported = 0;            ///< rows in the file
  size_t not_in_contacts = 0;     ///< members the contacts table does not have
  size_t without_identifier = 0;  ///< members with no valid identifier: left out
  std::vector<IdentifierCoverage> coverage;
  std::string csv;  ///< the file's text, when the request's `out` is ""
  nlohmann::json ToJson() const;
};

/// Writes the platform's upload file: Google Customer Match (Email, Phone, First Name, Last Name
/// hashed; Country, Zip as they are) or Meta Custom Audiences (email, phone, fn, ln, zip,
/// country, all hashed), one row per member with a valid identifier. Audited; the audit entry
/// and the result hold counts, never identifiers.
AudienceExportResult ExportAudience(Store& store, const AudienceExportRequest& request,
                                    const Context& ctx);

}  // namespace prospect
