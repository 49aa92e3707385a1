// The tree core: depth-first growth of one CART tree on binned features, shared by the
// classification and regression trees and forests, with the split criterion as a policy. The
// core owns what does not depend on the target: the rows kept in node order, histograms over a
// batch of candidate features, random feature subsets, the choice among candidates (ties keep the
// lowest feature, so results do not depend on threads) and the stable partition. The criterion
// owns the node statistics and the scan of one feature's histogram.
#pragma once

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/common/rng.hpp"
#include "prospect/models/tree/binned_features.hpp"
#include "prospect/models/tree/tree_node.hpp"

namespace prospect::tree {

struct GrowLimits {
  int64_t max_depth = 6;
  int64_t min_samples_split = 2;
  int64_t min_samples_leaf = 1;
  int64_t max_features = 0;  ///< features tried per split, 0 = all
};

/// A node's best cut on one feature: left is code <= bin. feature == -1: no admissible cut.
struct BinCut {
  int32_t feature = -1;
  uint8_t bin = 0;
  double score = 0;  ///< larger is better
};

/// One feature's histogram at a node: `slots` doubles per bin (what Criterion::Add sums) and a
/// row count per bin, with the bins the node's rows fall in, ascending.
struct BinHistogram {
  const double* sums;
  const uint32_t* counts;
  const std::vector<uint8_t>& used;
  size_t rows;
};

// A Criterion provides:
//   using Label; using Node;  (Node derives from TreeNode)
//   size_t slots() const;                                        histogram doubles per bin
//   void Add(double* slot, Label y, double w) const;             one row into its bin
//   Node MakeNode(std::span<const Label>, std::span<const double> w) const;  statistics of a node's
//   rows bool Pure(const Node&) const;                                nothing left to split BinCut
//   BestCut(int32_t feature, const Node&, const BinHistogram&, size_t min_leaf) const;
//       the best cut after used[u] for u + 1 < used.size(), each side at least min_leaf rows
//   bool Accept(const Node&, double score, double total_weight) const;   e.g. min impurity decrease

/// Grows one tree on `bins`. rows: the sample's distinct rows (empty = all), weights per row
/// (empty = 1; a bootstrap's counts). `seed` draws the feature subsets; `ctx` is polled for
/// cancellation.
template <typename Criterion>
std::vector<typename Criterion::Node> GrowBinnedTree(
    const Criterion& criterion, const BinnedFeatures& bins,
    std::span<const typename Criterion::Label> y, std::span<const double> weights,
    std::span<const size_t> rows, const GrowLimits& limits, uint64_t seed, const Context& ctx) {
  using Label = typename Criterion::Label;
  using Node = typename Criterion::Node;
  const size_t n = bins.rows, d = bins.cols;
  std::vector<size_t> index(rows.begin(), rows.end());
  if (rows.empty()) {
    index.resize(n);
    std::iota(index.begin(), index.end(), 0);
  }
  const size_t m_all = index.size();
  // The sample's codes, labels and weights copied into node order and moved with every split, so
  // each node's rows are contiguous: histogram passes read memory sequentially instead of
  // gathering scattered rows (the gather, not the arithmetic, dominated).
  std::vector<uint8_t> lc(m_all * d);
  std::vector<Label> ly(m_all);
  std::vector<double> lw(m_all);
  double total_weight = 0;
  for (size_t k = 0; k < m_all; ++k) {
    std::copy_n(bins.codes.data() + index[k] * d, d, lc.data() + k * d);
    ly[k] = y[index[k]];
    lw[k] = weights.empty() ? 1.0 : weights[index[k]];
    total_weight += lw[k];
  }
  index = {};
  std::vector<Node> nodes;
  auto make_node = [&](size_t begin, size_t end) {
    nodes.push_back(criterion.MakeNode(std::span<const Label>(ly.data() + begin, end - begin),
                                       std::span<const double>(lw.data() + begin, end - begin)));
    return static_cast<int32_t>(nodes.size() - 1);
  };
  struct Pending {
    size_t begin, end;
    int depth;
    int32_t node;
    std::vector<uint8_t>
        constant;  // features known constant here (constant in an ancestor), as sklearn
  };
  Rng rng(seed);
  std::vector<size_t> feature_order(d);
  std::iota(feature_order.begin(), feature_order.end(), 0);
  const size_t max_features =
      limits.max_features > 0 ? std::min<size_t>(d, static_cast<size_t>(limits.max_features)) : d;
  const size_t min_leaf = static_cast<size_t>(limits.min_samples_leaf);
  const size_t slots = criterion.slots();
  std::vector<double> hist(d * 256 * slots, 0.0);  // zero between uses
  std::vector<uint32_t> count(d * 256, 0);
  std::vector<std::vector<uint8_t>> touched(d);
  std::vector<size_t> batch;  // buffers reused across nodes
  std::vector<uint8_t> scratch_codes;
  std::vector<Label> scratch_y;
  std::vector<double> scratch_w;
  std::vector<BinCut> best;
  std::vector<Pending> stack;
  stack.push_back({0, m_all, 0, make_node(0, m_all), std::vector<uint8_t>(d, 0)});
  while (!stack.empty()) {
    Pending p = std::move(stack.back());
    stack.pop_back();
    ctx.ThrowIfCancelled();
    const size_t m = p.end - p.begin;
    const Node node = nodes[static_cast<size_t>(p.node)];  // a copy: make_node below may reallocate
    if (p.depth >= limits.max_depth || m < static_cast<size_t>(limits.min_samples_split) ||
        m < 2 * min_leaf || criterion.Pure(node)) {
      continue;
    }
    // Histograms of a batch of candidate features in one pass over the node's rows (a row's
    // codes are contiguous), then the best cut of each.
    auto score_batch = [&](const size_t* features, size_t count_f) {
      for (size_t i = 0; i < count_f; ++i) touched[i].clear();
      if (m >= 1024) {  // large node: plain histogram, then list the non-empty bins
        for (size_t k = p.begin; k < p.end; ++k) {
          const uint8_t* codes = lc.data() + k * d;
          for (size_t i = 0; i < count_f; ++i) {
            const uint8_t b = codes[features[i]];
            criterion.Add(&hist[(i * 256 + b) * slots], ly[k], lw[k]);
            ++count[i * 256 + b];
          }
        }
        for (size_t i = 0; i < count_f; ++i) {
          const size_t nb = bins.bins(features[i]);
          for (size_t b = 0; b < nb; ++b) {
            if (count[i * 256 + b] > 0) touched[i].push_back(static_cast<uint8_t>(b));
          }
        }
      } else {  // small node: note the bins as they are first hit
        for (size_t k = p.begin; k < p.end; ++k) {
          const uint8_t* codes = lc.data() + k * d;
          for (size_t i = 0; i < count_f; ++i) {
            const uint8_t b = codes[features[i]];
            criterion.Add(&hist[(i * 256 + b) * slots], ly[k], lw[k]);
            if (count[i * 256 + b]++ == 0) touched[i].push_back(b);
          }
        }
        for (size_t i = 0; i < count_f; ++i) std::sort(touched[i].begin(), touched[i].end());
      }
      for (size_t i = 0; i < count_f; ++i) {
        const size_t f = features[i];
        double* h = hist.data() + i * 256 * slots;
        uint32_t* cnt = count.data() + i * 256;
        best.push_back(criterion.BestCut(static_cast<int32_t>(f), node,
                                         BinHistogram{h, cnt, touched[i], m}, min_leaf));
        if (touched[i].size() <= 1) p.constant[f] = 1;
        for (uint8_t b : touched[i]) {  // leave the histogram zeroed for the next node
          cnt[b] = 0;
          std::fill_n(h + b * slots, slots, 0.0);
        }
      }
    };
    best.clear();
    if (max_features == d) {
      score_batch(feature_order.data(), d);
    } else {
      // Random subset: draw features in a random order until max_features non-constant ones.
      // Features known to be constant here are skipped without being scored.
      std::shuffle(feature_order.begin(), feature_order.end(), rng);
      size_t found = 0, next = 0;
      while (found < max_features && next < d) {
        batch.clear();
        while (batch.size() < max_features - found && next < d) {
          const size_t f = feature_order[next++];
          if (!p.constant[f]) batch.push_back(f);
        }
        const size_t before = best.size();
        score_batch(batch.data(), batch.size());
        for (size_t i = before; i < best.size(); ++i) found += best[i].feature >= 0;
      }
      std::sort(best.begin(), best.end(),
                [](const BinCut& a, const BinCut& b) { return a.feature < b.feature; });
    }
    BinCut chosen;
    for (const BinCut& s : best) {
      if (s.feature >= 0 &&
          (chosen.feature < 0 || s.score > chosen.score + 1e-12 * std::abs(chosen.score)))
        chosen = s;
    }
    if (chosen.feature < 0 || !criterion.Accept(node, chosen.score, total_weight)) continue;
    // Stable partition (left = code <= bin): left rows slide down in place, right rows go
    // through reused buffers and are copied back after them.
    const size_t cf = static_cast<size_t>(chosen.feature);
    scratch_codes.clear();
    scratch_y.clear();
    scratch_w.clear();
    size_t split = p.begin;
    for (size_t k = p.begin; k < p.end; ++k) {
      const uint8_t* row = lc.data() + k * d;
      if (row[cf] <= chosen.bin) {
        if (split != k) {
          std::copy_n(row, d, lc.data() + split * d);
          ly[split] = ly[k];
          lw[split] = lw[k];
        }
        ++split;
      } else {
        scratch_codes.insert(scratch_codes.end(), row, row + d);
        scratch_y.push_back(ly[k]);
        scratch_w.push_back(lw[k]);
      }
    }
    std::copy(scratch_codes.begin(), scratch_codes.end(),
              lc.begin() + static_cast<std::ptrdiff_t>(split * d));
    std::copy(scratch_y.begin(), scratch_y.end(), ly.begin() + static_cast<std::ptrdiff_t>(split));
    std::copy(scratch_w.begin(), scratch_w.end(), lw.begin() + static_cast<std::ptrdiff_t>(split));
    const int32_t left = make_node(p.begin, split);
    const int32_t right = make_node(split, p.end);
    Node& parent = nodes[static_cast<size_t>(p.node)];
    parent.feature = chosen.feature;
    parent.threshold = bins.thresholds[cf][chosen.bin];
    parent.left = left;
    parent.right = right;
    stack.push_back({split, p.end, p.depth + 1, right, p.constant});
    stack.push_back({p.begin, split, p.depth + 1, left, std::move(p.constant)});
  }
  return nodes;
}

/// One bootstrap sample of n rows (Breiman 2001): the distinct rows drawn, ascending, and per row
/// the times it was drawn times its base weight (`base` empty = 1); rows not drawn weigh 0.
struct Bootstrap {
  std::vector<size_t> rows;
  std::vector<double> weights;
};
Bootstrap DrawBootstrap(size_t n, std::span<const double> base, uint64_t seed);

/// The features a forest tries per split: "sqrt", "log2" or "third" of d (at least 1), or 0
/// (all) for "all".
int64_t FeaturesPerSplit(std::string_view rule, size_t d);

}  // namespace prospect::tree
