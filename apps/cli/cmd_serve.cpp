// prospect serve | keys — the HTTP server over a workspace, and the API keys it accepts.
#include <iostream>

#include "../server/http_server.hpp"
#include "../server/json_log.hpp"
#include "cli.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/serve/api_keys.hpp"

namespace prospect::cli {

void AddServeCommands(CLI::App& app, Cli& cli) {
  struct ServeFlags {
    server::HttpServerOptions http;
    ServeOptions serve;
    std::string models, recommenders, customer_tables;
  };
  auto f = std::make_shared<ServeFlags>();
  CLI::App* serve = AddCommand(
      app, "serve",
      "Serve the workspace's models over HTTP: scores by customer id, explanations, "
      "recommendations, customer views, experiment assignment, KServe V2, /metrics",
      R"(  prospect keys create --role score            # prints a key once: keep it
  prospect serve --port 8080 &
  curl -s -H "Authorization: Bearer $KEY" -d '{"model": "propensity", "customer_id": 42}' localhost:8080/v1/score
  curl -s localhost:8080/v2/health/ready
  prospect serve --host 0.0.0.0 --port 8080 --models propensity,churn --access-log
TLS: put a reverse proxy (nginx, Caddy, a cloud load balancer) in front; prospect speaks plain HTTP.
A model promoted with `prospect models promote` is picked up within --reload-interval seconds.
)",
      [&cli, f] {
        ServeFlags flags = *f;
        if (!flags.models.empty()) flags.serve.models = Split(flags.models, ',');
        if (!flags.recommenders.empty()) flags.serve.recommenders = Split(flags.recommenders, ',');
        if (!flags.customer_tables.empty())
          flags.serve.customer_tables = Split(flags.customer_tables, ',');
        flags.serve.max_body_bytes = flags.http.max_body_bytes;
        flags.http.threads = cli.options.threads;
        auto log = server::MakeJsonLinesLogger(cli.options.quiet ? spdlog::level::warn
                                                                 : spdlog::level::info);
        Service service(cli.options.workspace, flags.serve, log);
        for (const auto& s : service.Serving()) log->info("serve: loaded {}", s);
        server::RunHttpServer(service, flags.http, *log, [&](uint16_t port) {
          const std::string url = fmt::format("http://{}:{}", flags.http.host, port);
          if (cli.options.json) {
            std::cout << nlohmann::json{{"listening", url}, {"port", port}}.dump() << std::endl;
          } else {
            std::cout << "prospect serve: listening on " << url << " (Ctrl-C or SIGTERM stops)"
                      << std::endl;
          }
        });
      });
  serve->add_option("--host", f->http.host, "address to listen on (default 127.0.0.1)");
  serve->add_option("--port", f->http.port, "port (default 8080; 0 = any free port)");
  serve->add_option("--models", f->models, "models to serve, comma-separated (default: all)");
  serve->add_option("--recommenders", f->recommenders,
                    "recommenders to serve, comma-separated (default: all)");
  serve->add_option("--customer-tables", f->customer_tables,
                    "tables GET /v1/customers/{id} shows (default: customers, segments, "
                    "churn_risk and *_predictions)");
  serve
      ->add_option("--ann-min-items", f->serve.ann_min_items,
                   "recommenders (als, bpr) with at least this many items answer from an HNSW "
                   "index built at load instead of scoring every item (default 20000; 0 = never)")
      ->check(CLI::NonNegativeNumber);
  serve
      ->add_option("--reload-interval", f->http.reload_seconds,
                   "seconds between looks for promoted models, new versions and keys (default "
                   "2; 0 = never)")
      ->check(CLI::NonNegativeNumber);
  serve
      ->add_option("--max-body", f->http.max_body_bytes,
                   "largest request body in bytes (default 1048576)")
      ->check(CLI::PositiveNumber);
  serve
      ->add_option(
          "--read-timeout", f->http.read_timeout_seconds,
          "seconds a request (or an idle keep-alive connection) may take to arrive (default 30)")
      ->check(CLI::PositiveNumber);
  serve
      ->add_option("--drain", f->http.drain_seconds,
                   "on SIGTERM, seconds in-flight requests may take before exit (default 30)")
      ->check(CLI::NonNegativeNumber);
  serve->add_flag(
      "--access-log", f->http.access_log,
      "a JSON line per request on stderr (method, route, status, ms; never ids or keys)");

  CLI::App* keys = app.add_subcommand("keys", "API keys for prospect serve: create, list, revoke");
  keys->require_subcommand(1);
  auto role = std::make_shared<std::string>();
  auto label = std::make_shared<std::string>();
  CLI::App* create = AddWorkspaceCommand(
      *keys, cli, "create", "Create an API key (shown once; the store keeps only its hash)",
      R"(  prospect keys create --role score --label checkout-service
  prospect keys create --role admin --json
Roles: read (GET routes, /metrics) < score (scores, explanations, recommendations, assignment) < write (events, audiences) < admin.
)",
      [&cli, role, label](Workspace& ws, Context&) {
        const CreatedApiKey key = CreateApiKey(ws.store(), ParseRole(*role), *label);
        if (cli.options.json) {
          cli.PrintJson({{"id", key.info.id},
                         {"role", RoleName(key.info.role)},
                         {"label", key.info.label},
                         {"token", key.token}});
          return;
        }
        std::cout << key.token << "\n";
        cli.Say(
            fmt::format("Created key {} (role {}). It is shown only now: keep it. Use it as "
                        "Authorization: Bearer <key>; revoke with prospect keys revoke {}",
                        key.info.id, RoleName(key.info.role), key.info.id));
      });
  *role = "score";
  create->add_option("--role", *role, "read, score (default), write or admin");
  create->add_option("--label", *label, "who or what the key is for (no secrets)");

  AddWorkspaceCommand(*keys, cli, "list", "The API keys: id, role, label, created, revoked",
                      "  prospect keys list\n", [&cli](Workspace& ws, Context&) {
                        const auto list = ListApiKeys(ws.store());
                        if (cli.options.json) {
                          nlohmann::json doc = nlohmann::json::array();
                          for (const auto& k : list) {
                            doc.push_back({{"id", k.id},
                                           {"role", RoleName(k.role)},
                                           {"label", k.label},
                                           {"created_at", k.created_at},
                                           {"revoked", k.revoked}});
                          }
                          return cli.PrintJson(doc);
                        }
                        std::vector<std::vector<std::string>> rows;
                        for (const auto& k : list) {
                          rows.push_back({k.id, std::string(RoleName(k.role)), k.label,
                                          k.created_at, k.revoked ? "revoked" : "active"});
                        }
                        cli.PrintTable({"id", "role", "label", "created", "state"}, rows);
                      });
  auto id = std::make_shared<std::string>();
  CLI::App* revoke = AddWorkspaceCommand(
      *keys, cli, "revoke",
      "Revoke an API key (a running server stops accepting it at its next reload)",
      "  prospect keys revoke k1a2b3c4d\n", [&cli, id](Workspace& ws, Context&) {
        RevokeApiKey(ws.store(), *id);
        if (cli.options.json) return cli.PrintJson({{"id", *id}, {"revoked", true}});
        std::cout << "Revoked " << *id << "\n";
      });
  revoke->add_option("id", *id, "the key's id (prospect keys list)")->required();
}

}  // namespace prospect::cli
