// Recommender base: the input checks every algorithm shares, ranking with filters, and Save/Load
// through the model-file container (type tag "recommend/<name>", params JSON, a
// "recommend_meta" block, then per-model blocks).
#include "prospect/models/recommend/recommender.hpp"

#include <cmath>

#include "prospect/common/error.hpp"
#include "prospect/evaluate/ranking.hpp"
#include "prospect/models/recommend/ann.hpp"

namespace prospect {

UserHistory HistoryOf(const CsrMatrix& interactions, size_t user) {
  PROSPECT_CHECK(user < interactions.rows());
  return {static_cast<int64_t>(user), interactions.RowIndices(user), interactions.RowValues(user)};
}

void Recommender::CheckInteractions(const CsrMatrix& interactions) const {
  CheckNotEmpty(interactions.rows(), interactions.cols());
  if (interactions.nnz() == 0)
    Fail(ErrorCode::kInvalidData, "{}: the interaction matrix holds no interactions", Type());
  for (size_t u = 0; u < interactions.rows(); ++u) {
    const auto items = interactions.RowIndices(u);
    const auto weights = interactions.RowValues(u);
    for (size_t k = 0; k < items.size(); ++k) {
      if (!(std::isfinite(weights[k]) && weights[k] > 0)) {
        Fail(ErrorCode::kInvalidData,
             "{}: user {} has weight {} for item {}; interaction weights must be positive and "
             "finite",
             Type(), u, weights[k], items[k]);
      }
    }
  }
  if (item_features_.rows() > 0 && item_features_.rows() != interactions.cols()) {
    Fail(ErrorCode::kInvalidArgument, "{}: item features have {} rows for {} items", Type(),
         item_features_.rows(), interactions.cols());
  }
}

void Recommender::Fit(const CsrMatrix& interactions, const Context& ctx) {
  fitted_ = false;
  index_.reset();
  CheckInteractions(interactions);
  num_users_ = interactions.rows();
  num_items_ = interactions.cols();
  FitChecked(interactions, ctx);
  fitted_ = true;
}

void Recommender::Update(const CsrMatrix& interactions, std::span<const int32_t> changed_users,
                         const Context& ctx) {
  CheckTrained(fitted_);
  CheckInteractions(interactions);
  if (interactions.rows() < num_users_ || interactions.cols() < num_items_) {
    Fail(ErrorCode::kInvalidArgument,
         "{}: an update has {} users and {} items; the model was trained on {} and {}", Type(),
         interactions.rows(), interactions.cols(), num_users_, num_items_);
  }
  for (const int32_t u : changed_users) {
    if (u < 0 || static_cast<size_t>(u) >= interactions.rows())
      Fail(ErrorCode::kInvalidArgument, "{}: changed user {} is outside the {} users", Type(), u,
           interactions.rows());
  }
  // A failed update leaves the model unusable rather than half-updated.
  fitted_ = false;
  index_.reset();
  UpdateChecked(interactions, changed_users, ctx);
  num_users_ = interactions.rows();
  num_items_ = interactions.cols();
  fitted_ = true;
}

void Recommender::UpdateChecked(const CsrMatrix& interactions, std::span<const int32_t>,
                                const Context& ctx) {
  FitChecked(interactions, ctx);
}

void Recommender::CheckHistory(const UserHistory& history) const {
  CheckTrained(fitted_);
  if (history.user >= static_cast<int64_t>(num_users_)) {
    Fail(ErrorCode::kInvalidArgument, "{}: user index {} is past the {} trained users", Type(),
         history.user, num_users_);
  }
  if (!history.weights.empty() && history.weights.size() != history.items.size()) {
    Fail(ErrorCode::kInvalidArgument, "{}: a history of {} items has {} weights", Type(),
         history.items.size(), history.weights.size());
  }
  for (size_t k = 0; k < history.items.size(); ++k) {
    if (history.items[k] < 0 || static_cast<size_t>(history.items[k]) >= num_items_) {
      Fail(ErrorCode::kInvalidArgument, "{}: item index {} is outside the {} trained items", Type(),
           history.items[k], num_items_);
    }
    if (!history.weights.empty() && !std::isfinite(history.weights[k])) {
      Fail(ErrorCode::kInvalidArgument, "{}: item {} of the history has weight {}", Type(),
           history.items[k], history.weights[k]);
    }
  }
}

void Recommender::CheckItem(int64_t item) const {
  CheckTrained(fitted_);
  if (item < 0 || static_cast<size_t>(item) >= num_items_) {
    Fail(ErrorCode::kInvalidArgument, "{}: item index {} is outside the {} trained items", Type(),
         item, num_items_);
  }
}

std::vector<float> Recommender::Scores(const UserHistory& history) const {
  CheckHistory(history);
  std::vector<float> scores(num_items_, 0.0f);
  ScoreInto(history, scores);
  return scores;
}

std::vector<ScoredItem> Recommender::Recommend(const UserHistory& history, size_t k,
                                               const RecommendFilter& filter) const {
  CheckHistory(history);
  if (k == 0) return {};
  std::vector<uint8_t> excluded(num_items_, 0);
  auto mark = [&](std::span<const int32_t> items, uint8_t value) {
    for (const int32_t i : items) {
      if (i >= 0 && static_cast<size_t>(i) < num_items_) excluded[static_cast<size_t>(i)] = value;
    }
  };
  if (!filter.allow.empty()) {
    std::fill(excluded.begin(), excluded.end(), 1);
    mark(filter.allow, 0);
  }
  mark(filter.deny, 1);
  if (filter.exclude_history) mark(history.items, 1);
  if (index_) {
    std::vector<float> x(index_->dim());
    UserVector(history, x);
    return index_->Search(x, k, excluded);
  }
  std::vector<float> scores(num_items_, 0.0f);
  ScoreInto(history, scores);
  std::vector<ScoredItem> out;
  for (const int32_t item : TopK(scores, k, excluded))
    out.push_back({item, scores[static_cast<size_t>(item)]});
  return out;
}

std::span<const float> Recommender::ItemVectors(size_t* dim) const {
  *dim = 0;
  return {};
}

void Recommender::UserVector(const UserHistory&, std::span<float>) const {
  PROSPECT_CHECK(false);  // only models with ItemVectors have user vectors
}

void Recommender::BuildIndex(const AnnParams& params, const Context& ctx) {
  CheckTrained(fitted_);
  size_t dim = 0;
  const std::span<const float> items = ItemVectors(&dim);
  if (items.empty()) {
    Fail(ErrorCode::kInvalidArgument,
         "{}: scores are not dot products of user and item vectors, so there is nothing to index "
         "(approximate search serves als and bpr)",
         Type());
  }
  index_ = std::make_shared<const ItemVectorIndex>(items, dim, params, ctx);
}

std::vector<double> Recommender::Explain(const UserHistory& history, int32_t item) const {
  CheckHistory(history);
  CheckItem(item);
  return ExplainChecked(history, item);
}

std::vector<float> Recommender::VectorCosines(std::span<const float> vectors, size_t stride,
                                              size_t used, int32_t item) {
  const size_t count = vectors.size() / stride;
  std::vector<double> norm(count);
  for (size_t i = 0; i < count; ++i) {
    double s = 0;
    for (size_t j = 0; j < used; ++j)
      s += double{vectors[i * stride + j]} * vectors[i * stride + j];
    norm[i] = std::sqrt(s);
  }
  const auto self = static_cast<size_t>(item);
  const float* a = vectors.data() + self * stride;
  std::vector<float> cosine(count, 0.0f);
  for (size_t i = 0; i < count; ++i) {
    double dot = 0;
    for (size_t j = 0; j < used; ++j) dot += double{a[j]} * vectors[i * stride + j];
    const double denominator = norm[i] * norm[self];
    cosine[i] = denominator > 0 ? static_cast<float>(dot / denominator) : 0.0f;
  }
  return cosine;
}

std::vector<ScoredItem> Recommender::BestOthers(std::span<const float> scores, int32_t item,
                                                size_t k) {
  std::vector<uint8_t> excluded(scores.size(), 0);
  excluded[static_cast<size_t>(item)] = 1;
  std::vector<ScoredItem> out;
  for (const int32_t other : TopK(scores, k, excluded))
    out.push_back({other, scores[static_cast<size_t>(other)]});
  return out;
}

std::string Recommender::Save() const {
  CheckTrained(fitted_);
  ModelWriter writer(RecommenderRegistry().FileTag(Type()), Params());
  const nlohmann::json meta = {{"recommend_format", kRecommenderFormatVersion},
                               {"num_users", num_users_},
                               {"num_items", num_items_}};
  writer.AddBlock("recommend_meta", meta.dump());
  if (item_features_.rows() > 0) {
    const uint64_t terms = item_features_.cols();
    writer.AddArray<uint64_t>("item_feature_count", std::span<const uint64_t>(&terms, 1));
    writer.AddArray<int64_t>("item_feature_indptr", item_features_.indptr());
    writer.AddArray<int32_t>("item_feature_indices", item_features_.indices());
    writer.AddArray<double>("item_feature_values", item_features_.values());
  }
  SaveState(writer);
  return writer.Finish();
}

std::unique_ptr<Recommender> Recommender::Load(std::string_view bytes) {
  const ModelReader reader(bytes);
  std::unique_ptr<Recommender> model =
      RecommenderRegistry().FindByFileTag(reader.type_tag()).Create(reader.params());
  nlohmann::json meta;
  try {
    meta = nlohmann::json::parse(reader.Block("recommend_meta"));
  } catch (const nlohmann::json::exception&) {
    Fail(ErrorCode::kInvalidData, "model file: block \"recommend_meta\" is not valid JSON");
  }
  if (!meta.is_object() || !meta.contains("recommend_format") || !meta.contains("num_users") ||
      !meta.contains("num_items")) {
    Fail(ErrorCode::kInvalidData,
         "model file: block \"recommend_meta\" lacks recommend_format/num_users/num_items");
  }
  const int64_t version = ModelFileInt(meta["recommend_format"], "recommend_format", 1, 1'000'000);
  if (version > kRecommenderFormatVersion) {
    Fail(ErrorCode::kFailedPrecondition,
         "recommender format {} was written by a newer prospect (this one reads up to {}); "
         "upgrade prospect",
         version, kRecommenderFormatVersion);
  }
  model->num_users_ =
      static_cast<size_t>(ModelFileInt(meta["num_users"], "num_users", 1, INT32_MAX));
  model->num_items_ =
      static_cast<size_t>(ModelFileInt(meta["num_items"], "num_items", 1, INT32_MAX));
  if (reader.HasBlock("item_feature_count")) {
    const std::vector<uint64_t> terms = reader.Array<uint64_t>("item_feature_count");
    if (terms.size() != 1 || terms[0] > INT32_MAX)
      Fail(ErrorCode::kInvalidData, "model file: block \"item_feature_count\" is malformed");
    model->item_features_ = CsrMatrix::FromArrays(
        model->num_items_, terms[0], reader.Array<int64_t>("item_feature_indptr"),
        reader.Array<int32_t>("item_feature_indices"), reader.Array<double>("item_feature_values"));
  }
  model->LoadState(reader);
  model->fitted_ = true;
  return model;
}

}  // namespace prospect
