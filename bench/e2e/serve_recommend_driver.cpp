// Top-10 recommendations as the server answers them, over a large catalogue: the whole request
// path in process (Service::Handle on POST /v1/recommend: JSON in, the user's history, the rules,
// JSON out) for an ALS recommender, once with the HNSW index the server builds at load and once
// scoring every item. Prints the latency percentiles of both, the index's recall@10 against the
// exact lists, and writes the ALS factors and the query users for the numpy peer
// (serve_recommend_peer.py) as matrix files in OUT_DIR.
// Usage: prospect_serve_recommend_bench OUT_DIR [USERS ITEMS INTERACTIONS QUERIES]
//        (default 50000 100000 3000000 2000)
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <unordered_map>

#include "driver_common.hpp"
#include "prospect/common/stopwatch.hpp"
#include "prospect/models/recommend/als.hpp"
#include "prospect/models/recommend/package.hpp"
#include "prospect/serve/api_keys.hpp"
#include "prospect/serve/service.hpp"
#include "prospect/workspace/workspace.hpp"

namespace prospect::bench {
namespace {

// Users with a geometric number of interactions (mean interactions / users), items chosen with
// popularity ∝ 1 / (rank + 10): the shape of the library benchmark (BM_Ann_Top10).
Table Interactions(size_t users, size_t items, size_t interactions, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> weights(items);
  for (size_t i = 0; i < items; ++i) weights[i] = 1.0 / (static_cast<double>(i) + 10);
  std::discrete_distribution<size_t> item(weights.begin(), weights.end());
  std::uniform_int_distribution<size_t> user(0, users - 1);
  ColumnBuilder u(DataType::kInt64), it(DataType::kInt64);
  for (size_t n = 0; n < interactions; ++n) {
    u.AppendInt(static_cast<int64_t>(user(rng)));
    it.AppendInt(static_cast<int64_t>(item(rng)));
  }
  return Table(Schema({{"user_id", DataType::kInt64}, {"item_id", DataType::kInt64}}),
               {u.Finish(), it.Finish()});
}

void WriteMatrix(const std::string& path, const std::vector<float>& values, size_t rows,
                 size_t cols) {
  std::ofstream out(path, std::ios::binary);
  const uint64_t shape[2] = {rows, cols};
  out.write(reinterpret_cast<const char*>(shape), sizeof shape);
  for (const float v : values) {
    const double d = v;
    out.write(reinterpret_cast<const char*>(&d), sizeof d);
  }
  if (!out) Fail(ErrorCode::kIo, "cannot write {}", path);
}

struct Timed {
  std::vector<double> ms;
  std::vector<std::vector<std::string>> lists;  ///< the items of each answer
};

Timed Ask(const Service& service, const std::string& key, const std::vector<std::string>& users) {
  Timed out;
  ServeResponse response;
  const std::string auth = "Bearer " + key;
  for (const std::string& user : users) {
    const std::string body = fmt::format(R"({{"user": {}, "k": 10}})", user);
    Stopwatch watch;
    service.Handle({"POST", "/v1/recommend", auth, body}, &response);
    out.ms.push_back(watch.Seconds() * 1e3);
    if (response.status != 200)
      Fail(ErrorCode::kInternal, "status {}: {}", response.status, response.body);
    std::vector<std::string> items;
    const nlohmann::json doc = nlohmann::json::parse(response.body);
    for (const auto& i : doc["items"]) items.push_back(i["item"].get<std::string>());
    out.lists.push_back(std::move(items));
  }
  return out;
}

double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))];
}

