#include "prospect/monitor/retrain.hpp"

#include "prospect/common/error.hpp"
#include "prospect/models/training.hpp"

namespace prospect::monitor {

std::string_view RetrainOutcomeName(RetrainOutcome outcome) {
  switch (outcome) {
    case RetrainOutcome::kNothingToDo: return "nothing_to_do";
    case RetrainOutcome::kPromoted: return "promoted";
    case RetrainOutcome::kKeptChampion: return "kept_champion";
  }
  return "";
}

nlohmann::json RetrainResult::ToJson() const {
  return {{"outcome", RetrainOutcomeName(outcome)},
          {"model", model},
          {"table", table},
          {"champion_version", champion_version},
          {"challenger_version",
           challenger_version ? nlohmann::json(challenger_version) : nlohmann::json()},
          {"production_version", production_version},
          {"comparison", comparison ? comparison->ToJson() : nlohmann::json()},
          {"reason", reason}};
}

RetrainResult Retrain(Store& store, const RetrainRequest& request, const ChallengerRule& rule,
                      const Context& ctx) {
  RetrainResult result;
  result.model = request.model;
  const int64_t production = ProductionVersion(store, request.model);
  const ModelPackage champion = LoadModel(store, request.model, production);
  if (champion.task != "classification")
    Fail(ErrorCode::kInvalidArgument,
         "model {} is a regression; retrain compares classifiers by ROC-AUC", request.model);
  result.champion_version = champion.version;
  TrainRequest spec = RecordedTrainRequest(champion);
  if (!request.table.empty()) spec.table = request.table;
  result.table = spec.table;

  const Table table = store.LoadTable(spec.table, ctx);
  if (!request.force && spec.table == champion.table && !HeldOutRows(champion, table).empty()) {
    result.outcome = RetrainOutcome::kNothingToDo;
    result.production_version = champion.version;
    result.reason = fmt::format("table {} holds the rows version {} was trained on; no new data",
                                spec.table, champion.version);
  } else {
    const TrainResult trained = TrainModel(store, spec, ctx);
    const ModelPackage challenger = LoadModel(store, request.model, trained.version);
    result.challenger_version = challenger.version;
    const Table held = table.Take(HeldOutRows(challenger, table));
    const std::vector<double> y = challenger.Labels(held);
    result.comparison =
        CompareChallenger(y, champion.Score(held, ctx), challenger.Score(held, ctx), rule);
    result.reason = result.comparison->reason;
    if (result.comparison->promote) {
      PromoteModel(store, request.model, challenger.version);
      result.outcome = RetrainOutcome::kPromoted;
      result.production_version = challenger.version;
    } else {
      // The new version is the latest; marking the champion keeps it the one in use.
      if (production == 0) PromoteModel(store, request.model, champion.version);
      result.outcome = RetrainOutcome::kKeptChampion;
      result.production_version = champion.version;
    }
  }
  store.PutObject("retrain_run", request.model, result.ToJson(), "");
  store.Audit("retrain", fmt::format("model={} outcome={} champion={} challenger={}", request.model,
                                     RetrainOutcomeName(result.outcome), result.champion_version,
                                     result.challenger_version));
  return result;
}

}  // namespace prospect::monitor
