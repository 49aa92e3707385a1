// Fuzz target for the server's request handling: the first byte picks a route, the rest is the
// request body, sent with a key that may call every route. Service::Handle must answer every
// input with a status it documents and a JSON body ({"error": ...} for any failure); a crash, a
// sanitizer report, an exception escaping Handle, a 500 or a body that is not JSON is a bug.
// The workspace (a small table, a gbdt trained on it, an events table, CRM people and an
// opportunity, a key) is made once.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "prospect/models/training.hpp"
#include "prospect/serve/api_keys.hpp"
#include "prospect/serve/service.hpp"
#include "prospect/workspace/workspace.hpp"

namespace {

struct Fixture {
  std::string dir;
  std::string auth;
  std::unique_ptr<prospect::Service> service;
};

// 200 customers with two numbers, a plan and a time of an event each.
Fixture& Shared() {
  static Fixture* fixture = [] {
    using namespace prospect;
    auto* f = new Fixture;
    f->dir = (std::filesystem::temp_directory_path() /
              ("prospect-request-fuzz-" + std::to_string(::getpid())))
                 .string();
    std::filesystem::remove_all(f->dir);
    Workspace::Init(f->dir);
    Workspace ws = Workspace::Open(f->dir);
    const Context ctx(1);
    ColumnBuilder id(DataType::kInt64), x1(DataType::kDouble), x2(DataType::kDouble),
        plan(DataType::kString), bought(DataType::kInt64), when(DataType::kTimestamp),
        type(DataType::kString);
    for (int64_t i = 0; i < 200; ++i) {
      id.AppendInt(i);
      x1.AppendDouble(static_cast<double>(i % 17) / 3);
      x2.AppendDouble(static_cast<double>((i * 7) % 11));
      plan.AppendString(i % 3 ? "basic" : "pro");
      bought.AppendInt((i % 17) > 8 ? 1 : 0);
    }
    for (int64_t i = 0; i < 200; ++i) {
      when.AppendInt(1'700'000'000'000'000 + i * 3'600'000'000);
      type.AppendString(i % 2 ? "view" : "cart");
    }
    const auto ids = id.Finish();
    ws.store().WriteTable("profiles",
                          Table(Schema({{"customer_id", DataType::kInt64},
                                        {"x1", DataType::kDouble},
                                        {"x2", DataType::kDouble},
                                        {"plan", DataType::kString},
                                        {"bought", DataType::kInt64}}),
                                {ids, x1.Finish(), x2.Finish(), plan.Finish(), bought.Finish()}),
                          {}, ctx);
    ws.store().WriteTable("events",
                          Table(Schema({{"customer_id", DataType::kInt64},
                                        {"timestamp", DataType::kTimestamp},
                                        {"type", DataType::kString}}),
                                {ids, when.Finish(), type.Finish()}),
                          {}, ctx);
    // Two CRM people and an opportunity, for the /v1/crm routes.
    const auto text = [](std::vector<std::string> values) {
      return Column::FromStringVector(values);
    };
    ws.store().WriteTable("crm_people",
                          Table(Schema({{"customer_id", DataType::kString},
                                        {"first_name", DataType::kString},
                                        {"email", DataType::kString}}),
                                {text({"7", "8"}), text({"Ana", "ana"}),
                                 text({"ana@example.com", "Ana@Example.com"})}),
                          {}, ctx);
    ws.store().WriteTable("crm_opportunities",
                          Table(Schema({{"opportunity_id", DataType::kString},
                                        {"stage", DataType::kString},
                                        {"customer_id", DataType::kString}}),
                                {text({"o1"}), text({"NEW"}), text({"7"})}),
                          {}, ctx);
    TrainRequest req;
    req.table = "profiles";
    req.target = "bought";
    req.id_column = "customer_id";
    req.name = "m";
    req.params = {{"n_estimators", 5}, {"max_depth", 2}, {"early_stopping_rounds", 0}};
    TrainModel(ws.store(), req, ctx);
    f->auth = "Bearer " + CreateApiKey(ws.store(), Role::kAdmin, "fuzz").token;
    f->service = std::make_unique<Service>(f->dir, ServeOptions{}, nullptr);
    std::atexit([] { std::filesystem::remove_all(Shared().dir); });
    return f;
  }();
  return *fixture;
}

constexpr const char* kTargets[][2] = {{"POST", "/v1/score"},
                                       {"POST", "/v1/explain"},
                                       {"POST", "/v1/assign"},
                                       {"POST", "/v1/events"},
                                       {"POST", "/v2/models/m/infer"},
                                       {"POST", "/v1/recommend"},
                                       {"POST", "/v1/similar"},
                                       {"GET", "/v1/customers/7"},
                                       {"GET", "/v2/models/m"},
                                       {"POST", "/v2/models/x/infer"},
                                       {"POST", "/v1/audiences"},
                                       {"GET", "/v1/audiences"},
                                       {"POST", "/v1/audiences/a/export"},
                                       {"POST", "/v1/crm/merge"},
                                       {"POST", "/v1/crm/opportunities/o1/stage"},
                                       {"GET", "/v1/crm/people/7"},
                                       {"GET", "/v1/crm/pipeline"},
                                       {"GET", "/v1/crm/duplicates/people"},
                                       {"POST", "/v1/crm/undo/1"}};

}  // namespace

int RequestFuzzOne(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  Fixture& f = Shared();
  const auto& target = kTargets[data[0] % std::size(kTargets)];
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  prospect::ServeResponse out;
  f.service->Handle({target[0], target[1], f.auth, body}, &out);
  if (out.status >= 500 && out.status != 501) {
    std::fprintf(stderr, "%s %s: status %d: %s\n", target[0], target[1], out.status,
                 out.body.c_str());
    std::abort();
  }
  if (!nlohmann::json::accept(out.body)) {
    std::fprintf(stderr, "%s %s: the answer is not JSON: %s\n", target[0], target[1],
                 out.body.c_str());
    std::abort();
  }
  return 0;
}
