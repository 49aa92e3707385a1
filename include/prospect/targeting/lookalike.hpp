// Lookalike audiences: the customers most like a seed list (best customers, converters), by two
// routes over the same standardised profile features (the feature pipeline):
//   neighbours  the mean cosine similarity to the k most similar seeds, found with an HNSW
//               index over the seeds (hnswlib through ItemVectorIndex);
//   classifier  positive-unlabelled learning (Elkan & Noto 2008): a classifier of seeds against
//               everyone else; its probability ranks customers as the true "is like a seed"
//               probability would.
// Quality is measured before the audience is chosen: a share of the seeds is held back, the
// rest find candidates, and the recall of held-back seeds among the top N (and its lift over a
// random N) says how well each route finds customers of the seeds' kind. "auto" keeps the route
// with the higher recall. The audience itself is found from every seed and never holds one.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/store/store.hpp"
#include "prospect/table/table.hpp"

namespace prospect {

/// FindLookalikes' summaries, under the audience table's name.
inline constexpr const char* kLookalikeObjectKind = "lookalike";

struct LookalikeRequest {
  std::string table = "profiles";  ///< the customer base, with features
  std::string id_column = "customer_id";
  std::vector<std::string> seeds;    ///< seed ids, or:
  std::string seed_table;            ///< a table of seed ids (its id column, else its first column)
  size_t size = 1000;                ///< N: customers in the audience, seeds not counted
  std::string method = "auto";       ///< auto | neighbours | classifier
  std::string model = "logistic";    ///< the classifier route's model (any registered one)
  std::vector<std::string> exclude;  ///< columns not to compare customers on
  double holdout = 0.2;              ///< share of the seeds held back to measure recall
  size_t neighbours = 10;            ///< k of the neighbour route
  std::string name;                  ///< the audience's table; default lookalike_TABLE
};

struct LookalikeQuality {
  std::string method;
  size_t seeds_used = 0, held_back = 0, found = 0;
  double recall = 0;         ///< held-back seeds in the top N / held back
  double random_recall = 0;  ///< N / candidates: what a random N would find
  double lift = 0;           ///< recall / random_recall
  nlohmann::json ToJson() const;
};

struct LookalikeResult {
  std::string name, method;
  size_t seeds = 0;                       ///< seed ids found in the table
  size_t missing_seeds = 0;               ///< seed ids the table does not have
  std::vector<LookalikeQuality> quality;  ///< per route measured
  Table audience;                         ///< id, score, rank (1 = most alike)
  std::vector<std::string> warnings;
  nlohmann::json summary;
};

/// Measures the routes, finds the audience and stores it (table and summary, kind "lookalike")
/// under request.name, replacing an earlier one. Audited.
LookalikeResult FindLookalikes(Store& store, const LookalikeRequest& request, const Context& ctx);

}  // namespace prospect
