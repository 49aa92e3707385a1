// Item-kNN (see item_knn.hpp): re-weighting, the item-item similarity kept to the top neighbours,
// and scoring by a user's history.
#include "prospect/models/recommend/item_knn.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "prospect/common/error.hpp"
#include "prospect/common/parallel.hpp"

namespace prospect {
namespace {

// Items per task of the similarity pass: one dense accumulator serves a block of items.
constexpr int64_t kItemsPerTask = 256;

// Neighbours sorted best first (higher similarity, then lower item index).
bool Better(const ScoredItem& a, const ScoredItem& b) {
  return a.score != b.score ? a.score > b.score : a.item < b.item;
}

// The users × items weights after the model's re-weighting (same sparsity).
CsrMatrix Reweighted(const CsrMatrix& x, const ItemKnnParams& p) {
  if (p.weighting == "cosine") return x;
  const size_t users = x.rows(), items = x.cols();
  std::vector<double> item_users(items, 0.0);
  for (const int32_t i : x.indices()) item_users[static_cast<size_t>(i)] += 1;
  std::vector<double> idf(items);
  for (size_t i = 0; i < items; ++i)
    idf[i] = std::log(static_cast<double>(users)) - std::log1p(item_users[i]);
  std::vector<double> user_total(users, 0.0);
  double mean_total = 0;
  for (size_t u = 0; u < users; ++u) {
    for (const double w : x.RowValues(u)) user_total[u] += w;
    mean_total += user_total[u] / static_cast<double>(users);
  }
  std::vector<CsrMatrix::Triplet> entries;
  entries.reserve(x.nnz());
  for (size_t u = 0; u < users; ++u) {
    const auto cols = x.RowIndices(u);
    const auto vals = x.RowValues(u);
    const double length = 1 - p.bm25_b + p.bm25_b * user_total[u] / mean_total;
    for (size_t k = 0; k < cols.size(); ++k) {
      const auto i = static_cast<size_t>(cols[k]);
      const double w = vals[k];
      const double v = p.weighting == "tfidf"
                           ? std::sqrt(w) * idf[i]
                           : w * (p.bm25_k1 + 1) / (p.bm25_k1 * length + w) * idf[i];
      entries.push_back({u, i, v});
    }
  }
  return CsrMatrix::FromTriplets(users, items, entries);
}

}  // namespace

const ParamSchema<ItemKnnParams>& ItemKnnParams::Schema() {
  static const ParamSchema<ItemKnnParams> schema(
      "item_knn",
      {
          {"neighbours", &ItemKnnParams::neighbours, "similar items kept per item", 1, 1e7},
          {"weighting",
           &ItemKnnParams::weighting,
           "how interactions are weighted before the similarity",
           {"cosine", "tfidf", "bm25"}},
          {"shrinkage", &ItemKnnParams::shrinkage,
           "cosine only: added to the denominator, damps pairs that few users share (tfidf and "
           "bm25 normalise by their weighting and ignore it)",
           0, 1e12},
          {"bm25_k1", &ItemKnnParams::bm25_k1, "bm25 saturation of a large weight", 0, 1e6},
          {"bm25_b", &ItemKnnParams::bm25_b, "bm25 length normalisation of heavy users", 0, 1},
      });
  return schema;
}

std::vector<std::vector<ScoredItem>> ItemKnn::NeighbourRows(const CsrMatrix& interactions,
                                                            std::span<const int32_t> rows,
                                                            const Context& ctx) const {
  const CsrMatrix weighted = Reweighted(interactions, params_);
  const CsrMatrix by_item = weighted.Transpose();  // items × users
  const size_t items = weighted.cols();
  const bool cosine = params_.weighting == "cosine";
  std::vector<double> norm(items, 0.0);
  for (size_t i = 0; i < items; ++i) {
    for (const double w : by_item.RowValues(i)) norm[i] += w * w;
    norm[i] = std::sqrt(norm[i]);
  }
  const auto keep = static_cast<size_t>(params_.neighbours);
  std::vector<std::vector<ScoredItem>> neighbours(rows.size());
  const auto count = static_cast<int64_t>(rows.size());
  const int64_t tasks = (count + kItemsPerTask - 1) / kItemsPerTask;
  // Each item's row is computed alone, in a fixed order: the same similarities at any thread count.
  ParallelFor(ctx, tasks, [&](int64_t task) {
    std::vector<double> dot(items, 0.0);
    std::vector<uint8_t> seen(items, 0);  // tf-idf weights can be negative: a dot can sum to 0
    std::vector<int32_t> touched;
    const int64_t first = task * kItemsPerTask;
    const int64_t last = std::min(count, first + kItemsPerTask);
    for (int64_t r = first; r < last; ++r) {
      if (r % 64 == 0) ctx.ThrowIfCancelled();
      const auto i = static_cast<size_t>(rows[static_cast<size_t>(r)]);
      const auto users = by_item.RowIndices(i);
      const auto w_users = by_item.RowValues(i);
      for (size_t a = 0; a < users.size(); ++a) {
        const auto u = static_cast<size_t>(users[a]);
        const auto others = weighted.RowIndices(u);
        const auto w_others = weighted.RowValues(u);
        for (size_t b = 0; b < others.size(); ++b) {
          const auto j = static_cast<size_t>(others[b]);
          if (!seen[j]) {
            seen[j] = 1;
            touched.push_back(others[b]);
          }
          dot[j] += w_users[a] * w_others[b];
        }
      }
      std::vector<ScoredItem>& row = neighbours[static_cast<size_t>(r)];
      for (const int32_t j : touched) {
        const auto jj = static_cast<size_t>(j);
        const double s = cosine ? dot[jj] / (norm[i] * norm[jj] + params_.shrinkage) : dot[jj];
        if (jj != i && s > 0) row.push_back({j, static_cast<float>(s)});
        dot[jj] = 0;
        seen[jj] = 0;
      }
      touched.clear();
      if (row.size() > keep) {
        std::nth_element(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(keep), row.end(),
                         Better);
        row.resize(keep);
      }
    }
  });
  return neighbours;
}

void ItemKnn::FitChecked(const CsrMatrix& interactions, const Context& ctx) {
  std::vector<int32_t> all(interactions.cols());
  std::iota(all.begin(), all.end(), 0);
  const auto neighbours = NeighbourRows(interactions, all, ctx);
  std::vector<CsrMatrix::Triplet> entries;
  for (size_t i = 0; i < neighbours.size(); ++i) {
    for (const ScoredItem& n : neighbours[i])
      entries.push_back({i, static_cast<size_t>(n.item), static_cast<double>(n.score)});
  }
  similarity_ = CsrMatrix::FromTriplets(interactions.cols(), interactions.cols(), entries);
}

void ItemKnn::UpdateChecked(const CsrMatrix& interactions, std::span<const int32_t> changed_users,
                            const Context& ctx) {
  const size_t items = interactions.cols();
  std::vector<uint8_t> touched(items, 0);
  for (size_t i = num_items(); i < items; ++i) touched[i] = 1;
  for (const int32_t u : changed_users) {
    for (const int32_t i : interactions.RowIndices(static_cast<size_t>(u)))
      touched[static_cast<size_t>(i)] = 1;
  }
  std::vector<int32_t> rows;
  for (size_t i = 0; i < items; ++i) {
    if (touched[i]) rows.push_back(static_cast<int32_t>(i));
  }
  const auto fresh = NeighbourRows(interactions, rows, ctx);
  std::vector<CsrMatrix::Triplet> entries;
  size_t next = 0;
  for (size_t i = 0; i < items; ++i) {
    if (touched[i]) {
      for (const ScoredItem& n : fresh[next])
        entries.push_back({i, static_cast<size_t>(n.item), static_cast<double>(n.score)});
      ++next;
      continue;
    }
    const auto js = similarity_.RowIndices(i);
    const auto sims = similarity_.RowValues(i);
    for (size_t n = 0; n < js.size(); ++n)
      entries.push_back({i, static_cast<size_t>(js[n]), sims[n]});
  }
  similarity_ = CsrMatrix::FromTriplets(items, items, entries);
}

void ItemKnn::ScoreInto(const UserHistory& history, std::span<float> out) const {
  std::vector<double> score(out.size(), 0.0);
  for (size_t k = 0; k < history.items.size(); ++k) {
    const double w = history.weights.empty() ? 1.0 : history.weights[k];
    const auto i = static_cast<size_t>(history.items[k]);
    const auto js = similarity_.RowIndices(i);
    const auto sims = similarity_.RowValues(i);
    for (size_t n = 0; n < js.size(); ++n) score[static_cast<size_t>(js[n])] += w * sims[n];
  }
  std::copy(score.begin(), score.end(), out.begin());
}

std::vector<double> ItemKnn::ExplainChecked(const UserHistory& history, int32_t item) const {
  std::vector<double> out(history.items.size(), 0.0);
  for (size_t k = 0; k < history.items.size(); ++k) {
    const auto i = static_cast<size_t>(history.items[k]);
    const auto js = similarity_.RowIndices(i);
    const auto at = std::lower_bound(js.begin(), js.end(), item);
    if (at != js.end() && *at == item) {
      const double w = history.weights.empty() ? 1.0 : history.weights[k];
      out[k] = w * similarity_.RowValues(i)[static_cast<size_t>(at - js.begin())];
    }
  }
  return out;
}

std::vector<ScoredItem> ItemKnn::SimilarItems(int32_t item, size_t k) const {
  CheckItem(item);
  const auto js = similarity_.RowIndices(static_cast<size_t>(item));
  const auto sims = similarity_.RowValues(static_cast<size_t>(item));
  std::vector<ScoredItem> out;
  for (size_t n = 0; n < js.size(); ++n) out.push_back({js[n], static_cast<float>(sims[n])});
  std::sort(out.begin(), out.end(), Better);
  if (out.size() > k) out.resize(k);
  return out;
}

void ItemKnn::SaveState(ModelWriter& writer) const {
  writer.AddArray<int64_t>("similarity_indptr", similarity_.indptr());
  writer.AddArray<int32_t>("similarity_indices", similarity_.indices());
  writer.AddArray<double>("similarity_values", similarity_.values());
}

void ItemKnn::LoadState(const ModelReader& reader) {
  similarity_ = CsrMatrix::FromArrays(
      num_items(), num_items(), reader.Array<int64_t>("similarity_indptr"),
      reader.Array<int32_t>("similarity_indices"), reader.Array<double>("similarity_values"));
}

}  // namespace prospect
