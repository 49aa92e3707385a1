// "tree" (a CART regression tree, squared error; Breiman et al. 1984) and "forest" (Breiman 2001:
// bootstrap samples, a random third of the features per split, averaged predictions). Both grow
// on features pre-binned once (BinnedFeatures: up to max_bins quantile bins, one bin per value
// when a feature has fewer distinct values, where the splits equal sklearn's exact ones): each
// candidate split is scored from per-bin sums of w, w·y. Trees of a forest are built in parallel,
// each from its own seed stream, so the forest is the same whatever the thread count.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <numeric>

#include "models/regress/families.hpp"
#include "models/tree/ensemble.hpp"
#include "models/tree/grow.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/parallel.hpp"
#include "prospect/common/params.hpp"
#include "prospect/common/rng.hpp"
#include "prospect/io/model_file.hpp"
#include "prospect/models/tree/binned_features.hpp"
#include "prospect/models/tree/tree_node.hpp"

namespace prospect {
namespace {

struct RegNode : TreeNode {
  double value = 0;  // weighted mean target (impurity: its weighted variance)
};

// Squared error as the tree core's criterion: a bin holds the sums of w and w·y; a cut's score is
// S_L²/W_L + S_R²/W_R (larger is better: the same order as the decrease in squared error).
class SquaredError {
 public:
  using Label = double;
  using Node = RegNode;

  size_t slots() const { return 2; }
  void Add(double* slot, double y, double w) const {
    slot[0] += w;
    slot[1] += w * y;
  }

  RegNode MakeNode(std::span<const double> y, std::span<const double> w) const {
    RegNode node;
    double sw = 0, swy = 0, swyy = 0;
    for (size_t k = 0; k < y.size(); ++k) {
      sw += w[k];
      swy += w[k] * y[k];
      swyy += w[k] * y[k] * y[k];
    }
    node.weight = sw;
    node.samples = static_cast<int64_t>(y.size());
    node.value = sw > 0 ? swy / sw : 0;
    node.impurity = sw > 0 ? std::max(0.0, swyy / sw - node.value * node.value) : 0;
    return node;
  }

  bool Pure(const RegNode& node) const {
    return node.impurity <= 1e-12 * std::max(1.0, node.value * node.value);
  }

  tree::BinCut BestCut(int32_t feature, const RegNode& node, const tree::BinHistogram& h,
                       size_t min_leaf) const {
    tree::BinCut best;
    const double total_wy = node.value * node.weight;
    double wl = 0, sl = 0;
    size_t nl = 0;
    for (size_t u = 0; u + 1 < h.used.size(); ++u) {
      const size_t b = h.used[u];
      wl += h.sums[2 * b];
      sl += h.sums[2 * b + 1];
      nl += h.counts[b];
      if (nl < min_leaf || h.rows - nl < min_leaf) continue;
      const double wr = node.weight - wl, sr = total_wy - sl;
      if (wl <= 0 || wr <= 0) continue;
      const double score = sl * sl / wl + sr * sr / wr;
      if (best.feature < 0 || score > best.score) best = {feature, static_cast<uint8_t>(b), score};
    }
    return best;
  }

  bool Accept(const RegNode&, double, double) const { return true; }
};

class RegressionTree {
 public:
  // rows: the sample's distinct rows (empty = all); weights: per-row weights (bootstrap counts).
  void Fit(const BinnedFeatures& bins, std::span<const double> y, std::span<const double> weights,
           const tree::GrowLimits& limits, uint64_t seed, std::span<const size_t> rows,
           const Context& ctx) {
    num_features_ = bins.cols;
    nodes_ = tree::GrowBinnedTree(SquaredError(), bins, y, weights, rows, limits, seed, ctx);
  }

  const RegNode& Leaf(const double* row) const { return FindLeaf(nodes_, row); }

  // Saabas path attribution in target units; the root's mean is the bias.
  void AddContributions(const double* row, double scale, double* out) const {
    int32_t i = 0;
    out[num_features_] += scale * nodes_[0].value;
    while (nodes_[static_cast<size_t>(i)].feature >= 0) {
      const RegNode& n = nodes_[static_cast<size_t>(i)];
      const int32_t next = row[n.feature] <= n.threshold ? n.left : n.right;
      out[static_cast<size_t>(n.feature)] +=
          scale * (nodes_[static_cast<size_t>(next)].value - n.value);
      i = next;
    }
  }

  std::vector<double> Importances() const { return ImpurityImportances(nodes_, num_features_); }

  nlohmann::json ToJson() const {
    nlohmann::json nodes = nlohmann::json::array();
    for (const RegNode& n : nodes_)
      nodes.push_back(
          {n.feature, n.threshold, n.left, n.right, n.value, n.impurity, n.weight, n.samples});
    return {{"num_features", num_features_}, {"nodes", nodes}};
  }

