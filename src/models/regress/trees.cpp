// "tree" (a CART regression tree, squared error; Breiman et al. 1984) and "forest" (Breiman 2001:
// bootstrap samples, a random third of the features per split, averaged predictions). Both grow
// on features pre-binned once (BinnedFeatures: up to max_bins quantile bins, one bin per value
// when a feature has fewer distinct values, where the splits equal sklearn's exact ones): each
// candidate split is scored from per-bin sums of w, w·y. Trees of a forest are built in parallel,
// each from its own seed stream, so the forest is the same whatever the thread count.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <numeric>

#include "models/regress/families.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/params.hpp"
#include "prospect/common/rng.hpp"
#include "prospect/models/tree/binned_features.hpp"

namespace prospect {
namespace {

struct RegNode {
  int32_t feature = -1;  // -1: leaf
  double threshold = 0;  // go left when x <= threshold
  int32_t left = -1, right = -1;
  double value = 0;     // weighted mean target
  double impurity = 0;  // weighted variance of the target
  double weight = 0;
  int64_t samples = 0;
};

struct GrowParams {
  int64_t max_depth = 8;
  int64_t min_samples_split = 2;
  int64_t min_samples_leaf = 1;
  size_t max_features = 0;  // 0 = all
};

class RegressionTree {
 public:
  // rows: the sample's distinct rows (empty = all); w: per-row weights (bootstrap counts).
  void Fit(const BinnedFeatures& bins, std::span<const double> y, std::span<const double> weights, const GrowParams& gp,
           uint64_t seed, std::span<const size_t> rows) {
    const size_t n = bins.rows, d = bins.cols;
    num_features_ = d;
    nodes_.clear();
    std::vector<size_t> index(rows.begin(), rows.end());
    if (rows.empty()) {
      index.resize(n);
      std::iota(index.begin(), index.end(), 0);
    }
    const size_t m_all = index.size();
    // Node-ordered copies (moved with each split) keep every node's rows contiguous.
    std::vector<uint8_t> lc(m_all * d);
    std::vector<double> ly(m_all), lw(m_all);
    for (size_t k = 0; k < m_all; ++k) {
      std::copy_n(bins.codes.data() + index[k] * d, d, lc.data() + k * d);
      ly[k] = y[index[k]];
      lw[k] = weights.empty() ? 1.0 : weights[index[k]];
    }
    auto make_node = [&](size_t begin, size_t end) {
      RegNode node;
      double sw = 0, swy = 0, swyy = 0;
      for (size_t k = begin; k < end; ++k) {
        sw += lw[k];
        swy += lw[k] * ly[k];
        swyy += lw[k] * ly[k] * ly[k];
      }
      node.weight = sw;
      node.samples = static_cast<int64_t>(end - begin);
      node.value = sw > 0 ? swy / sw : 0;
      node.impurity = sw > 0 ? std::max(0.0, swyy / sw - node.value * node.value) : 0;
      nodes_.push_back(node);
      return static_cast<int32_t>(nodes_.size() - 1);
    };
    struct Pending {
      size_t begin, end;
      int depth;
      int32_t node;
      std::vector<uint8_t> constant;
    };
    struct Split {
      int32_t feature = -1;
      uint8_t bin = 0;
      double score = 0;  // S_L²/W_L + S_R²/W_R (larger is better)
    };
    Rng rng(seed);
    std::vector<size_t> order(d);
    std::iota(order.begin(), order.end(), 0);
    const size_t max_features = gp.max_features > 0 ? std::min(d, gp.max_features) : d;
    const size_t min_leaf = static_cast<size_t>(gp.min_samples_leaf);
    std::vector<double> hw(256), hwy(256);
    std::vector<uint32_t> hc(256);
    std::vector<uint8_t> scratch_c;
    std::vector<double> scratch_y, scratch_w;
    std::vector<Pending> stack;
    stack.push_back({0, m_all, 0, make_node(0, m_all), std::vector<uint8_t>(d, 0)});
    while (!stack.empty()) {
      Pending p = std::move(stack.back());
      stack.pop_back();
      const size_t m = p.end - p.begin;
      const RegNode node = nodes_[static_cast<size_t>(p.node)];
      if (p.depth >= gp.max_depth || m < static_cast<size_t>(gp.min_samples_split) || m < 2 * min_leaf ||
          node.impurity <= 1e-12 * std::max(1.0, node.value * node.value)) {
        continue;
      }
      const double total_wy = node.value * node.weight;
      auto score_feature = [&](size_t f) {
        Split best;
        const size_t nb = bins.bins(f);
        if (nb < 2) return best;
        std::fill_n(hw.begin(), nb, 0.0);
        std::fill_n(hwy.begin(), nb, 0.0);
        std::fill_n(hc.begin(), nb, 0u);
        for (size_t k = p.begin; k < p.end; ++k) {
          const uint8_t b = lc[k * d + f];
          hw[b] += lw[k];
          hwy[b] += lw[k] * ly[k];
          ++hc[b];
        }
        double wl = 0, sl = 0;
        size_t nl = 0, used = 0;
        for (size_t b = 0; b + 1 < nb; ++b) {
          if (hc[b] == 0) continue;
          ++used;
          wl += hw[b];
          sl += hwy[b];
          nl += hc[b];
          if (nl >= m) break;
          if (nl < min_leaf || m - nl < min_leaf) continue;
          const double wr = node.weight - wl, sr = total_wy - sl;
          if (wl <= 0 || wr <= 0) continue;
          const double score = sl * sl / wl + sr * sr / wr;
          if (best.feature < 0 || score > best.score) best = {static_cast<int32_t>(f), static_cast<uint8_t>(b), score};
        }
        if (used == 0 || (used == 1 && nl >= m)) p.constant[f] = 1;
        return best;
      };
      std::vector<Split> candidates;
      if (max_features == d) {
        for (size_t f = 0; f < d; ++f) candidates.push_back(score_feature(f));
      } else {
        std::shuffle(order.begin(), order.end(), rng);
        size_t found = 0;
        for (size_t i = 0; i < d && found < max_features; ++i) {
          if (p.constant[order[i]]) continue;
          candidates.push_back(score_feature(order[i]));
          found += candidates.back().feature >= 0;
        }
        std::sort(candidates.begin(), candidates.end(), [](const Split& a, const Split& b) { return a.feature < b.feature; });
      }
      Split chosen;
      for (const Split& s : candidates) {
        if (s.feature >= 0 && (chosen.feature < 0 || s.score > chosen.score + 1e-12 * std::abs(chosen.score))) chosen = s;
      }
      if (chosen.feature < 0) continue;
      const size_t cf = static_cast<size_t>(chosen.feature);
      scratch_c.clear();
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
          scratch_c.insert(scratch_c.end(), row, row + d);
          scratch_y.push_back(ly[k]);
          scratch_w.push_back(lw[k]);
        }
      }
      std::copy(scratch_c.begin(), scratch_c.end(), lc.begin() + static_cast<std::ptrdiff_t>(split * d));
      std::copy(scratch_y.begin(), scratch_y.end(), ly.begin() + static_cast<std::ptrdiff_t>(split));
      std::copy(scratch_w.begin(), scratch_w.end(), lw.begin() + static_cast<std::ptrdiff_t>(split));
      const int32_t left = make_node(p.begin, split);
      const int32_t right = make_node(split, p.end);
      RegNode& parent = nodes_[static_cast<size_t>(p.node)];
      parent.feature = chosen.feature;
      parent.threshold = bins.thresholds[cf][chosen.bin];
      parent.left = left;
      parent.right = right;
      stack.push_back({split, p.end, p.depth + 1, right, p.constant});
      stack.push_back({p.begin, split, p.depth + 1, left, std::move(p.constant)});
    }
  }

