// Stored recommenders (see package.hpp): the body is one model-file container holding the
// model's own file, the user and item ids and the interaction matrix; the meta says how it was
// made.
#include "prospect/models/recommend/package.hpp"

#include <algorithm>
#include <numeric>

#include "prospect/common/error.hpp"
#include "prospect/common/parallel.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/io/model_file.hpp"
#include "prospect/models/recommend/rerank.hpp"
#include "prospect/models/training.hpp"

namespace prospect {
namespace {

constexpr std::string_view kKind = "recommender";
constexpr std::string_view kFileTag = "recommend_package";

// The history item with the largest positive contribution, as a reason; "" when none adds.
std::string BecauseOf(const RecommenderPackage& p, const UserHistory& history, int32_t item) {
  const std::vector<double> parts = p.model->Explain(history, item);
  size_t best = parts.size();
  for (size_t k = 0; k < parts.size(); ++k) {
    if (parts[k] > 0 && (best == parts.size() || parts[k] > parts[best])) best = k;
  }
  if (best == parts.size()) return {};
  return "because you chose " + p.interactions.col_ids[static_cast<size_t>(history.items[best])];
}

std::vector<int32_t> IndicesOf(const RecommenderPackage& p, const std::vector<std::string>& ids) {
  std::vector<int32_t> out;
  for (const std::string& id : ids) {
    if (const auto i = p.FindItem(id)) out.push_back(*i);
  }
  return out;
}

nlohmann::json MetaOf(const RecommenderPackage& p, const std::string& table, const Table& source,
                      const Context& ctx) {
  return {{"type", p.model->Type()},
          {"table", table},
          {"interactions", p.spec.ToJson()},
          {"params", p.model->Params()},
          {"seed", ctx.seed()},
          {"users", p.interactions.row_ids.size()},
          {"items", p.interactions.col_ids.size()},
          {"nnz", p.interactions.matrix.nnz()},
          {"data_fingerprint", TableFingerprint(source)}};
}

RecommendTrainResult Register(Store& store, RecommenderPackage& p, const std::string& action) {
  p.version = store.PutObject(std::string(kKind), p.name, p.meta, p.Save());
  store.Audit(action, fmt::format("recommender={} version={}", p.name, p.version));
  nlohmann::json summary = p.meta;
  summary["name"] = p.name;
  summary["version"] = p.version;
  return {p.name, p.version, summary};
}

}  // namespace

void RecommenderPackage::Index() {
  user_index_.clear();
  item_index_.clear();
  for (size_t u = 0; u < interactions.row_ids.size(); ++u)
    user_index_.emplace(interactions.row_ids[u], u);
  for (size_t i = 0; i < interactions.col_ids.size(); ++i)
    item_index_.emplace(interactions.col_ids[i], static_cast<int32_t>(i));
  // Groups numbered by name, so the numbering does not depend on the map's order.
  group_names_.clear();
  group_number_.clear();
  for (const auto& [user, group] : group_of) group_number_.emplace(group, 0);
  for (auto& [group, number] : group_number_) group_names_.push_back(group);
  std::sort(group_names_.begin(), group_names_.end());
  for (size_t g = 0; g < group_names_.size(); ++g)
    group_number_[group_names_[g]] = static_cast<int32_t>(g);
  std::vector<int32_t> group(interactions.row_ids.size(), -1);
  for (size_t u = 0; u < group.size(); ++u) {
    const auto g = group_of.find(interactions.row_ids[u]);
    if (g != group_of.end()) group[u] = group_number_.at(g->second);
  }
  popular_ = GroupPopularity(interactions.matrix, group, group_names_.size());
  item_users_ = interactions.matrix.Transpose();
}

std::optional<size_t> RecommenderPackage::FindUser(std::string_view id) const {
  const auto it = user_index_.find(std::string(id));
  return it == user_index_.end() ? std::nullopt : std::optional<size_t>(it->second);
}

std::optional<int32_t> RecommenderPackage::FindItem(std::string_view id) const {
  const auto it = item_index_.find(std::string(id));
  return it == item_index_.end() ? std::nullopt : std::optional<int32_t>(it->second);
}

struct RecommenderPackage::ResolvedRules {
  bool exclude_history = true;
  bool nothing_allowed = false;  // an allow list (or category list) none of whose items exist
  std::vector<int32_t> allow;    // empty: every item
  std::vector<int32_t> deny;
  std::vector<int32_t> category;  // per item, -1 for none; empty without categories
  ListRules list;                 // without `category`, which TopResolved points at the above
};

RecommenderPackage::ResolvedRules RecommenderPackage::Resolve(const RecommendRules& rules) const {
  ResolvedRules r;
  r.exclude_history = rules.exclude_history;
  r.allow = IndicesOf(*this, rules.allow);
  r.deny = IndicesOf(*this, rules.deny);
  r.nothing_allowed = !rules.allow.empty() && r.allow.empty();
  if ((!rules.categories.empty() || rules.max_per_category > 0) && rules.category_of.empty()) {
    Fail(ErrorCode::kInvalidArgument,
         "rules by category need each item's category (--categories TABLE:ID_COLUMN:COLUMN)");
  }
  if (!rules.category_of.empty()) {
    // Categories numbered by first appearance in item order: a pure function of the model.
    std::unordered_map<std::string, int32_t> number;
    r.category.assign(interactions.col_ids.size(), -1);
    for (size_t i = 0; i < r.category.size(); ++i) {
      const auto c = rules.category_of.find(interactions.col_ids[i]);
      if (c != rules.category_of.end())
        r.category[i] =
            number.emplace(c->second, static_cast<int32_t>(number.size())).first->second;
    }
    if (!rules.categories.empty()) {
      // Only these categories: an allow list of their items, within the allow list if any.
      std::vector<uint8_t> wanted(number.size(), 0);
      for (const std::string& name : rules.categories) {
        if (const auto n = number.find(name); n != number.end())
          wanted[static_cast<size_t>(n->second)] = 1;
      }
      std::vector<uint8_t> allowed(r.category.size(), r.allow.empty() ? 1 : 0);
      for (const int32_t i : r.allow) allowed[static_cast<size_t>(i)] = 1;
      std::vector<int32_t> both;
      for (size_t i = 0; i < r.category.size(); ++i) {
        if (allowed[i] && r.category[i] >= 0 && wanted[static_cast<size_t>(r.category[i])])
          both.push_back(static_cast<int32_t>(i));
      }
      r.nothing_allowed = r.nothing_allowed || both.empty();
      r.allow = std::move(both);
    }
  }
  r.list = {.max_per_category = rules.max_per_category, .mmr_lambda = rules.mmr_lambda};
  ListRules checked = r.list;
  checked.category = r.category;
  checked.Check();
  return r;
}

std::vector<Recommendation> RecommenderPackage::Top(std::string_view user, size_t k,
                                                    const RecommendRules& rules,
                                                    bool with_reasons) const {
  return TopResolved(user, k, Resolve(rules), with_reasons);
}

std::vector<Recommendation> RecommenderPackage::TopResolved(std::string_view user, size_t k,
                                                            const ResolvedRules& rules,
                                                            bool with_reasons) const {
  if (rules.nothing_allowed || k == 0) return {};
  const size_t items = interactions.col_ids.size();
  const std::optional<size_t> u = FindUser(user);
  const UserHistory history = u ? HistoryOf(interactions.matrix, *u) : UserHistory{};
  const RecommendFilter filter{
      .exclude_history = rules.exclude_history, .allow = rules.allow, .deny = rules.deny};
  std::vector<uint8_t> blocked;  // the filter for the popularity fallback
  int32_t group = -1;
  std::string fallback_reason = "popular: no history for this user";
  if (!u) {
    blocked.assign(items, rules.allow.empty() ? 0 : 1);
    for (const int32_t i : rules.allow) blocked[static_cast<size_t>(i)] = 0;
    for (const int32_t i : rules.deny) blocked[static_cast<size_t>(i)] = 1;
    if (const auto g = group_of.find(std::string(user)); g != group_of.end()) {
      group = group_number_.at(g->second);
      fallback_reason = fmt::format("popular in {}: no history for this user", g->second);
    }
  }
  // The model's best `pool` items; the list rules choose k of them, with a larger pool when the
  // caps per category leave too few.
  ListRules list = rules.list;
  list.category = rules.category;
  std::vector<ScoredItem> picks;
  for (size_t pool = CandidatePoolSize(list, k, items);; pool = std::min(items, pool * 4)) {
    const std::vector<ScoredItem> candidates =
        u ? model->Recommend(history, pool, filter) : popular_.Top(group, pool, blocked);
    picks = list.active() ? ApplyListRules(candidates, k, list, item_users_) : candidates;
    if (picks.size() >= k || candidates.size() < pool || pool == items) break;
  }
  std::vector<Recommendation> out;
  for (const ScoredItem& s : picks) {
    std::string reason;
    if (!u) {
      reason = fallback_reason;
    } else if (with_reasons) {
      reason = BecauseOf(*this, history, s.item);
      if (reason.empty()) reason = model->Type() == "popularity" ? "popular" : "the model's score";
    }
    out.push_back({interactions.col_ids[static_cast<size_t>(s.item)], s.score, std::move(reason)});
  }
  return out;
}

Table RecommenderPackage::TopTable(std::span<const std::string> users, size_t k,
                                   const RecommendRules& rules, bool with_reasons,
                                   const Context& ctx) const {
  std::vector<std::vector<Recommendation>> lists(users.size());
  const ResolvedRules resolved = Resolve(rules);
  ParallelFor(ctx, static_cast<int64_t>(users.size()), [&](int64_t u) {
    lists[static_cast<size_t>(u)] =
        TopResolved(users[static_cast<size_t>(u)], k, resolved, with_reasons);
  });
  std::vector<std::string> user_col, item_col, reason_col;
  ColumnVector<int64_t> rank_col;
  ColumnVector<double> score_col;
  for (size_t u = 0; u < users.size(); ++u) {
    for (size_t r = 0; r < lists[u].size(); ++r) {
      user_col.push_back(users[u]);
      rank_col.push_back(static_cast<int64_t>(r + 1));
      item_col.push_back(lists[u][r].item);
      score_col.push_back(lists[u][r].score);
      reason_col.push_back(std::move(lists[u][r].reason));
    }
  }
  std::vector<Field> fields = {{"user", DataType::kString},
                               {"rank", DataType::kInt64},
                               {"item", DataType::kString},
                               {"score", DataType::kDouble}};
  std::vector<ColumnPtr> columns = {
      Column::FromStringVector(user_col), Column::FromInts(DataType::kInt64, std::move(rank_col)),
      Column::FromStringVector(item_col), Column::FromDoubles(std::move(score_col))};
  if (with_reasons) {
    fields.push_back({"reason", DataType::kString});
    columns.push_back(Column::FromStringVector(reason_col));
  }
  return Table(Schema(std::move(fields)), std::move(columns));
}

std::vector<Recommendation> RecommenderPackage::Similar(std::string_view item, size_t k) const {
  const std::optional<int32_t> i = FindItem(item);
  if (!i) {
    Fail(ErrorCode::kNotFound, "recommender {}: item {} is not among its {} items", name,
         QuoteForMessage(item), interactions.col_ids.size());
  }
  std::vector<Recommendation> out;
  for (const ScoredItem& s : model->SimilarItems(*i, k)) {
    out.push_back({interactions.col_ids[static_cast<size_t>(s.item)], s.score,
                   "similar to " + std::string(item)});
  }
  return out;
}

std::string RecommenderPackage::Save() const {
  ModelWriter writer(std::string(kFileTag), spec.ToJson());
  writer.AddBlock("model", model->Save());
  writer.AddStrings("user_ids", interactions.row_ids);
  writer.AddStrings("item_ids", interactions.col_ids);
  const CsrMatrix& m = interactions.matrix;
  writer.AddArray<int64_t>("indptr", m.indptr());
  writer.AddArray<int32_t>("indices", m.indices());
  writer.AddArray<double>("values", m.values());
  std::vector<std::string> grouped, groups;
  for (const auto& entry : group_of) grouped.push_back(entry.first);
  std::sort(grouped.begin(), grouped.end());  // the same bytes for the same groups
  for (const std::string& user : grouped) groups.push_back(group_of.at(user));
  writer.AddStrings("group_users", grouped);
  writer.AddStrings("group_names", groups);
  return writer.Finish();
}

RecommenderPackage RecommenderPackage::Load(std::string_view bytes) {
  const ModelReader reader(bytes);
  reader.ExpectType(kFileTag);
  RecommenderPackage p;
  p.spec = InteractionSpec::FromJson(reader.params());
  p.model = Recommender::Load(reader.Block("model"));
  p.interactions.row_ids = reader.Strings("user_ids");
  p.interactions.col_ids = reader.Strings("item_ids");
  if (p.interactions.row_ids.size() != p.model->num_users() ||
      p.interactions.col_ids.size() != p.model->num_items()) {
    Fail(ErrorCode::kInvalidData,
         "recommender file: {} user and {} item ids for a model of {} users and {} items",
         p.interactions.row_ids.size(), p.interactions.col_ids.size(), p.model->num_users(),
         p.model->num_items());
  }
  p.interactions.matrix = CsrMatrix::FromArrays(
      p.model->num_users(), p.model->num_items(), reader.Array<int64_t>("indptr"),
      reader.Array<int32_t>("indices"), reader.Array<double>("values"));
  if (reader.HasBlock("group_users")) {
    const std::vector<std::string> users = reader.Strings("group_users");
    const std::vector<std::string> groups = reader.Strings("group_names");
    if (users.size() != groups.size())
      Fail(ErrorCode::kInvalidData, "recommender file: {} grouped users and {} groups",
           users.size(), groups.size());
    for (size_t n = 0; n < users.size(); ++n) p.group_of[users[n]] = groups[n];
  }
  p.Index();
  if (p.user_index_.size() != p.interactions.row_ids.size() ||
      p.item_index_.size() != p.interactions.col_ids.size())
    Fail(ErrorCode::kInvalidData, "recommender file: its user or item ids repeat");
  return p;
}

ItemAttributes LoadItemAttributes(Store& store, std::span<const ItemContentSource> sources,
                                  const Context& ctx) {
  ItemAttributes out;
  for (const ItemContentSource& source : sources) {
    std::vector<std::string> columns = {source.id_column};
    for (const std::string& c : source.columns) {
      if (c != source.id_column) columns.push_back(c);
    }
    out.sources.push_back(source);
    out.tables.push_back(store.LoadTable(source.table, columns, ctx));
  }
  return out;
}

RecommendTrainResult TrainRecommender(Store& store, const RecommendTrainRequest& request,
                                      const Context& ctx) {
  RecommenderPackage p;
  p.name = request.name.empty() ? fmt::format("{}_{}", request.table, request.model) : request.name;
  Store::CheckObjectName("recommender name", p.name);
  p.model = RecommenderRegistry().Create(request.model, request.params);  // bad params fail here
  p.spec = request.spec;
  const Table table = store.LoadTable(request.table, ctx);
  p.interactions = BuildInteractions(table, p.spec, InteractionWeights(table, p.spec));
  if (!request.content.empty()) {
    const ItemAttributes attributes = LoadItemAttributes(store, request.content, ctx);
    AddItems(&p.interactions, attributes.CatalogueIds());
    p.model->SetItemFeatures(attributes.Features(p.interactions.col_ids).features);
  }
  ctx.logger().info("recommend train: {} users x {} items, {} interactions; fitting {}",
                    p.interactions.row_ids.size(), p.interactions.col_ids.size(),
                    p.interactions.matrix.nnz(), request.model);
  p.model->Fit(p.interactions.matrix, ctx);
  if (!request.groups.empty()) p.group_of = LoadLabels(store, request.groups, "--groups", ctx);
  p.meta = MetaOf(p, request.table, table, ctx);
  p.meta["groups"] = request.groups;
  nlohmann::json content = nlohmann::json::array();
  for (const ItemContentSource& source : request.content) content.push_back(source.ToJson());
  p.meta["content"] = content;
  p.Index();
  return Register(store, p, "recommend train");
}

RecommenderPackage LoadRecommender(Store& store, const std::string& name, int64_t version) {
  const auto object = store.GetObjectOrFail(std::string(kKind), name, version, "recommender",
                                            "Recommenders", "prospect recommend train");
  RecommenderPackage p = RecommenderPackage::Load(object.body);
  p.name = name;
  p.version = object.version;
  p.meta = object.meta;
  return p;
}

RecommendTrainResult UpdateRecommender(Store& store, const std::string& name,
                                       const std::string& table, const Context& ctx) {
  RecommenderPackage p = LoadRecommender(store, name);
  const Table added = store.LoadTable(table, ctx);
  std::vector<int32_t> changed;
  InteractionMatrix grown = ExtendInteractions(p.interactions, added, p.spec,
                                               InteractionWeights(added, p.spec), &changed);
  const size_t new_users = grown.row_ids.size() - p.interactions.row_ids.size();
  std::vector<ItemContentSource> content;
  for (const auto& source : p.meta.value("content", nlohmann::json::array()))
    content.push_back(ItemContentSource::FromJson(source));
  if (!content.empty()) {
    // The attribute tables are read again: new items, and new attributes of old ones.
    const ItemAttributes attributes = LoadItemAttributes(store, content, ctx);
    AddItems(&grown, attributes.CatalogueIds());
    p.model->SetItemFeatures(attributes.Features(grown.col_ids).features);
  }
  const size_t new_items = grown.col_ids.size() - p.interactions.col_ids.size();
  p.model->Update(grown.matrix, changed, ctx);
  p.interactions = std::move(grown);
  p.Index();
  const nlohmann::json previous = p.meta;
  p.meta = MetaOf(p, previous.value("table", table), added, ctx);
  p.meta["data_fingerprint"] = previous.value("data_fingerprint", "");
  p.meta["content"] = previous.value("content", nlohmann::json::array());
  p.meta["groups"] = previous.value("groups", "");
  p.meta["updates"] = previous.value("updates", nlohmann::json::array());
  p.meta["updates"].push_back({{"table", table},
                               {"from_version", p.version},
                               {"changed_users", changed.size()},
                               {"new_users", new_users},
                               {"new_items", new_items},
                               {"data_fingerprint", TableFingerprint(added)}});
  ctx.logger().info("recommend update: {} users changed ({} new), {} new items", changed.size(),
                    new_users, new_items);
  return Register(store, p, "recommend update");
}

std::unordered_map<std::string, std::string> LoadLabels(Store& store, std::string_view source,
                                                        std::string_view option,
                                                        const Context& ctx) {
  const std::vector<std::string> parts = Split(source, ':');
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty()) {
    Fail(ErrorCode::kInvalidArgument,
         "{} {}: expected TABLE:ID_COLUMN:COLUMN, for example segments:customer_id:segment_name "
         "or items:item_id:category",
         option, QuoteForMessage(source));
  }
  const Table t = store.LoadTable(parts[0], {parts[1], parts[2]}, ctx);
  const Column& ids = t.column(parts[1]);
  const Column& groups = t.column(parts[2]);
  std::unordered_map<std::string, std::string> out;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (!ids.IsNull(r) && !groups.IsNull(r)) out[ids.FormatValue(r)] = groups.FormatValue(r);
  }
  return out;
}

void SaveRecommendEvaluation(Store& store, const std::string& table,
                             const RecommenderEvaluation& evaluation) {
  Store::CheckObjectName("table", table);
  store.PutObject("recommend_evaluation", table, evaluation.ToJson(), "");
}

nlohmann::json ListRecommenders(Store& store) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& o : store.ListObjects(std::string(kKind))) {
    out.push_back({{"name", o.name},
                   {"version", o.version},
                   {"type", o.meta.value("type", "")},
                   {"table", o.meta.value("table", "")},
                   {"users", o.meta.value("users", 0)},
                   {"items", o.meta.value("items", 0)},
                   {"created_at", o.created_at}});
  }
  return out;
}

}  // namespace prospect
