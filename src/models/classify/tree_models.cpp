// "tree" (one CART) and "forest" (Breiman 2001: bootstrap samples, random feature subsets per
// split, averaged class probabilities; by default grown on features pre-binned once, as LightGBM
// and sklearn's hist estimators, see CartTree::FitBinned) classifiers. Trees are built in
// parallel, each from its own seed stream, so the forest is the same whatever the thread count.
#include <atomic>
#include <cmath>
#include <numeric>

#include "models/classify/families.hpp"
#include "models/tree/ensemble.hpp"
#include "models/tree/grow.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/parallel.hpp"
#include "prospect/common/params.hpp"
#include "prospect/common/rng.hpp"
#include "prospect/models/classify/cart.hpp"

namespace prospect {
namespace {

std::vector<int32_t> Classes(std::span<const double> y) {
  std::vector<int32_t> out(y.size());
  for (size_t i = 0; i < y.size(); ++i) out[i] = y[i] == 1 ? 1 : 0;
  return out;
}

// Balanced class weights n / (2 · n_class), multiplied into any row weights.
std::vector<double> RowWeights(const Dataset& data, bool balanced) {
  std::vector<double> w(data.weights.begin(), data.weights.end());
  if (!balanced) return w;
  if (w.empty()) w.assign(data.y.size(), 1.0);
  double pos = 0;
  for (double v : data.y) pos += v;
  const double n = static_cast<double>(data.y.size());
  for (size_t i = 0; i < w.size(); ++i)
    w[i] *= data.y[i] == 1 ? n / (2 * pos) : n / (2 * (n - pos));
  return w;
}

// Saabas path attribution: the change in P(positive) at each split is credited to the split's
// feature; the root's P(positive) is the bias. Sums to the prediction exactly.
void AddPathContributions(const CartTree& tree, const double* row, double scale, double* out,
                          size_t d) {
  const auto& nodes = tree.nodes();
  auto p = [&](int32_t i) {
    const CartNode& n = nodes[static_cast<size_t>(i)];
    return n.weight > 0 ? n.value[1] / n.weight : 0.0;
  };
  int32_t i = 0;
  out[d] += scale * p(0);
  while (nodes[static_cast<size_t>(i)].feature >= 0) {
    const CartNode& n = nodes[static_cast<size_t>(i)];
    const int32_t next = row[n.feature] <= n.threshold ? n.left : n.right;
    out[static_cast<size_t>(n.feature)] += scale * (p(next) - p(i));
    i = next;
  }
}

struct TreeParams {
  std::string criterion = "gini";
  int64_t max_depth = 6;
  int64_t min_samples_leaf = 20;
  std::string class_weight = "none";
  std::string splitter = "hist";
  int64_t max_bins = 256;

  static const ParamSchema<TreeParams>& Schema() {
    static const ParamSchema<TreeParams> schema(
        "tree",
        {{"criterion", &TreeParams::criterion, "split quality", {"gini", "entropy"}},
         {"max_depth", &TreeParams::max_depth, "maximum depth", 1, 64},
         {"min_samples_leaf", &TreeParams::min_samples_leaf, "fewest rows in a leaf", 1, 1e12},
         {"class_weight", &TreeParams::class_weight, "none or balanced", {"none", "balanced"}},
         {"splitter",
          &TreeParams::splitter,
          "hist: features pre-binned once (exact for features with at most max_bins values); "
          "exact: every distinct value",
          {"hist", "exact"}},
         {"max_bins", &TreeParams::max_bins, "bins per feature for splitter=hist", 2, 256}});
    return schema;
  }
};

class TreeClassifier final : public ModelWithParams<Classifier, TreeParams> {
 public:
  using ModelWithParams::ModelWithParams;

  void FitChecked(const Dataset& data, const Context& ctx) override {
    CartParams cp;
    cp.criterion = params_.criterion;
    cp.max_depth = params_.max_depth;
    cp.min_samples_leaf = params_.min_samples_leaf;
    tree_ = CartTree(cp);
    const auto w = RowWeights(data, params_.class_weight == "balanced");
    if (params_.splitter == "hist") {
      const BinnedFeatures bins =
          BinnedFeatures::Build(data.x.values(), data.x.rows(), data.x.cols(),
                                static_cast<size_t>(params_.max_bins), ctx);
      tree_.FitBinned(bins, Classes(data.y), 2, w, ctx);
    } else {
      tree_.Fit(data.x.values(), data.x.rows(), data.x.cols(), Classes(data.y), 2, w, ctx);
    }
  }

