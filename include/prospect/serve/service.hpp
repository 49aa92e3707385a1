// Service: what `prospect serve` answers, without the transport. A request (method, target,
// Authorization header, body) becomes a response (status, JSON body): routing, API-key roles,
// JSON limits, the scoring, explaining, recommending and assignment handlers, and the error
// mapping (every Error as {"error": {"code", "message"}} with its HTTP status). apps/server only
// moves bytes. The models, keys and online features being served are one immutable snapshot,
// swapped atomically by Reload, so requests never wait for a load.
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "prospect/serve/metrics.hpp"

namespace prospect {

struct ServeOptions {
  /// Models to serve (registry names); empty = every registered model. Each serves its
  /// production version (`prospect models promote`), else its latest.
  std::vector<std::string> models;
  std::vector<std::string> recommenders;  ///< the same for recommenders
  /// A recommender with dot-product scores (als, bpr) and at least this many items answers
  /// /v1/recommend from an HNSW index built at load (ann.hpp) instead of scoring every item;
  /// 0 = always exact. BENCHMARKS.md (serving) gives its speed and recall.
  size_t ann_min_items = 20000;
  /// Per-customer tables `GET /v1/customers/{id}` shows beside the profile; empty = those of
  /// customers, segments, churn_risk and *_predictions that exist.
  std::vector<std::string> customer_tables;
  size_t max_body_bytes = 1 << 20;  ///< larger bodies: 413
  int max_json_depth = 32;          ///< deeper request JSON: 400
  size_t max_batch = 10000;         ///< rows or ids in one request
};

struct ServeRequest {
  std::string_view method;         ///< "GET", "POST", ...
  std::string_view target;         ///< path and query, "/v1/customers/42?top=3"
  std::string_view authorization;  ///< the Authorization header ("" when absent)
  std::string_view body;
};

struct ServeResponse {
  int status = 200;
  std::string body;  ///< reused between requests: Handle clears it, its capacity stays
  std::string_view content_type = "application/json";
  size_t route = 0;  ///< index into Service::routes() (the unmatched route for no match)
};

class Service {
 public:
  /// Opens the workspace in `workspace_dir` and loads its models, recommenders, API keys and the
  /// online features (the profiles table, by customer id). Throws kNotFound for no workspace,
  /// kFailedPrecondition when there is nothing to serve.
  Service(const std::string& workspace_dir, ServeOptions options,
          std::shared_ptr<spdlog::logger> logger);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  /// Answers one request. Thread-safe; never throws: every failure is a JSON error response.
  void Handle(const ServeRequest& request, ServeResponse* response) const;

  /// Looks for promoted or new model versions, changed tables and added or revoked keys; loads
  /// what changed beside what is serving, then swaps it in at once. A failed load is logged and
  /// counted, and the old snapshot keeps serving. True when something was swapped in. Call from
  /// one thread at a time.
  bool Reload();

  /// Route templates ("/v1/score"), the last one "unmatched"; ServeResponse::route indexes them.
  const std::vector<std::string>& routes() const;
  ServerMetrics& metrics() const;
  /// The OpenAPI 3.0 document of every route (what GET /openapi.json returns).
  const nlohmann::json& OpenApi() const;
  /// Names of the models and recommenders being served, as "model NAME vN".
  std::vector<std::string> Serving() const;

 private:
  /// (Re)loads the online features' inputs when the workspace has an events table.
  void LoadOnline();

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace prospect