int Run(const std::string& out_dir, size_t users, size_t items, size_t interactions,
        size_t queries) {
  const Context ctx;  // all cores for the set-up
  const std::string dir = out_dir + "/workspace";
  std::filesystem::remove_all(dir);
  Workspace::Init(dir);
  Workspace ws = Workspace::Open(dir);
  ws.store().WriteTable("interactions", Interactions(users, items, interactions, 1), {}, ctx);
  RecommendTrainRequest req;
  req.table = "interactions";
  req.spec = {.user_column = "user_id", .item_column = "item_id"};
  req.params = {{"factors", 64}, {"iterations", 5}};
  req.name = "als";
  Stopwatch fit;
  TrainRecommender(ws.store(), req, ctx);
  const RecommenderPackage package = LoadRecommender(ws.store(), "als");
  std::cout << fmt::format("ALS, 64 factors: {} users × {} items, {} interactions, fit {:.1f}s\n",
                           package.model->num_users(), package.model->num_items(), interactions,
                           fit.Seconds());
  const std::string key = CreateApiKey(ws.store(), Role::kScore, "bench").token;

  // Query users spread over the ids, each with some history.
  std::vector<std::string> asked;
  for (size_t q = 0; q < queries; ++q)
    asked.push_back(
        package.interactions.row_ids[q * package.interactions.row_ids.size() / queries]);

  Stopwatch load;
  const Service indexed(dir, ServeOptions{}, nullptr);
  const double index_s = load.Seconds();
  ServeOptions exact_options;
  exact_options.ann_min_items = 0;
  const Service exact(dir, exact_options, nullptr);
  (void)Ask(indexed, key, {asked.begin(), asked.begin() + std::min<size_t>(100, queries)});  // warm
  const Timed a = Ask(indexed, key, asked);
  const Timed e = Ask(exact, key, asked);
  double recall = 0;
  for (size_t q = 0; q < queries; ++q) {
    size_t hits = 0;
    for (const auto& item : a.lists[q])
      hits += std::find(e.lists[q].begin(), e.lists[q].end(), item) != e.lists[q].end();
    recall +=
        static_cast<double>(hits) / static_cast<double>(std::max<size_t>(1, e.lists[q].size()));
  }
  recall /= static_cast<double>(queries);
  std::cout << fmt::format(
      "POST /v1/recommend k=10 in process, {} users, one thread (load with index: {:.1f}s)\n"
      "  HNSW index      p50 {:.3f} ms  p99 {:.3f} ms\n"
      "  every item      p50 {:.3f} ms  p99 {:.3f} ms\n"
      "  recall@10 of the index against every item: {:.3f}\n",
      queries, index_s, Percentile(a.ms, 0.5), Percentile(a.ms, 0.99), Percentile(e.ms, 0.5),
      Percentile(e.ms, 0.99), recall);

  // The peer's input: the same factors and query users, each user's history (excluded, as the
  // server excludes it) and prospect's exact lists, by item index.
  const auto& als = dynamic_cast<const Als&>(*package.model);
  const size_t f = static_cast<size_t>(als.Params()["factors"].get<int64_t>());
  WriteMatrix(out_dir + "/items.bin", als.item_factors(), package.model->num_items(), f);
  std::unordered_map<std::string, size_t> user_row, item_column;
  for (size_t u = 0; u < package.interactions.row_ids.size(); ++u)
    user_row.emplace(package.interactions.row_ids[u], u);
  for (size_t i = 0; i < package.interactions.col_ids.size(); ++i)
    item_column.emplace(package.interactions.col_ids[i], i);
  std::vector<float> query_factors;
  nlohmann::json peer = nlohmann::json::array();
  for (size_t q = 0; q < queries; ++q) {
    const size_t u = user_row.at(asked[q]);
    query_factors.insert(query_factors.end(), als.user_factors().begin() + u * f,
                         als.user_factors().begin() + (u + 1) * f);
    std::vector<size_t> top;
    for (const auto& item : e.lists[q]) top.push_back(item_column.at(item));
    const auto history = package.interactions.matrix.RowIndices(u);
    peer.push_back(
        {{"history", std::vector<int32_t>(history.begin(), history.end())}, {"exact", top}});
  }
  WriteMatrix(out_dir + "/queries.bin", query_factors, queries, f);
  std::ofstream(out_dir + "/queries.json") << peer.dump();
  return 0;
}

}  // namespace
}  // namespace prospect::bench

int main(int argc, char** argv) {
  return prospect::bench::RunDriver(
      argc, 1, "usage: prospect_serve_recommend_bench OUT_DIR [USERS ITEMS INTERACTIONS QUERIES]",
      [&] {
        auto arg = [&](int i, size_t fallback) {
          return argc > i ? static_cast<size_t>(std::stoul(argv[i])) : fallback;
        };
        return prospect::bench::Run(argv[1], arg(2, 50000), arg(3, 100000), arg(4, 3000000),
                                    arg(5, 2000));
      });
}
