// CRM records: people (customers and leads), companies, opportunities moving through stages,
// their stage history, campaigns and their members, notes. Each is an ordinary workspace table
// (crm_people, crm_companies, ...), so `sql`, `export`, `forget` and the report see them like
// any other, and a person's id is the customer_id used everywhere else in the workspace.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/ingest/ingest.hpp"
#include "prospect/store/store.hpp"
#include "prospect/workspace/workspace.hpp"

namespace prospect {

enum class CrmObject {
  kPeople,
  kCompanies,
  kOpportunities,
  kStageChanges,
  kCampaigns,
  kCampaignMembers,
  kNotes
};

/// How an object is stored: its name on the command line ("people"), its table
/// ("crm_people") and its key column ("" for objects without one).
struct CrmObjectInfo {
  CrmObject object;
  std::string_view name;
  std::string_view table;
  std::string_view key;
};
const CrmObjectInfo& CrmObjectOf(CrmObject object);
/// The object stored in `table` ("crm_people" → kPeople); kInvalidArgument for another table.
CrmObject CrmObjectOfTable(std::string_view table);
/// "people", "companies", "opportunities" (or "deals"), "stage-changes", "campaigns",
/// "campaign-members", "notes"; kInvalidArgument naming the valid ones otherwise.
CrmObject ParseCrmObject(std::string_view name);

/// The tool an export came from, which fixes its column names.
enum class CrmSource { kProspect, kHubspot, kTwenty };
CrmSource ParseCrmSource(std::string_view name);  ///< "prospect", "hubspot", "twenty"
std::string_view CrmSourceName(CrmSource source);

/// (file header, column) pairs: how `source` names the columns of `object` in its CSV export.
/// Empty for kProspect (columns keep their names) and for objects the tool does not export.
std::vector<std::pair<std::string, std::string>> CrmColumnMap(CrmSource source, CrmObject object);

/// One stage of the opportunity pipeline and the probability of winning from it.
struct CrmStage {
  std::string name;
  double probability = 0;
};

/// [crm] of prospect.toml.
struct CrmConfig {
  /// In pipeline order. Probability 1 is won and 0 lost: both close the opportunity.
  std::vector<CrmStage> stages = {{"NEW", 0.1},      {"SCREENING", 0.2}, {"MEETING", 0.4},
                                  {"PROPOSAL", 0.6}, {"CUSTOMER", 1.0},  {"LOST", 0.0}};
  /// `stages = [{name = "NEW", probability = 0.1}, ...]`; kInvalidData naming the entry.
  static CrmConfig FromJson(const nlohmann::json& section);
  /// The stage whose name matches `text` ignoring case, spaces, '_' and '-'; nullptr if none.
  const CrmStage* FindStage(std::string_view text) const;
  std::vector<std::string> StageNames() const;
};

struct CrmImportRequest {
  CrmObject object = CrmObject::kPeople;
  std::string file;
  CrmSource source = CrmSource::kProspect;
  /// "Header=column" pairs, added to (and overriding) the source's column map.
  std::vector<std::string> map;
  /// Replace the stored records instead of updating them by key (adding new ones).
  bool replace = false;
  /// When stage changes found by this import happened ("" = now), UTC "YYYY-MM-DD HH:MM:SS".
  std::string at;
};

struct CrmImportResult {
  IngestResult ingest;
  int64_t stage_changes = 0;  ///< opportunities that entered a stage (new ones included)
  nlohmann::json ToJson() const;
};

/// Reads a CRM export into the object's table, renaming its columns by the source's map (and
/// `map`), in one transaction. Opportunities must be in configured stages (kInvalidData naming
/// the opportunity, its stage and the stages); each that is new or changed stage gets an entry in
/// crm_stage_changes, dated by its created_at column when new and by `at` otherwise.
CrmImportResult ImportCrm(const Workspace& workspace, const CrmImportRequest& request,
                          const Context& ctx);

/// The object's records as `source` names their columns: with the header order of the last
/// import from that source, else the source's map; other columns keep their names.
Table ExportCrm(Store& store, CrmObject object, CrmSource source, const Context& ctx);

/// The current UTC time as the stage history stores it, or `at` parsed (kInvalidArgument).
int64_t CrmTime(std::string_view at);

}  // namespace prospect
