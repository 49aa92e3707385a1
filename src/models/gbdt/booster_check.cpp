// Validation of an XGBoost booster before XGBoost parses it. XGBoost 1.7 trusts its model files:
// a string length past the buffer overflows its UBJSON reader, and a tree whose child or feature
// indices are out of range, or two trees with one id, crash prediction. All were found by
// tests/fuzz/model_fuzz.cpp.
#include "models/gbdt/booster_check.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prospect/common/error.hpp"
#include "prospect/common/numbers.hpp"
#include "prospect/io/ubjson.hpp"

namespace prospect {
namespace {

constexpr const char* kWhat = "the gbdt model's XGBoost booster";

[[noreturn]] void Bad(const std::string& why) {
  Fail(ErrorCode::kInvalidData, "{} is corrupted: {}", kWhat, why);
}

// A member of an object (never operator[] on a const json: a missing key is undefined behaviour).
const nlohmann::json& Get(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) Bad(fmt::format("{} is not inside an object", key));
  const auto it = j.find(key);
  if (it == j.end()) Bad(fmt::format("{} is missing", key));
  return *it;
}

// XGBoost writes counts as decimal strings ("62").
int64_t Count(const nlohmann::json& j, const char* key) {
  const auto& v = Get(j, key);
  int64_t n = -1;
  if (v.is_string()) {
    if (!ParseInt64(v.get<std::string>(), &n)) n = -1;
  } else if (v.is_number_integer()) {
    n = v.get<int64_t>();
  }
  if (n < 0) {
    Bad(fmt::format(
        "{} is not a count: {}", key,
        v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).substr(0, 40)));
  }
  return n;
}

const nlohmann::json& Array(const nlohmann::json& tree, const char* key, int64_t size) {
  const auto& a = Get(tree, key);
  if (!a.is_array()) Bad(fmt::format("tree array {} is not an array", key));
  if (static_cast<int64_t>(a.size()) != size) {
    Bad(fmt::format("tree array {} has {} entries for {} nodes", key, a.size(), size));
  }
  return a;
}

int64_t Int(const nlohmann::json& v, const char* key) {
  if (!v.is_number_integer()) Bad(fmt::format("{} holds a non-integer", key));
  return v.get<int64_t>();
}

}  // namespace

// Every tree is a proper binary tree over the model's features: children after their parent
// (so walking down always ends), both children or none, split features below num_feature, no
// categorical splits (prospect never trains them), every node's parent consistent.

void CheckBooster(std::string_view bytes) {
  CheckUbjson(bytes, kWhat);
  nlohmann::json model;
  try {
    model = nlohmann::json::from_ubjson(bytes);
  } catch (const nlohmann::json::exception& e) {
    Bad(e.what());
  }
  const auto& learner = Get(model, "learner");
  const int64_t num_feature = Count(Get(learner, "learner_model_param"), "num_feature");
  const auto& gb = Get(Get(learner, "gradient_booster"), "model");
  const auto& trees = Get(gb, "trees");
  if (!trees.is_array()) Bad("trees is not an array");
  if (Count(Get(gb, "gbtree_model_param"), "num_trees") != static_cast<int64_t>(trees.size())) {
    Bad(fmt::format("num_trees does not match the {} trees", trees.size()));
  }
  const auto& info = Get(gb, "tree_info");
  if (!info.is_array() || info.size() != trees.size()) Bad("tree_info does not match the trees");
  for (const auto& i : info) {
    if (Int(i, "tree_info") != 0) Bad("a tree belongs to a class other than 0");
  }
  // XGBoost puts each tree at the index its "id" names: a repeated id leaves another index empty,
  // and prediction then walks a null tree.
  std::vector<bool> id_seen(trees.size(), false);
  for (size_t t = 0; t < trees.size(); ++t) {
    const auto& tree = trees[t];
    const int64_t id = Int(Get(tree, "id"), "id");
    if (id < 0 || id >= static_cast<int64_t>(trees.size()) || id_seen[static_cast<size_t>(id)])
      Bad(fmt::format("tree {} has id {}: ids must be 0..{}, each once", t, id, trees.size() - 1));
    id_seen[static_cast<size_t>(id)] = true;
    const auto& param = Get(tree, "tree_param");
    const int64_t n = Count(param, "num_nodes");
    if (n < 1) Bad(fmt::format("tree {} has no nodes", t));
    if (Count(param, "num_feature") != num_feature)
      Bad(fmt::format("tree {}'s num_feature differs", t));
    if (Count(param, "size_leaf_vector") != 0) Bad(fmt::format("tree {} has leaf vectors", t));
    const auto& left = Array(tree, "left_children", n);
    const auto& right = Array(tree, "right_children", n);
    const auto& parents = Array(tree, "parents", n);
    const auto& split = Array(tree, "split_indices", n);
    (void)Array(tree, "split_conditions", n);
    (void)Array(tree, "default_left", n);
    (void)Array(tree, "base_weights", n);
    (void)Array(tree, "loss_changes", n);
    (void)Array(tree, "sum_hessian", n);
    if (tree.is_object() && tree.contains("split_type")) {
      for (const auto& s : Array(tree, "split_type", n)) {
        if (Int(s, "split_type") != 0) Bad(fmt::format("tree {} has a categorical split", t));
      }
    }
    for (int64_t i = 0; i < n; ++i) {
      const int64_t l = Int(left[i], "left_children"), r = Int(right[i], "right_children");
      if ((l == -1) != (r == -1)) Bad(fmt::format("tree {} node {} has one child", t, i));
      if (l != -1) {
        if (l <= i || l >= n || r <= i || r >= n || l == r) {
          Bad(fmt::format("tree {} node {} has children {} and {} (nodes 0..{})", t, i, l, r,
                          n - 1));
        }
        if (Int(parents[l], "parents") != i || Int(parents[r], "parents") != i) {
          Bad(fmt::format("tree {} node {}'s children do not name it as parent", t, i));
        }
        const int64_t f = Int(split[i], "split_indices");
        if (f < 0 || f >= num_feature)
          Bad(fmt::format("tree {} node {} splits on feature {} of {}", t, i, f, num_feature));
      }
    }
  }
}

}  // namespace prospect
