// CART: depth-first growth; at each node every feature's values are sorted and every boundary
// between distinct values is scored (thresholds at midpoints, as scikit-learn). Features are
// searched in parallel; ties keep the lowest feature index so results do not depend on threads.
#include "prospect/models/classify/cart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "models/tree/grow.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/rng.hpp"
#include "prospect/io/model_file.hpp"

namespace prospect {
namespace {

constexpr double kEpsilon = 1e-12;

double Impurity(const std::vector<double>& value, double total, bool entropy) {
  if (total <= 0) return 0;
  double out = entropy ? 0.0 : 1.0;
  for (double v : value) {
    if (v <= 0) continue;
    const double p = v / total;
    out += entropy ? -p * std::log2(p) : -p * p;
  }
  return out;
}

struct SplitCandidate {
  int32_t feature = -1;
  double threshold = 0;
  double score = -std::numeric_limits<double>::infinity();  // −(wL·impL + wR·impR)
  size_t left_count = 0;
};

// What both growth paths check first.
void CheckFitShape(size_t n, size_t d, std::span<const int32_t> y, size_t num_classes) {
  if (n == 0) Fail(ErrorCode::kInvalidData, "tree: no training rows");
  if (d == 0) Fail(ErrorCode::kInvalidData, "tree: no features");
  PROSPECT_CHECK(y.size() == n);
  for (int32_t c : y) {
    if (c < 0 || static_cast<size_t>(c) >= num_classes)
      Fail(ErrorCode::kInvalidData, "tree: class id {} out of range", c);
  }
}

std::string FormatThreshold(double t) {
  std::string s = fmt::format("{:.6g}", t);
  return s;
}

}  // namespace

const ParamSchema<CartParams>& CartParams::Schema() {
  static const ParamSchema<CartParams> schema(
      "tree",
      {{"criterion", &CartParams::criterion, "split quality", {"gini", "entropy"}},
       {"max_depth", &CartParams::max_depth, "maximum depth", 1, 64},
       {"min_samples_split", &CartParams::min_samples_split, "fewest samples a node needs to split",
        2, 1e12},
       {"min_samples_leaf", &CartParams::min_samples_leaf, "fewest samples in a leaf", 1, 1e12},
       {"min_impurity_decrease", &CartParams::min_impurity_decrease,
        "smallest weighted impurity decrease", 0, 1e12},
       {"max_features", &CartParams::max_features, "features tried per split (0 = all)", 0, 1e9}});
  return schema;
}

void CartTree::Fit(std::span<const double> x, size_t n, size_t d, std::span<const int32_t> y,
                   size_t num_classes, std::span<const double> weights, const Context& ctx,
                   std::span<const size_t> rows) {
  CartParams::Schema().Validate(params_);
  CheckFitShape(n, d, y, num_classes);
  PROSPECT_CHECK(x.size() == n * d && (weights.empty() || weights.size() == n));
  if (rows.empty()) {  // (a forest checks once for all its trees)
    for (size_t i = 0; i < x.size(); ++i) {
      if (!std::isfinite(x[i])) {
        Fail(ErrorCode::kInvalidData,
             "tree: feature {} of row {} is {}; impute missing values first", i % d, i / d + 1,
             x[i]);
      }
    }
  }
  num_features_ = d;
  num_classes_ = num_classes;
  nodes_.clear();
  const bool entropy = params_.criterion == "entropy";
  auto w = [&](size_t i) { return weights.empty() ? 1.0 : weights[i]; };
  std::vector<size_t> index(rows.begin(), rows.end());
  if (rows.empty()) {
    index.resize(n);
    std::iota(index.begin(), index.end(), 0);
  }
  const size_t m_all = index.size();
  double total_weight = 0;
  for (size_t i : index) total_weight += w(i);
  Rng rng(ctx.seed());
  std::vector<size_t> feature_order(d);
  std::iota(feature_order.begin(), feature_order.end(), 0);
  const size_t max_features =
      params_.max_features > 0 ? std::min<size_t>(d, static_cast<size_t>(params_.max_features)) : d;
  struct Pending {
    size_t begin, end;
    int depth;
    int32_t node;
  };
  auto make_node = [&](size_t begin, size_t end) {
    CartNode node;
    node.value.assign(num_classes, 0.0);
    for (size_t k = begin; k < end; ++k)
      node.value[static_cast<size_t>(y[index[k]])] += w(index[k]);
    node.weight = std::accumulate(node.value.begin(), node.value.end(), 0.0);
    node.samples = static_cast<int64_t>(end - begin);
    node.impurity = Impurity(node.value, node.weight, entropy);
    nodes_.push_back(std::move(node));
    return static_cast<int32_t>(nodes_.size() - 1);
  };
  std::vector<Pending> stack = {{0, m_all, 0, make_node(0, m_all)}};
  const size_t min_leaf = static_cast<size_t>(params_.min_samples_leaf);
  while (!stack.empty()) {
    const Pending p = stack.back();
    stack.pop_back();
    ctx.ThrowIfCancelled();
    const size_t m = p.end - p.begin;
    const CartNode& node = nodes_[static_cast<size_t>(p.node)];
    if (p.depth >= params_.max_depth || m < static_cast<size_t>(params_.min_samples_split) ||
        m < 2 * min_leaf || node.impurity <= kEpsilon) {
      continue;
    }
    const std::vector<double> node_value = node.value;
    const double node_weight = node.weight;
    const double node_impurity = node.impurity;
    // Score one feature: the best boundary between distinct values, or none if constant here.
    auto score_feature = [&](size_t f) {
      SplitCandidate best_f;
      std::vector<std::pair<double, size_t>> sorted(m);
      for (size_t k = 0; k < m; ++k)
        sorted[k] = {x[index[p.begin + k] * d + f], index[p.begin + k]};
      std::sort(sorted.begin(), sorted.end());
      std::vector<double> left(num_classes, 0.0), right = node_value;
      double wl = 0, wr = node_weight;
      for (size_t k = 0; k + 1 < m; ++k) {
        const size_t row = sorted[k].second;
        const double wk = w(row);
        left[static_cast<size_t>(y[row])] += wk;
        right[static_cast<size_t>(y[row])] -= wk;
        wl += wk;
        wr -= wk;
        if (sorted[k + 1].first <=
            sorted[k].first + 1e-7 * std::max(1.0, std::abs(sorted[k].first)))
          continue;
        if (k + 1 < min_leaf || m - k - 1 < min_leaf) continue;
        const double score =
            -(wl * Impurity(left, wl, entropy) + wr * Impurity(right, wr, entropy));
        if (best_f.feature < 0 || score > best_f.score) {
          double t = (sorted[k].first + sorted[k + 1].first) / 2;
          if (t >= sorted[k + 1].first) t = sorted[k].first;
          best_f = {static_cast<int32_t>(f), t, score, k + 1};
        }
      }
      return best_f;
    };
    std::vector<SplitCandidate> best;
    if (max_features == d) {
      best.resize(d);
#pragma omp parallel for num_threads(ctx.threads()) schedule(dynamic)
      for (size_t f = 0; f < d; ++f) best[f] = score_feature(f);
    } else {
      // Random subset: draw features in a random order until max_features non-constant ones.
      std::shuffle(feature_order.begin(), feature_order.end(), rng);
      size_t found = 0;
      for (size_t i = 0; i < d && found < max_features; ++i) {
        best.push_back(score_feature(feature_order[i]));
        found += best.back().feature >= 0;
      }
      std::sort(best.begin(), best.end(), [](const SplitCandidate& a, const SplitCandidate& b) {
        return a.feature < b.feature;
      });
    }
    SplitCandidate chosen;
    for (const SplitCandidate& s : best) {
      if (s.feature >= 0 &&
          (chosen.feature < 0 || s.score > chosen.score + 1e-12 * std::abs(chosen.score)))
        chosen = s;
    }
    if (chosen.feature < 0) continue;
    const double decrease =
        (node_weight / total_weight) * (node_impurity + chosen.score / node_weight);
    if (decrease < params_.min_impurity_decrease - kEpsilon) continue;
    // Partition the node's rows: left = x <= threshold, keeping the original relative order.
    const size_t f = static_cast<size_t>(chosen.feature);
    auto mid =
        std::stable_partition(index.begin() + static_cast<std::ptrdiff_t>(p.begin),
                              index.begin() + static_cast<std::ptrdiff_t>(p.end),
                              [&](size_t row) { return x[row * d + f] <= chosen.threshold; });
    const size_t split = static_cast<size_t>(mid - index.begin());
    const int32_t left = make_node(p.begin, split);
    const int32_t right = make_node(split, p.end);
    CartNode& parent = nodes_[static_cast<size_t>(p.node)];
    parent.feature = chosen.feature;
    parent.threshold = chosen.threshold;
    parent.left = left;
    parent.right = right;
    stack.push_back({split, p.end, p.depth + 1, right});
    stack.push_back({p.begin, split, p.depth + 1, left});
  }
}

namespace {

// Class impurity as the tree core's criterion: a bin holds weighted class totals.
class ClassImpurity {
 public:
  using Label = int32_t;
  using Node = CartNode;

