// Routing, keys and errors, then one handler per route. Handlers read the current snapshot and
// write JSON into the response; any Error they throw becomes {"error": {...}} with its status.
#include "prospect/serve/service.hpp"

#include <atomic>
#include <chrono>
#include <shared_mutex>

#include "prospect/audience/audience.hpp"
#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/numbers.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/crm/activity.hpp"
#include "prospect/crm/merge.hpp"
#include "prospect/crm/pipeline.hpp"
#include "prospect/experiment/assignment.hpp"
#include "prospect/models/scoring.hpp"
#include "prospect/privacy/forget.hpp"
#include "prospect/privacy/pii.hpp"
#include "prospect/report/report.hpp"
#include "serve/online_profiles.hpp"
#include "serve/openapi.hpp"
#include "serve/request_json.hpp"
#include "serve/snapshot.hpp"

namespace prospect {

using serve::IdsField;
using serve::IdText;
using serve::Snapshot;
using serve::StringField;

namespace serve {

// Customers whose online features changed since the snapshot's profiles were loaded: their
// recomputed profile row and its encoding for each model of the profiles. Readers take a shared
// lock only when there is any (the count is checked first), so scoring without online updates
// takes no lock.
struct CustomerOverride {
  Table profile;  ///< one row
  /// model name → (version, encoded row) for the compiled models of the profiles table
  std::map<std::string, std::pair<int64_t, std::vector<float>>, std::less<>> encoded;
};

class Overrides {
 public:
  std::shared_ptr<const CustomerOverride> Find(std::string_view id) const {
    if (size_.load(std::memory_order_acquire) == 0) return nullptr;
    std::shared_lock lock(mu_);
    const auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : it->second;
  }
  void Put(const std::string& id, std::shared_ptr<const CustomerOverride> value) {
    std::unique_lock lock(mu_);
    by_id_.insert_or_assign(id, std::move(value));
    size_.store(by_id_.size(), std::memory_order_release);
  }
  void Clear() {
    std::unique_lock lock(mu_);
    by_id_.clear();
    size_.store(0, std::memory_order_release);
  }
  void Erase(std::string_view id) {
    std::unique_lock lock(mu_);
    if (const auto it = by_id_.find(id); it != by_id_.end()) by_id_.erase(it);
    size_.store(by_id_.size(), std::memory_order_release);
  }

 private:
  std::atomic<size_t> size_{0};
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const CustomerOverride>, StringHash,
                     std::equal_to<>>
      by_id_;
};

// Everything a Service holds. The snapshot is swapped whole; the store is used by one thread at
// a time (the reload thread, or a request persisting events), under store_mu.
struct ServiceState {
  ServiceState(const std::string& dir, ServeOptions opts, std::shared_ptr<spdlog::logger> logger,
               std::vector<std::string> routes,
               const std::vector<ServerMetrics::RouteLabel>& route_labels)
      : ws(Workspace::Open(dir)),
        options(std::move(opts)),
        ctx(1, kDefaultSeed, std::move(logger)),
        route_names(std::move(routes)),
        metrics(route_labels),
        openapi(OpenApiDocument()) {}

