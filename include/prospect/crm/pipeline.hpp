// Opportunities through their stages: the stage history (crm_stage_changes), time in stage, the
// pipeline by stage with probability-weighted amounts, and a lead's conversion into a customer.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/crm/crm.hpp"
#include "prospect/store/store.hpp"
#include "prospect/workspace/workspace.hpp"

namespace prospect {

/// Each opportunity's stage (opportunity_id → stage) as stored now.
using StageSnapshot = std::unordered_map<std::string, std::string>;
StageSnapshot LoadStageSnapshot(Store& store, const Context& ctx);

/// Appends to crm_stage_changes an entry for every opportunity of `opportunities` that is not in
/// `before` (dated by its created_at when that is a date or timestamp, else `now`) or whose stage
/// differs from it (dated `now`). Returns how many.
int64_t RecordStageChanges(Store& store, const StageSnapshot& before, const Table& opportunities,
                           int64_t now, const Context& ctx);

/// Moves one opportunity to `stage` (a configured stage, matched as ImportCrm matches) at `at`
/// (UTC microseconds), in one transaction with its stage history. kNotFound for an unknown
/// opportunity; nothing is recorded when it is already there.
struct StageMove {
  std::string opportunity_id;
  std::string from;  ///< "" when it had none
  std::string to;
  bool moved = false;
};
StageMove MoveToStage(Store& store, const CrmConfig& config, const std::string& opportunity_id,
                      const std::string& stage, int64_t at, const Context& ctx);

/// One stay of an opportunity in a stage: entered at one change, left at the next. The last stay
/// is open and lasts until `as_of`.
struct StageVisit {
  std::string opportunity_id;
  std::string stage;
  int64_t entered = 0;  ///< UTC microseconds
  std::optional<int64_t> left;
  double days = 0;  ///< (left or as_of) − entered, in days
  nlohmann::json ToJson() const;
};

/// The stays recorded in crm_stage_changes (columns opportunity_id, stage, changed_at), for one
/// opportunity or ("" ) all, ordered by opportunity then time. Changes at the same instant keep
/// their stored order. A change to the stage it is already in extends that stay.
std::vector<StageVisit> StageVisits(const Table& stage_changes, const std::string& opportunity_id,
                                    int64_t as_of);

/// Time in each stage over many opportunities: completed stays (left) and open ones apart, so
/// that an opportunity still in a stage does not shorten its average.
struct StageTime {
  std::string stage;
  int64_t completed = 0;      ///< stays that ended
  double mean_days = 0;       ///< over completed stays (NaN when none)
  double median_days = 0;     ///< over completed stays (NaN when none)
  int64_t open = 0;           ///< opportunities in the stage now
  double open_mean_days = 0;  ///< how long they have been there (NaN when none)
  nlohmann::json ToJson() const;
};
/// In the configured order, then stages found in the history but no longer configured.
std::vector<StageTime> TimeInStage(const std::vector<StageVisit>& visits, const CrmConfig& config);

/// The pipeline: per stage, the opportunities in it, their amount and the amount weighted by the
/// stage's probability.
struct PipelineStage {
  std::string stage;
  double probability = 0;
  int64_t opportunities = 0;
  double amount = 0;
  double weighted_amount = 0;
  nlohmann::json ToJson() const;
};
std::vector<PipelineStage> SummarizePipeline(Store& store, const CrmConfig& config,
                                             const Context& ctx);

/// Turns a lead into a customer: its crm_people row gets lifecycle "customer" and converted_at;
/// the customers table ([profile] customers_table), when there is one and the person is not in
/// it, gets a row with the columns the two share (a column that holds PII pseudonyms in one and
/// not the other is left empty). Audited. kNotFound for an unknown person.
struct Conversion {
  std::string customer_id;
  bool added_to_customers = false;
  std::vector<std::string> copied_columns;
  nlohmann::json ToJson() const;
};
Conversion ConvertLead(const Workspace& workspace, const std::string& customer_id, int64_t at,
                       const Context& ctx);

}  // namespace prospect
