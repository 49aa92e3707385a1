// The node fields every tree file shares (see tree_node.hpp).
#include "prospect/models/tree/tree_node.hpp"

#include <limits>

#include "prospect/io/model_file.hpp"

namespace prospect {

void ReadNodeLinks(const nlohmann::json& a, TreeNode& node) {
  constexpr int64_t kMin = std::numeric_limits<int32_t>::min(),
                    kMax = std::numeric_limits<int32_t>::max();
  node.feature = static_cast<int32_t>(ModelFileInt(a.at(0), "node feature", kMin, kMax));
  node.threshold = a.at(1).get<double>();
  node.left = static_cast<int32_t>(ModelFileInt(a.at(2), "node child", kMin, kMax));
  node.right = static_cast<int32_t>(ModelFileInt(a.at(3), "node child", kMin, kMax));
}

}  // namespace prospect