  const RegNode& Leaf(const double* row) const {
    int32_t i = 0;
    while (nodes_[static_cast<size_t>(i)].feature >= 0) {
      const RegNode& n = nodes_[static_cast<size_t>(i)];
      i = row[n.feature] <= n.threshold ? n.left : n.right;
    }
    return nodes_[static_cast<size_t>(i)];
  }

  // Saabas path attribution in target units; the root's mean is the bias.
  void AddContributions(const double* row, double scale, double* out) const {
    int32_t i = 0;
    out[num_features_] += scale * nodes_[0].value;
    while (nodes_[static_cast<size_t>(i)].feature >= 0) {
      const RegNode& n = nodes_[static_cast<size_t>(i)];
      const int32_t next = row[n.feature] <= n.threshold ? n.left : n.right;
      out[static_cast<size_t>(n.feature)] += scale * (nodes_[static_cast<size_t>(next)].value - n.value);
      i = next;
    }
  }

  // Weighted impurity (variance) decrease per feature, normalised to sum 1.
  std::vector<double> Importances() const {
    std::vector<double> imp(num_features_, 0.0);
    for (const RegNode& n : nodes_) {
      if (n.feature < 0) continue;
      const RegNode& l = nodes_[static_cast<size_t>(n.left)];
      const RegNode& r = nodes_[static_cast<size_t>(n.right)];
      imp[static_cast<size_t>(n.feature)] += n.weight * n.impurity - l.weight * l.impurity - r.weight * r.impurity;
    }
    const double total = std::accumulate(imp.begin(), imp.end(), 0.0);
    if (total > 0) {
      for (double& v : imp) v /= total;
    }
    return imp;
  }

