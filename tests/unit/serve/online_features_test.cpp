// Online features: events posted to the server one at a time give the profile row that a batch
// `prospect profile` over the same events gives, and the next score uses it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "prospect/common/datetime.hpp"
#include "prospect/features/profile.hpp"
#include "prospect/generate/generate.hpp"
#include "prospect/ingest/ingest.hpp"
#include "prospect/models/training.hpp"
#include "prospect/serve/api_keys.hpp"
#include "prospect/serve/service.hpp"
#include "prospect/workspace/workspace.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using testing::TempDir;

// Every cell of `online` equals `batch`'s (numbers to 1e-9 relative; nulls both null).
void ExpectSameProfile(const nlohmann::json& online, const nlohmann::json& batch,
                       const std::string& who) {
  for (const auto& [column, want] : batch.items()) {
    ASSERT_TRUE(online.contains(column)) << who << ": no " << column;
    const nlohmann::json& got = online[column];
    if (want.is_number() && got.is_number()) {
      const double a = got.get<double>(), b = want.get<double>();
      EXPECT_NEAR(a, b, 1e-9 * std::max(1.0, std::abs(b))) << who << " " << column;
    } else {
      EXPECT_EQ(got, want) << who << " " << column;
    }
  }
  EXPECT_EQ(online.size(), batch.size()) << who;
}

TEST(OnlineFeatures, EventsPostedOneByOneGiveTheBatchProfileAndTheNextScore) {
  const Context ctx(1);
  TempDir dir;
  GenerateParams gp;
  gp.customers = 600;
  gp.seed = 5;
  Generate(gp, dir.File("data"), ctx);
  Workspace::Init(dir.File("w"));
  Workspace ws = Workspace::Open(dir.File("w"));
  for (const char* name : {"customers", "items", "events", "orders"}) {
    IngestRequest req;
    req.table = name;
    req.file = dir.File("data") + "/" + name + ".csv";
    Ingest(ws, req, ctx);
  }
  Store& store = ws.store();
  const ProfileConfig config;

  // The last 20 days of events are held back: they will arrive through the server.
  const Table all_events = store.LoadTable("events", ctx);
  const Column& time = all_events.column("timestamp");
  int64_t latest = INT64_MIN;
  for (size_t r = 0; r < time.size(); ++r) latest = std::max(latest, time.ints()[r]);
  const int64_t cutoff = latest - 20 * kMicrosPerDay;
  std::vector<size_t> early, late;
  for (size_t r = 0; r < time.size(); ++r) (time.ints()[r] < cutoff ? early : late).push_back(r);
  store.WriteTable("events", all_events.Take(early), {}, ctx);

  // A propensity model on last month's profiles, then today's profiles (the online baseline).
  ProfileRequest labelled;
  labelled.as_of = DefaultAsOf(LoadProfileInputs(store, config, ctx), config) - 40 * kMicrosPerDay;
  labelled.label = "purchase:30d";
  RunProfile(store, config, labelled, ctx);
  TrainRequest train;
  train.table = kProfilesTable;
  train.target = "purchased_30d";
  train.id_column = "customer_id";
  train.name = "will_buy";
  train.params = {{"n_estimators", 40}, {"max_depth", 4}, {"early_stopping_rounds", 0}};
  TrainModel(store, train, ctx);
  RunProfile(store, config, {}, ctx);
  const std::string key = CreateApiKey(store, Role::kWrite, "tests").token;

  // The three customers with the most held-back events, and those events in time order.
  std::map<std::string, std::vector<size_t>> late_of;
  const Column& ids = all_events.column("customer_id");
  for (const size_t r : late) late_of[ids.FormatValue(r)].push_back(r);
  std::vector<std::pair<size_t, std::string>> busiest;
  for (const auto& [id, rows] : late_of) busiest.emplace_back(rows.size(), id);
  std::sort(busiest.rbegin(), busiest.rend());
  ASSERT_GE(busiest.size(), 3u);
  busiest.resize(3);

  Service service(dir.File("w"), ServeOptions{}, nullptr);
  auto call = [&](std::string_view method, std::string_view target, const std::string& body) {
    ServeResponse out;
    service.Handle({method, target, "Bearer " + key, body}, &out);
    return out;
  };
  std::map<std::string, double> before;
  for (const auto& [n, id] : busiest) {
    const auto r = call("POST", "/v1/score", R"({"customer_id": )" + id + "}");
    ASSERT_EQ(r.status, 200) << r.body;
    before[id] = nlohmann::json::parse(r.body)["score"].get<double>();
  }

  std::vector<size_t> posted = early;
  for (const auto& [n, id] : busiest) {
    for (const size_t r : late_of[id]) {
      const size_t one[] = {r};
      const nlohmann::json event = RowsToJson(all_events.Take(one), 1)[0];
      const auto res = call("POST", "/v1/events", nlohmann::json{{"events", {event}}}.dump());
      ASSERT_EQ(res.status, 200) << res.body;
      EXPECT_EQ(nlohmann::json::parse(res.body)["customers"][0]["profiled"], true);
      posted.push_back(r);
    }
  }
  // The events were stored too, each request with its audit entry.
  EXPECT_EQ(store.LoadTable("events", ctx).num_rows(), posted.size());
  const AuditEntry last = store.AuditLog().back();
  EXPECT_EQ(last.action, "events");
  EXPECT_EQ(last.detail, "table=events rows=1");
  EXPECT_EQ(last.actor.rfind("key:", 0), 0u);

  // The batch profile over the same events.
  ProfileInputs inputs = LoadProfileInputs(store, config, ctx);
  const Table batch = BuildProfiles(inputs, config, DefaultAsOf(inputs, config), ctx);
  const ModelPackage model = LoadModel(store, "will_buy");
  const std::vector<double> batch_scores = model.Score(batch, ctx);
  const Column& batch_ids = batch.column("customer_id");
  bool any_changed = false;
  for (const auto& [n, id] : busiest) {
    size_t row = 0;
    while (row < batch.num_rows() && batch_ids.FormatValue(row) != id) ++row;
    ASSERT_LT(row, batch.num_rows());
    const size_t one[] = {row};
    const auto view = call("GET", "/v1/customers/" + id, "");
    ASSERT_EQ(view.status, 200) << view.body;
    ExpectSameProfile(nlohmann::json::parse(view.body)["profile"],
                      RowsToJson(batch.Take(one), 1)[0], "customer " + id);
    const auto r = call("POST", "/v1/score", R"({"customer_id": )" + id + "}");
    const double after = nlohmann::json::parse(r.body)["score"].get<double>();
    EXPECT_NEAR(after, batch_scores[row], 1e-6) << id;
    any_changed = any_changed || std::abs(after - before[id]) > 1e-9;
  }
  EXPECT_TRUE(any_changed) << "the posted events changed no score";
  // One customer's features recomputed per posted event.
  EXPECT_NE(service.metrics().ToPrometheus().find(fmt::format(
                "prospect_online_feature_updates_total {}\n", posted.size() - early.size())),
            std::string::npos);
}

}  // namespace
}  // namespace prospect
