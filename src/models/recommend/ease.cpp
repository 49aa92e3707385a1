// EASE (see ease.hpp): the Gram matrix, its inverse by Cholesky, and B from the inverse.
#include "prospect/models/recommend/ease.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "prospect/common/error.hpp"
#include "prospect/common/parallel.hpp"

namespace prospect {

const ParamSchema<EaseParams>& EaseParams::Schema() {
  static const ParamSchema<EaseParams> schema(
      "ease",
      {
          {"lambda", &EaseParams::lambda,
           "L2 regularisation of the item-item weights (larger: closer to popularity)", 1e-9, 1e12},
          {"max_items", &EaseParams::max_items,
           "largest catalogue fitted (memory grows with its square)", 1, 100000},
      });
  return schema;
}

void Ease::FitChecked(const CsrMatrix& interactions, const Context& ctx) {
  const size_t items = interactions.cols();
  if (items > static_cast<size_t>(params_.max_items)) {
    Fail(ErrorCode::kInvalidArgument,
         "ease: {} items is above max_items = {}; EASE holds an items x items matrix ({:.1f} GB "
         "while fitting). Use item_knn for a catalogue this large, or raise max_items",
         items, params_.max_items,
         8.0 * static_cast<double>(items) * static_cast<double>(items) / 1e9);
  }
  using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const auto n = static_cast<Eigen::Index>(items);
  // G = XᵀX + λI, row i from the users of item i: each row alone, so any thread count agrees.
  const CsrMatrix by_item = interactions.Transpose();
  Matrix g = Matrix::Zero(n, n);
  ParallelFor(ctx, n, [&](int64_t i) {
    const auto users = by_item.RowIndices(static_cast<size_t>(i));
    const auto w_users = by_item.RowValues(static_cast<size_t>(i));
    double* row = g.data() + i * n;
    for (size_t a = 0; a < users.size(); ++a) {
      const auto u = static_cast<size_t>(users[a]);
      const auto others = interactions.RowIndices(u);
      const auto w_others = interactions.RowValues(u);
      for (size_t b = 0; b < others.size(); ++b) row[others[b]] += w_users[a] * w_others[b];
    }
    row[i] += params_.lambda;
  });
  ctx.ThrowIfCancelled();
  const Eigen::LLT<Matrix> llt(g);
  if (llt.info() != Eigen::Success)
    Fail(ErrorCode::kInternal, "ease: the regularised Gram matrix is not positive definite");
  const Matrix p = llt.solve(Matrix::Identity(n, n));
  b_.assign(items * items, 0.0f);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) {
      if (i != j) b_[static_cast<size_t>(i * n + j)] = static_cast<float>(-p(i, j) / p(j, j));
    }
  }
}

void Ease::UpdateChecked(const CsrMatrix& interactions, std::span<const int32_t>, const Context&) {
  const size_t before = num_items(), after = interactions.cols();
  if (after == before) return;
  if (after > static_cast<size_t>(params_.max_items)) {
    Fail(ErrorCode::kInvalidArgument,
         "ease: the update brings the catalogue to {} items, above max_items = {}; train again "
         "with a larger max_items or use item_knn",
         after, params_.max_items);
  }
  std::vector<float> grown(after * after, 0.0f);
  for (size_t i = 0; i < before; ++i)
    std::copy_n(b_.data() + i * before, before, grown.data() + i * after);
  b_ = std::move(grown);
}

void Ease::ScoreInto(const UserHistory& history, std::span<float> out) const {
  const size_t items = num_items();
  std::vector<double> score(items, 0.0);
  for (size_t k = 0; k < history.items.size(); ++k) {
    const double w = history.weights.empty() ? 1.0 : history.weights[k];
    const float* row = b_.data() + static_cast<size_t>(history.items[k]) * items;
    for (size_t j = 0; j < items; ++j) score[j] += w * row[j];
  }
  std::copy(score.begin(), score.end(), out.begin());
}

std::vector<double> Ease::ExplainChecked(const UserHistory& history, int32_t item) const {
  std::vector<double> out(history.items.size());
  for (size_t k = 0; k < history.items.size(); ++k) {
    const double w = history.weights.empty() ? 1.0 : history.weights[k];
    out[k] =
        w * b_[static_cast<size_t>(history.items[k]) * num_items() + static_cast<size_t>(item)];
  }
  return out;
}

std::vector<ScoredItem> Ease::SimilarItems(int32_t item, size_t k) const {
  CheckItem(item);
  const size_t items = num_items();
  return BestOthers(std::span<const float>(b_.data() + static_cast<size_t>(item) * items, items),
                    item, k);
}

void Ease::SaveState(ModelWriter& writer) const { writer.AddArray<float>("weights", b_); }

void Ease::LoadState(const ModelReader& reader) {
  b_ = reader.Array<float>("weights");
  if (b_.size() != num_items() * num_items())
    Fail(ErrorCode::kInvalidData, "model file: ease holds {} weights for {} items", b_.size(),
         num_items());
  for (const float w : b_) {
    if (!std::isfinite(w))
      Fail(ErrorCode::kInvalidData, "model file is corrupted: an ease weight is {}", w);
  }
}

}  // namespace prospect
