// Service without HTTP: a workspace with a profiles table and a gbdt trained on it, then the
// routes, keys, limits, errors, reloads and metrics, each checked against what the library
// itself computes (ModelPackage::Score, experiment::Assign).
#include "prospect/serve/service.hpp"

#include <gtest/gtest.h>

#include <random>

#include "prospect/audience/audience.hpp"
#include "prospect/common/digest.hpp"
#include "prospect/crm/crm.hpp"
#include "prospect/experiment/assignment.hpp"
#include "prospect/ingest/ingest.hpp"
#include "prospect/models/training.hpp"
#include "prospect/monitor/drift.hpp"
#include "prospect/privacy/pii.hpp"
#include "prospect/report/report.hpp"
#include "prospect/serve/api_keys.hpp"
#include "prospect/workspace/workspace.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

// 400 customers: three numbers, a plan, and whether they bought (driven by x1 and the plan).
Table ProfilesTable(uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  ColumnBuilder id(DataType::kInt64), x1(DataType::kDouble), x2(DataType::kDouble),
      x3(DataType::kDouble), plan(DataType::kString), bought(DataType::kInt64);
  const char* plans[] = {"free", "basic", "pro"};
  for (int64_t i = 0; i < 400; ++i) {
    const double a = normal(rng), b = normal(rng);
    const int p = static_cast<int>(i % 3);
    id.AppendInt(1000 + i);
    x1.AppendDouble(a);
    x2.AppendDouble(b);
    if (i % 10 == 0) {
      x3.AppendNull();
    } else {
      x3.AppendDouble(normal(rng));
    }
    plan.AppendString(plans[p]);
    bought.AppendInt(a + 0.8 * p + 0.3 * normal(rng) > 1.0 ? 1 : 0);
  }
  return Table(
      Schema({{"customer_id", DataType::kInt64},
              {"x1", DataType::kDouble},
              {"x2", DataType::kDouble},
              {"x3", DataType::kDouble},
              {"plan", DataType::kString},
              {"bought", DataType::kInt64}}),
      {id.Finish(), x1.Finish(), x2.Finish(), x3.Finish(), plan.Finish(), bought.Finish()});
}

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Workspace::Init(dir_.path());
    ws_ = std::make_unique<Workspace>(Workspace::Open(dir_.path()));
    ws_->store().WriteTable("profiles", ProfilesTable(7), {}, ctx_);
    Train("buyers", 30);
    score_key_ = CreateApiKey(ws_->store(), Role::kScore, "tests").token;
    read_key_ = CreateApiKey(ws_->store(), Role::kRead, "tests").token;
    service_ = std::make_unique<Service>(dir_.path(), ServeOptions{}, nullptr);
  }

  void Train(const std::string& name, int trees) {
    TrainRequest req;
    req.table = "profiles";
    req.target = "bought";
    req.id_column = "customer_id";
    req.model = "gbdt";
    req.name = name;
    req.params = {{"n_estimators", trees}, {"max_depth", 3}, {"early_stopping_rounds", 0}};
    TrainModel(ws_->store(), req, ctx_);
  }

  ServeResponse Call(std::string_view method, std::string_view target, const std::string& body = "",
                     const std::string& key = "") const {
    const std::string auth = key.empty() ? "" : "Bearer " + key;
    ServeResponse out;
    service_->Handle({method, target, auth, body}, &out);
    return out;
  }
  nlohmann::json Json(const ServeResponse& r) const { return nlohmann::json::parse(r.body); }

  // What the library scores customer `id` at, through the model's own (XGBoost) prediction.
  double LibraryScore(const std::string& model, int64_t id) {
    const ModelPackage pkg = LoadModel(ws_->store(), model);
    const Table profiles = ws_->store().LoadTable("profiles", ctx_);
    const size_t rows[] = {static_cast<size_t>(id - 1000)};
    return pkg.Score(profiles.Take(rows), ctx_)[0];
  }

  Context ctx_{1};
  testing::TempDir dir_;
  std::unique_ptr<Workspace> ws_;
  std::unique_ptr<Service> service_;
  std::string score_key_, read_key_;
};