  std::vector<double> PredictProba(const DenseMatrixView& x, const Context&) const override {
    CheckPredictInput(x);
    const auto proba = tree_.PredictProba(x.values(), x.rows());
    std::vector<double> out(x.rows());
    for (size_t r = 0; r < x.rows(); ++r) out[r] = proba[r * 2 + 1];
    return out;
  }

  std::vector<double> Contributions(const DenseMatrixView& x, const Context&) const override {
    CheckPredictInput(x);
    std::vector<double> out(x.rows() * (x.cols() + 1), 0.0);
    for (size_t r = 0; r < x.rows(); ++r)
      AddPathContributions(tree_, x.Row(r), 1.0, &out[r * (x.cols() + 1)], x.cols());
    return out;
  }

  std::vector<double> Importance() const override { return tree_.Importances(); }

  /// The tree's leaves as readable rules.
  std::vector<CartRule> Rules() const { return tree_.Rules(feature_names_); }

  void SaveBlocks(ModelWriter& writer) const override {
    writer.AddBlock("tree", tree_.ToJson().dump());
  }

 protected:
  void LoadBlocks(const ModelReader& reader) override {
    tree_ = CartTree::FromJson(nlohmann::json::parse(reader.Block("tree"), nullptr, false));
    if (tree_.num_features() != feature_names_.size() || tree_.num_classes() != 2) {
      Fail(ErrorCode::kInvalidData, "model file: the tree does not match its {} features",
           feature_names_.size());
    }
  }

 private:
  CartTree tree_;
};

struct ForestParams {
  int64_t n_estimators = 100;
  std::string criterion = "gini";
  int64_t max_depth = 12;
  int64_t min_samples_leaf = 1;
  std::string max_features = "sqrt";
  bool bootstrap = true;
  std::string class_weight = "none";
  std::string splitter = "hist";
  int64_t max_bins = 256;

  static const ParamSchema<ForestParams>& Schema() {
    static const ParamSchema<ForestParams> schema(
        "forest",
        {{"n_estimators", &ForestParams::n_estimators, "number of trees", 1, 100000},
         {"criterion", &ForestParams::criterion, "split quality", {"gini", "entropy"}},
         {"max_depth", &ForestParams::max_depth, "maximum depth", 1, 64},
         {"min_samples_leaf", &ForestParams::min_samples_leaf, "fewest rows in a leaf", 1, 1e12},
         {"max_features",
          &ForestParams::max_features,
          "features tried per split",
          {"sqrt", "log2", "all"}},
         {"bootstrap", &ForestParams::bootstrap, "sample rows with replacement per tree"},
         {"class_weight", &ForestParams::class_weight, "none or balanced", {"none", "balanced"}},
         {"splitter",
          &ForestParams::splitter,
          "hist: features pre-binned once, splits from histograms (fast); exact: every distinct "
          "value, sorted per node",
          {"hist", "exact"}},
         {"max_bins", &ForestParams::max_bins, "bins per feature for splitter=hist", 2, 256}});
    return schema;
  }
};

class ForestClassifier final : public ModelWithParams<Classifier, ForestParams> {
 public:
  using ModelWithParams::ModelWithParams;

