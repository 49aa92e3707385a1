// The check GbdtCore runs on a saved booster before handing it to XGBoost's parser.
#pragma once

#include <string_view>

namespace prospect {

/// Throws kInvalidData "the gbdt model's XGBoost booster is corrupted: …" unless `bytes` is
/// well-formed UBJSON (CheckUbjson) holding proper binary trees over the model's features:
/// children after their parent, both children or none, parents consistent, split features below
/// num_feature, no categorical splits, every node array num_nodes long.
void CheckBooster(std::string_view bytes);

}  // namespace prospect
