// RFM quintile scoring with marketing segment names. Input: n × 3 (recency in days, frequency,
// monetary). Scores 1–5 from quintile breakpoints of the training data; segment from the R score
// and the FM score (rules in docs/user/segment-algorithms.md and RfmSegmentFor).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "prospect/common/params.hpp"
#include "prospect/models/cluster/clusterer.hpp"

namespace prospect {

struct RfmParams {
  int64_t bins = 5;  ///< score levels (quantile bins); the segment map assumes 5

  static const ParamSchema<RfmParams>& Schema();
};

/// Segment ids (label values) in this order.
const std::vector<std::string>& RfmSegmentNames();
/// Segment id for an R score and FM score, both 1–5.
int32_t RfmSegmentFor(int r_score, int fm_score);

struct RfmScore {
  int r = 0, f = 0, m = 0;
  int fm = 0;  ///< (f + m + 1) / 2: the F and M average, halves rounded up
  int32_t segment = 0;
};

class RfmSegmenter final : public ModelWithParams<Clusterer, RfmParams> {
 public:
  using ModelWithParams::ModelWithParams;
  /// x: n × 3 (recency, frequency, monetary); learns the quintile breakpoints.
  void Fit(const DenseMatrixView& x, const Context& ctx) override;
  /// Segment id per row (index into RfmSegmentNames()).
  std::vector<int32_t> Assign(const DenseMatrixView& x, const Context& ctx) const override;
  nlohmann::json Summary() const override;

  std::vector<RfmScore> Scores(const DenseMatrixView& x) const;
  /// Breakpoints per column (bins − 1 each): quantiles at 1/bins, 2/bins, … (linear interpolation).
  const std::array<std::vector<double>, 3>& breakpoints() const { return breakpoints_; }

 protected:
  void SaveState(ModelWriter& writer) const override;
  void LoadState(const ModelReader& reader) override;

 private:
  std::array<std::vector<double>, 3> breakpoints_;
};

}  // namespace prospect
