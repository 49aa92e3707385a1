// `prospect segment`: cluster a table's rows (profiles by default) with any registered method,
// keep segment ids stable across re-runs, describe each segment as a persona, and store the
// assignments (table `segments`) and the segmentation (object "segmentation").
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

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
  /// The id carried into the segments table. Empty: the table's key, else `preferred_id` when
  /// the table has it, else the one unique, non-null integer or text column named like an id
  /// (`id`, `…_id`, `…Id`); none of these is an error asking for the id column.
  std::string id_column;
  std::string preferred_id = "customer_id";
  std::string name = "default";  ///< segmentation name; re-runs match ids to the last one
  /// Optional known segments as "TABLE.COLUMN" (joined on id_column): the summary then reports the
  /// adjusted Rand index between the segments found and these (summary["truth"]).
  std::string truth;
};

struct SegmentResult {
  std::vector<int32_t> labels;
  std::vector<std::string> names;
  PersonaReport personas;
  nlohmann::json
      summary;  ///< method summary (k, sizes, inertia, …), features, transforms, stability
};

SegmentResult RunSegmentation(Store& store, const SegmentRequest& request, const Context& ctx);

/// The table of assignments: id, segment (id), segment_name.
inline constexpr const char* kSegmentsTable = "segments";

}  // namespace prospect