  nlohmann::json ToJson() const {
    nlohmann::json nodes = nlohmann::json::array();
    for (const RegNode& n : nodes_) nodes.push_back({n.feature, n.threshold, n.left, n.right, n.value, n.impurity, n.weight, n.samples});
    return {{"num_features", num_features_}, {"nodes", nodes}};
  }

  static RegressionTree FromJson(const nlohmann::json& j, size_t expected_features) {
    RegressionTree t;
    try {
      t.num_features_ = j.at("num_features").get<size_t>();
      for (const auto& a : j.at("nodes")) {
        RegNode n;
        n.feature = a.at(0).get<int32_t>();
        n.threshold = a.at(1).get<double>();
        n.left = a.at(2).get<int32_t>();
        n.right = a.at(3).get<int32_t>();
        n.value = a.at(4).get<double>();
        n.impurity = a.at(5).get<double>();
        n.weight = a.at(6).get<double>();
        n.samples = a.at(7).get<int64_t>();
        t.nodes_.push_back(n);
      }
    } catch (const nlohmann::json::exception& e) {
      Fail(ErrorCode::kInvalidData, "model file: malformed regression tree: {}", e.what());
    }
    // Children come after their parent, so Leaf cannot leave the array or loop.
    const auto count = static_cast<int32_t>(t.nodes_.size());
    if (count == 0 || t.num_features_ != expected_features) {
      Fail(ErrorCode::kInvalidData, "model file: a regression tree does not match its {} features", expected_features);
    }
    for (int32_t i = 0; i < count; ++i) {
      const RegNode& n = t.nodes_[static_cast<size_t>(i)];
      if (n.feature < 0) continue;
      if (static_cast<size_t>(n.feature) >= t.num_features_ || n.left <= i || n.right <= i || n.left >= count || n.right >= count) {
        Fail(ErrorCode::kInvalidData, "model file: regression tree node {} has invalid links", i);
      }
    }
    return t;
  }

 private:
  size_t num_features_ = 0;
  std::vector<RegNode> nodes_;
};

struct TreeRegParams {
  int64_t max_depth = 6;
  int64_t min_samples_leaf = 20;
  int64_t max_bins = 256;

  static const ParamSchema<TreeRegParams>& Schema() {
    static const ParamSchema<TreeRegParams> schema(
        "tree", {{"max_depth", &TreeRegParams::max_depth, "maximum depth", 1, 64},
                 {"min_samples_leaf", &TreeRegParams::min_samples_leaf, "fewest rows in a leaf", 1, 1e12},
                 {"max_bins", &TreeRegParams::max_bins, "bins per feature", 2, 256}});
    return schema;
  }
};