  Workspace ws;
  ServeOptions options;
  Context ctx;
  std::vector<std::string> route_names;
  ServerMetrics metrics;
  nlohmann::json openapi;
  std::atomic<std::shared_ptr<const Snapshot>> snapshot;
  std::mutex store_mu;
  std::atomic<std::shared_ptr<OnlineProfiles>> online;  ///< null: no events table
  Overrides overrides;
  // The dashboard renders from a connection of its own, opened on first use: a slow page never
  // holds store_mu (events, reloads), and SQLite's readers do not block its writer (WAL).
  std::mutex dashboard_mu;
  std::optional<Workspace> dashboard_ws;
};

}  // namespace serve

namespace {

using serve::CustomerOverride;
using serve::ServiceState;

// What a handler sees: the service's state, the snapshot, the path's parameters, the body.
struct Call {
  ServiceState& state;
  const Snapshot& snap;
  const std::vector<std::string_view>& params;
  std::string_view raw_body;
  std::string_view key_id;  ///< the caller's key ("" on routes that need none), for the audit log
  nlohmann::json Body() const {
    return serve::ParseRequestBody(raw_body, state.options.max_json_depth);
  }
};

using Handler = void (*)(const Call&, ServeResponse*);

struct Route {
  const char* method;
  const char* path;          ///< segments in braces are parameters
  std::optional<Role> role;  ///< nullopt: no key needed
  Handler handler;
};

void WriteJson(ServeResponse* out, const nlohmann::json& doc, int status = 200) {
  out->status = status;
  out->body = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

int HttpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kOutOfRange: return 400;
    case ErrorCode::kInvalidData: return 422;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kFailedPrecondition: return 409;
    case ErrorCode::kUnimplemented: return 501;
    case ErrorCode::kResourceExhausted: return 413;
    case ErrorCode::kCancelled: return 503;
    case ErrorCode::kDeadlineExceeded: return 504;
    case ErrorCode::kIo:
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

void WriteError(ServeResponse* out, int status, std::string_view code, std::string_view message) {
  WriteJson(out, {{"error", {{"code", code}, {"message", message}}}}, status);
}

// "invalid argument" → "invalid_argument": the codes clients switch on.
std::string CodeName(ErrorCode code) {
  std::string name(ErrorCodeName(code));
  for (char& c : name) {
    if (c == ' ' || c == '/') c = '_';
  }
  return name == "i_o" ? "io" : name;
}

// ---- lookups shared by handlers

// The served model or recommender `name` of `served` (`noun`: "model", "recommender"); the only
// one when no name is given. Errors list what is served.
template <typename Served>
const auto& FindServed(const Served& served, const std::optional<std::string_view>& name,
                       std::string_view noun) {
  auto names = [&served] {
    std::vector<std::string> out;
    for (const auto& entry : served) out.push_back(entry.first);
    return out.empty() ? std::string("none") : Join(out, ", ");
  };
  if (!name) {
    if (served.size() == 1) return *served.begin()->second;
    Fail(ErrorCode::kInvalidArgument, "field \"{}\" is required: the server serves {}", noun,
         names());
  }
  const auto it = served.find(*name);
  if (it == served.end())
    Fail(ErrorCode::kNotFound, "no {} \"{}\" is served (served: {})", noun, *name, names());
  return *it->second;
}

const serve::ServedModel& FindModel(const Snapshot& snap,
                                    const std::optional<std::string_view>& name) {
  return FindServed(snap.models, name, "model");
}

uint32_t FindCustomerRow(const serve::ServedModel& model, std::string_view id) {
  if (!model.features) {
    Fail(ErrorCode::kFailedPrecondition,
         "model {} cannot score by customer id: no table holds its {} input columns by id (send "
         "the features as \"rows\")",
         model.package.name, model.package.pipeline.input_columns().size());
  }
  const auto row = model.features->Find(id);
  if (!row) Fail(ErrorCode::kNotFound, "no customer \"{}\" in {}", id, model.features->name);
  return *row;
}

// The score of customer `id`: from their online features when events changed them, else from
// the snapshot's row. nullopt for an id the features table does not have.
std::optional<double> ScoreCustomer(const Call& call, const serve::ServedModel& model,
                                    std::string_view id) {
  if (!model.features) (void)FindCustomerRow(model, id);  // throws: no features by id
  if (model.features == call.snap.profiles) {
    if (const auto online = call.state.overrides.Find(id)) {
      const auto it = online->encoded.find(model.package.name);
      if (model.trees && it != online->encoded.end() && it->second.first == model.package.version)
        return model.ScoreEncoded(it->second.second.data());
      return model.ScoreTable(online->profile, call.state.ctx)[0];
    }
  }
  const auto row = model.features->Find(id);
  if (!row) return std::nullopt;
  return model.ScoreRow(*row, call.state.ctx);
}

// Customer `id`'s row of the model's features (their online profile when events changed it).
Table CustomerRow(const Call& call, const serve::ServedModel& model, std::string_view id) {
  if (model.features && model.features == call.snap.profiles) {
    if (const auto online = call.state.overrides.Find(id)) return online->profile;
  }
  const size_t rows[] = {FindCustomerRow(model, id)};
  return model.features->table.Take(rows);
}

// The schema of the table the model's features come from, when it has one.
const Schema* FeatureTypes(const serve::ServedModel& model) {
  return model.features ? &model.features->table.schema() : nullptr;
}

// The table of "rows": [{column: value, ...}, ...], for the model's input columns.
Table RowsTable(const serve::ServedModel& model, const nlohmann::json& rows, size_t max_batch) {
  if (!rows.is_array()) {
    Fail(ErrorCode::kInvalidArgument, "field \"rows\": expected an array of objects, got {}",
         serve::Shown(rows));
  }
  if (rows.size() > max_batch)
    Fail(ErrorCode::kOutOfRange, "{} rows is more than the limit {} per request", rows.size(),
         max_batch);
  // In the pipeline's column order, so the first missing column named is the model's first.
  std::vector<std::pair<std::string, nlohmann::json>> columns;
  for (const auto& step : model.package.pipeline.steps())
    columns.emplace_back(step.column, nlohmann::json::array());
  for (size_t r = 0; r < rows.size(); ++r) {
    if (!rows[r].is_object())
      Fail(ErrorCode::kInvalidArgument, "rows[{}]: expected an object, got {}", r,
           serve::Shown(rows[r]));
    for (auto& [name, values] : columns) {
      const auto it = rows[r].find(name);
      if (it == rows[r].end())
        Fail(ErrorCode::kInvalidArgument, "rows[{}] has no \"{}\", which model {} reads", r, name,
             model.package.name);
      values.push_back(*it);
    }
  }
  std::map<std::string, const nlohmann::json*> pointers;
  for (const auto& [name, values] : columns) pointers[name] = &values;
  return serve::InputTable(model.package.pipeline, pointers, rows.size(), FeatureTypes(model),
                           [](const std::string& column, size_t row) {
                             return fmt::format("rows[{}].{}", row, column);
                           });
}

nlohmann::json ModelHeader(const serve::ServedModel& model) {
  return {{"model", model.package.name}, {"version", model.package.version}};
}

// ---- handlers

void HealthLive(const Call&, ServeResponse* out) { out->status = 200; }

void HealthReady(const Call& call, ServeResponse* out) {
  if (call.snap.models.empty() && call.snap.recommenders.empty())
    return WriteError(out, 503, "unavailable", "no models are loaded");
  out->status = 200;
}

void ServerMetadata(const Call&, ServeResponse* out) {
  WriteJson(out,
            {{"name", "prospect"}, {"version", "0.1.0"}, {"extensions", nlohmann::json::array()}});
}

void ModelMetadata(const Call& call, ServeResponse* out) {
  const auto& model = FindModel(call.snap, call.params[0]);
  const ModelPackage& pkg = model.package;
  nlohmann::json inputs = nlohmann::json::array();
  const Schema* types = FeatureTypes(model);
  for (const auto& step : pkg.pipeline.steps()) {
    const int known = types ? types->IndexOf(step.column) : -1;
    const DataType type = known >= 0 ? types->field(static_cast<size_t>(known)).type
                                     : (step.categorical ? DataType::kString : DataType::kDouble);
    // V2 datatypes: text (categories, dates, times) is BYTES.
    const bool text = step.categorical || type == DataType::kDate || type == DataType::kTimestamp;
    inputs.push_back(
        {{"name", step.column}, {"datatype", text ? "BYTES" : "FP64"}, {"shape", {-1}}});
  }
  WriteJson(out, {{"name", pkg.name},
                  {"versions", {std::to_string(pkg.version)}},
                  {"platform", "prospect_" + pkg.meta.value("type", std::string("model"))},
                  {"inputs", inputs},
                  {"outputs", {{{"name", "score"}, {"datatype", "FP64"}, {"shape", {-1}}}}}});
}

void ModelReady(const Call& call, ServeResponse* out) {
  (void)FindModel(call.snap, call.params[0]);
  out->status = 200;
}

// Flattens a V2 tensor's data (row-major, possibly nested) into `out`.
void Flatten(const nlohmann::json& data, std::vector<const nlohmann::json*>* out) {
  if (!data.is_array()) {
    out->push_back(&data);
    return;
  }
  for (const auto& v : data) Flatten(v, out);
}

void Infer(const Call& call, ServeResponse* out) {
  const auto& model = FindModel(call.snap, call.params[0]);
  const nlohmann::json body = call.Body();
  const auto it = body.find("inputs");
  if (it == body.end() || !it->is_array() || it->empty())
    Fail(ErrorCode::kInvalidArgument, "field \"inputs\": expected a non-empty array of tensors");
  // One tensor per input column, each of shape [N] (or [N, 1]).
  std::map<std::string, nlohmann::json> columns;
  size_t rows = 0;
  for (size_t i = 0; i < it->size(); ++i) {
    const nlohmann::json& t = (*it)[i];
    const auto name = t.is_object() ? StringField(t, "name") : std::nullopt;
    if (!name)
      Fail(ErrorCode::kInvalidArgument, "inputs[{}]: expected a tensor with a \"name\"", i);
    const auto data = t.find("data");
    if (data == t.end())
      Fail(ErrorCode::kInvalidArgument, "inputs[{}] ({}) has no \"data\"", i, *name);
    std::vector<const nlohmann::json*> flat;
    Flatten(*data, &flat);
    if (i == 0) rows = flat.size();
    if (flat.size() != rows) {
      Fail(ErrorCode::kInvalidArgument, "inputs[{}] ({}) has {} values where inputs[0] has {}", i,
           *name, flat.size(), rows);
    }
    nlohmann::json& values = columns[*name] = nlohmann::json::array();
    for (const nlohmann::json* v : flat) values.push_back(*v);
  }
  if (rows > call.state.options.max_batch)
    Fail(ErrorCode::kOutOfRange, "{} rows is more than the limit {} per request", rows,
         call.state.options.max_batch);
  std::map<std::string, const nlohmann::json*> pointers;
  for (const auto& [name, values] : columns) pointers[name] = &values;
  const Table table = serve::InputTable(model.package.pipeline, pointers, rows, FeatureTypes(model),
                                        [](const std::string& column, size_t row) {
                                          return fmt::format("input {}[{}]", column, row);
                                        });
  const std::vector<double> scores = model.ScoreTable(table, call.state.ctx);
  nlohmann::json doc = {
      {"model_name", model.package.name},
      {"model_version", std::to_string(model.package.version)},
      {"outputs",
       {{{"name", "score"}, {"shape", {scores.size()}}, {"datatype", "FP64"}, {"data", scores}}}}};
  if (const auto id = body.find("id"); id != body.end()) doc["id"] = *id;
  WriteJson(out, doc);
}

// One customer's score as the answer, written straight into the body (its capacity is reused).
void WriteScore(const serve::ServedModel& model, std::string_view id, double score,
                ServeResponse* out) {
  out->status = 200;
  out->body += R"({"model":)";
  serve::AppendJsonString(&out->body, model.package.name);
  fmt::format_to(std::back_inserter(out->body), R"(,"version":{},"customer_id":)",
                 model.package.version);
  serve::AppendJsonString(&out->body, id);
  fmt::format_to(std::back_inserter(out->body), R"(,"score":{}}})", score);
}

void Score(const Call& call, ServeResponse* out) {
  // The hot path, {"model", "customer_id"}: no JSON tree and no allocation (tested).
  serve::ScoreByIdRequest fast;
  if (serve::ReadScoreById(call.raw_body, &fast)) {
    const auto& model = FindModel(call.snap, fast.model);
    const std::optional<double> found = ScoreCustomer(call, model, fast.customer_id);
    if (!found) {
      Fail(ErrorCode::kNotFound, "no customer \"{}\" in {}", fast.customer_id,
           model.features->name);
    }
    return WriteScore(model, fast.customer_id, *found, out);
  }
  const nlohmann::json body = call.Body();
  const auto& model = FindModel(call.snap, StringField(body, "model"));
  if (const auto id = body.find("customer_id"); id != body.end()) {
    const std::string text = IdText(*id, "field \"customer_id\"");
    const std::optional<double> found = ScoreCustomer(call, model, text);
    if (!found) Fail(ErrorCode::kNotFound, "no customer \"{}\" in {}", text, model.features->name);
    return WriteScore(model, text, *found, out);
  }
  nlohmann::json doc = ModelHeader(model);
  if (const auto ids = IdsField(body, "customer_ids", call.state.options.max_batch)) {
    nlohmann::json scores = nlohmann::json::array();
    for (const auto& id : *ids) {
      if (const auto score = ScoreCustomer(call, model, id)) {
        scores.push_back({{"customer_id", id}, {"score", *score}});
      } else {  // one unknown id does not fail the batch
        scores.push_back(
            {{"customer_id", id},
             {"score", nullptr},
             {"error", fmt::format("no customer \"{}\" in {}", id, model.features->name)}});
      }
    }
    doc["scores"] = scores;
    return WriteJson(out, doc);
  }
  if (const auto rows = body.find("rows"); rows != body.end()) {
    doc["scores"] =
        model.ScoreTable(RowsTable(model, *rows, call.state.options.max_batch), call.state.ctx);
    return WriteJson(out, doc);
  }
  Fail(ErrorCode::kInvalidArgument,
       "expected one of \"customer_id\", \"customer_ids\" or \"rows\" in the request");
}

void Explain(const Call& call, ServeResponse* out) {
  const nlohmann::json body = call.Body();
  const auto& model = FindModel(call.snap, StringField(body, "model"));
  const size_t top = serve::CountField(body, "top", 100).value_or(5);
  nlohmann::json doc = ModelHeader(model);
  Table row;
  if (const auto id = body.find("customer_id"); id != body.end()) {
    const std::string text = IdText(*id, "field \"customer_id\"");
    row = CustomerRow(call, model, text);
    doc["customer_id"] = text;
  } else if (const auto r = body.find("row"); r != body.end()) {
    row = RowsTable(model, nlohmann::json::array({*r}), 1);
  } else {
    Fail(ErrorCode::kInvalidArgument, "expected \"customer_id\" or \"row\" in the request");
  }
  doc["score"] = model.package.Score(row, call.state.ctx)[0];
  nlohmann::json reasons = nlohmann::json::array();
  const auto explained = ExplainRows(model.package, row, top, call.state.ctx);
  for (const Reason& reason : explained[0]) {
    reasons.push_back({{"column", reason.column},
                       {"value", reason.value},
                       {"contribution", reason.contribution},
                       {"words", reason.words}});
  }
  doc["reasons"] = reasons;
  WriteJson(out, doc);
}

const RecommenderPackage& FindRecommender(const Snapshot& snap,
                                          const std::optional<std::string>& name) {
  return FindServed(snap.recommenders, name, "recommender");
}

nlohmann::json ItemsJson(const std::vector<Recommendation>& picks) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& p : picks) {
    nlohmann::json item = {{"item", p.item}, {"score", p.score}};
    if (!p.reason.empty()) item["reason"] = p.reason;
    items.push_back(item);
  }
  return items;
}

void Recommend(const Call& call, ServeResponse* out) {
  const nlohmann::json body = call.Body();
  const RecommenderPackage& rec = FindRecommender(call.snap, StringField(body, "recommender"));
  const auto user = body.find("user");
  if (user == body.end()) Fail(ErrorCode::kInvalidArgument, "field \"user\" is required");
  const std::string user_id = IdText(*user, "field \"user\"");
  const size_t k = serve::CountField(body, "k", 1000).value_or(10);
  RecommendRules rules;
  rules.exclude_history = serve::BoolField(body, "exclude_history").value_or(true);
  rules.allow =
      IdsField(body, "allow", call.state.options.max_batch).value_or(std::vector<std::string>{});
  rules.deny =
      IdsField(body, "deny", call.state.options.max_batch).value_or(std::vector<std::string>{});
  rules.mmr_lambda = serve::NumberField(body, "mmr_lambda").value_or(1.0);
  const bool reasons = serve::BoolField(body, "reasons").value_or(false);
  WriteJson(out, {{"recommender", rec.name},
                  {"version", rec.version},
                  {"user", user_id},
                  {"items", ItemsJson(rec.Top(user_id, k, rules, reasons))}});
}

void Similar(const Call& call, ServeResponse* out) {
  const nlohmann::json body = call.Body();
  const RecommenderPackage& rec = FindRecommender(call.snap, StringField(body, "recommender"));
  const auto item = body.find("item");
  if (item == body.end()) Fail(ErrorCode::kInvalidArgument, "field \"item\" is required");
  const std::string item_id = IdText(*item, "field \"item\"");
  const size_t k = serve::CountField(body, "k", 1000).value_or(10);
  WriteJson(out, {{"recommender", rec.name},
                  {"version", rec.version},
                  {"item", item_id},
                  {"items", ItemsJson(rec.Similar(item_id, k))}});
}

nlohmann::json RowJson(const serve::KeyedTable& t, uint32_t row) {
  const size_t rows[] = {row};
  return RowsToJson(t.table.Take(rows), 1)[0];
}

void Customer(const Call& call, ServeResponse* out) {
  const std::string id(call.params[0]);
  const Snapshot& snap = call.snap;
  bool found = false;
  nlohmann::json doc = {{"customer_id", id}};
  if (const auto online = call.state.overrides.Find(id)) {
    doc["profile"] = RowsToJson(online->profile, 1)[0];
    found = true;
  } else if (snap.profiles) {
    const auto row = snap.profiles->Find(id);
    doc["profile"] = row ? RowJson(*snap.profiles, *row) : nlohmann::json();
    found = found || row.has_value();
  }
  nlohmann::json tables = nlohmann::json::object();
  for (const auto& t : snap.customer_tables) {
    const auto row = t->Find(id);
    tables[t->name] = row ? RowJson(*t, *row) : nlohmann::json();
    found = found || row.has_value();
  }
  doc["tables"] = tables;
  nlohmann::json scores = nlohmann::json::object();
  for (const auto& [name, model] : snap.models) {
    if (model->features != snap.profiles || !model->features) continue;
    if (const auto score = ScoreCustomer(call, *model, id)) scores[name] = *score;
  }
  doc["scores"] = scores;
  if (!found) Fail(ErrorCode::kNotFound, "no customer \"{}\" in the served tables", id);
  WriteJson(out, doc);
}

void Assign(const Call& call, ServeResponse* out) {
  const nlohmann::json body = call.Body();
  experiment::AssignmentSpec spec;
  const auto salt = StringField(body, "salt");
  if (!salt)
    Fail(ErrorCode::kInvalidArgument, "field \"salt\" (the experiment's name) is required");
  spec.salt = *salt;
  const auto variants = body.find("variants");
  if (variants == body.end() || variants->is_null()) {
    Fail(ErrorCode::kInvalidArgument,
         "field \"variants\" is required: \"control:50,treatment:50\" or [{{\"name\", "
         "\"weight\"}}]");
  } else if (variants->is_string()) {
    spec.variants = experiment::ParseVariantWeights(variants->get<std::string>());
  } else if (variants->is_array()) {
    for (const auto& v : *variants) {
      const auto name = v.is_object() ? StringField(v, "name") : std::nullopt;
      if (!name)
        Fail(ErrorCode::kInvalidArgument, "field \"variants\": each needs a \"name\", got {}",
             serve::Shown(v));
      spec.variants.push_back({*name, serve::NumberField(v, "weight").value_or(1.0)});
    }
  } else {
    Fail(ErrorCode::kInvalidArgument, "field \"variants\": expected text or an array, got {}",
         serve::Shown(*variants));
  }
  spec.traffic = serve::NumberField(body, "traffic").value_or(spec.traffic);
  spec.layer = StringField(body, "layer").value_or("");
  spec.layer_offset = serve::NumberField(body, "layer_offset").value_or(0.0);
  spec.holdout = serve::NumberField(body, "holdout").value_or(0.0);
  spec.holdout_salt = StringField(body, "holdout_salt").value_or(spec.holdout_salt);
  spec.Validate();
  auto one = [&spec](const std::string& unit) {
    const experiment::Assignment a = experiment::Assign(spec, unit);
    return nlohmann::json{{"unit_id", unit},
                          {"status", experiment::AssignmentStatusName(a.status)},
                          {"variant", a.variant >= 0 ? nlohmann::json(spec.variants[a.variant].name)
                                                     : nlohmann::json()},
                          {"bucket", a.bucket}};
  };
  if (const auto unit = body.find("unit_id"); unit != body.end())
    return WriteJson(out, one(IdText(*unit, "field \"unit_id\"")));
  const auto units = IdsField(body, "unit_ids", call.state.options.max_batch);
  if (!units)
    Fail(ErrorCode::kInvalidArgument, "expected \"unit_id\" or \"unit_ids\" in the request");
  nlohmann::json list = nlohmann::json::array();
  for (const auto& u : *units) list.push_back(one(u));
  WriteJson(out, {{"assignments", list}});
}

// The customer's recomputed profile and its encoding for every compiled model of the profiles.
std::shared_ptr<const CustomerOverride> MakeOverride(const Call& call, Table profile) {
  auto out = std::make_shared<CustomerOverride>();
  out->profile = std::move(profile);
  for (const auto& [name, model] : call.snap.models) {
    if (!model->trees || !model->features || model->features != call.snap.profiles) continue;
    const DenseMatrix x = model->package.pipeline.Transform(out->profile, call.state.ctx);
    out->encoded.emplace(name,
                         std::make_pair(model->package.version,
                                        std::vector<float>(x.values().begin(), x.values().end())));
  }
  return out;
}

void Events(const Call& call, ServeResponse* out) {
  const std::shared_ptr<serve::OnlineProfiles> online = call.state.online.load();
  if (!online) {
    Fail(ErrorCode::kFailedPrecondition,
         "the workspace has no events table, so the server keeps no online features: ingest "
         "events and restart");
  }
  const nlohmann::json body = call.Body();
  const auto list = body.find("events");
  if (list == body.end() || !list->is_array() || list->empty())
    Fail(ErrorCode::kInvalidArgument, "field \"events\": expected a non-empty array of events");
  if (list->size() > call.state.options.max_batch)
    Fail(ErrorCode::kOutOfRange, "{} events is more than the limit {} per request", list->size(),
         call.state.options.max_batch);
  const Table events = online->EventsFromJson(*list);
  {
    std::lock_guard lock(call.state.store_mu);
    Store& store = call.state.ws.store();
    store.set_actor(fmt::format("key:{}", call.key_id));
    WriteOptions options;
    options.mode = WriteMode::kAppend;
    // Every write is audited: the rows and their entry commit together.
    store.RunInTransaction([&] {
      store.WriteTable(online->config().events_table, events, options, call.state.ctx);
      store.Audit("events", fmt::format("table={} rows={}", online->config().events_table,
                                        events.num_rows()));
    });
  }
  nlohmann::json customers = nlohmann::json::array();
  uint64_t updated = 0;
  for (auto& update : online->Add(events, call.state.ctx)) {
    if (update.profile) {
      call.state.overrides.Put(update.customer_id, MakeOverride(call, std::move(*update.profile)));
      ++updated;
    }
    customers.push_back(
        {{"customer_id", update.customer_id}, {"profiled", update.profile.has_value()}});
  }
  call.state.metrics.FeaturesUpdated(updated);
  WriteJson(out, {{"accepted", events.num_rows()},
                  {"as_of", FormatTimestamp(online->as_of())},
                  {"customers", customers}});
}

void ListAudiencesRoute(const Call& call, ServeResponse* out) {
  nlohmann::json list = nlohmann::json::array();
  std::lock_guard lock(call.state.store_mu);
  for (const AudienceVersion& a : ListAudiences(call.state.ws.store())) list.push_back(a.ToJson());
  WriteJson(out, {{"audiences", list}});
}

void SaveAudienceRoute(const Call& call, ServeResponse* out) {
  const nlohmann::json body = call.Body();
  AudienceSaveRequest req;
  req.name = StringField(body, "name").value_or("");
  req.table = StringField(body, "table").value_or("");
  req.where = StringField(body, "where").value_or("");
  req.order_by = StringField(body, "order_by").value_or("");
  req.id_column = StringField(body, "id_column").value_or("");
  req.sql = StringField(body, "sql").value_or("");
  const double top = serve::NumberField(body, "top").value_or(0);
  if (top < 0 || top != std::floor(top))
    Fail(ErrorCode::kInvalidArgument, "field \"top\": expected a whole number of at least 1");
  req.top = static_cast<size_t>(top);
  std::lock_guard lock(call.state.store_mu);
  Store& store = call.state.ws.store();
  store.set_actor(fmt::format("key:{}", call.key_id));
  const AudienceVersion saved = SaveAudience(store, req, call.state.ctx);
  WriteJson(out, saved.ToJson());
}

// The upload file for an ad platform, as `prospect audience export` writes it. Admin role: the
// export opens the sealed raw identifiers of pseudonymised contacts.
void ExportAudienceRoute(const Call& call, ServeResponse* out) {
  const nlohmann::json body = call.Body();
  AudienceExportRequest req;
  req.name = std::string(call.params[0]);
  req.platform = ParseAdPlatform(StringField(body, "platform").value_or(""));
  req.contacts = StringField(body, "contacts").value_or("customers");
  req.default_country = StringField(body, "country").value_or("");
  req.version = static_cast<int64_t>(serve::NumberField(body, "version").value_or(0));
  std::lock_guard lock(call.state.store_mu);
  Store& store = call.state.ws.store();
  store.set_actor(fmt::format("key:{}", call.key_id));
  std::optional<PiiKey> key;
  if (FindPiiDeclaration(store, req.contacts)) {
    key = PiiKey::Load(call.state.ws.Section("pii"), call.state.ws.dir());
    req.key = &*key;
  }
  AudienceExportResult result = ExportAudience(store, req, call.state.ctx);
  out->status = 200;
  out->content_type = "text/csv; charset=utf-8";
  out->body = std::move(result.csv);
}

// Erasure of one customer, as `prospect forget ID` (admin role); the served snapshot drops them
// at its next reload, their online profile at once.
void ForgetCustomer(const Call& call, ServeResponse* out) {
  ForgetRequest req;
  req.ids = {std::string(call.params[0])};
  std::lock_guard lock(call.state.store_mu);
  Store& store = call.state.ws.store();
  store.set_actor(fmt::format("key:{}", call.key_id));
  req.id_columns = PersonIdColumns(call.state.ws);
  const ForgetResult result = Forget(store, req, call.state.ctx);
  call.state.overrides.Erase(req.ids[0]);
  WriteJson(out, result.ToJson());
}

// CRM: a person's timeline, the pipeline, stage moves, duplicates and merges, as `prospect crm`.
void CrmPersonRoute(const Call& call, ServeResponse* out) {
  const std::string id(call.params[0]);
  std::lock_guard lock(call.state.store_mu);
  nlohmann::json entries = nlohmann::json::array();
  for (const TimelineEntry& e : PersonTimeline(call.state.ws, id, 100, call.state.ctx))
    entries.push_back(e.ToJson());
  WriteJson(out, {{"customer_id", id}, {"timeline", entries}});
}

void CrmPipelineRoute(const Call& call, ServeResponse* out) {
  std::lock_guard lock(call.state.store_mu);
  const CrmConfig config = CrmConfig::FromJson(call.state.ws.Section("crm"));
  nlohmann::json stages = nlohmann::json::array();
  for (const PipelineStage& s : SummarizePipeline(call.state.ws.store(), config, call.state.ctx))
    stages.push_back(s.ToJson());
  WriteJson(out, {{"stages", stages}});
}

void CrmStageRoute(const Call& call, ServeResponse* out) {
  const nlohmann::json body = call.Body();
  const std::string stage = StringField(body, "stage").value_or("");
  const int64_t at = CrmTime(StringField(body, "at").value_or(""));
  std::lock_guard lock(call.state.store_mu);
  Store& store = call.state.ws.store();
  store.set_actor(fmt::format("key:{}", call.key_id));
  const CrmConfig config = CrmConfig::FromJson(call.state.ws.Section("crm"));
  const StageMove m =
      MoveToStage(store, config, std::string(call.params[0]), stage, at, call.state.ctx);
  WriteJson(out, {{"opportunity_id", m.opportunity_id},
                  {"from", m.from.empty() ? nlohmann::json() : nlohmann::json(m.from)},
                  {"to", m.to},
                  {"moved", m.moved}});
}

void CrmDuplicatesRoute(const Call& call, ServeResponse* out) {
  const CrmObject object = ParseCrmObject(call.params[0]);
  std::lock_guard lock(call.state.store_mu);
  nlohmann::json groups = nlohmann::json::array();
  for (const DuplicateGroup& g : FindDuplicates(call.state.ws.store(), object, "", call.state.ctx))
    groups.push_back(g.ToJson());
  WriteJson(out, {{"object", CrmObjectOf(object).name}, {"groups", groups}});
}

// A dry run unless the body says "apply": true.
void CrmMergeRoute(const Call& call, ServeResponse* out) {
  const nlohmann::json body = call.Body();
  MergeRequest req;
  req.object = ParseCrmObject(StringField(body, "object").value_or("people"));
  req.keep = StringField(body, "keep").value_or("");
  req.other = StringField(body, "other").value_or("");
  req.dry_run = !serve::BoolField(body, "apply").value_or(false);
  if (body.contains("take")) {
    if (!body["take"].is_object())
      Fail(ErrorCode::kInvalidArgument,
           "field \"take\": expected {{\"FIELD\": \"keep\" | \"other\"}}");
    for (const auto& [field, who] : body["take"].items()) {
      if (!who.is_string())
        Fail(ErrorCode::kInvalidArgument, "field \"take\".{}: expected \"keep\" or \"other\"",
             field);
      req.take[field] = who.get<std::string>();
    }
  }
  std::lock_guard lock(call.state.store_mu);
  Store& store = call.state.ws.store();
  store.set_actor(fmt::format("key:{}", call.key_id));
  WriteJson(out, MergeRecords(store, req, call.state.ctx).ToJson());
}

void CrmUndoRoute(const Call& call, ServeResponse* out) {
  int64_t entry = 0;
  if (!ParseInt64(call.params[0], &entry))
    Fail(ErrorCode::kInvalidArgument, "{}: expected an audit entry id",
         QuoteForMessage(call.params[0]));
  std::lock_guard lock(call.state.store_mu);
  Store& store = call.state.ws.store();
  store.set_actor(fmt::format("key:{}", call.key_id));
  WriteJson(out, UndoMerge(store, entry, call.state.ctx).ToJson());
}

void ListServed(const Call& call, ServeResponse* out) {
  nlohmann::json models = nlohmann::json::array();
  for (const auto& [name, m] : call.snap.models) {
    models.push_back(
        {{"name", name},
         {"version", m->package.version},
         {"type", m->package.meta.value("type", "")},
         {"task", m->package.task},
         {"compiled", m->trees.has_value()},
         {"features_table", m->features ? nlohmann::json(m->features->name) : nlohmann::json()}});
  }
  nlohmann::json recommenders = nlohmann::json::array();
  for (const auto& [name, r] : call.snap.recommenders)
    recommenders.push_back(
        {{"name", name}, {"version", r->version}, {"type", r->meta.value("type", "")}});
  WriteJson(out, {{"models", models}, {"recommenders", recommenders}});
}

void Metrics(const Call& call, ServeResponse* out) {
  out->status = 200;
  out->content_type = "text/plain; version=0.0.4; charset=utf-8";
  out->body = call.state.metrics.ToPrometheus() + call.snap.drift_metrics;
}

void OpenApiRoute(const Call& call, ServeResponse* out) { WriteJson(out, call.state.openapi); }

// The dashboard's page holds no data (it asks /v1/dashboard, with a key), so it needs no key.
void DashboardHome(const Call&, ServeResponse* out) {
  static const std::string page = report::DashboardPage();
  out->content_type = "text/html; charset=utf-8";
  out->body = page;
}

// The report's sections, rendered now from the store.
void Dashboard(const Call& call, ServeResponse* out) {
  ServiceState& state = call.state;
  std::lock_guard lock(state.dashboard_mu);
  if (!state.dashboard_ws) state.dashboard_ws.emplace(Workspace::Open(state.ws.dir()));
  nlohmann::json doc =
      report::RenderSections(*state.dashboard_ws, report::RegisteredSections(), state.ctx).ToJson();
  doc["generated_at"] = NowUtc() + " UTC";
  WriteJson(out, doc);
}

// The route table: what each path answers and the least role its key needs (nullopt: no key).
const std::vector<Route>& Routes() {
  static const std::vector<Route> routes = {
      {"GET", "/v2/health/live", std::nullopt, HealthLive},
      {"GET", "/v2/health/ready", std::nullopt, HealthReady},
      {"GET", "/v2", Role::kRead, ServerMetadata},
      {"GET", "/v2/models/{model}", Role::kRead, ModelMetadata},
      {"GET", "/v2/models/{model}/ready", Role::kRead, ModelReady},
      {"POST", "/v2/models/{model}/infer", Role::kScore, Infer},
      {"POST", "/v1/score", Role::kScore, Score},
      {"POST", "/v1/explain", Role::kScore, Explain},
      {"POST", "/v1/recommend", Role::kScore, Recommend},
      {"POST", "/v1/similar", Role::kScore, Similar},
      {"GET", "/v1/customers/{id}", Role::kRead, Customer},
      {"DELETE", "/v1/customers/{id}", Role::kAdmin, ForgetCustomer},
      {"POST", "/v1/assign", Role::kScore, Assign},
      {"POST", "/v1/events", Role::kWrite, Events},
      {"GET", "/v1/audiences", Role::kRead, ListAudiencesRoute},
      {"POST", "/v1/audiences", Role::kWrite, SaveAudienceRoute},
      {"POST", "/v1/audiences/{name}/export", Role::kAdmin, ExportAudienceRoute},
      {"GET", "/v1/crm/people/{id}", Role::kRead, CrmPersonRoute},
      {"GET", "/v1/crm/pipeline", Role::kRead, CrmPipelineRoute},
      {"POST", "/v1/crm/opportunities/{id}/stage", Role::kWrite, CrmStageRoute},
      {"GET", "/v1/crm/duplicates/{object}", Role::kRead, CrmDuplicatesRoute},
      {"POST", "/v1/crm/merge", Role::kWrite, CrmMergeRoute},
      {"POST", "/v1/crm/undo/{entry}", Role::kWrite, CrmUndoRoute},
      {"GET", "/v1/models", Role::kRead, ListServed},
      {"GET", "/metrics", Role::kRead, Metrics},
      {"GET", "/openapi.json", Role::kRead, OpenApiRoute},
      {"GET", "/", std::nullopt, DashboardHome},
      {"GET", "/v1/dashboard", Role::kRead, Dashboard},
  };
  return routes;
}

// Matches `path` against a route template; fills the parameters. No allocation beyond params.
bool MatchPath(std::string_view pattern, std::string_view path,
               std::vector<std::string_view>* params) {
  params->clear();
  while (!pattern.empty() || !path.empty()) {
    if (pattern.empty() || path.empty() || pattern[0] != '/' || path[0] != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const size_t p_end = std::min(pattern.find('/'), pattern.size());
    const size_t s_end = std::min(path.find('/'), path.size());
    const std::string_view want = pattern.substr(0, p_end), got = path.substr(0, s_end);
    if (!want.empty() && want.front() == '{') {
      if (got.empty()) return false;
      params->push_back(got);
    } else if (want != got) {
      return false;
    }
    pattern.remove_prefix(p_end);
    path.remove_prefix(s_end);
  }
  return true;
}

// The token of "Authorization: Bearer TOKEN" (scheme case-insensitive); "" otherwise.
std::string_view BearerToken(std::string_view header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return {};
  }
  std::string_view token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

// The key's id ("k1a2b3c4") inside its token "pk_<id>_<secret>": names the caller in the audit
// log without the secret. "" for anything else.
std::string_view KeyIdOf(std::string_view authorization) {
  const std::string_view token = BearerToken(authorization);
  if (token.rfind("pk_", 0) != 0) return {};
  const size_t end = token.find('_', 3);
  return end == std::string_view::npos ? std::string_view() : token.substr(3, end - 3);
}

std::vector<ServerMetrics::RouteLabel> RouteLabels() {
  std::vector<ServerMetrics::RouteLabel> labels;
  for (const auto& r : Routes()) labels.push_back({r.method, r.path});
  labels.push_back({"", "unmatched"});
  return labels;
}

std::vector<std::string> RouteNames() {
  std::vector<std::string> names;
  for (const auto& r : Routes()) names.push_back(r.path);
  names.push_back("unmatched");
  return names;
}

}  // namespace

struct Service::Impl : ServiceState {
  Impl(const std::string& dir, ServeOptions options, std::shared_ptr<spdlog::logger> logger)
      : ServiceState(dir, std::move(options), std::move(logger), RouteNames(), RouteLabels()) {}
};

Service::Service(const std::string& workspace_dir, ServeOptions options,
                 std::shared_ptr<spdlog::logger> logger)
    : impl_(std::make_unique<Impl>(workspace_dir, std::move(options), std::move(logger))) {
  const nlohmann::json signature = serve::StoreSignature(impl_->ws, impl_->options);
  auto snap = serve::LoadSnapshot(impl_->ws, impl_->options, signature, nullptr, impl_->ctx);
  if (snap->models.empty() && snap->recommenders.empty()) {
    Fail(ErrorCode::kFailedPrecondition,
         "nothing to serve in {}: no models or recommenders yet (prospect train, prospect "
         "recommend train)",
         impl_->ws.dir());
  }
  impl_->snapshot.store(std::move(snap));
  LoadOnline();
}

void Service::LoadOnline() {
  Store& store = impl_->ws.store();
  const ProfileConfig config = ProfileConfig::FromJson(impl_->ws.Section("profile"));
  if (!store.FindTable(config.events_table)) {
    impl_->online.store(nullptr);
    return;
  }
  impl_->online.store(serve::OnlineProfiles::Load(store, config, impl_->ctx));
}

Service::~Service() = default;

const std::vector<std::string>& Service::routes() const { return impl_->route_names; }
ServerMetrics& Service::metrics() const { return impl_->metrics; }
const nlohmann::json& Service::OpenApi() const { return impl_->openapi; }

std::vector<std::string> Service::Serving() const {
  const auto snap = impl_->snapshot.load();
  std::vector<std::string> out;
  for (const auto& [name, m] : snap->models) {
    out.push_back(fmt::format("model {} v{} ({}{})", name, m->package.version,
                              m->package.meta.value("type", ""), m->trees ? ", compiled" : ""));
  }
  for (const auto& [name, r] : snap->recommenders)
    out.push_back(fmt::format("recommender {} v{}", name, r->version));
  return out;
}

bool Service::Reload() {
  const auto current = impl_->snapshot.load();
  std::lock_guard lock(impl_->store_mu);
  try {
    const nlohmann::json signature = serve::StoreSignature(impl_->ws, impl_->options);
    if (signature == current->signature) return false;
    auto next =
        serve::LoadSnapshot(impl_->ws, impl_->options, signature, current.get(), impl_->ctx);
    // New batch profiles include every persisted event: the online rows are superseded.
    const bool profiles_changed = next->profiles != current->profiles;
    impl_->snapshot.store(std::move(next));
    if (profiles_changed) {
      impl_->overrides.Clear();
      LoadOnline();
    }
    impl_->metrics.ModelReloaded(true);
    impl_->ctx.logger().info("serve: reloaded: {}", Join(Serving(), "; "));
    return true;
  } catch (const std::exception& e) {
    impl_->metrics.ModelReloaded(false);
    impl_->ctx.logger().error("serve: reload failed, still serving the previous snapshot: {}",
                              e.what());
    return false;
  }
}

void Service::Handle(const ServeRequest& request, ServeResponse* out) const {
  const auto started = std::chrono::steady_clock::now();
  impl_->metrics.RequestStarted();
  out->body.clear();
  out->status = 200;
  out->content_type = "application/json";
  out->route = impl_->route_names.size() - 1;
  const std::vector<Route>& routes = Routes();
  // The query string is ignored: no route takes parameters there.
  const std::string_view path = request.target.substr(0, request.target.find('?'));
  thread_local std::vector<std::string_view> params;
  try {
    const Route* route = nullptr;
    bool path_known = false;
    for (size_t i = 0; i < routes.size() && !route; ++i) {
      if (!MatchPath(routes[i].path, path, &params)) continue;
      path_known = true;
      if (request.method == routes[i].method) {
        route = &routes[i];
        out->route = i;
      }
    }
    if (!route) {
      if (path_known) {
        WriteError(out, 405, "method_not_allowed",
                   fmt::format("{} does not take {}", path, request.method));
      } else {
        WriteError(out, 404, "not_found", fmt::format("no route {} {}", request.method, path));
      }
    } else {
      const auto snap = impl_->snapshot.load();
      bool allowed = true;
      if (route->role) {
        const std::optional<Role> role = snap->keys->Find(BearerToken(request.authorization));
        if (!role) {
          allowed = false;
          WriteError(out, 401, "unauthorized",
                     snap->keys->size() == 0
                         ? "an API key is required, and the workspace has none yet: prospect keys "
                           "create --role score"
                         : "an API key is required: Authorization: Bearer <key>");
        } else if (*role < *route->role) {
          allowed = false;
          WriteError(
              out, 403, "forbidden",
              fmt::format("{} {} needs a key with role {} or above; this key's role is {}",
                          route->method, route->path, RoleName(*route->role), RoleName(*role)));
        }
      }
      if (allowed && request.body.size() > impl_->options.max_body_bytes) {
        allowed = false;
        WriteError(out, 413, "payload_too_large",
                   fmt::format("the request body has {} bytes; the limit is {}",
                               request.body.size(), impl_->options.max_body_bytes));
      }
      if (allowed) {
        const Call call{*impl_, *snap, params, request.body, KeyIdOf(request.authorization)};
        route->handler(call, out);
      }
    }
  } catch (const Error& e) {
    out->body.clear();
    out->content_type = "application/json";
    WriteError(out, HttpStatus(e.code()), CodeName(e.code()), e.what());
  } catch (const std::exception& e) {
    out->body.clear();
    out->content_type = "application/json";
    impl_->ctx.logger().error("serve: internal error on {}: {}", impl_->route_names[out->route],
                              e.what());
    WriteError(out, 500, "internal", "internal error (logged on the server)");
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  impl_->metrics.Record(out->route, out->status, seconds);
  impl_->metrics.RequestFinished();
}

}  // namespace prospect