TEST_F(ServiceTest, HealthNeedsNoKeyAndEverythingElseDoes) {
  EXPECT_EQ(Call("GET", "/v2/health/live").status, 200);
  EXPECT_EQ(Call("GET", "/v2/health/ready").status, 200);
  const ServeResponse denied = Call("POST", "/v1/score", R"({"customer_id": 1000})");
  EXPECT_EQ(denied.status, 401);
  EXPECT_EQ(Json(denied)["error"]["code"], "unauthorized");
  EXPECT_EQ(Call("POST", "/v1/score", R"({"customer_id": 1000})", "pk_k00000000_bad").status, 401);
  EXPECT_EQ(Call("GET", "/metrics").status, 401);
  EXPECT_EQ(Call("GET", "/openapi.json").status, 401);
}

TEST_F(ServiceTest, DashboardPageNeedsNoKeyAndItsSectionsNeedARead) {
  const ServeResponse page = Call("GET", "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(page.body, report::DashboardPage());
  EXPECT_EQ(Call("GET", "/v1/dashboard").status, 401);

  auto r = Call("GET", "/v1/dashboard", "", read_key_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto doc = Json(r);
  // The report's sections, rendered from the store as it is at the request.
  const auto sections = report::RegisteredSections();
  ASSERT_EQ(doc["sections"].size(), sections.size());
  for (size_t i = 0; i < sections.size(); ++i)
    EXPECT_EQ(doc["sections"][i]["id"], sections[i]->Id());
  EXPECT_EQ(doc["sections"][0]["status"], "results");
  EXPECT_NE(doc["sections_html"].get<std::string>().find("<td>v1 (latest, not promoted)</td>"),
            std::string::npos);
  PromoteModel(ws_->store(), "buyers", 1);
  doc = Json(Call("GET", "/v1/dashboard", "", read_key_));
  EXPECT_NE(doc["sections_html"].get<std::string>().find("<td>v1 (production)</td>"),
            std::string::npos);
  EXPECT_EQ(doc["charts"].size(), report::RenderSections(*ws_, sections, ctx_).charts.size());
}

TEST_F(ServiceTest, RolesBelowTheRoutesAreForbidden) {
  const ServeResponse r = Call("POST", "/v1/score", R"({"customer_id": 1000})", read_key_);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Json(r)["error"]["code"], "forbidden");
  EXPECT_EQ(Call("GET", "/v1/customers/1000", "", read_key_).status, 200);
  EXPECT_EQ(Call("GET", "/v1/customers/1000", "", score_key_).status, 200);  // score ≥ read
}

// Audiences over HTTP: saved with a write key (audited under the key's id, as the CLI's saves are
// under the user), listed with a read key.
TEST_F(ServiceTest, AudiencesAreSavedWithAWriteKeyAndListedWithARead) {
  const CreatedApiKey writer = CreateApiKey(ws_->store(), Role::kWrite, "crm sync");
  service_->Reload();
  const std::string body = R"({"name": "buyers", "table": "profiles", "where": "bought = 1"})";
  EXPECT_EQ(Call("POST", "/v1/audiences", body, read_key_).status, 403);
  const ServeResponse saved = Call("POST", "/v1/audiences", body, writer.token);
  ASSERT_EQ(saved.status, 200) << saved.body;
  const Table profiles = ws_->store().LoadTable("profiles", ctx_);
  size_t buyers = 0;
  for (const int64_t b : profiles.column("bought").ints()) buyers += b == 1;
  EXPECT_EQ(Json(saved)["version"], 1);
  EXPECT_EQ(Json(saved)["size"], buyers);
  EXPECT_EQ(AudienceMembers(ws_->store(), "buyers").size(), buyers);

  const ServeResponse list = Call("GET", "/v1/audiences", "", read_key_);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(Json(list)["audiences"][0]["name"], "buyers");
  const AuditEntry last = ws_->store().AuditLog().back();
  EXPECT_EQ(last.action, "audience.save");
  EXPECT_EQ(last.actor, "key:" + writer.info.id);

  const ServeResponse nobody =
      Call("POST", "/v1/audiences", R"({"name": "x", "table": "profiles", "where": "bought = 7"})",
           writer.token);
  EXPECT_EQ(nobody.status, 400);
  EXPECT_EQ(Json(nobody)["error"]["code"], "invalid_argument");
}

// Personal data over HTTP: exporting an audience opens sealed identifiers and erasing a customer
// deletes them, so both take the admin key; read and write keys are refused.
TEST_F(ServiceTest, ExportAndErasureNeedTheAdminRole) {
  const testing::TempDir outside;
  setenv("PROSPECT_PII_KEY_FILE", outside.Write("pii.key", PiiKey::GenerateHex()).c_str(), 1);
  std::string contacts = "customer_id,email\n";
  for (int i = 1000; i < 1010; ++i) contacts += fmt::format("{},P{}@Example.com\n", i, i);
  IngestRequest ingest;
  ingest.table = "customers";
  ingest.file = outside.Write("customers.csv", contacts);
  ingest.pii = {"email"};
  ingest.pii_keep_raw = true;
  Ingest(*ws_, ingest, ctx_);
  AudienceSaveRequest ten;
  ten.name = "ten";
  ten.table = "customers";
  SaveAudience(ws_->store(), ten, ctx_);
  const CreatedApiKey admin = CreateApiKey(ws_->store(), Role::kAdmin, "privacy officer");
  const CreatedApiKey writer = CreateApiKey(ws_->store(), Role::kWrite, "crm sync");
  service_->Reload();

  const std::string body = R"({"platform": "google"})";
  EXPECT_EQ(Call("POST", "/v1/audiences/ten/export", body, read_key_).status, 403);
  EXPECT_EQ(Call("POST", "/v1/audiences/ten/export", body, writer.token).status, 403);
  const ServeResponse exported = Call("POST", "/v1/audiences/ten/export", body, admin.token);
  ASSERT_EQ(exported.status, 200) << exported.body;
  EXPECT_EQ(exported.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(exported.body.rfind("Email\n", 0), 0u);
  EXPECT_NE(exported.body.find(Sha256Hex("p1003@example.com")), std::string::npos);
  AuditEntry last = ws_->store().AuditLog().back();
  EXPECT_EQ(last.action, "audience.export");
  EXPECT_EQ(last.actor, "key:" + admin.info.id);
  EXPECT_NE(last.detail.find("opened=customers.email"), std::string::npos);

  EXPECT_EQ(Call("DELETE", "/v1/customers/1003", "", writer.token).status, 403);
  const ServeResponse erased = Call("DELETE", "/v1/customers/1003", "", admin.token);
  ASSERT_EQ(erased.status, 200) << erased.body;
  EXPECT_EQ(Json(erased)["rows"], 2);  // customers and profiles
  EXPECT_EQ(ws_->store().FindTable("profiles")->rows, 399);
  EXPECT_EQ(AudienceMembers(ws_->store(), "ten").size(), 9u);
  last = ws_->store().AuditLog().back();
  EXPECT_EQ(last.action, "forget");
  EXPECT_EQ(last.actor, "key:" + admin.info.id);
  unsetenv("PROSPECT_PII_KEY_FILE");
}

TEST_F(ServiceTest, ScoreByIdEqualsTheLibrarysScore) {
  for (const int64_t id : {1000, 1001, 1010, 1399}) {  // 1000 and 1010 have a missing x3
    const ServeResponse r =
        Call("POST", "/v1/score", fmt::format(R"({{"customer_id": {}}})", id), score_key_);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto doc = Json(r);
    EXPECT_EQ(doc["model"], "buyers");
    EXPECT_EQ(doc["version"], 1);
    EXPECT_EQ(doc["customer_id"], std::to_string(id));
    EXPECT_NEAR(doc["score"].get<double>(), LibraryScore("buyers", id), 1e-6) << id;
  }
}

TEST_F(ServiceTest, ScoreBatchesByIdAndByRows) {
  auto r = Call("POST", "/v1/score",
                R"({"model": "buyers", "customer_ids": [1002, "1003", "nope"]})", score_key_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto doc = Json(r);
  ASSERT_EQ(doc["scores"].size(), 3u);
  EXPECT_NEAR(doc["scores"][0]["score"].get<double>(), LibraryScore("buyers", 1002), 1e-6);
  EXPECT_NEAR(doc["scores"][1]["score"].get<double>(), LibraryScore("buyers", 1003), 1e-6);
  EXPECT_TRUE(doc["scores"][2]["score"].is_null());
  EXPECT_NE(doc["scores"][2]["error"].get<std::string>().find("nope"), std::string::npos);

  // Customer 1004's features sent in the body score as its id does; a null is a missing value.
  const Table profiles = ws_->store().LoadTable("profiles", ctx_);
  const size_t row4[] = {4};
  const nlohmann::json features = RowsToJson(profiles.Take(row4), 1)[0];
  r = Call("POST", "/v1/score",
           nlohmann::json{
               {"rows", {features, {{"x1", 2.0}, {"x2", 0}, {"x3", nullptr}, {"plan", "pro"}}}}}
               .dump(),
           score_key_);
  ASSERT_EQ(r.status, 200) << r.body;
  doc = Json(r);
  EXPECT_NEAR(doc["scores"][0].get<double>(), LibraryScore("buyers", 1004), 1e-6);
  // The second row is new: the library scores the same values given as a table.
  ColumnBuilder x1(DataType::kDouble), x2(DataType::kDouble), x3(DataType::kDouble),
      plan(DataType::kString);
  x1.AppendDouble(2.0);
  x2.AppendDouble(0);
  x3.AppendNull();
  plan.AppendString("pro");
  const Table row(Schema({{"x1", DataType::kDouble},
                          {"x2", DataType::kDouble},
                          {"x3", DataType::kDouble},
                          {"plan", DataType::kString}}),
                  {x1.Finish(), x2.Finish(), x3.Finish(), plan.Finish()});
  EXPECT_NEAR(doc["scores"][1].get<double>(), LoadModel(ws_->store(), "buyers").Score(row, ctx_)[0],
              1e-6);
}

TEST_F(ServiceTest, RequestErrorsNameTheFieldAndMapToStatuses) {
  auto expect = [&](const std::string& body, int status, const std::string& code,
                    const std::string& words) {
    const ServeResponse r = Call("POST", "/v1/score", body, score_key_);
    EXPECT_EQ(r.status, status) << body << " → " << r.body;
    const auto doc = Json(r);
    EXPECT_EQ(doc["error"]["code"], code) << body;
    EXPECT_NE(doc["error"]["message"].get<std::string>().find(words), std::string::npos)
        << doc["error"]["message"];
  };
  expect(R"({"customer_id": 1000)", 400, "invalid_argument", "not JSON");
  // The fast path of {"model", "customer_id"} refuses what the general one refuses.
  expect(R"({"customer_id": 1000} {})", 400, "invalid_argument", "not JSON");
  expect(R"({"customer_id": 1000} x)", 400, "invalid_argument", "not JSON");
  // A repeated key is read as the general path reads it: the last one counts.
  EXPECT_EQ(Json(Call("POST", "/v1/score", R"({"customer_id": 1000, "customer_id": 1001})",
                      score_key_))["customer_id"],
            "1001");
  // Past double's range (the request fuzzer's find): the parser's out_of_range, not a 500.
  expect(R"({"customer_id": 7777E777})", 400, "invalid_argument",
         "not JSON: number overflow parsing '7777E777'");
  expect(R"([1, 2])", 400, "invalid_argument", "expected a JSON object");
  expect(R"({"model": "nope", "customer_id": 1000})", 404, "not_found", "buyers");
  expect(R"({"customer_id": 5})", 404, "not_found", "no customer \"5\"");
  expect(R"({"customer_id": 1.5})", 400, "invalid_argument", "customer_id");
  expect(R"({"model": 3})", 400, "invalid_argument", "field \"model\": expected a string");
  expect(R"({"rows": [{"x1": 1}]})", 400, "invalid_argument", "rows[0] has no \"x2\"");
  expect(R"({"rows": [{"x1": "high", "x2": 0, "x3": 0, "plan": "pro"}]})", 400, "invalid_argument",
         "rows[0].x1");
  expect(R"({})", 400, "invalid_argument", "customer_ids");
  std::string deep(40, '[');
  expect(R"({"rows": )" + deep + std::string(40, ']') + "}", 400, "invalid_argument",
         "nested deeper than 32");
  expect("{\"pad\": \"" + std::string(2 << 20, 'x') + "\"}", 413, "payload_too_large", "limit");

  EXPECT_EQ(Call("GET", "/v1/nothing", "", score_key_).status, 404);
  EXPECT_EQ(Call("GET", "/v1/score", "", score_key_).status, 405);
}

TEST_F(ServiceTest, V2RoutesAnswerTheProtocolShapes) {
  auto r = Call("GET", "/v2/models/buyers", "", read_key_);
  ASSERT_EQ(r.status, 200);
  auto doc = Json(r);
  EXPECT_EQ(doc["name"], "buyers");
  EXPECT_EQ(doc["versions"], nlohmann::json({"1"}));
  ASSERT_EQ(doc["inputs"].size(), 4u);  // x1, x2, x3, plan
  EXPECT_EQ(doc["outputs"][0]["name"], "score");
  EXPECT_EQ(Call("GET", "/v2/models/buyers/ready", "", read_key_).status, 200);
  EXPECT_EQ(Call("GET", "/v2/models/other/ready", "", read_key_).status, 404);

  const nlohmann::json infer = {
      {"id", "req-1"},
      {"inputs",
       {{{"name", "x1"}, {"shape", {2}}, {"datatype", "FP64"}, {"data", {0.1, 2.0}}},
        {{"name", "x2"}, {"shape", {2}}, {"datatype", "FP64"}, {"data", {0.0, 0.0}}},
        {{"name", "x3"}, {"shape", {2, 1}}, {"datatype", "FP64"}, {"data", {{1.0}, {nullptr}}}},
        {{"name", "plan"}, {"shape", {2}}, {"datatype", "BYTES"}, {"data", {"free", "pro"}}}}}};
  r = Call("POST", "/v2/models/buyers/infer", infer.dump(), score_key_);
  ASSERT_EQ(r.status, 200) << r.body;
  doc = Json(r);
  EXPECT_EQ(doc["model_name"], "buyers");
  EXPECT_EQ(doc["model_version"], "1");
  EXPECT_EQ(doc["id"], "req-1");
  ASSERT_EQ(doc["outputs"][0]["shape"], nlohmann::json({2}));
  const auto rows = Call("POST", "/v1/score",
                         R"({"rows": [{"x1": 0.1, "x2": 0, "x3": 1, "plan": "free"},
                                      {"x1": 2.0, "x2": 0, "x3": null, "plan": "pro"}]})",
                         score_key_);
  EXPECT_EQ(doc["outputs"][0]["data"], Json(rows)["scores"]);
}

