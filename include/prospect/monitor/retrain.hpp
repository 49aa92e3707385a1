// Retraining a model that a scheduler can call: train again with the request the production
// version was trained with, on the table as it is now; compare the new version (the challenger)
// with the production one (the champion) on the challenger's held-out rows; promote only when the
// challenger is better by the rule's margin. Every run is recorded in the store.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "prospect/common/context.hpp"
#include "prospect/monitor/performance.hpp"
#include "prospect/store/store.hpp"

namespace prospect::monitor {

enum class RetrainOutcome {
  kNothingToDo,   ///< the table holds the rows the champion was trained on: no new data
  kPromoted,      ///< retrained; the challenger is now the production version
  kKeptChampion,  ///< retrained; the challenger was not better by the margin
};
std::string_view RetrainOutcomeName(RetrainOutcome outcome);

struct RetrainRequest {
  std::string model;
  std::string table;   ///< "" = the table the champion was trained on
  bool force = false;  ///< retrain even when the data is unchanged
};

struct RetrainResult {
  RetrainOutcome outcome = RetrainOutcome::kNothingToDo;
  std::string model;
  std::string table;
  int64_t champion_version = 0;
  int64_t challenger_version = 0;  ///< 0 when nothing was trained
  int64_t production_version = 0;  ///< after the run
  std::optional<ChallengerComparison> comparison;
  std::string reason;
  nlohmann::json ToJson() const;
};

/// Runs one retraining; stores the run as an object of kind "retrain_run" (named after the model,
/// one version per run) and audits it.
RetrainResult Retrain(Store& store, const RetrainRequest& request, const ChallengerRule& rule,
                      const Context& ctx);

}  // namespace prospect::monitor
