// Recommenders compared on one split (see evaluation.hpp).
#include "prospect/models/recommend/evaluation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <unordered_set>

#include "prospect/common/error.hpp"
#include "prospect/common/parallel.hpp"
#include "prospect/common/rng.hpp"
#include "prospect/models/recommend/recommender.hpp"

namespace prospect {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Fits each run on `train` (with the items' attributes when given) and scores the lists of
// `users` (restricted to `allow` when not empty) against `relevant`.
std::vector<RecommenderResult> RunModels(const InteractionMatrix& train,
                                         std::span<const size_t> users, const CsrMatrix& relevant,
                                         std::span<const double> popularity,
                                         const std::vector<RecommenderRun>& runs, size_t k,
                                         const ItemAttributes& attributes,
                                         std::span<const int32_t> allow, const Context& ctx) {
  CsrMatrix features;
  if (!attributes.empty()) features = attributes.Features(train.col_ids).features;
  std::vector<RecommenderResult> results;
  for (const RecommenderRun& run : runs) {
    RecommenderResult result;
    result.model = run.model;
    std::unique_ptr<Recommender> model = RecommenderRegistry().Create(run.model, run.params);
    result.params = model->Params();
    if (!attributes.empty()) model->SetItemFeatures(features);
    auto start = std::chrono::steady_clock::now();
    model->Fit(train.matrix, ctx);
    result.fit_seconds = SecondsSince(start);
    start = std::chrono::steady_clock::now();
    std::vector<std::vector<int32_t>> lists(train.row_ids.size());
    const RecommendFilter filter{.allow = allow};
    ParallelFor(ctx, static_cast<int64_t>(users.size()), [&](int64_t n) {
      const size_t u = users[static_cast<size_t>(n)];
      for (const ScoredItem& r : model->Recommend(HistoryOf(train.matrix, u), k, filter))
        lists[u].push_back(r.item);
    });
    result.rank_seconds = SecondsSince(start);
    result.metrics = EvaluateRanking(lists, relevant, k, popularity);
    results.push_back(std::move(result));
    ctx.ThrowIfCancelled();
  }
  return results;
}

}  // namespace

nlohmann::json RecommenderEvaluation::ToJson() const {
  nlohmann::json models = nlohmann::json::array();
  for (const RecommenderResult& r : results) {
    models.push_back({{"model", r.model},
                      {"params", r.params},
                      {"metrics", r.metrics.ToJson()},
                      {"fit_seconds", r.fit_seconds},
                      {"rank_seconds", r.rank_seconds}});
  }
  return {{"data", data}, {"models", models}};
}

RecommenderEvaluation EvaluateRecommenders(const Table& table, const InteractionSpec& spec,
                                           const InteractionSplit& split,
                                           const std::vector<RecommenderRun>& runs, size_t k,
                                           const Context& ctx, const ItemAttributes& attributes) {
  const std::vector<double> weights = InteractionWeights(table, spec);
  const InteractionMatrix train = BuildInteractions(table, spec, weights, split.train_rows);
  const MappedInteractions test = MapInteractions(table, spec, weights, split.test_rows, train);
  if (test.matrix.nnz() == 0) {
    Fail(ErrorCode::kInvalidData,
         "recommend evaluate: no held-out interaction has a user and an item seen in training "
         "({} test rows name users training never saw, {} name items it never saw)",
         test.rows_unknown_user, test.rows_unknown_item);
  }
  RecommenderEvaluation out;
  // What is held out must be new to the user: a repeat of a training item (a second purchase)
  // could never be recommended, since training items are excluded from every list.
  std::vector<CsrMatrix::Triplet> fresh;
  size_t repeats = 0;
  for (size_t u = 0; u < test.matrix.rows(); ++u) {
    const auto seen = train.matrix.RowIndices(u);
    for (const int32_t i : test.matrix.RowIndices(u)) {
      if (std::binary_search(seen.begin(), seen.end(), i)) {
        ++repeats;
      } else {
        fresh.push_back({u, static_cast<size_t>(i), 1.0});
      }
    }
  }
  const CsrMatrix relevant = CsrMatrix::FromTriplets(test.matrix.rows(), test.matrix.cols(), fresh);
  if (relevant.nnz() == 0) {
    Fail(ErrorCode::kInvalidData,
         "recommend evaluate: every held-out interaction ({}) repeats an item the user has in "
         "training; nothing new is left to recommend",
         repeats);
  }
  // The users scored: those with held-out items (EvaluateRanking counts the others given a list).
  std::vector<size_t> users;
  for (size_t u = 0; u < relevant.rows(); ++u) {
    if (!relevant.RowIndices(u).empty()) users.push_back(u);
  }
  std::vector<double> popularity(train.col_ids.size(), 0.0);
  for (const int32_t i : train.matrix.indices())
    popularity[static_cast<size_t>(i)] += 1.0 / static_cast<double>(train.row_ids.size());
  out.data = {{"split", split.summary},
              {"interactions", spec.ToJson()},
              {"train",
               {{"users", train.row_ids.size()},
                {"items", train.col_ids.size()},
                {"interactions", train.matrix.nnz()}}},
              {"test",
               {{"users", users.size()},
                {"interactions", relevant.nnz()},
                {"repeats_of_training_items", repeats},
                {"rows_unknown_user", test.rows_unknown_user},
                {"rows_unknown_item", test.rows_unknown_item}}},
              {"k", k}};
  out.results = RunModels(train, users, relevant, popularity, runs, k, attributes, {}, ctx);
  return out;
}

RecommenderEvaluation EvaluateColdItems(const Table& table, const InteractionSpec& spec,
                                        const ItemAttributes& attributes, double fraction,
                                        const std::vector<RecommenderRun>& runs, size_t k,
                                        const Context& ctx) {
  if (!(fraction > 0 && fraction < 1)) {
    Fail(ErrorCode::kInvalidArgument, "cold items: the hidden fraction is {}; expected (0, 1)",
         fraction);
  }
  const std::vector<double> weights = InteractionWeights(table, spec);
  const InteractionMatrix all = BuildInteractions(table, spec, weights);
  // A seeded choice of the items to hide.
  std::vector<size_t> order(all.col_ids.size());
  std::iota(order.begin(), order.end(), size_t{0});
  Rng rng(DeriveSeed(ctx.seed(), 0xC01D));
  std::shuffle(order.begin(), order.end(), rng);
  const auto hidden_count = std::max<size_t>(
      1, static_cast<size_t>(std::round(fraction * static_cast<double>(order.size()))));
  std::unordered_set<std::string> hidden;
  for (size_t n = 0; n < hidden_count; ++n) hidden.insert(all.col_ids[order[n]]);
  const Column& items = table.column(spec.item_column);
  std::vector<size_t> train_rows, test_rows;
  for (size_t r = 0; r < table.num_rows(); ++r)
    (hidden.count(items.FormatValue(r)) ? test_rows : train_rows).push_back(r);
  InteractionMatrix train = BuildInteractions(table, spec, weights, train_rows);
  const size_t warm_items = train.col_ids.size();
  std::vector<std::string> cold_ids;
  for (size_t n = 0; n < hidden_count; ++n) cold_ids.push_back(all.col_ids[order[n]]);
  std::sort(cold_ids.begin(), cold_ids.end());
  AddItems(&train, cold_ids);
  std::vector<int32_t> cold(train.col_ids.size() - warm_items);
  std::iota(cold.begin(), cold.end(), static_cast<int32_t>(warm_items));
  const MappedInteractions test = MapInteractions(table, spec, weights, test_rows, train);
  std::vector<size_t> users;
  for (size_t u = 0; u < test.matrix.rows(); ++u) {
    if (!test.matrix.RowIndices(u).empty()) users.push_back(u);
  }
  if (users.empty())
    Fail(ErrorCode::kInvalidData, "cold items: no user seen in training chose a hidden item");
  // What a random order of the hidden items recalls at k, averaged over the scored users.
  const double candidates = static_cast<double>(cold.size());
  const double random_recall = std::min(1.0, static_cast<double>(k) / candidates);
  // Novelty from every interaction (hidden items have none in training).
  std::vector<double> popularity(train.col_ids.size(), 0.0);
  const CsrMatrix everything = MapInteractions(table, spec, weights, {}, train).matrix;
  for (const int32_t i : everything.indices())
    popularity[static_cast<size_t>(i)] += 1.0 / static_cast<double>(train.row_ids.size());
  RecommenderEvaluation out;
  out.data = {{"split",
               {{"method", "cold_items"},
                {"seed", ctx.seed()},
                {"hidden_fraction", fraction},
                {"hidden_items", cold.size()},
                {"train_rows", train_rows.size()},
                {"test_rows", test_rows.size()}}},
              {"interactions", spec.ToJson()},
              {"train",
               {{"users", train.row_ids.size()},
                {"items", train.col_ids.size()},
                {"interactions", train.matrix.nnz()}}},
              {"test",
               {{"users", users.size()},
                {"interactions", test.matrix.nnz()},
                {"rows_unknown_user", test.rows_unknown_user},
                {"candidates", cold.size()}}},
              {"random_recall", random_recall},
              {"k", k}};
  out.results = RunModels(train, users, test.matrix, popularity, runs, k, attributes, cold, ctx);
  return out;
}

}  // namespace prospect
