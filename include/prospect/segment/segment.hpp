// `prospect segment`: cluster a table's rows (profiles by default) with any registered method,
// keep segment ids stable across re-runs, describe each segment as a persona, and store the
// assignments (table `segments`) and the segmentation (object "segmentation").
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "prospect/common/context.hpp"
#include "prospect/segment/persona.hpp"
#include "prospect/store/store.hpp"

namespace prospect {

struct SegmentRequest {
  std::string table = "profiles";
  std::string method = "kmeans";
  std::vector<std::string> features;  ///< empty: a default set (see docs/user/segment.md)
  std::string k = "auto";             ///< "auto" or a number (methods with k)
  std::string scale = "standard";     ///< standard | none
  nlohmann::json params = nlohmann::json::object();
  std::string id_column = "customer_id";
  std::string name = "default";       ///< segmentation name; re-runs match ids to the last one
  /// Optional known segments as "TABLE.COLUMN" (joined on id_column): the summary then reports the
  /// adjusted Rand index between the segments found and these (summary["truth"]).
  std::string truth;
};

struct SegmentResult {
  std::vector<int32_t> labels;
  std::vector<std::string> names;
  PersonaReport personas;
  nlohmann::json summary;  ///< method summary (k, sizes, inertia, …), features, transforms, stability
};

SegmentResult RunSegmentation(Store& store, const SegmentRequest& request, const Context& ctx);

/// The table of assignments: id, segment (id), segment_name.
inline constexpr const char* kSegmentsTable = "segments";

}  // namespace prospect