TEST_F(ServiceTest, AssignmentEqualsTheCliHash) {
  const auto r = Call("POST", "/v1/assign",
                      R"({"salt": "checkout", "variants": "control:50,treatment:50", "traffic": 0.5,
                          "unit_ids": ["a", "b", "c", "d", 17]})",
                      score_key_);
  ASSERT_EQ(r.status, 200) << r.body;
  experiment::AssignmentSpec spec;
  spec.salt = "checkout";
  spec.variants = experiment::ParseVariantWeights("control:50,treatment:50");
  spec.traffic = 0.5;
  const auto doc = Json(r)["assignments"];
  ASSERT_EQ(doc.size(), 5u);
  for (const auto& a : doc) {
    const auto expected = experiment::Assign(spec, a["unit_id"].get<std::string>());
    EXPECT_EQ(a["status"], experiment::AssignmentStatusName(expected.status));
    EXPECT_EQ(a["bucket"], expected.bucket);
    if (expected.variant >= 0) {
      EXPECT_EQ(a["variant"], spec.variants[expected.variant].name);
    } else {
      EXPECT_TRUE(a["variant"].is_null());
    }
  }
}

TEST_F(ServiceTest, CustomerShowsProfileAndScores) {
  const auto r = Call("GET", "/v1/customers/1005", "", read_key_);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto doc = Json(r);
  EXPECT_EQ(doc["customer_id"], "1005");
  EXPECT_EQ(doc["profile"]["plan"], "pro");  // row 5: plans[5 % 3]
  EXPECT_NEAR(doc["scores"]["buyers"].get<double>(), LibraryScore("buyers", 1005), 1e-6);
  EXPECT_EQ(Call("GET", "/v1/customers/42", "", read_key_).status, 404);
}