  static RegressionTree FromJson(const nlohmann::json& j, size_t expected_features) {
    RegressionTree t;
    try {
      t.num_features_ =
          static_cast<size_t>(ModelFileInt(j.at("num_features"), "tree num_features", 0, 1 << 24));
      for (const auto& a : j.at("nodes")) {
        RegNode n;
        ReadNodeLinks(a, n);
        n.value = a.at(4).get<double>();
        n.impurity = a.at(5).get<double>();
        n.weight = a.at(6).get<double>();
        n.samples = ModelFileInt(a.at(7), "node samples", 0, std::numeric_limits<int64_t>::max());
        t.nodes_.push_back(n);
      }
    } catch (const nlohmann::json::exception& e) {
      Fail(ErrorCode::kInvalidData, "model file: malformed regression tree: {}", e.what());
    }
    if (t.nodes_.empty() || t.num_features_ != expected_features) {
      Fail(ErrorCode::kInvalidData, "model file: a regression tree does not match its {} features",
           expected_features);
    }
    if (const int64_t bad = FirstBadLink(t.nodes_, t.num_features_); bad >= 0) {
      Fail(ErrorCode::kInvalidData, "model file: regression tree node {} has invalid links", bad);
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
        "tree",
        {{"max_depth", &TreeRegParams::max_depth, "maximum depth", 1, 64},
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
        "forest",
        {{"n_estimators", &ForestRegParams::n_estimators, "number of trees", 1, 100000},
         {"max_depth", &ForestRegParams::max_depth, "maximum depth", 1, 64},
         {"min_samples_leaf", &ForestRegParams::min_samples_leaf, "fewest rows in a leaf", 1, 1e12},
         {"max_features",
          &ForestRegParams::max_features,
          "features tried per split",
          {"third", "sqrt", "all"}},
         {"bootstrap", &ForestRegParams::bootstrap, "sample rows with replacement per tree"},
         {"max_bins", &ForestRegParams::max_bins, "bins per feature", 2, 256}});
    return schema;
  }
};

// Shared by the tree and the forest: an average of trees (a tree is a forest of one).
class TreeEnsembleRegressor : public Regressor {
 public:
  std::vector<double> Predict(const DenseMatrixView& x, const Context& ctx) const override {
    CheckPredictInput(x);
    return tree::MeanOverTrees(trees_.size(), x, ctx, [&](size_t t, const double* row) {
      return trees_[t].Leaf(row).value;
    });
  }

  std::vector<double> Contributions(const DenseMatrixView& x, const Context& ctx) const override {
    CheckPredictInput(x);
    return tree::MeanContributions(
        trees_, x, ctx, [](const RegressionTree& t, const double* row, double scale, double* out) {
          t.AddContributions(row, scale, out);
        });
  }

  std::vector<double> Importance() const override {
    return tree::MeanImportance(trees_, feature_names_.size());
  }

  void SaveBlocks(ModelWriter& writer) const override { tree::SaveTrees(trees_, writer); }

 protected:
  void LoadBlocks(const ModelReader& reader) override {
    trees_ = tree::LoadTrees<RegressionTree>(reader, Type(), [&](const nlohmann::json& t) {
      return RegressionTree::FromJson(t, feature_names_.size());
    });
  }

  void Grow(const Dataset& data, const tree::GrowLimits& limits, int64_t n_trees, bool bootstrap,
            size_t max_bins, const Context& ctx) {
    const size_t n = data.x.rows(), d = data.x.cols();
    const BinnedFeatures bins = BinnedFeatures::Build(data.x.values(), n, d, max_bins, ctx);
    trees_.assign(static_cast<size_t>(n_trees), RegressionTree());
    std::atomic<uint64_t> done{0};
    ParallelFor(ctx, n_trees, [&](int64_t t) {
      ctx.ThrowIfCancelled();
      const uint64_t seed = DeriveSeed(ctx.seed(), static_cast<uint64_t>(t));
      const tree::Bootstrap sample =
          bootstrap ? tree::DrawBootstrap(n, data.weights, seed)
                    : tree::Bootstrap{{}, {data.weights.begin(), data.weights.end()}};
      trees_[static_cast<size_t>(t)].Fit(bins, data.y, sample.weights, limits, DeriveSeed(seed, 1),
                                         sample.rows, ctx);
      ctx.Progress(Type(), ++done, static_cast<uint64_t>(n_trees));
    });
  }

  std::vector<RegressionTree> trees_;
};

class TreeRegressor final : public ModelWithParams<TreeEnsembleRegressor, TreeRegParams> {
 public:
  using ModelWithParams::ModelWithParams;
  void FitChecked(const Dataset& data, const Context& ctx) override {
    const tree::GrowLimits limits{.max_depth = params_.max_depth,
                                  .min_samples_leaf = params_.min_samples_leaf};
    Grow(data, limits, 1, false, static_cast<size_t>(params_.max_bins), ctx);
  }

 private:
};

class ForestRegressor final : public ModelWithParams<TreeEnsembleRegressor, ForestRegParams> {
 public:
  using ModelWithParams::ModelWithParams;
  void FitChecked(const Dataset& data, const Context& ctx) override {
    const tree::GrowLimits limits{
        .max_depth = params_.max_depth,
        .min_samples_leaf = params_.min_samples_leaf,
        .max_features = tree::FeaturesPerSplit(params_.max_features, data.x.cols())};
    Grow(data, limits, params_.n_estimators, params_.bootstrap,
         static_cast<size_t>(params_.max_bins), ctx);
  }

 private:
};

}  // namespace

ModelFactory<Regressor> TreeRegressorFactory() {
  return FactoryOf<Regressor, TreeRegressor, TreeRegParams>();
}
ModelFactory<Regressor> ForestRegressorFactory() {
  return FactoryOf<Regressor, ForestRegressor, ForestRegParams>();
}

}  // namespace prospect