struct ForestRegParams {
  int64_t n_estimators = 100;
  int64_t max_depth = 12;
  int64_t min_samples_leaf = 5;
  std::string max_features = "third";
  bool bootstrap = true;
  int64_t max_bins = 256;

  static const ParamSchema<ForestRegParams>& Schema() {
    static const ParamSchema<ForestRegParams> schema(
        "forest", {{"n_estimators", &ForestRegParams::n_estimators, "number of trees", 1, 100000},
                   {"max_depth", &ForestRegParams::max_depth, "maximum depth", 1, 64},
                   {"min_samples_leaf", &ForestRegParams::min_samples_leaf, "fewest rows in a leaf", 1, 1e12},
                   {"max_features", &ForestRegParams::max_features, "features tried per split", 0, 0, {"third", "sqrt", "all"}},
                   {"bootstrap", &ForestRegParams::bootstrap, "sample rows with replacement per tree"},
                   {"max_bins", &ForestRegParams::max_bins, "bins per feature", 2, 256}});
    return schema;
  }
};

// Shared by the tree and the forest: an average of trees (a tree is a forest of one).
class TreeEnsembleRegressor : public Regressor {
 public:
  std::vector<double> Predict(const FeatureMatrix& x, const Context& ctx) const override {
    CheckPredictInput(x);
    // Blocks of rows walk one tree at a time (the tree stays in cache); per row the trees are
    // summed in order.
    std::vector<double> out(x.rows);
    const double scale = 1.0 / static_cast<double>(trees_.size());
    constexpr size_t kBlock = 256;
    const size_t blocks = (x.rows + kBlock - 1) / kBlock;
#pragma omp parallel for num_threads(ctx.threads()) schedule(static)
    for (size_t blk = 0; blk < blocks; ++blk) {
      const size_t begin = blk * kBlock, end = std::min(x.rows, begin + kBlock);
      double sum[kBlock] = {};
      for (const RegressionTree& t : trees_) {
        for (size_t r = begin; r < end; ++r) sum[r - begin] += t.Leaf(x.Row(r)).value;
      }
      for (size_t r = begin; r < end; ++r) out[r] = sum[r - begin] * scale;
    }
    return out;
  }

  std::vector<double> Contributions(const FeatureMatrix& x, const Context& ctx) const override {
    CheckPredictInput(x);
    std::vector<double> out(x.rows * (x.cols + 1), 0.0);
    const double scale = 1.0 / static_cast<double>(trees_.size());
#pragma omp parallel for num_threads(ctx.threads()) schedule(static)
    for (size_t r = 0; r < x.rows; ++r) {
      for (const RegressionTree& t : trees_) t.AddContributions(x.Row(r), scale, &out[r * (x.cols + 1)]);
    }
    return out;
  }

  std::vector<double> Importance() const override {
    std::vector<double> out(feature_names_.size(), 0.0);
    for (const RegressionTree& t : trees_) {
      const auto imp = t.Importances();
      for (size_t j = 0; j < out.size(); ++j) out[j] += imp[j] / static_cast<double>(trees_.size());
    }
    return out;
  }

  void SaveBlocks(ModelWriter& writer) const override {
    nlohmann::json trees = nlohmann::json::array();
    for (const RegressionTree& t : trees_) trees.push_back(t.ToJson());
    writer.AddBlock("trees", trees.dump());
  }

 protected:
  void LoadBlocks(const ModelReader& reader) override {
    const auto trees = nlohmann::json::parse(reader.Block("trees"), nullptr, false);
    if (!trees.is_array() || trees.empty()) Fail(ErrorCode::kInvalidData, "model file: {} has no trees", Type());
    trees_.clear();
    for (const auto& t : trees) trees_.push_back(RegressionTree::FromJson(t, feature_names_.size()));
  }

