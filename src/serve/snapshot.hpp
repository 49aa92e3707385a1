// What a server serves at one moment: the models (each with its compiled trees and the online
// features it reads, encoded once), the recommenders, the per-customer tables and the API keys.
// Immutable once built; Service swaps whole snapshots, and a new one reuses every part whose
// stored version did not change.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/models/recommend/package.hpp"
#include "prospect/models/training.hpp"
#include "prospect/serve/api_keys.hpp"
#include "prospect/serve/compiled_trees.hpp"
#include "prospect/serve/service.hpp"
#include "prospect/workspace/workspace.hpp"

namespace prospect::serve {

struct StringHash {
  using is_transparent = void;  // find(string_view) without building a string
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

/// A stored table held in memory with its rows by id (the id cell as text; the last row wins).
struct KeyedTable {
  std::string name;
  std::string id_column;
  std::string updated_at;  ///< the catalogue's, at load
  Table table;
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> row_of;

  std::optional<uint32_t> Find(std::string_view id) const {
    const auto it = row_of.find(id);
    if (it == row_of.end()) return std::nullopt;
    return it->second;
  }
};

/// A model as served: its package, its trees compiled when it is a gbdt, and the online
/// features it scores customers by (null when no table holds its inputs by customer id).
struct ServedModel {
  ModelPackage package;
  std::optional<CompiledTrees> trees;
  std::shared_ptr<const KeyedTable> features;
  std::vector<float> encoded;  ///< with trees: features' rows × d, encoded by the pipeline

  /// The score of the features table's row `row` (calibrated when the model is).
  double ScoreRow(uint32_t row, const Context& ctx) const;
  /// With trees: the score of a row already encoded by the pipeline (calibrated when the model is).
  double ScoreEncoded(const float* row) const;
  /// The scores of a table of input columns (calibrated when the model is).
  std::vector<double> ScoreTable(const Table& table, const Context& ctx) const;
};

struct Snapshot {
  std::map<std::string, std::shared_ptr<const ServedModel>, std::less<>> models;
  std::map<std::string, std::shared_ptr<const RecommenderPackage>, std::less<>> recommenders;
  std::shared_ptr<const KeyedTable> profiles;  ///< null when the workspace has none
  std::vector<std::shared_ptr<const KeyedTable>> customer_tables;
  std::shared_ptr<const KeyRing> keys;
  std::string customer_id;  ///< the [profile] id column
  /// The served models' latest drift reports as Prometheus text, appended to /metrics.
  std::string drift_metrics;
  /// What the store held when this was built: versions, stages, table times, keys. A reload
  /// builds a new snapshot only when the store's differs.
  nlohmann::json signature;
};

/// The signature LoadSnapshot would record now (cheap: catalogue and registry reads only).
nlohmann::json StoreSignature(const Workspace& ws, const ServeOptions& options);

/// Builds a snapshot of what `signature` describes, reusing the parts of `previous` (may be
/// null) whose versions and tables are unchanged.
std::shared_ptr<const Snapshot> LoadSnapshot(const Workspace& ws, const ServeOptions& options,
                                             const nlohmann::json& signature,
                                             const Snapshot* previous, const Context& ctx);

}  // namespace prospect::serve
