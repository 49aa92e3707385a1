// Lookalike audiences (see lookalike.hpp).
#include "prospect/targeting/lookalike.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <unordered_map>

#include "prospect/common/error.hpp"
#include "prospect/common/rng.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/models/classify/classifier.hpp"
#include "prospect/models/recommend/ann.hpp"
#include "prospect/models/training.hpp"

namespace prospect {
namespace {

constexpr const char* kSeedColumn = "__is_seed";

// Every row's likeness to the seed rows by the neighbour route: mean cosine of the k most
// similar seeds (L2-normalised standardised features, so inner product is cosine).
std::vector<double> NeighbourScores(const DenseMatrix& x, std::span<const size_t> seeds, size_t k,
                                    const Context& ctx) {
  const size_t n = x.rows(), d = x.cols();
  auto unit = [&](size_t row, float* out) {
    double norm = 0;
    for (size_t j = 0; j < d; ++j) norm += x(row, j) * x(row, j);
    const double scale = norm > 0 ? 1 / std::sqrt(norm) : 0;
    for (size_t j = 0; j < d; ++j) out[j] = static_cast<float>(x(row, j) * scale);
  };
  std::vector<float> seed_vectors(seeds.size() * d);
  for (size_t s = 0; s < seeds.size(); ++s) unit(seeds[s], &seed_vectors[s * d]);
  const ItemVectorIndex index(seed_vectors, d, AnnParams{}, ctx);
  const size_t kk = std::min(k, seeds.size());
  std::vector<double> score(n);
  const auto threads = ctx.threads();
#pragma omp parallel num_threads(threads)
  {
    std::vector<float> query(d);
#pragma omp for schedule(static)
    for (size_t i = 0; i < n; ++i) {
      unit(i, query.data());
      const std::vector<ScoredItem> near = index.Search(query, kk);
      double sum = 0;
      for (const ScoredItem& s : near) sum += s.score;
      score[i] = near.empty() ? -1 : sum / static_cast<double>(near.size());
    }
  }
  return score;
}

// Every row's probability of being a seed, by a classifier of seeds against everyone else.
std::vector<double> ClassifierScores(const DenseMatrix& x, const std::vector<std::string>& names,
                                     std::span<const size_t> seeds, const std::string& model,
                                     const Context& ctx) {
  std::vector<double> y(x.rows(), 0);
  for (size_t s : seeds) y[s] = 1;
  auto classifier = ClassifierRegistry().Create(model);
  Dataset data;
  data.x = x;
  data.y = y;
  data.feature_names = names;
  classifier->Fit(data, ctx);
  return classifier->PredictProba(x, ctx);
}

std::vector<double> Scores(const std::string& method, const DenseMatrix& x,
                           const std::vector<std::string>& names, std::span<const size_t> seeds,
                           const LookalikeRequest& req, const Context& ctx) {
  return method == "neighbours" ? NeighbourScores(x, seeds, req.neighbours, ctx)
                                : ClassifierScores(x, names, seeds, req.model, ctx);
}

// The n best-scored rows that are not seeds, best first (ties: the earlier row).
std::vector<size_t> TopRows(const std::vector<double>& score, const std::vector<uint8_t>& is_seed,
                            size_t n) {
  std::vector<size_t> rows;
  for (size_t i = 0; i < score.size(); ++i) {
    if (!is_seed[i]) rows.push_back(i);
  }
  n = std::min(n, rows.size());
  std::partial_sort(
      rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(n), rows.end(),
      [&](size_t a, size_t b) { return score[a] != score[b] ? score[a] > score[b] : a < b; });
  rows.resize(n);
  return rows;
}

std::vector<std::string> SeedIds(Store& store, const LookalikeRequest& req, const Context& ctx) {
  if (req.seeds.empty() == req.seed_table.empty())
    Fail(ErrorCode::kInvalidArgument, "lookalike: give the seed ids or a seed table (one of them)");
  if (!req.seed_table.empty()) {
    const Table t = store.LoadTable(req.seed_table, ctx);
    if (t.num_columns() == 0)
      Fail(ErrorCode::kInvalidData, "seed table {} has no columns", req.seed_table);
    const Column& ids = t.HasColumn(req.id_column) ? t.column(req.id_column) : *t.column(size_t{0});
    std::vector<std::string> out;
    for (size_t r = 0; r < ids.size(); ++r) {
      if (!ids.IsNull(r)) out.push_back(ids.FormatValue(r));
    }
    return out;
  }
  return req.seeds;
}

}  // namespace

nlohmann::json LookalikeQuality::ToJson() const {
  return {{"method", method}, {"seeds_used", seeds_used}, {"held_back", held_back},
          {"found", found},   {"recall", recall},         {"random_recall", random_recall},
          {"lift", lift}};
}

LookalikeResult FindLookalikes(Store& store, const LookalikeRequest& req, const Context& ctx) {
  if (req.method != "auto" && req.method != "neighbours" && req.method != "classifier") {
    Fail(ErrorCode::kInvalidArgument, "method {}: expected auto, neighbours or classifier",
         QuoteForMessage(req.method));
  }
  if (!(req.holdout >= 0 && req.holdout < 1))
    Fail(ErrorCode::kInvalidArgument, "holdout {}: expected a share in [0, 1)", req.holdout);
  if (req.size == 0) Fail(ErrorCode::kInvalidArgument, "size 0: ask for at least one customer");
  if (req.neighbours == 0) Fail(ErrorCode::kInvalidArgument, "neighbours 0: expected at least 1");
  (void)ClassifierRegistry().Find(req.model);
  LookalikeResult out;
  out.name = req.name.empty() ? "lookalike_" + req.table : req.name;
  Store::CheckTableName(out.name);

  const Table base = store.LoadTable(req.table, ctx);
  const Column& ids = base.column(req.id_column);
  std::unordered_map<std::string, size_t> row_of;
  for (size_t r = 0; r < ids.size(); ++r) {
    if (!ids.IsNull(r)) row_of.emplace(ids.FormatValue(r), r);
  }
  std::vector<size_t> seeds;
  std::vector<uint8_t> is_seed(base.num_rows(), 0);
  for (const std::string& id : SeedIds(store, req, ctx)) {
    const auto it = row_of.find(id);
    if (it == row_of.end()) {
      ++out.missing_seeds;
    } else if (!is_seed[it->second]) {
      is_seed[it->second] = 1;
      seeds.push_back(it->second);
    }
  }
  out.seeds = seeds.size();
  if (out.missing_seeds > 0) {
    out.warnings.push_back(
        fmt::format("{} seed ids are not in {} and were left out", out.missing_seeds, req.table));
  }
  if (seeds.empty()) {
    Fail(ErrorCode::kInvalidData, "none of the seed ids is a {} of {}", req.id_column, req.table);
  }
  if (seeds.size() == base.num_rows())
    Fail(ErrorCode::kInvalidData, "every customer of {} is a seed: nobody is left to find",
         req.table);

  // The features, standardised: everything but the id and the exclusions (identifier-like text
  // left out, as training does), read through PrepareTraining with "is a seed" as its target.
  ColumnVector<int64_t> flag(is_seed.begin(), is_seed.end());
  const Table with_flag =
      base.WithColumn(kSeedColumn, Column::FromInts(DataType::kInt64, std::move(flag)));
  TrainRequest tr;
  tr.target = kSeedColumn;
  tr.positive = "1";
  tr.id_column = req.id_column;
  tr.exclude = req.exclude;
  const PreparedTable prepared =
      PrepareTraining(with_flag, tr, TrainTask::kClassification, SplitSpec{});
  out.warnings.insert(out.warnings.end(), prepared.warnings.begin(), prepared.warnings.end());
  FeaturePipeline pipeline;
  const DenseMatrix x = pipeline.FitTransform(prepared.table, prepared.features, nullptr, ctx);
  const std::vector<std::string>& names = pipeline.feature_names();

  // Quality: hold back a seeded share of the seeds; how many does each route find in its top N?
  const std::vector<std::string> methods =
      req.method == "auto" ? std::vector<std::string>{"neighbours", "classifier"}
                           : std::vector<std::string>{req.method};
  std::vector<size_t> shuffled = seeds;
  Rng rng(ctx.seed());
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  const auto held =
      static_cast<size_t>(std::floor(req.holdout * static_cast<double>(seeds.size())));
  if (held == 0 || held == seeds.size()) {
    if (req.holdout > 0)
      out.warnings.push_back(fmt::format(
          "{} seeds are too few to hold some back: quality not measured", seeds.size()));
  } else {
    const std::vector<size_t> used(shuffled.begin() + static_cast<std::ptrdiff_t>(held),
                                   shuffled.end());
    std::vector<uint8_t> used_flag(base.num_rows(), 0), held_flag(base.num_rows(), 0);
    for (size_t r : used) used_flag[r] = 1;
    for (size_t i = 0; i < held; ++i) held_flag[shuffled[i]] = 1;
    const size_t candidates = base.num_rows() - used.size();
    for (const std::string& method : methods) {
      const std::vector<double> score = Scores(method, x, names, used, req, ctx);
      const std::vector<size_t> top = TopRows(score, used_flag, req.size);
      LookalikeQuality q;
      q.method = method;
      q.seeds_used = used.size();
      q.held_back = held;
      for (size_t r : top) q.found += held_flag[r];
      q.recall = static_cast<double>(q.found) / static_cast<double>(held);
      q.random_recall = static_cast<double>(top.size()) / static_cast<double>(candidates);
      q.lift = q.random_recall > 0 ? q.recall / q.random_recall : 0;
      ctx.logger().info("lookalike: {} finds {} of {} held-back seeds in its top {} (lift {:.2f})",
                        method, q.found, held, top.size(), q.lift);
      out.quality.push_back(q);
    }
  }
  out.method = methods.front();
  if (req.method == "auto" && out.quality.size() == 2 &&
      out.quality[1].recall > out.quality[0].recall)
    out.method = "classifier";
  if (req.method == "auto" && out.quality.empty()) out.method = "classifier";

  // The audience, from every seed.
  const std::vector<double> score = Scores(out.method, x, names, seeds, req, ctx);
  const std::vector<size_t> top = TopRows(score, is_seed, req.size);
  if (top.size() < req.size) {
    out.warnings.push_back(
        fmt::format("only {} customers are not seeds; the audience has them all", top.size()));
  }
  ColumnVector<double> scores(top.size());
  ColumnVector<int64_t> rank(top.size());
  for (size_t r = 0; r < top.size(); ++r) {
    scores[r] = score[top[r]];
    rank[r] = static_cast<int64_t>(r + 1);
  }
  out.audience = Table(
      Schema(
          {{req.id_column, ids.type()}, {"score", DataType::kDouble}, {"rank", DataType::kInt64}}),
      {base.column(base.ColumnIndex(req.id_column))->Take(top),
       Column::FromDoubles(std::move(scores)),
       Column::FromInts(DataType::kInt64, std::move(rank))});
  nlohmann::json quality = nlohmann::json::array();
  for (const LookalikeQuality& q : out.quality) quality.push_back(q.ToJson());
  out.summary = {{"name", out.name},     {"table", req.table},
                 {"method", out.method}, {"model", req.model},
                 {"seeds", out.seeds},   {"missing_seeds", out.missing_seeds},
                 {"size", top.size()},   {"features", names.size()},
                 {"quality", quality},   {"warnings", out.warnings}};
  store.WriteTable(out.name, out.audience, {}, ctx);
  store.PutObject(kLookalikeObjectKind, out.name, out.summary, "");
  store.Audit("lookalike",
              fmt::format("audience={} seeds={} size={}", out.name, out.seeds, top.size()));
  return out;
}

}  // namespace prospect