TEST_F(ServiceTest, ExplainGivesTheScoreAndReasons) {
  const auto r = Call("POST", "/v1/explain", R"({"customer_id": 1006, "top": 2})", score_key_);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto doc = Json(r);
  EXPECT_NEAR(doc["score"].get<double>(), LibraryScore("buyers", 1006), 1e-6);
  ASSERT_EQ(doc["reasons"].size(), 2u);
  EXPECT_GE(std::abs(doc["reasons"][0]["contribution"].get<double>()),
            std::abs(doc["reasons"][1]["contribution"].get<double>()));
}

TEST_F(ServiceTest, ReloadSwapsInAPromotedVersionAndKeepsServingOnAFailedLoad) {
  EXPECT_FALSE(service_->Reload());  // nothing changed
  Train("buyers", 10);               // v2, not promoted: the latest is served
  ASSERT_TRUE(service_->Reload());
  auto doc = Json(Call("POST", "/v1/score", R"({"customer_id": 1000})", score_key_));
  EXPECT_EQ(doc["version"], 2);
  EXPECT_NEAR(doc["score"].get<double>(), LibraryScore("buyers", 1000), 1e-6);
  PromoteModel(ws_->store(), "buyers", 1);
  ASSERT_TRUE(service_->Reload());
  EXPECT_EQ(Json(Call("POST", "/v1/score", R"({"customer_id": 1000})", score_key_))["version"], 1);

  // A version whose file is corrupt: the reload fails and v1 keeps serving.
  auto meta = ws_->store().GetObject("model", "buyers")->meta;
  ws_->store().PutObject("model", "buyers", meta, "not a model file");
  PromoteModel(ws_->store(), "buyers", 3);
  EXPECT_FALSE(service_->Reload());
  doc = Json(Call("POST", "/v1/score", R"({"customer_id": 1000})", score_key_));
  EXPECT_EQ(doc["version"], 1);
  const std::string metrics = service_->metrics().ToPrometheus();
  EXPECT_NE(metrics.find("prospect_model_reloads_total 2"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("prospect_model_reload_failures_total 1"), std::string::npos);
}

TEST_F(ServiceTest, RevokedKeysStopWorkingAfterAReload) {
  const CreatedApiKey key = CreateApiKey(ws_->store(), Role::kScore, "short-lived");
  ASSERT_TRUE(service_->Reload());
  EXPECT_EQ(Call("POST", "/v1/score", R"({"customer_id": 1000})", key.token).status, 200);
  RevokeApiKey(ws_->store(), key.info.id);
  ASSERT_TRUE(service_->Reload());
  EXPECT_EQ(Call("POST", "/v1/score", R"({"customer_id": 1000})", key.token).status, 401);
  EXPECT_EQ(Call("POST", "/v1/score", R"({"customer_id": 1000})", score_key_).status, 200);
}

TEST_F(ServiceTest, MetricsCountRequestsByRouteAndStatus) {
  for (int i = 0; i < 3; ++i) Call("POST", "/v1/score", R"({"customer_id": 1000})", score_key_);
  Call("POST", "/v1/score", R"({"customer_id": 1000})", read_key_);
  const auto r = Call("GET", "/metrics", "", read_key_);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(
      r.body.find(R"(prospect_http_requests_total{method="POST",route="/v1/score",code="200"} 3)"),
      std::string::npos)
      << r.body;
  EXPECT_NE(
      r.body.find(R"(prospect_http_requests_total{method="POST",route="/v1/score",code="403"} 1)"),
      std::string::npos);
  EXPECT_NE(
      r.body.find(
          R"(prospect_http_request_duration_seconds_count{method="POST",route="/v1/score"} 4)"),
      std::string::npos);
}

TEST_F(ServiceTest, MetricsCarryTheServedModelsLatestDrift) {
  EXPECT_EQ(Call("GET", "/metrics", "", read_key_).body.find("prospect_feature_drift"),
            std::string::npos);  // no drift measured yet
  // The current rows: the profiles with one column shifted by far more than its spread.
  Table current = ws_->store().LoadTable("profiles", ctx_);
  const Column& x2 = current.column("x2");
  ColumnVector<double> shifted(x2.size());
  for (size_t r = 0; r < x2.size(); ++r) shifted[r] = x2.NumericAt(r) + 100;
  current = current.WithColumn("x2", Column::FromDoubles(std::move(shifted)));
  ws_->store().WriteTable("profiles_now", current, {}, ctx_);
  monitor::DriftRequest request;
  request.reference = "buyers";
  request.current = "profiles_now";
  const monitor::DriftReport report =
      monitor::MeasureDrift(ws_->store(), request, monitor::DriftConfig{}, ctx_);
  monitor::SaveDriftReport(ws_->store(), report);
  ASSERT_TRUE(service_->Reload());
  const std::string body = Call("GET", "/metrics", "", read_key_).body;
  EXPECT_NE(body.find(R"(prospect_feature_drifted{model="buyers",feature="x2"} 1)"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find(R"(prospect_feature_drift{model="buyers",feature="x2",method="ks"})"),
            std::string::npos);
  EXPECT_NE(body.find(R"(prospect_feature_psi{model="buyers",feature="score:buyers"} )"),
            std::string::npos);
  EXPECT_NE(body.find("# TYPE prospect_dataset_drift gauge"), std::string::npos);
}

TEST_F(ServiceTest, CrmRoutesAnswerAsTheLibraryWithTheirRoles) {
  const std::string fixtures = testing::SourceDir() + "/tests/fixtures/crm/";
  for (const auto& [object, file] :
       {std::pair{CrmObject::kPeople, "twenty_people.csv"},
        std::pair{CrmObject::kOpportunities, "twenty_opportunities.csv"}}) {
    CrmImportRequest request;
    request.object = object;
    request.file = fixtures + file;
    request.source = CrmSource::kTwenty;
    ImportCrm(*ws_, request, ctx_);
  }
  const CreatedApiKey writer = CreateApiKey(ws_->store(), Role::kWrite, "crm sync");
  service_->Reload();
  const std::string ivan = "6b1f0c1e-0d4e-4c7a-9a51-1f2e3d4c5b6a";
  const std::string jun = "7c2a1d2f-1e5f-4d8b-8b62-2a3f4e5d6c7b";

  const ServeResponse person = Call("GET", "/v1/crm/people/" + ivan, "", read_key_);
  ASSERT_EQ(person.status, 200) << person.body;
  const nlohmann::json timeline = Json(person)["timeline"];
  ASSERT_EQ(timeline.size(), 3u);  // renewal's stage, renewal opened, record created
  EXPECT_EQ(timeline[2]["summary"], "CRM record created");
  EXPECT_EQ(Call("GET", "/v1/crm/people/nobody", "", read_key_).status, 404);

  const nlohmann::json pipeline = Json(Call("GET", "/v1/crm/pipeline", "", read_key_));
  EXPECT_EQ(pipeline["stages"][3]["stage"], "PROPOSAL");
  EXPECT_EQ(pipeline["stages"][3]["weighted_amount"], 18000 * 0.6);

  const std::string path = "/v1/crm/opportunities/a1a1a1a1-0000-4000-8000-000000000002/stage";
  const std::string move = R"({"stage": "meeting", "at": "2024-04-01 10:00:00"})";
  EXPECT_EQ(Call("POST", path, move, read_key_).status, 403);
  const ServeResponse moved = Call("POST", path, move, writer.token);
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(Json(moved), nlohmann::json::parse(R"({"opportunity_id":
      "a1a1a1a1-0000-4000-8000-000000000002", "from": "SCREENING", "to": "MEETING",
      "moved": true})"));
  EXPECT_EQ(ws_->store().AuditLog().back().actor, "key:" + writer.info.id);
  EXPECT_EQ(Call("POST", path, R"({"stage": "Negotiation"})", writer.token).status, 400);

  const ServeResponse duplicates = Call("GET", "/v1/crm/duplicates/people", "", read_key_);
  ASSERT_EQ(duplicates.status, 200) << duplicates.body;
  EXPECT_EQ(Json(duplicates)["groups"], nlohmann::json::array());  // three different people
  const std::string merge =
      fmt::format(R"({{"object": "people", "keep": "{}", "other": "{}"}})", ivan, jun);
  const ServeResponse plan = Call("POST", "/v1/crm/merge", merge, writer.token);
  ASSERT_EQ(plan.status, 200) << plan.body;
  EXPECT_EQ(Json(plan)["merged"], false);
  EXPECT_EQ(ws_->store().FindTable("crm_people")->rows, 3);
  EXPECT_EQ(Call("POST", "/v1/crm/merge", merge, read_key_).status, 403);
  const std::string apply =
      fmt::format(R"({{"object": "people", "keep": "{}", "other": "{}", "take": {{"city":
                  "other"}}, "apply": true}})",
                  ivan, jun);
  const nlohmann::json merged = Json(Call("POST", "/v1/crm/merge", apply, writer.token));
  ASSERT_EQ(merged["merged"], true) << merged.dump();
  EXPECT_EQ(ws_->store().FindTable("crm_people")->rows, 2);
  const ServeResponse undone = Call(
      "POST", fmt::format("/v1/crm/undo/{}", merged["audit_id"].get<int64_t>()), "", writer.token);
  ASSERT_EQ(undone.status, 200) << undone.body;
  EXPECT_EQ(ws_->store().FindTable("crm_people")->rows, 3);
  EXPECT_EQ(Call("POST", "/v1/crm/undo/x", "", writer.token).status, 400);
}

TEST_F(ServiceTest, OpenApiDescribesEveryRoute) {
  const nlohmann::json& doc = service_->OpenApi();
  EXPECT_EQ(doc["openapi"], "3.0.3");
  const auto& routes = service_->routes();
  size_t operations = 0;
  for (const auto& [path, methods] : doc["paths"].items()) operations += methods.size();
  for (size_t i = 0; i + 1 < routes.size(); ++i) {
    EXPECT_TRUE(doc["paths"].contains(routes[i])) << routes[i];
  }
  EXPECT_EQ(operations, routes.size() - 1);  // and nothing it does not answer
}

TEST(ServiceStart, RefusesAWorkspaceWithNothingToServe) {
  testing::TempDir dir;
  Workspace::Init(dir.path());
  try {
    Service service(dir.path(), ServeOptions{}, nullptr);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kFailedPrecondition);
    EXPECT_NE(std::string(e.what()).find("prospect train"), std::string::npos);
  }
}

}  // namespace
}  // namespace prospect