  ClassImpurity(size_t num_classes, bool entropy, double min_impurity_decrease)
      : k_(num_classes),
        entropy_(entropy),
        min_decrease_(min_impurity_decrease),
        left_(k_),
        right_(k_) {}

  size_t slots() const { return k_; }
  void Add(double* slot, int32_t y, double w) const { slot[y] += w; }

  CartNode MakeNode(std::span<const int32_t> y, std::span<const double> w) const {
    CartNode node;
    node.value.assign(k_, 0.0);
    for (size_t k = 0; k < y.size(); ++k) node.value[static_cast<size_t>(y[k])] += w[k];
    node.weight = std::accumulate(node.value.begin(), node.value.end(), 0.0);
    node.samples = static_cast<int64_t>(y.size());
    node.impurity = Impurity(node.value, node.weight, entropy_);
    return node;
  }

  bool Pure(const CartNode& node) const { return node.impurity <= kEpsilon; }

  tree::BinCut BestCut(int32_t feature, const CartNode& node, const tree::BinHistogram& h,
                       size_t min_leaf) const {
    tree::BinCut best;
    std::fill(left_.begin(), left_.end(), 0.0);
    right_ = node.value;
    double wl = 0, wr = node.weight;
    size_t nl = 0;
    for (size_t u = 0; u + 1 < h.used.size(); ++u) {
      const size_t b = h.used[u];
      for (size_t c = 0; c < k_; ++c) {
        left_[c] += h.sums[b * k_ + c];
        right_[c] -= h.sums[b * k_ + c];
        wl += h.sums[b * k_ + c];
        wr -= h.sums[b * k_ + c];
      }
      nl += h.counts[b];
      if (nl < min_leaf || h.rows - nl < min_leaf) continue;
      const double score =
          -(wl * SplitImpurity(left_, wl) + wr * SplitImpurity(right_, std::max(wr, 0.0)));
      if (best.feature < 0 || score > best.score) best = {feature, static_cast<uint8_t>(b), score};
    }
    return best;
  }

