#include "serve/snapshot.hpp"

#include "prospect/common/error.hpp"
#include "prospect/common/stopwatch.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/features/profile.hpp"
#include "prospect/io/model_file.hpp"
#include "prospect/models/recommend/ann.hpp"
#include "prospect/serve/metrics.hpp"

namespace prospect::serve {
namespace {

constexpr const char* kDefaultCustomerTables[] = {"customers", "segments", "churn_risk"};

// The version a server serves: the production one when a version was promoted, else the latest.
int64_t ServedVersion(Store& store, const StoredObject& latest) {
  const int64_t production = ProductionVersion(store, latest.name);
  return production > 0 ? production : latest.version;
}

bool Wanted(const std::vector<std::string>& names, const std::string& name) {
  return names.empty() || std::find(names.begin(), names.end(), name) != names.end();
}

std::vector<std::string> CustomerTableNames(const std::vector<TableInfo>& tables,
                                            const ServeOptions& options) {
  if (!options.customer_tables.empty()) return options.customer_tables;
  std::vector<std::string> names;
  for (const auto& t : tables) {
    const bool known =
        std::find(std::begin(kDefaultCustomerTables), std::end(kDefaultCustomerTables), t.name) !=
        std::end(kDefaultCustomerTables);
    if (known || t.name.ends_with("_predictions")) names.push_back(t.name);
  }
  return names;
}

std::shared_ptr<const KeyedTable> LoadKeyed(Store& store, const TableInfo& info,
                                            const std::string& id_column,
                                            const std::shared_ptr<const KeyedTable>& previous,
                                            const Context& ctx) {
  if (previous && previous->name == info.name && previous->id_column == id_column &&
      previous->updated_at == info.updated_at)
    return previous;
  auto out = std::make_shared<KeyedTable>();
  out->name = info.name;
  out->id_column = id_column;
  out->updated_at = info.updated_at;
  out->table = store.LoadTable(info.name, ctx);
  const Column& ids = out->table.column(id_column);
  out->row_of.reserve(ids.size());
  for (size_t r = 0; r < ids.size(); ++r) {
    if (!ids.IsNull(r)) out->row_of.insert_or_assign(ids.FormatValue(r), static_cast<uint32_t>(r));
  }
  return out;
}

bool HasColumns(const Table& table, const std::vector<std::string>& columns) {
  for (const auto& c : columns) {
    if (!table.HasColumn(c)) return false;
  }
  return true;
}

// The model's trees, compiled, when it is a gbdt (the one family with a compiled walker).
std::optional<CompiledTrees> CompileTrees(const ModelPackage& package) {
  const std::string bytes =
      package.classifier ? package.classifier->Save() : package.regressor->Save();
  const ModelReader reader(bytes);
  if (reader.type_tag() != "gbdt" && reader.type_tag() != "regress/gbdt") return std::nullopt;
  return CompiledTrees::FromXgboostBooster(reader.Block("booster"));
}

std::shared_ptr<const ServedModel> LoadServedModel(
    Store& store, const std::string& name, int64_t version,
    const std::shared_ptr<const KeyedTable>& profiles,
    std::map<std::string, std::shared_ptr<const KeyedTable>>* own_tables, const Context& ctx) {
  auto out = std::make_shared<ServedModel>();
  out->package = LoadModel(store, name, version);
  const ModelPackage& pkg = out->package;
  const auto& inputs = pkg.pipeline.input_columns();
  if (profiles && HasColumns(profiles->table, inputs)) {
    out->features = profiles;
  } else if (!pkg.id_column.empty()) {
    // A model of another table (bank, leads) scores that table's rows by its own id column.
    const auto info = store.FindTable(pkg.table);
    if (info && info->schema.IndexOf(pkg.id_column) >= 0) {
      auto& keyed = (*own_tables)[pkg.table];
      keyed = LoadKeyed(store, *info, pkg.id_column, keyed, ctx);
      if (HasColumns(keyed->table, inputs)) out->features = keyed;
    }
  }
  out->trees = CompileTrees(pkg);
  if (out->trees && out->features) {
    const DenseMatrix x = pkg.pipeline.Transform(out->features->table, ctx);
    out->encoded.assign(x.values().begin(), x.values().end());
  }
  return out;
}

}  // namespace

double ServedModel::ScoreRow(uint32_t row, const Context& ctx) const {
  if (!trees) {
    const size_t rows[] = {row};
    return package.Score(features->table.Take(rows), ctx)[0];
  }
  return ScoreEncoded(&encoded[static_cast<size_t>(row) * trees->num_features()]);
}

double ServedModel::ScoreEncoded(const float* row) const {
  const double p = trees->Predict(row);
  if (!package.calibrator) return p;
  return package.calibrator->Apply(std::span<const double>(&p, 1))[0];
}

std::vector<double> ServedModel::ScoreTable(const Table& table, const Context& ctx) const {
  if (!trees) return package.Score(table, ctx);
  const DenseMatrix x = package.pipeline.Transform(table, ctx);
  std::vector<double> out(x.rows());
  std::vector<float> row(x.cols());
  for (size_t r = 0; r < x.rows(); ++r) {
    for (size_t j = 0; j < x.cols(); ++j) row[j] = static_cast<float>(x(r, j));
    out[r] = trees->Predict(row.data());
  }
  if (package.calibrator) out = package.calibrator->Apply(out);
  return out;
}

nlohmann::json StoreSignature(const Workspace& ws, const ServeOptions& options) {
  Store& store = ws.store();
  nlohmann::json sig = {{"models", nlohmann::json::object()},
                        {"recommenders", nlohmann::json::object()},
                        {"tables", nlohmann::json::object()},
                        {"keys", nlohmann::json::object()}};
  for (const auto& o : store.ListObjects("model")) {
    if (Wanted(options.models, o.name)) sig["models"][o.name] = ServedVersion(store, o);
  }
  for (const auto& o : store.ListObjects("recommender")) {
    if (Wanted(options.recommenders, o.name)) sig["recommenders"][o.name] = o.version;
  }
  // Not the events table: the server appends to it itself (POST /v1/events), and its online
  // features reload with the profiles table, which a batch `prospect profile` rewrites.
  const std::string events = ProfileConfig::FromJson(ws.Section("profile")).events_table;
  for (const auto& t : store.ListTables()) {
    if (t.name != events) sig["tables"][t.name] = t.updated_at;
  }
  for (const auto& o : store.ListObjects("api_key")) sig["keys"][o.name] = o.version;
  sig["drift"] = nlohmann::json::object();
  for (const auto& o : store.ListObjects("drift_report")) {
    if (sig["models"].contains(o.name)) sig["drift"][o.name] = o.version;
  }
  return sig;
}

std::shared_ptr<const Snapshot> LoadSnapshot(const Workspace& ws, const ServeOptions& options,
                                             const nlohmann::json& signature,
                                             const Snapshot* previous, const Context& ctx) {
  Store& store = ws.store();
  auto out = std::make_shared<Snapshot>();
  out->signature = signature;
  out->customer_id = ProfileConfig::FromJson(ws.Section("profile")).customer_id;
  const std::vector<TableInfo> tables = store.ListTables();
  auto find_table = [&tables](const std::string& name) -> const TableInfo* {
    for (const auto& t : tables) {
      if (t.name == name) return &t;
    }
    return nullptr;
  };
  auto has_id = [&](const TableInfo& t) { return t.schema.IndexOf(out->customer_id) >= 0; };

  if (const TableInfo* info = find_table(kProfilesTable); info && has_id(*info)) {
    out->profiles =
        LoadKeyed(store, *info, out->customer_id, previous ? previous->profiles : nullptr, ctx);
  }
  for (const auto& name : CustomerTableNames(tables, options)) {
    const TableInfo* info = find_table(name);
    if (!info) Fail(ErrorCode::kNotFound, "serve: customer table \"{}\" is not in the store", name);
    if (!has_id(*info)) {
      if (!options.customer_tables.empty()) {
        Fail(ErrorCode::kInvalidArgument, "serve: customer table \"{}\" has no column \"{}\"", name,
             out->customer_id);
      }
      continue;
    }
    std::shared_ptr<const KeyedTable> old;
    if (previous) {
      for (const auto& t : previous->customer_tables) {
        if (t->name == name) old = t;
      }
    }
    out->customer_tables.push_back(LoadKeyed(store, *info, out->customer_id, old, ctx));
  }

  std::map<std::string, std::shared_ptr<const KeyedTable>> own_tables;
  for (const auto& [name, version] : signature["models"].items()) {
    if (previous) {
      const auto it = previous->models.find(name);
      if (it != previous->models.end() && it->second->package.version == version.get<int64_t>() &&
          (!it->second->features || it->second->features == out->profiles)) {
        out->models.emplace(name, it->second);
        continue;
      }
    }
    out->models.emplace(name, LoadServedModel(store, name, version.get<int64_t>(), out->profiles,
                                              &own_tables, ctx));
  }
  for (const auto& [name, version] : signature["recommenders"].items()) {
    if (previous) {
      const auto it = previous->recommenders.find(name);
      if (it != previous->recommenders.end() && it->second->version == version.get<int64_t>()) {
        out->recommenders.emplace(name, it->second);
        continue;
      }
    }
    auto rec =
        std::make_shared<RecommenderPackage>(LoadRecommender(store, name, version.get<int64_t>()));
    if (options.ann_min_items > 0 && rec->model->num_items() >= options.ann_min_items &&
        rec->model->Indexable()) {
      Stopwatch watch;
      rec->model->BuildIndex(AnnParams{}, ctx);
      ctx.logger().info("serve: recommender {} v{}: an HNSW index over its {} items in {:.1f}s",
                        name, rec->version, rec->model->num_items(), watch.Seconds());
    }
    out->recommenders.emplace(name, std::move(rec));
  }
  for (const auto& name : options.models) {
    if (!out->models.count(name)) (void)LoadModel(store, name);  // throws kNotFound, listing them
  }
  for (const auto& name : options.recommenders) {
    if (!out->recommenders.count(name)) (void)LoadRecommender(store, name);
  }
  out->keys = std::make_shared<const KeyRing>(KeyRing::Load(store));
  std::vector<std::pair<std::string, nlohmann::json>> drift;
  const nlohmann::json drift_versions = signature.value("drift", nlohmann::json::object());
  for (const auto& [name, version] : drift_versions.items()) {
    if (const auto report = store.GetObject("drift_report", name, version.get<int64_t>()))
      drift.emplace_back(name, report->meta);
  }
  out->drift_metrics = DriftReportsToPrometheus(drift);
  return out;
}

}  // namespace prospect::serve
