// RFM quintile scores and the marketing segment map (R score × FM score; rules documented in
// docs/user/segment-algorithms.md).
#include "prospect/models/cluster/rfm.hpp"

#include <algorithm>
#include <cmath>

#include "models/cluster/kernels.hpp"

namespace prospect {

const ParamSchema<RfmParams>& RfmParams::Schema() {
  static const ParamSchema<RfmParams> schema(
      "rfm", {
                 {"bins", &RfmParams::bins,
                  "score levels per dimension (5 = quintiles); scores map to 1–5 for names", 3, 10},
             });
  return schema;
}

const std::vector<std::string>& RfmSegmentNames() {
  static const std::vector<std::string> names = {"Champions",   "Loyal",   "Potential loyalists",
                                                 "New",         "At risk", "Can't lose them",
                                                 "Hibernating", "Lost"};
  return names;
}

int32_t RfmSegmentFor(int r, int fm) {
  enum : int32_t { kChampions, kLoyal, kPotential, kNew, kAtRisk, kCantLose, kHibernating, kLost };
  if (r >= 4) {
    if (fm <= 1) return kNew;
    if (fm <= 3) return kPotential;
    return r == 5 ? kChampions : kLoyal;
  }
  if (r == 3) return fm >= 4 ? kLoyal : kHibernating;
  if (fm >= 5) return kCantLose;
  if (fm >= 3) return kAtRisk;
  return r == 2 ? kHibernating : kLost;
}

void RfmSegmenter::Fit(const DenseMatrixView& x, const Context& ctx) {
  CheckFitInput(x, 1);
  if (x.cols() != 3) {
    Fail(ErrorCode::kInvalidArgument,
         "rfm needs 3 columns (recency, frequency, monetary) in that order; got {}", x.cols());
  }
  const size_t n = x.rows();
  const size_t bins = static_cast<size_t>(params_.bins);
  for (size_t c = 0; c < 3; ++c) {
    std::vector<double> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = x(i, c);
    std::sort(v.begin(), v.end());
    breakpoints_[c].clear();
    for (size_t b = 1; b < bins; ++b) {
      // numpy's default (linear) quantile.
      const double pos =
          static_cast<double>(b) / static_cast<double>(bins) * static_cast<double>(n - 1);
      const size_t lo = static_cast<size_t>(std::floor(pos));
      const size_t hi = std::min(lo + 1, n - 1);
      breakpoints_[c].push_back(v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]));
    }
  }
  num_features_ = 3;
  num_clusters_ = static_cast<int32_t>(RfmSegmentNames().size());
  fitted_ = true;
  FinishFit(3, num_clusters_, Assign(x, ctx));
}

std::vector<RfmScore> RfmSegmenter::Scores(const DenseMatrixView& x) const {
  CheckAssignInput(x);
  const int bins = static_cast<int>(params_.bins);
  auto level = [&](size_t c, double v) {
    int below = 0;
    for (double b : breakpoints_[c]) below += b < v;
    return below;  // 0 … bins − 1: how many breakpoints lie strictly below v
  };
  auto to5 = [&](int s) { return 1 + static_cast<int>(std::lround((s - 1) * 4.0 / (bins - 1))); };
  std::vector<RfmScore> out(x.rows());
  for (size_t i = 0; i < x.rows(); ++i) {
    RfmScore& s = out[i];
    s.r = bins - level(0, x(i, 0));  // recent (few days) scores high
    s.f = 1 + level(1, x(i, 1));
    s.m = 1 + level(2, x(i, 2));
    s.fm = (s.f + s.m + 1) / 2;
    s.segment = RfmSegmentFor(to5(s.r), to5(s.fm));
  }
  return out;
}

std::vector<int32_t> RfmSegmenter::Assign(const DenseMatrixView& x, const Context&) const {
  const auto scores = Scores(x);
  std::vector<int32_t> out(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) out[i] = scores[i].segment;
  return out;
}

nlohmann::json RfmSegmenter::Summary() const {
  nlohmann::json out = {{"method", Type()}, {"k", num_clusters_}, {"names", RfmSegmentNames()}};
  out["breakpoints"] = {
      {"recency", breakpoints_[0]}, {"frequency", breakpoints_[1]}, {"monetary", breakpoints_[2]}};
  if (!labels_.empty()) out["sizes"] = ClusterSizes(labels_, num_clusters_);
  return out;
}

void RfmSegmenter::SaveState(ModelWriter& writer) const {
  for (size_t c = 0; c < 3; ++c) {
    writer.AddArray<double>("breakpoints" + std::to_string(c),
                            std::span<const double>(breakpoints_[c]));
  }
}

void RfmSegmenter::LoadState(const ModelReader& reader) {
  for (size_t c = 0; c < 3; ++c) {
    breakpoints_[c] = reader.Array<double>("breakpoints" + std::to_string(c));
    if (breakpoints_[c].size() != static_cast<size_t>(params_.bins - 1)) {
      Fail(ErrorCode::kInvalidData, "model file: rfm breakpoints{} has {} values, expected {}", c,
           breakpoints_[c].size(), params_.bins - 1);
    }
  }
  if (num_features_ != 3)
    Fail(ErrorCode::kInvalidData, "model file: rfm model with {} features", num_features_);
}

}  // namespace prospect