  // sklearn's min_impurity_decrease: the weighted decrease, relative to the whole sample.
  bool Accept(const CartNode& node, double score, double total_weight) const {
    const double decrease = (node.weight / total_weight) * (node.impurity + score / node.weight);
    return !(decrease < min_decrease_ - kEpsilon);  // (a NaN decrease splits, as before)
  }

 private:
  // Gini of two classes inline (the common case); the general formula otherwise.
  double SplitImpurity(const std::vector<double>& v, double total) const {
    if (k_ == 2 && !entropy_) return total > 0 ? 2 * v[0] * v[1] / (total * total) : 0.0;
    return Impurity(v, total, entropy_);
  }

  size_t k_;
  bool entropy_;
  double min_decrease_;
  mutable std::vector<double> left_,
      right_;  // scratch of BestCut: one criterion per tree being grown
};

}  // namespace

void CartTree::FitBinned(const BinnedFeatures& bins, std::span<const int32_t> y, size_t num_classes,
                         std::span<const double> weights, const Context& ctx,
                         std::span<const size_t> rows) {
  CartParams::Schema().Validate(params_);
  const size_t n = bins.rows, d = bins.cols;
  CheckFitShape(n, d, y, num_classes);
  PROSPECT_CHECK(weights.empty() || weights.size() == n);
  num_features_ = d;
  num_classes_ = num_classes;
  const ClassImpurity criterion(num_classes, params_.criterion == "entropy",
                                params_.min_impurity_decrease);
  const tree::GrowLimits limits{params_.max_depth, params_.min_samples_split,
                                params_.min_samples_leaf, params_.max_features};
  nodes_ = tree::GrowBinnedTree(criterion, bins, y, weights, rows, limits, ctx.seed(), ctx);
}

std::vector<double> CartTree::PredictProba(std::span<const double> x, size_t n) const {
  if (nodes_.empty()) Fail(ErrorCode::kFailedPrecondition, "tree: predict before fit");
  const size_t d = num_features_;
  if (x.size() != n * d) {
    Fail(ErrorCode::kInvalidData, "tree: expected {} features per row, got {}", d,
         n ? x.size() / n : 0);
  }
  std::vector<double> out(n * num_classes_);
  for (size_t r = 0; r < n; ++r) {
    const CartNode& leaf = FindLeaf(nodes_, x.data() + r * d);
    for (size_t c = 0; c < num_classes_; ++c)
      out[r * num_classes_ + c] = leaf.weight > 0 ? leaf.value[c] / leaf.weight : 0;
  }
  return out;
}

const CartNode& CartTree::Leaf(const double* row) const { return FindLeaf(nodes_, row); }

std::vector<int32_t> CartTree::Predict(std::span<const double> x, size_t n) const {
  const std::vector<double> proba = PredictProba(x, n);
  std::vector<int32_t> out(n);
  for (size_t r = 0; r < n; ++r) {
    const auto row = proba.begin() + static_cast<std::ptrdiff_t>(r * num_classes_);
    out[r] = static_cast<int32_t>(
        std::max_element(row, row + static_cast<std::ptrdiff_t>(num_classes_)) - row);
  }
  return out;
}

std::vector<CartRule> CartTree::Rules(const std::vector<std::string>& feature_names) const {
  PROSPECT_CHECK(feature_names.size() == num_features_);
  // Per path, the tightest bound on each feature: "x > 8.5 and x > 10.5" reads "x > 10.5".
  struct Bounds {
    std::vector<double> low, high;  // x > low, x <= high
  };
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<CartRule> rules;
  std::vector<std::pair<int32_t, Bounds>> stack = {
      {0, {std::vector<double>(num_features_, -inf), std::vector<double>(num_features_, inf)}}};
  while (!stack.empty()) {
    auto [i, bounds] = std::move(stack.back());
    stack.pop_back();
    const CartNode& node = nodes_[static_cast<size_t>(i)];
    if (node.feature < 0) {
      CartRule rule;
      for (size_t f = 0; f < num_features_; ++f) {
        const bool has_low = bounds.low[f] > -inf, has_high = bounds.high[f] < inf;
        if (has_low && has_high) {
          rule.conditions.push_back(FormatThreshold(bounds.low[f]) + " < " + feature_names[f] +
                                    " <= " + FormatThreshold(bounds.high[f]));
        } else if (has_low) {
          rule.conditions.push_back(feature_names[f] + " > " + FormatThreshold(bounds.low[f]));
        } else if (has_high) {
          rule.conditions.push_back(feature_names[f] + " <= " + FormatThreshold(bounds.high[f]));
        }
      }
      rule.predicted_class = static_cast<int32_t>(
          std::max_element(node.value.begin(), node.value.end()) - node.value.begin());
      rule.confidence =
          node.weight > 0 ? node.value[static_cast<size_t>(rule.predicted_class)] / node.weight : 0;
      rule.samples = node.samples;
      rules.push_back(std::move(rule));
      continue;
    }
    const size_t f = static_cast<size_t>(node.feature);
    Bounds right = bounds;
    right.low[f] = std::max(right.low[f], node.threshold);
    bounds.high[f] = std::min(bounds.high[f], node.threshold);
    stack.push_back({node.right, std::move(right)});
    stack.push_back({node.left, std::move(bounds)});
  }
  std::stable_sort(rules.begin(), rules.end(),
                   [](const CartRule& a, const CartRule& b) { return a.samples > b.samples; });
  return rules;
}

std::string CartRule::Text(const std::vector<std::string>& class_names) const {
  std::string cond;
  for (size_t i = 0; i < conditions.size(); ++i) cond += (i ? " and " : "") + conditions[i];
  if (cond.empty()) cond = "always";
  const std::string name = static_cast<size_t>(predicted_class) < class_names.size()
                               ? class_names[static_cast<size_t>(predicted_class)]
                               : std::to_string(predicted_class);
  return fmt::format("if {} then {} ({:.0f}% of {} customers)", cond, name, confidence * 100,
                     samples);
}

std::vector<double> CartTree::Importances() const {
  return ImpurityImportances(nodes_, num_features_);
}

int CartTree::depth() const {
  std::vector<int> depth(nodes_.size(), 0);
  int out = 0;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const CartNode& node = nodes_[i];
    if (node.feature < 0) continue;
    depth[static_cast<size_t>(node.left)] = depth[static_cast<size_t>(node.right)] = depth[i] + 1;
    out = std::max(out, depth[i] + 1);
  }
  return out;
}