  void Grow(const TrainingSet& data, const GrowParams& gp, int64_t n_trees, bool bootstrap, size_t max_bins,
            const Context& ctx) {
    const size_t n = data.x.rows, d = data.x.cols;
    const BinnedFeatures bins = BinnedFeatures::Build(data.x.values, n, d, max_bins, ctx);
    trees_.assign(static_cast<size_t>(n_trees), RegressionTree());
    std::atomic<uint64_t> done{0};
    std::exception_ptr failure;
#pragma omp parallel for num_threads(ctx.threads()) schedule(dynamic)
    for (int64_t t = 0; t < n_trees; ++t) {
      try {
        ctx.ThrowIfCancelled();
        const uint64_t seed = DeriveSeed(ctx.seed(), static_cast<uint64_t>(t));
        std::vector<double> w(data.weights.begin(), data.weights.end());
        std::vector<size_t> rows;
        if (bootstrap) {
          Rng rng(seed);
          std::vector<double> counts(n, 0.0);
          std::uniform_int_distribution<size_t> pick(0, n - 1);
          for (size_t i = 0; i < n; ++i) counts[pick(rng)] += 1;
          if (w.empty()) w.assign(n, 1.0);
          for (size_t i = 0; i < n; ++i) {
            if (counts[i] > 0) rows.push_back(i);
            w[i] *= counts[i];
          }
        }
        trees_[static_cast<size_t>(t)].Fit(bins, data.y, w, gp, DeriveSeed(seed, 1), rows);
        ctx.Progress(Type(), ++done, static_cast<uint64_t>(n_trees));
      } catch (...) {
#pragma omp critical
        if (!failure) failure = std::current_exception();
      }
    }
    if (failure) std::rethrow_exception(failure);
  }

  std::vector<RegressionTree> trees_;
};

class TreeRegressor final : public TreeEnsembleRegressor {
 public:
  explicit TreeRegressor(const nlohmann::json& params) { TreeRegParams::Schema().SetFromJson(params_, params); }
  std::string Type() const override { return "tree"; }
  nlohmann::json Params() const override { return TreeRegParams::Schema().ToJson(params_); }
  void Fit(const TrainingSet& data, const Context& ctx) override {
    CheckFitInput(data);
    GrowParams gp;
    gp.max_depth = params_.max_depth;
    gp.min_samples_leaf = params_.min_samples_leaf;
    Grow(data, gp, 1, false, static_cast<size_t>(params_.max_bins), ctx);
  }

 private:
  TreeRegParams params_;
};

class ForestRegressor final : public TreeEnsembleRegressor {
 public:
  explicit ForestRegressor(const nlohmann::json& params) { ForestRegParams::Schema().SetFromJson(params_, params); }
  std::string Type() const override { return "forest"; }
  nlohmann::json Params() const override { return ForestRegParams::Schema().ToJson(params_); }
  void Fit(const TrainingSet& data, const Context& ctx) override {
    CheckFitInput(data);
    const double d = static_cast<double>(data.x.cols);
    GrowParams gp;
    gp.max_depth = params_.max_depth;
    gp.min_samples_leaf = params_.min_samples_leaf;
    gp.max_features = params_.max_features == "third" ? static_cast<size_t>(std::max(1.0, std::floor(d / 3)))
                      : params_.max_features == "sqrt" ? static_cast<size_t>(std::max(1.0, std::floor(std::sqrt(d))))
                                                       : 0;
    Grow(data, gp, params_.n_estimators, params_.bootstrap, static_cast<size_t>(params_.max_bins), ctx);
  }

 private:
  ForestRegParams params_;
};

}  // namespace

ModelFactory<Regressor> TreeRegressorFactory() { return FactoryOf<Regressor, TreeRegressor, TreeRegParams>(); }
ModelFactory<Regressor> ForestRegressorFactory() { return FactoryOf<Regressor, ForestRegressor, ForestRegParams>(); }

}  // namespace prospect
