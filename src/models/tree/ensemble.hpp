// What a forest does the same whatever its trees predict: the mean over trees of leaf values,
// path contributions and importances, and its trees as the model file's "trees" block.
#pragma once

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/common/error.hpp"
#include "prospect/io/model_file.hpp"
#include "prospect/models/model.hpp"

namespace prospect::tree {

/// out[r] = mean over the n_trees trees of leaf_value(t, row r). Blocks of rows walk one tree at
/// a time, so a tree stays in cache while a block walks it (a row-at-a-time walk of 100 deep
/// trees misses cache at every node); per row the trees are still summed in order, so the result
/// equals the plain walk bit for bit.
template <typename LeafValue>
std::vector<double> MeanOverTrees(size_t n_trees, const DenseMatrixView& x, const Context& ctx,
                                  LeafValue leaf_value) {
  std::vector<double> out(x.rows());
  const double scale = 1.0 / static_cast<double>(n_trees);
  constexpr size_t kBlock = 256;
  const size_t blocks = (x.rows() + kBlock - 1) / kBlock;
#pragma omp parallel for num_threads(ctx.threads()) schedule(static)
  for (size_t blk = 0; blk < blocks; ++blk) {
    const size_t begin = blk * kBlock, end = std::min(x.rows(), begin + kBlock);
    double sum[kBlock] = {};
    for (size_t t = 0; t < n_trees; ++t) {
      for (size_t r = begin; r < end; ++r) sum[r - begin] += leaf_value(t, x.Row(r));
    }
    for (size_t r = begin; r < end; ++r) out[r] = sum[r - begin] * scale;
  }
  return out;
}

/// rows × (cols + 1): the mean over trees of add_path(tree, row, scale, out_row), a per-tree
/// path attribution that adds scale × its terms into out_row (the bias last).
template <typename Tree, typename AddPath>
std::vector<double> MeanContributions(const std::vector<Tree>& trees, const DenseMatrixView& x,
                                      const Context& ctx, AddPath add_path) {
  std::vector<double> out(x.rows() * (x.cols() + 1), 0.0);
  const double scale = 1.0 / static_cast<double>(trees.size());
#pragma omp parallel for num_threads(ctx.threads()) schedule(static)
  for (size_t r = 0; r < x.rows(); ++r) {
    for (const Tree& tree : trees) add_path(tree, x.Row(r), scale, &out[r * (x.cols() + 1)]);
  }
  return out;
}

/// The mean of the trees' Importances(), one value per feature.
template <typename Tree>
std::vector<double> MeanImportance(const std::vector<Tree>& trees, size_t num_features) {
  std::vector<double> out(num_features, 0.0);
  for (const Tree& tree : trees) {
    const auto imp = tree.Importances();
    for (size_t j = 0; j < out.size(); ++j) out[j] += imp[j] / static_cast<double>(trees.size());
  }
  return out;
}

/// The "trees" block: a JSON array of each tree's ToJson().
template <typename Tree>
void SaveTrees(const std::vector<Tree>& trees, ModelWriter& writer) {
  nlohmann::json array = nlohmann::json::array();
  for (const Tree& t : trees) array.push_back(t.ToJson());
  writer.AddBlock("trees", array.dump());
}

/// Reads the "trees" block back through from_json(tree JSON), which validates each tree. Throws
/// kInvalidData "model file: <type> has no trees" for a block that is not a non-empty array.
template <typename Tree, typename FromJson>
std::vector<Tree> LoadTrees(const ModelReader& reader, std::string_view type, FromJson from_json) {
  const auto array = nlohmann::json::parse(reader.Block("trees"), nullptr, false);
  if (!array.is_array() || array.empty())
    Fail(ErrorCode::kInvalidData, "model file: {} has no trees", type);
  std::vector<Tree> trees;
  for (const auto& t : array) trees.push_back(from_json(t));
  return trees;
}

}  // namespace prospect::tree
