// The blended hybrid (see hybrid.hpp).
#include "prospect/models/recommend/hybrid.hpp"

#include <algorithm>
#include <cmath>

#include "prospect/common/error.hpp"

namespace prospect {
namespace {

double InverseLargest(const std::vector<float>& scores) {
  float largest = 0;
  for (const float s : scores) largest = std::max(largest, std::abs(s));
  return largest > 0 ? 1.0 / largest : 0.0;
}

}  // namespace

const ParamSchema<HybridParams>& HybridParams::Schema() {
  static const ParamSchema<HybridParams> schema(
      "hybrid", {
                    {"base",
                     &HybridParams::base,
                     "the collaborative model blended with content",
                     {"popularity", "item_knn", "als", "ease", "bpr"}},
                    {"content_weight", &HybridParams::content_weight,
                     "share of the content score in the blend (0: the base model alone)", 0, 1},
                });
  return schema;
}

void Hybrid::FitChecked(const CsrMatrix& interactions, const Context& ctx) {
  base_ = RecommenderRegistry().Create(params_.base);
  content_ = std::make_unique<ContentBased>(nlohmann::json::object());
  content_->SetItemFeatures(item_features());
  base_->Fit(interactions, ctx);
  content_->Fit(interactions, ctx);
}

void Hybrid::UpdateChecked(const CsrMatrix& interactions, std::span<const int32_t> changed_users,
                           const Context& ctx) {
  content_->SetItemFeatures(item_features());
  base_->Update(interactions, changed_users, ctx);
  content_->Update(interactions, changed_users, ctx);
}

std::pair<double, double> Hybrid::Scales(const UserHistory& history, std::vector<float>* base,
                                         std::vector<float>* content) const {
  *base = base_->Scores(history);
  *content = content_->Scores(history);
  return {(1 - params_.content_weight) * InverseLargest(*base),
          params_.content_weight * InverseLargest(*content)};
}

void Hybrid::ScoreInto(const UserHistory& history, std::span<float> out) const {
  std::vector<float> base, content;
  const auto [b, c] = Scales(history, &base, &content);
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<float>(b * base[i] + c * content[i]);
}

std::vector<double> Hybrid::ExplainChecked(const UserHistory& history, int32_t item) const {
  std::vector<float> base, content;
  const auto [b, c] = Scales(history, &base, &content);
  std::vector<double> out = base_->Explain(history, item);
  const std::vector<double> from_content = content_->Explain(history, item);
  for (size_t k = 0; k < out.size(); ++k) out[k] = b * out[k] + c * from_content[k];
  return out;
}

std::vector<ScoredItem> Hybrid::SimilarItems(int32_t item, size_t k) const {
  CheckItem(item);
  return base_->SimilarItems(item, k);
}

void Hybrid::SaveState(ModelWriter& writer) const {
  writer.AddBlock("base_model", base_->Save());
  writer.AddBlock("content_model", content_->Save());
}

void Hybrid::LoadState(const ModelReader& reader) {
  base_ = Recommender::Load(reader.Block("base_model"));
  std::unique_ptr<Recommender> content = Recommender::Load(reader.Block("content_model"));
  if (base_->Type() != params_.base || content->Type() != "content") {
    Fail(ErrorCode::kInvalidData, "model file: hybrid holds a {} and a {}, expected {} and content",
         base_->Type(), content->Type(), params_.base);
  }
  for (const Recommender* side : {base_.get(), content.get()}) {
    if (side->num_users() != num_users() || side->num_items() != num_items())
      Fail(ErrorCode::kInvalidData, "model file: hybrid's {} does not fit its users and items",
           side->Type());
  }
  content_.reset(static_cast<ContentBased*>(content.release()));
}

}  // namespace prospect