nlohmann::json CartTree::ToJson() const {
  nlohmann::json nodes = nlohmann::json::array();
  for (const CartNode& n : nodes_) {
    nodes.push_back(
        {n.feature, n.threshold, n.left, n.right, n.impurity, n.weight, n.samples, n.value});
  }
  return {{"params", CartParams::Schema().ToJson(params_)},
          {"num_features", num_features_},
          {"num_classes", num_classes_},
          {"nodes", nodes}};
}

CartTree CartTree::FromJson(const nlohmann::json& j) {
  try {
    CartParams params;
    CartParams::Schema().SetFromJson(params, j.at("params"));
    CartTree tree(params);
    tree.num_features_ =
        static_cast<size_t>(ModelFileInt(j.at("num_features"), "tree num_features", 0, 1 << 24));
    tree.num_classes_ =
        static_cast<size_t>(ModelFileInt(j.at("num_classes"), "tree num_classes", 0, 1 << 24));
    const auto& nodes = j.at("nodes");
    for (const auto& a : nodes) {
      CartNode n;
      ReadNodeLinks(a, n);
      n.impurity = a.at(4).get<double>();
      n.weight = a.at(5).get<double>();
      n.samples = ModelFileInt(a.at(6), "node samples", 0, std::numeric_limits<int64_t>::max());
      n.value = a.at(7).get<std::vector<double>>();
      tree.nodes_.push_back(std::move(n));
    }
    if (tree.nodes_.empty()) Fail(ErrorCode::kInvalidData, "no nodes");
    for (size_t i = 0; i < tree.nodes_.size(); ++i) {
      const CartNode& n = tree.nodes_[i];
      if (n.value.size() != tree.num_classes_)
        Fail(ErrorCode::kInvalidData, "node {} has {} class values", i, n.value.size());
      // Predict returns value[c] / weight: each class value must lie in [0, weight] (training makes
      // weight their sum), or a corrupted file predicts P = 38.3.
      for (double v : n.value) {
        if (!std::isfinite(n.weight) || !(v >= 0 && v <= n.weight)) {
          Fail(ErrorCode::kInvalidData, "node {} has class value {} for weight {}", i, v, n.weight);
        }
      }
    }
    if (const int64_t bad = FirstBadLink(tree.nodes_, tree.num_features_); bad >= 0) {
      Fail(ErrorCode::kInvalidData, "node {} has invalid links", bad);
    }
    return tree;
  } catch (const nlohmann::json::exception& e) {
    Fail(ErrorCode::kInvalidData, "tree: malformed description: {}", e.what());
  } catch (const Error& e) {
    Fail(ErrorCode::kInvalidData, "tree: malformed description: {}", e.what());
  }
}

}  // namespace prospect
