// Content-based scores (see content.hpp): a profile over terms from the history, then one pass
// over the inverted index of the profile's terms.
#include "prospect/models/recommend/content.hpp"

#include <cmath>

#include "prospect/common/error.hpp"

namespace prospect {

const ParamSchema<ContentParams>& ContentParams::Schema() {
  static const ParamSchema<ContentParams> schema(
      "content", {
                     {"profile",
                      &ContentParams::profile,
                      "a user's profile: their items' attribute rows times the interaction "
                      "weight, or each item once",
                      {"weighted", "equal"}},
                 });
  return schema;
}

void ContentBased::FitChecked(const CsrMatrix& interactions, const Context&) {
  if (item_features().rows() == 0) {
    Fail(ErrorCode::kInvalidArgument,
         "content: no item attributes; give the tables and columns that describe items (on the "
         "command line: --content TABLE:ID_COLUMN:COL1,COL2)");
  }
  PROSPECT_CHECK(item_features().rows() == interactions.cols());
  by_term_ = item_features().Transpose();
}

void ContentBased::UpdateChecked(const CsrMatrix& interactions, std::span<const int32_t>,
                                 const Context& ctx) {
  FitChecked(interactions, ctx);
}

void ContentBased::LoadState(const ModelReader&) {
  if (item_features().rows() != num_items())
    Fail(ErrorCode::kInvalidData, "model file: content holds no item attributes");
  by_term_ = item_features().Transpose();
}

std::vector<double> ContentBased::Profile(const UserHistory& history, double* norm) const {
  std::vector<double> profile(item_features().cols(), 0.0);
  const bool weighted = params_.profile == "weighted";
  for (size_t k = 0; k < history.items.size(); ++k) {
    const double w = weighted && !history.weights.empty() ? history.weights[k] : 1.0;
    const auto i = static_cast<size_t>(history.items[k]);
    const auto terms = item_features().RowIndices(i);
    const auto values = item_features().RowValues(i);
    for (size_t t = 0; t < terms.size(); ++t)
      profile[static_cast<size_t>(terms[t])] += w * values[t];
  }
  double sum = 0;
  for (const double v : profile) sum += v * v;
  *norm = std::sqrt(sum);
  return profile;
}

void ContentBased::ScoreInto(const UserHistory& history, std::span<float> out) const {
  double norm = 0;
  const std::vector<double> profile = Profile(history, &norm);
  std::vector<double> score(out.size(), 0.0);
  if (norm > 0) {
    for (size_t t = 0; t < profile.size(); ++t) {
      if (profile[t] == 0) continue;
      const auto items = by_term_.RowIndices(t);
      const auto values = by_term_.RowValues(t);
      for (size_t k = 0; k < items.size(); ++k)
        score[static_cast<size_t>(items[k])] += profile[t] * values[k];
    }
  }
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = norm > 0 ? static_cast<float>(score[i] / norm) : 0.0f;
}

std::vector<double> ContentBased::ExplainChecked(const UserHistory& history, int32_t item) const {
  double norm = 0;
  (void)Profile(history, &norm);
  const bool weighted = params_.profile == "weighted";
  const auto target = item_features().RowIndices(static_cast<size_t>(item));
  const auto target_values = item_features().RowValues(static_cast<size_t>(item));
  std::vector<double> out(history.items.size(), 0.0);
  if (norm == 0) return out;
  for (size_t k = 0; k < history.items.size(); ++k) {
    const double w = weighted && !history.weights.empty() ? history.weights[k] : 1.0;
    const auto i = static_cast<size_t>(history.items[k]);
    const auto terms = item_features().RowIndices(i);
    const auto values = item_features().RowValues(i);
    double dot = 0;
    for (size_t a = 0, b = 0; a < terms.size() && b < target.size();) {
      if (terms[a] < target[b]) {
        ++a;
      } else if (terms[a] > target[b]) {
        ++b;
      } else {
        dot += values[a++] * target_values[b++];
      }
    }
    out[k] = w * dot / norm;
  }
  return out;
}

std::vector<ScoredItem> ContentBased::SimilarItems(int32_t item, size_t k) const {
  CheckItem(item);
  const auto i = static_cast<size_t>(item);
  std::vector<float> cosine(num_items(), 0.0f);
  // Rows are unit length, so the cosine is the dot product.
  const auto terms = item_features().RowIndices(i);
  const auto values = item_features().RowValues(i);
  for (size_t t = 0; t < terms.size(); ++t) {
    const auto items = by_term_.RowIndices(static_cast<size_t>(terms[t]));
    const auto v = by_term_.RowValues(static_cast<size_t>(terms[t]));
    for (size_t n = 0; n < items.size(); ++n)
      cosine[static_cast<size_t>(items[n])] += static_cast<float>(values[t] * v[n]);
  }
  return BestOthers(cosine, item, k);
}

}  // namespace prospect
