// Recommenders compared on one split (see evaluation.hpp).
#include "prospect/models/recommend/evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_set>

#include "prospect/common/error.hpp"
#include "prospect/common/parallel.hpp"
#include "prospect/common/rng.hpp"
#include "prospect/common/stopwatch.hpp"
#include "prospect/models/recommend/popularity.hpp"
#include "prospect/models/recommend/recommender.hpp"
#include "prospect/models/recommend/rerank.hpp"

namespace prospect {
namespace {

// The share of `train`'s users who chose each item, counting the entries of `chosen` (a matrix
// in train's items; train's own matrix, or every interaction mapped into its ids): novelty's
// popularity.
std::vector<double> ItemPopularity(const InteractionMatrix& train, const CsrMatrix& chosen) {
  std::vector<double> popularity(train.col_ids.size(), 0.0);
  for (const int32_t i : chosen.indices())
    popularity[static_cast<size_t>(i)] += 1.0 / static_cast<double>(train.row_ids.size());
  return popularity;
}

// The "train" part of every evaluation's summary.
nlohmann::json TrainSummary(const InteractionMatrix& train) {
  return {{"users", train.row_ids.size()},
          {"items", train.col_ids.size()},
          {"interactions", train.matrix.nnz()}};
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
  const CsrMatrix item_users = train.matrix.Transpose();
  std::vector<RecommenderResult> results;
  for (const RecommenderRun& run : runs) {
    const ListRules rules{.mmr_lambda = run.mmr_lambda};
    rules.Check();
    RecommenderResult result;
    result.model = run.model;
    result.mmr_lambda = run.mmr_lambda;
    std::unique_ptr<Recommender> model = RecommenderRegistry().Create(run.model, run.params);
    result.params = model->Params();
    if (!attributes.empty()) model->SetItemFeatures(features);
    Stopwatch watch;
    model->Fit(train.matrix, ctx);
    result.fit_seconds = watch.Seconds();
    watch.Restart();
    std::vector<std::vector<int32_t>> lists(train.row_ids.size());
    const RecommendFilter filter{.allow = allow};
    const size_t pool = CandidatePoolSize(rules, k, train.col_ids.size());
    ParallelFor(ctx, static_cast<int64_t>(users.size()), [&](int64_t n) {
      const size_t u = users[static_cast<size_t>(n)];
      std::vector<ScoredItem> list = model->Recommend(HistoryOf(train.matrix, u), pool, filter);
      if (rules.active()) list = ApplyListRules(list, k, rules, item_users);
      for (const ScoredItem& r : list) lists[u].push_back(r.item);
    });
    result.rank_seconds = watch.Seconds();
    result.metrics = EvaluateRanking(lists, relevant, k, popularity);
    double diversity = 0;
    size_t scored = 0;
    for (const size_t u : users) {
      if (lists[u].size() < 2) continue;
      diversity += IntraListDiversity(lists[u], item_users);
      ++scored;
    }
    result.diversity = scored > 0 ? diversity / static_cast<double>(scored) : std::nan("");
    results.push_back(std::move(result));
    ctx.ThrowIfCancelled();
  }
  return results;
}

// Before any work: a cold-start evaluation hides a share of its `what` (items, users) in (0, 1).
void CheckHiddenFraction(double fraction, std::string_view what) {
  if (!(fraction > 0 && fraction < 1)) {
    Fail(ErrorCode::kInvalidArgument, "cold {}: the hidden fraction is {}; expected (0, 1)", what,
         fraction);
  }
}

// A seeded `fraction` of `ids` (at least one), sorted: the items or users a cold-start
// evaluation hides.
std::vector<std::string> SeededShare(const std::vector<std::string>& ids, double fraction,
                                     uint64_t seed) {
  std::vector<size_t> order(ids.size());
  std::iota(order.begin(), order.end(), size_t{0});
  Rng rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  const auto count = std::max<size_t>(
      1, static_cast<size_t>(std::round(fraction * static_cast<double>(order.size()))));
  std::vector<std::string> out;
  for (size_t n = 0; n < count; ++n) out.push_back(ids[order[n]]);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

nlohmann::json RecommenderEvaluation::ToJson() const {
  nlohmann::json models = nlohmann::json::array();
  for (const RecommenderResult& r : results) {
    models.push_back(
        {{"model", r.model},
         {"params", r.params},
         {"metrics", r.metrics.ToJson()},
         {"fit_seconds", r.fit_seconds},
         {"rank_seconds", r.rank_seconds},
         {"mmr_lambda", r.mmr_lambda},
         {"diversity", std::isnan(r.diversity) ? nlohmann::json() : nlohmann::json(r.diversity)}});
  }
  return {{"data", data}, {"models", models}};
}

RecommenderEvaluation EvaluateRecommenders(const Table& table, const InteractionSpec& spec,
                                           const InteractionSplit& split,
                                           const std::vector<RecommenderRun>& runs, size_t k,
                                           const Context& ctx, const ItemAttributes& attributes) {
  const std::vector<double> weights = InteractionWeights(table, spec, split.train_rows);
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
  const std::vector<double> popularity = ItemPopularity(train, train.matrix);
  out.data = {{"split", split.summary},
              {"interactions", spec.ToJson()},
              {"train", TrainSummary(train)},
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
  CheckHiddenFraction(fraction, "items");
  const std::vector<double> weights = InteractionWeights(table, spec);
  const InteractionMatrix all = BuildInteractions(table, spec, weights);
  const std::vector<std::string> cold_ids =
      SeededShare(all.col_ids, fraction, DeriveSeed(ctx.seed(), 0xC01D));
  const std::unordered_set<std::string> hidden(cold_ids.begin(), cold_ids.end());
  const Column& items = table.column(spec.item_column);
  std::vector<size_t> train_rows, test_rows;
  for (size_t r = 0; r < table.num_rows(); ++r)
    (hidden.count(items.FormatValue(r)) ? test_rows : train_rows).push_back(r);
  InteractionMatrix train = BuildInteractions(table, spec, weights, train_rows);
  const size_t warm_items = train.col_ids.size();
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
  const std::vector<double> popularity =
      ItemPopularity(train, MapInteractions(table, spec, weights, {}, train).matrix);
  RecommenderEvaluation out;
  out.data = {{"split",
               {{"method", "cold_items"},
                {"seed", ctx.seed()},
                {"hidden_fraction", fraction},
                {"hidden_items", cold.size()},
                {"train_rows", train_rows.size()},
                {"test_rows", test_rows.size()}}},
              {"interactions", spec.ToJson()},
              {"train", TrainSummary(train)},
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

RecommenderEvaluation EvaluateColdUsers(
    const Table& table, const InteractionSpec& spec,
    const std::unordered_map<std::string, std::string>& group_of, double fraction, size_t k,
    const Context& ctx) {
  CheckHiddenFraction(fraction, "users");
  const std::vector<double> weights = InteractionWeights(table, spec);
  const InteractionMatrix all = BuildInteractions(table, spec, weights);
  const std::vector<std::string> hidden_ids =
      SeededShare(all.row_ids, fraction, DeriveSeed(ctx.seed(), 0xC01D5EED));
  const std::unordered_set<std::string> hidden(hidden_ids.begin(), hidden_ids.end());
  const Column& users = table.column(spec.user_column);
  std::vector<size_t> train_rows;
  for (size_t r = 0; r < table.num_rows(); ++r) {
    if (!hidden.count(users.FormatValue(r))) train_rows.push_back(r);
  }
  const InteractionMatrix train = BuildInteractions(table, spec, weights, train_rows);
  // Groups numbered in order of first appearance among the training users, then the hidden ones.
  std::unordered_map<std::string, int32_t> group_index;
  auto group_number = [&](const std::string& user) -> int32_t {
    const auto g = group_of.find(user);
    if (g == group_of.end()) return -1;
    return group_index.emplace(g->second, static_cast<int32_t>(group_index.size())).first->second;
  };
  std::vector<int32_t> train_group(train.row_ids.size());
  for (size_t u = 0; u < train.row_ids.size(); ++u) train_group[u] = group_number(train.row_ids[u]);
  std::vector<int32_t> hidden_group(hidden_ids.size());
  for (size_t h = 0; h < hidden_ids.size(); ++h) hidden_group[h] = group_number(hidden_ids[h]);
  // Relevant: each hidden user's items that training knows, as rows 0 … hidden − 1.
  std::unordered_map<std::string, size_t> item_index, hidden_index;
  for (size_t i = 0; i < train.col_ids.size(); ++i) item_index.emplace(train.col_ids[i], i);
  for (size_t h = 0; h < hidden_ids.size(); ++h) hidden_index.emplace(hidden_ids[h], h);
  const Column& items = table.column(spec.item_column);
  std::vector<CsrMatrix::Triplet> entries;
  size_t unknown_items = 0;
  for (size_t r = 0; r < table.num_rows(); ++r) {
    if (weights[r] <= 0) continue;
    const auto h = hidden_index.find(users.FormatValue(r));
    if (h == hidden_index.end()) continue;
    const auto i = item_index.find(items.FormatValue(r));
    if (i == item_index.end()) {
      ++unknown_items;
      continue;
    }
    entries.push_back({h->second, i->second, 1.0});
  }
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return a.row != b.row ? a.row < b.row : a.col < b.col;
  });
  entries.erase(
      std::unique(entries.begin(), entries.end(),
                  [](const auto& a, const auto& b) { return a.row == b.row && a.col == b.col; }),
      entries.end());
  const CsrMatrix relevant =
      CsrMatrix::FromTriplets(hidden_ids.size(), train.col_ids.size(), entries);
  const GroupPopularity popular(train.matrix, train_group, group_index.size());
  const std::vector<double> popularity = ItemPopularity(train, train.matrix);
  RecommenderEvaluation out;
  size_t grouped = 0;
  for (const int32_t g : hidden_group) grouped += g >= 0;
  out.data = {{"split",
               {{"method", "cold_users"},
                {"seed", ctx.seed()},
                {"hidden_fraction", fraction},
                {"hidden_users", hidden_ids.size()},
                {"hidden_users_with_a_group", grouped},
                {"groups", group_index.size()},
                {"train_rows", train_rows.size()}}},
              {"interactions", spec.ToJson()},
              {"train", TrainSummary(train)},
              {"test",
               {{"users", hidden_ids.size()},
                {"interactions", relevant.nnz()},
                {"rows_unknown_item", unknown_items}}},
              {"k", k}};
  for (const bool by_group : {false, true}) {
    RecommenderResult result;
    result.model = by_group ? "group_popularity" : "popularity";
    result.params = nlohmann::json::object();
    std::vector<std::vector<int32_t>> lists(hidden_ids.size());
    for (size_t h = 0; h < hidden_ids.size(); ++h) {
      for (const ScoredItem& s : popular.Top(by_group ? hidden_group[h] : -1, k))
        lists[h].push_back(s.item);
    }
    result.metrics = EvaluateRanking(lists, relevant, k, popularity);
    out.results.push_back(std::move(result));
  }
  return out;
}

}  // namespace prospect