  void FitChecked(const Dataset& data, const Context& ctx) override {
    const size_t n = data.x.rows(), d = data.x.cols();
    CartParams cp;
    cp.criterion = params_.criterion;
    cp.max_depth = params_.max_depth;
    cp.min_samples_leaf = params_.min_samples_leaf;
    cp.max_features = tree::FeaturesPerSplit(params_.max_features, d);
    const auto classes = Classes(data.y);
    const auto base = RowWeights(data, params_.class_weight == "balanced");
    trees_.assign(static_cast<size_t>(params_.n_estimators), CartTree(cp));
    const bool hist = params_.splitter == "hist";
    BinnedFeatures bins;
    if (hist)
      bins =
          BinnedFeatures::Build(data.x.values(), n, d, static_cast<size_t>(params_.max_bins), ctx);
    std::atomic<uint64_t> done{0};
    ParallelFor(ctx, params_.n_estimators, [&](int64_t t) {
      const uint64_t seed = DeriveSeed(ctx.seed(), static_cast<uint64_t>(t));
      tree::Bootstrap sample;
      if (params_.bootstrap) {
        sample = tree::DrawBootstrap(n, base, seed);
      } else {
        sample.weights = base.empty() ? std::vector<double>(n, 1.0) : base;
        sample.rows.resize(n);
        std::iota(sample.rows.begin(), sample.rows.end(), 0);
      }
      Context tree_ctx(1, DeriveSeed(seed, 1), ctx.logger_ptr());
      if (hist) {
        trees_[static_cast<size_t>(t)].FitBinned(bins, classes, 2, sample.weights, tree_ctx,
                                                 sample.rows);
      } else {
        trees_[static_cast<size_t>(t)].Fit(data.x.values(), n, d, classes, 2, sample.weights,
                                           tree_ctx, sample.rows);
      }
      ctx.Progress("forest", ++done, static_cast<uint64_t>(params_.n_estimators));
    });
    Pack();
  }

  // The walk is on packed nodes (24 bytes: more of a tree fits in cache).
  std::vector<double> PredictProba(const DenseMatrixView& x, const Context& ctx) const override {
    CheckPredictInput(x);
    return tree::MeanOverTrees(trees_.size(), x, ctx, [&](size_t t, const double* row) {
      const PackedNode* nodes = packed_.data() + offsets_[t];
      int32_t i = 0;
      while (nodes[i].feature >= 0)
        i = row[nodes[i].feature] <= nodes[i].threshold ? nodes[i].left : nodes[i].right;
      return nodes[i].threshold;  // a leaf's P(positive)
    });
  }

  std::vector<double> Contributions(const DenseMatrixView& x, const Context& ctx) const override {
    CheckPredictInput(x);
    return tree::MeanContributions(
        trees_, x, ctx, [&](const CartTree& t, const double* row, double scale, double* out) {
          AddPathContributions(t, row, scale, out, x.cols());
        });
  }

  std::vector<double> Importance() const override {
    return tree::MeanImportance(trees_, feature_names_.size());
  }

  void SaveBlocks(ModelWriter& writer) const override { tree::SaveTrees(trees_, writer); }

 protected:
  void LoadBlocks(const ModelReader& reader) override {
    trees_ = tree::LoadTrees<CartTree>(reader, Type(), [&](const nlohmann::json& t) {
      CartTree tree = CartTree::FromJson(t);
      if (tree.num_features() != feature_names_.size() || tree.num_classes() != 2) {
        Fail(ErrorCode::kInvalidData, "model file: a tree does not match the forest's {} features",
             feature_names_.size());
      }
      return tree;
    });
    Pack();
  }

 private:
  // 24-byte nodes for prediction; a leaf holds its P(positive) in `threshold`.
  struct PackedNode {
    double threshold;
    int32_t feature, left, right;
  };
  void Pack() {
    packed_.clear();
    offsets_.clear();
    for (const CartTree& tree : trees_) {
      offsets_.push_back(packed_.size());
      for (const CartNode& n : tree.nodes()) {
        const double leaf_p = n.weight > 0 ? n.value[1] / n.weight : 0.0;
        packed_.push_back({n.feature >= 0 ? n.threshold : leaf_p, n.feature, n.left, n.right});
      }
    }
  }

  std::vector<CartTree> trees_;
  std::vector<PackedNode> packed_;
  std::vector<size_t> offsets_;
};

}  // namespace

ModelFactory<Classifier> TreeFactory() {
  return FactoryOf<Classifier, TreeClassifier, TreeParams>();
}
ModelFactory<Classifier> ForestFactory() {
  return FactoryOf<Classifier, ForestClassifier, ForestParams>();
}

}  // namespace prospect
