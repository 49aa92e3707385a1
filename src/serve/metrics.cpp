#include "prospect/serve/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace prospect {
namespace {

// Label values escape backslash, quote and newline (the exposition format's rule).
std::string Escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

size_t StatusSlot(int status) {
  const auto* it =
      std::find(ServerMetrics::kStatuses.begin(), ServerMetrics::kStatuses.end(), status);
  if (it != ServerMetrics::kStatuses.end())
    return static_cast<size_t>(it - ServerMetrics::kStatuses.begin());
  return StatusSlot(status >= 500 ? 500 : status >= 400 ? 400 : 200);
}

}  // namespace

ServerMetrics::ServerMetrics(const std::vector<RouteLabel>& routes)
    : counters_(new RouteCounters[routes.size()]) {
  for (const RouteLabel& r : routes)
    labels_.push_back(fmt::format("method=\"{}\",route=\"{}\"", Escape(r.method), Escape(r.path)));
}

void ServerMetrics::Record(size_t route, int status, double seconds) {
  if (route >= labels_.size()) route = labels_.size() - 1;
  RouteCounters& c = counters_[route];
  c.by_status[StatusSlot(status)].fetch_add(1, std::memory_order_relaxed);
  const size_t bucket = static_cast<size_t>(
      std::lower_bound(kBuckets.begin(), kBuckets.end(), seconds) - kBuckets.begin());
  c.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  c.count.fetch_add(1, std::memory_order_relaxed);
  c.sum_nanos.fetch_add(static_cast<uint64_t>(seconds * 1e9), std::memory_order_relaxed);
}

std::string ServerMetrics::ToPrometheus() const {
  std::string out;
  auto it = std::back_inserter(out);
  fmt::format_to(
      it,
      "# HELP prospect_http_requests_total HTTP requests answered, by route and status.\n"
      "# TYPE prospect_http_requests_total counter\n");
  for (size_t r = 0; r < labels_.size(); ++r) {
    for (size_t s = 0; s < kStatuses.size(); ++s) {
      const uint64_t n = counters_[r].by_status[s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      fmt::format_to(it, "prospect_http_requests_total{{{},code=\"{}\"}} {}\n", labels_[r],
                     kStatuses[s], n);
    }
  }
  fmt::format_to(
      it,
      "# HELP prospect_http_request_duration_seconds Time from a request's last byte to its "
      "response, by route.\n"
      "# TYPE prospect_http_request_duration_seconds histogram\n");
  for (size_t r = 0; r < labels_.size(); ++r) {
    const RouteCounters& c = counters_[r];
    const uint64_t count = c.count.load(std::memory_order_relaxed);
    if (count == 0) continue;
    const std::string& route = labels_[r];
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += c.buckets[b].load(std::memory_order_relaxed);
      if (b < kBuckets.size()) {
        fmt::format_to(it, "prospect_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n",
                       route, kBuckets[b], cumulative);
      } else {
        fmt::format_to(it, "prospect_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n",
                       route, cumulative);
      }
    }
    fmt::format_to(it, "prospect_http_request_duration_seconds_sum{{{}}} {}\n", route,
                   static_cast<double>(c.sum_nanos.load(std::memory_order_relaxed)) * 1e-9);
    fmt::format_to(it, "prospect_http_request_duration_seconds_count{{{}}} {}\n", route,
                   cumulative);
  }
  fmt::format_to(it,
                 "# HELP prospect_http_requests_in_flight Requests being handled now.\n"
                 "# TYPE prospect_http_requests_in_flight gauge\n"
                 "prospect_http_requests_in_flight {}\n",
                 in_flight_.load(std::memory_order_relaxed));
  fmt::format_to(
      it,
      "# HELP prospect_model_reloads_total Snapshots of models and keys swapped in.\n"
      "# TYPE prospect_model_reloads_total counter\n"
      "prospect_model_reloads_total {}\n"
      "# HELP prospect_model_reload_failures_total Reloads that failed (the old snapshot kept "
      "serving).\n"
      "# TYPE prospect_model_reload_failures_total counter\n"
      "prospect_model_reload_failures_total {}\n",
      reloads_.load(), reload_failures_.load());
  fmt::format_to(
      it,
      "# HELP prospect_online_feature_updates_total Customers whose online features were "
      "recomputed from posted events.\n"
      "# TYPE prospect_online_feature_updates_total counter\n"
      "prospect_online_feature_updates_total {}\n",
      feature_updates_.load());
  return out;
}

std::string DriftReportsToPrometheus(
    const std::vector<std::pair<std::string, nlohmann::json>>& reports) {
  if (reports.empty()) return "";
  std::string value, drifted, psi, dataset;
  for (const auto& [model, report] : reports) {
    const std::string m = Escape(model);
    for (const auto& c : report["columns"]) {
      const std::string f = Escape(c.value("column", ""));
      const auto number = [](const nlohmann::json& v) {
        return v.is_number() ? fmt::format("{}", v.get<double>()) : std::string("NaN");
      };
      value +=
          fmt::format("prospect_feature_drift{{model=\"{}\",feature=\"{}\",method=\"{}\"}} {}\n", m,
                      f, c.value("method", ""), number(c["value"]));
      drifted += fmt::format("prospect_feature_drifted{{model=\"{}\",feature=\"{}\"}} {}\n", m, f,
                             c.value("drifted", false) ? 1 : 0);
      psi += fmt::format("prospect_feature_psi{{model=\"{}\",feature=\"{}\"}} {}\n", m, f,
                         number(c["psi"]));
    }
    dataset += fmt::format("prospect_dataset_drift{{model=\"{}\"}} {}\n", m,
                           report.value("dataset_drift", false) ? 1 : 0);
  }
  return "# HELP prospect_feature_drift The latest `prospect monitor drift` of a served model: "
         "each column's test value (a p-value or a distance, by method).\n"
         "# TYPE prospect_feature_drift gauge\n" +
         value +
         "# HELP prospect_feature_drifted 1 when the column drifts by its test's threshold.\n"
         "# TYPE prospect_feature_drifted gauge\n" +
         drifted +
         "# HELP prospect_feature_psi The column's population stability index.\n"
         "# TYPE prospect_feature_psi gauge\n" +
         psi +
         "# HELP prospect_dataset_drift 1 when at least the drift share of the columns drift.\n"
         "# TYPE prospect_dataset_drift gauge\n" +
         dataset;
}

}  // namespace prospect
