// Recommenders compared on one split (see evaluation.hpp).
#include "prospect/models/recommend/evaluation.hpp"

#include <algorithm>
#include <chrono>

#include "prospect/common/error.hpp"
#include "prospect/common/parallel.hpp"
#include "prospect/models/recommend/recommender.hpp"

namespace prospect {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
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
                                           const Context& ctx) {
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
  for (const RecommenderRun& run : runs) {
    RecommenderResult result;
    result.model = run.model;
    std::unique_ptr<Recommender> model = RecommenderRegistry().Create(run.model, run.params);
    result.params = model->Params();
    auto start = std::chrono::steady_clock::now();
    model->Fit(train.matrix, ctx);
    result.fit_seconds = SecondsSince(start);
    start = std::chrono::steady_clock::now();
    std::vector<std::vector<int32_t>> lists(train.row_ids.size());
    ParallelFor(ctx, static_cast<int64_t>(users.size()), [&](int64_t n) {
      const size_t u = users[static_cast<size_t>(n)];
      for (const ScoredItem& r : model->Recommend(HistoryOf(train.matrix, u), k))
        lists[u].push_back(r.item);
    });
    result.rank_seconds = SecondsSince(start);
    result.metrics = EvaluateRanking(lists, relevant, k, popularity);
    out.results.push_back(std::move(result));
    ctx.ThrowIfCancelled();
  }
  return out;
}

}  // namespace prospect
