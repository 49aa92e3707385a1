// The booster's trees re-laid breadth first so that a split's children sit side by side: the walk
// reads one node per level and picks the child by adding 0 or 1.
#include "prospect/serve/compiled_trees.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <tuple>
#include <utility>

#include "models/gbdt/booster_check.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/numbers.hpp"

namespace prospect {
namespace {

// XGBoost writes its scalar parameters as decimal strings ("5E-1", "62").
double NumberParam(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  double value = NAN;
  if (it != object.end() && it->is_string() && ParseDouble(it->get<std::string>(), &value))
    return value;
  Fail(ErrorCode::kInvalidData, "the gbdt model's XGBoost booster has no number {}", key);
}

}  // namespace

CompiledTrees CompiledTrees::FromXgboostBooster(std::string_view ubj) {
  CheckBooster(ubj);  // proper binary trees over num_feature features, ids 0..n-1
  const nlohmann::json model = nlohmann::json::from_ubjson(ubj);
  const nlohmann::json& learner = model.at("learner");
  const std::string objective = learner.at("objective").at("name").get<std::string>();
  CompiledTrees out;
  const nlohmann::json& param = learner.at("learner_model_param");
  out.num_features_ = static_cast<size_t>(NumberParam(param, "num_feature"));
  const float base_score = static_cast<float>(NumberParam(param, "base_score"));
  if (objective == "binary:logistic") {
    if (!(base_score > 0 && base_score < 1))
      Fail(ErrorCode::kInvalidData, "the gbdt model's base_score {} is not a probability",
           base_score);
    out.logistic_ = true;
    out.base_margin_ = -std::log(1.0f / base_score - 1.0f);  // XGBoost's ProbToMargin, in float
  } else if (objective == "reg:squarederror") {
    out.base_margin_ = base_score;
  } else {
    Fail(ErrorCode::kUnimplemented,
         "compiled scoring knows binary:logistic and reg:squarederror, not {}", objective);
  }

  const nlohmann::json& trees = learner.at("gradient_booster").at("model").at("trees");
  // XGBoost sums the trees in the order of their ids (CheckBooster made them 0..n-1, each once).
  std::vector<const nlohmann::json*> by_id(trees.size());
  for (const auto& tree : trees) by_id[tree.at("id").get<size_t>()] = &tree;
  for (const nlohmann::json* tree : by_id) {
    const auto left = tree->at("left_children").get<std::vector<int64_t>>();
    const auto right = tree->at("right_children").get<std::vector<int64_t>>();
    const auto feature = tree->at("split_indices").get<std::vector<int64_t>>();
    const auto condition = tree->at("split_conditions").get<std::vector<float>>();
    const auto default_left = tree->at("default_left").get<std::vector<int64_t>>();
    // Breadth first: (XGBoost node, our slot, depth); a split allocates its two children
    // together.
    const auto root = static_cast<uint32_t>(out.nodes_.size());
    out.roots_.push_back(root);
    out.nodes_.push_back({});
    out.leaf_values_.push_back(0);
    uint32_t depth = 0;
    std::vector<std::tuple<int64_t, uint32_t, uint32_t>> queue = {{0, root, 0}};
    for (size_t q = 0; q < queue.size(); ++q) {
      const auto [xgb, slot, level] = queue[q];
      const auto i = static_cast<size_t>(xgb);
      depth = std::max(depth, level);
      Node node{std::numeric_limits<float>::infinity(), 0, slot, slot};  // a leaf
      if (left[i] == -1) {
        out.leaf_values_[slot] = condition[i];
      } else {
        node.threshold = condition[i];
        node.feature = static_cast<int32_t>(feature[i]);
        node.left = static_cast<uint32_t>(out.nodes_.size());
        node.missing = node.left + (default_left[i] ? 0 : 1);
        out.nodes_.resize(out.nodes_.size() + 2);
        out.leaf_values_.resize(out.nodes_.size(), 0);
        queue.emplace_back(left[i], node.left, level + 1);
        queue.emplace_back(right[i], node.left + 1, level + 1);
      }
      out.nodes_[slot] = node;
    }
    out.depths_.push_back(depth);
  }
  return out;
}

float CompiledTrees::Margin(const float* row) const {
  const Node* nodes = nodes_.data();
  // One step down: left or right by the comparison, the default child for a missing value.
  auto step = [nodes, row](uint32_t i) {
    const Node& n = nodes[i];
    const float x = row[n.feature];
    const uint32_t next = n.left + !(x < n.threshold);
    return std::isnan(x) ? n.missing : next;
  };
  float sum = base_margin_;
  const size_t trees = roots_.size();
  size_t t = 0;
  // Four independent walks interleave their loads; the leaves are added in tree order, as
  // XGBoost adds them, so the float sum is the same.
  for (; t + 4 <= trees; t += 4) {
    uint32_t a = roots_[t], b = roots_[t + 1], c = roots_[t + 2], d = roots_[t + 3];
    const uint32_t depth =
        std::max(std::max(depths_[t], depths_[t + 1]), std::max(depths_[t + 2], depths_[t + 3]));
    for (uint32_t level = 0; level < depth; ++level) {
      a = step(a);
      b = step(b);
      c = step(c);
      d = step(d);
    }
    sum += leaf_values_[a];
    sum += leaf_values_[b];
    sum += leaf_values_[c];
    sum += leaf_values_[d];
  }
  for (; t < trees; ++t) {
    uint32_t a = roots_[t];
    for (uint32_t level = 0; level < depths_[t]; ++level) a = step(a);
    sum += leaf_values_[a];
  }
  return sum;
}

double CompiledTrees::Predict(const float* row) const {
  const float margin = Margin(row);
  return logistic_ ? 1.0f / (1.0f + std::exp(-margin)) : margin;
}

}  // namespace prospect
