// The server's own metrics in Prometheus' text format: requests by route and status, a latency
// histogram, requests in flight, model reloads, online feature updates and the served models'
// drift. Counters are relaxed atomics in fixed arrays (routes are known when the server starts), so
// recording a request takes no lock and allocates nothing.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace prospect {

class ServerMetrics {
 public:
  /// A route as its series are labelled: method and template ("POST", "/v1/score"); a path
  /// served for several methods (GET and POST /v1/audiences) is one route per method.
  struct RouteLabel {
    std::string method, path;
  };
  /// `routes`: index = route id.
  explicit ServerMetrics(const std::vector<RouteLabel>& routes);

  /// One finished request on route `route` (an index into routes) with HTTP `status`.
  void Record(size_t route, int status, double seconds);
  void RequestStarted() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
  void RequestFinished() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }
  void ModelReloaded(bool ok) { (ok ? reloads_ : reload_failures_).fetch_add(1); }
  void FeaturesUpdated(uint64_t customers) { feature_updates_.fetch_add(customers); }

  /// Prometheus text exposition format 0.0.4 (what promtool checks).
  std::string ToPrometheus() const;

  /// Histogram bucket upper bounds, seconds.
  static constexpr std::array<double, 14> kBuckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
  /// The statuses counted one by one; any other is counted under its class (e.g. 5xx as 500).
  static constexpr std::array<int, 14> kStatuses = {200, 201, 204, 400, 401, 403, 404,
                                                    405, 409, 413, 422, 500, 501, 503};

 private:
  struct RouteCounters {
    std::array<std::atomic<uint64_t>, kStatuses.size()> by_status{};
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};  ///< last: +Inf
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> sum_nanos{0};
  };
  std::vector<std::string> labels_;  ///< method="POST",route="/v1/score", escaped
  std::unique_ptr<RouteCounters[]> counters_;
  std::atomic<int64_t> in_flight_{0};
  std::atomic<uint64_t> reloads_{0}, reload_failures_{0}, feature_updates_{0};
};

/// The served models' latest drift reports (model name, monitor::DriftReport::ToJson) in
/// Prometheus' text format: prospect_feature_drift{model,feature,method} (the test's value),
/// prospect_feature_drifted{model,feature} (0 or 1), prospect_feature_psi{model,feature} and
/// prospect_dataset_drift{model}. Empty when there are none.
std::string DriftReportsToPrometheus(
    const std::vector<std::pair<std::string, nlohmann::json>>& reports);

}  // namespace prospect
