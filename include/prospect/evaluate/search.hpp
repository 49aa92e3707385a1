// Hyperparameter search independent of any model: a SearchSpace, grid enumeration, seeded random
// sampling, and a Bayesian optimiser (TPE). Searchers propose assignments (JSON objects) and learn
// from the losses the caller observes; lower loss is better.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "prospect/common/rng.hpp"

namespace prospect {

/// Kind of one searchable parameter.
enum class ParamKind { kInt, kFloat, kChoice };

/// One parameter's range: inclusive [low, high] for kInt/kFloat (log = sample uniformly in
/// log-space, needs low > 0, and low >= 1 for kInt), or a list of JSON values for kChoice.
struct ParamRange {
  std::string name;
  ParamKind kind = ParamKind::kFloat;
  double low = 0, high = 0;
  bool log = false;
  std::vector<nlohmann::json> choices;
};

/// The parameters to search and their ranges. An assignment is a JSON object with one value per
/// parameter: an integer for kInt, a number for kFloat, one of the choices for kChoice.
class SearchSpace {
 public:
  /// Each Add throws kInvalidArgument for a duplicate name, low > high, a non-positive log bound
  /// or an empty choice list.
  SearchSpace& AddInt(std::string name, int64_t low, int64_t high, bool log = false);
  SearchSpace& AddFloat(std::string name, double low, double high, bool log = false);
  SearchSpace& AddChoice(std::string name, std::vector<nlohmann::json> choices);

  const std::vector<ParamRange>& params() const { return params_; }
  bool empty() const { return params_.empty(); }

  /// {"max_depth": {"type": "int", "low": 2, "high": 10}, "eta": {"type": "float", "low": 0.001,
  ///  "high": 0.3, "log": true}, "criterion": {"type": "choice", "choices": ["gini", "entropy"]}}.
  /// Parameters are kept in the JSON object's (alphabetical) order. Throws kInvalidArgument naming
  /// the parameter for a malformed entry.
  static SearchSpace FromJson(const nlohmann::json& json);
  nlohmann::json ToJson() const;

  /// A uniformly random assignment (log-uniform for log ranges).
  nlohmann::json Sample(Rng& rng) const;
  /// Throws kInvalidArgument unless `assignment` gives every parameter a valid value and nothing
  /// else.
  void Validate(const nlohmann::json& assignment) const;

 private:
  void Add(ParamRange range);
  std::vector<ParamRange> params_;
};

/// Every combination of: all choices; all integers of an int range, or `points_per_range` evenly
/// spaced ones (in log-space for log ranges) when there are more; `points_per_range` evenly spaced
/// floats including both ends. Ordered with the last parameter varying fastest. Throws
/// kOutOfRange when the grid would exceed max_points (the message gives its size).
std::vector<nlohmann::json> GridAssignments(const SearchSpace& space, size_t points_per_range = 5,
                                            size_t max_points = 10000);

/// One evaluated assignment.
struct Trial {
  nlohmann::json params;
  double loss = 0;  ///< NaN/inf (a failed fit) count as worst
};

/// Suggest → evaluate → Observe loop shared by grid, random and TPE. Not thread-safe.
class Searcher {
 public:
  explicit Searcher(SearchSpace space) : space_(std::move(space)) {}
  virtual ~Searcher() = default;
  /// The next assignment to try. Throws kFailedPrecondition when Exhausted().
  virtual nlohmann::json Suggest() = 0;
  /// Records the loss of an assignment (from Suggest or elsewhere, e.g. a warm start). Throws
  /// kInvalidArgument for an assignment outside the space.
  virtual void Observe(const nlohmann::json& assignment, double loss);
  /// True when the searcher has nothing new to propose (only a finished grid).
  virtual bool Exhausted() const { return false; }

  const SearchSpace& space() const { return space_; }
  const std::vector<Trial>& trials() const { return trials_; }
  /// The trial with the lowest finite loss (the earliest among equals); nullptr if none.
  const Trial* best() const;

 protected:
  SearchSpace space_;
  std::vector<Trial> trials_;
};

/// Walks GridAssignments in order.
class GridSearch : public Searcher {
 public:
  GridSearch(SearchSpace space, size_t points_per_range = 5, size_t max_points = 10000);
  nlohmann::json Suggest() override;
  bool Exhausted() const override { return next_ >= grid_.size(); }
  size_t size() const { return grid_.size(); }

 private:
  std::vector<nlohmann::json> grid_;
  size_t next_ = 0;
};

/// Independent uniform (log-uniform) samples; the same seed gives the same sequence.
class RandomSearch : public Searcher {
 public:
  RandomSearch(SearchSpace space, uint64_t seed);
  nlohmann::json Suggest() override;

 private:
  Rng rng_;
};

/// Options of the Tree-structured Parzen Estimator.
struct TpeOptions {
  double gamma = 0.25;        ///< share of trials (by loss) that form the "good" group
  size_t max_good = 25;       ///< cap on the good group's size (as Optuna)
  size_t n_startup = 10;      ///< random suggestions before the model is used
  size_t n_candidates = 24;   ///< samples drawn from l(x) per suggestion (hyperopt's default)
  double prior_weight = 1.0;  ///< weight of the prior component / pseudo-count of each choice
};

/// Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio & Kégl 2011, "Algorithms for
/// hyper-parameter optimization"). Observed trials are split by loss: the best
/// max(1, min(max_good, ceil(gamma · n))) form the good group, the rest the bad group. Per
/// parameter, l(x) and g(x) are Parzen estimators of the two groups: for numbers, a mixture of
/// Gaussians truncated to the range, one at each observation (in log-space for log ranges; ints
/// as continuous values rounded at the end) with hyperopt's adaptive bandwidth (the larger gap to a
/// neighbour, clipped to [range / min(100, n + 1), range]) plus a broad prior component centred on
/// the range; for choices, smoothed counts (count + prior_weight) / (n + K · prior_weight).
/// n_candidates points are drawn from l and the one maximising Π l(x)/g(x) is suggested. The
/// first n_startup suggestions are random. Deterministic for a seed.
class TpeSearch : public Searcher {
 public:
  TpeSearch(SearchSpace space, uint64_t seed, TpeOptions options = {});
  nlohmann::json Suggest() override;

 private:
  Rng rng_;
  TpeOptions options_;
};

/// "grid", "random" or "bayes" (TPE); throws kInvalidArgument listing the valid names.
std::unique_ptr<Searcher> MakeSearcher(std::string_view method, SearchSpace space, uint64_t seed);

}  // namespace prospect
