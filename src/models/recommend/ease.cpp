// EASE (see ease.hpp): B from the inverse of the regularised Gram matrix, inverted in place by
// tiled sweeps on the items' side, or through the users' side when they are far fewer.
#include "prospect/models/recommend/ease.hpp"

#include <omp.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <vector>

#include "prospect/common/error.hpp"
#include "prospect/common/parallel.hpp"

namespace prospect {

namespace {

using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixMap = Eigen::Map<Matrix>;
using Eigen::Index;

// Side of the square tiles the inversion works on: each tile's products are Eigen GEMMs of fixed
// shapes, so the arithmetic of every entry is the same whichever thread does it.
constexpr Index kTile = 256;

// Eigen starts threads of its own for a large product unless it already runs in a team of
// several; in a one-thread team that would be more threads than the Context allows. Called at the
// start of each task: it sets the thread count of nested regions for this task only.
void NoThreadsInsideEigen() { omp_set_num_threads(1); }

// The lower triangle of a·aᵀ for the rows of `a` (a sparse matrix and its transpose `at`), plus
// λ on the diagonal, into row-major `out` (rows × rows, zero). Each row alone, in a fixed order.
void LowerGram(const CsrMatrix& a, const CsrMatrix& at, double lambda, double* out,
               const Context& ctx) {
  const auto n = static_cast<int64_t>(a.rows());
  ParallelFor(ctx, n, [&](int64_t i) {
    const auto cols = a.RowIndices(static_cast<size_t>(i));
    const auto w_cols = a.RowValues(static_cast<size_t>(i));
    double* row = out + i * n;
    for (size_t k = 0; k < cols.size(); ++k) {
      const auto others = at.RowIndices(static_cast<size_t>(cols[k]));
      const auto w_others = at.RowValues(static_cast<size_t>(cols[k]));
      for (size_t b = 0; b < others.size() && others[b] <= i; ++b)
        row[others[b]] += w_cols[k] * w_others[b];
    }
    row[i] += lambda;
  });
}

// Replaces the lower triangle of the positive definite `a` (n × n, row-major; its upper triangle
// is never read) by that of -a⁻¹: the sweep operator (Goodnight 1979) one tile of pivots at a
// time. Sweeping the pivots K of a symmetric matrix turns A_KK into -D with D = A_KK⁻¹, A_RK into
// A_RK D and the rest A_RR into A_RR - A_RK D A_KR, and keeps it symmetric, so only the lower
// triangle is kept; each pivot block is a Schur complement of `a`, so positive definite. About n³
// flops, against 7n³/3 for a Cholesky factor and two solves against the identity, nearly all in
// one GEMM per tile row and step, spread over the threads.
void NegatedInverseInPlace(MatrixMap a, const Context& ctx) {
  const Index n = a.rows();
  const Index tiles = (n + kTile - 1) / kTile;
  const Index rows = std::min(n, kTile);
  Matrix v(rows, n), wt(rows, n);  // the pivots' rows of A before the step, and D times them
  for (Index k = 0; k < tiles; ++k) {
    ctx.ThrowIfCancelled();
    const Index k0 = k * kTile, kb = std::min(kTile, n - k0);
    auto vk = v.topRows(kb);
    auto wk = wt.topRows(kb);
    // The pivots' rows of the whole symmetric matrix, from its lower triangle.
    ParallelFor(ctx, tiles, [&](int64_t j) {
      const Index j0 = j * kTile, jb = std::min(kTile, n - j0);
      if (j < k) {
        vk.middleCols(j0, jb) = a.block(k0, j0, kb, jb);
      } else if (j > k) {
        vk.middleCols(j0, jb) = a.block(j0, k0, jb, kb).transpose();
      } else {
        vk.middleCols(k0, kb) = a.block(k0, k0, kb, kb).selfadjointView<Eigen::Lower>();
      }
    });
    const Eigen::LLT<Matrix> pivot(vk.middleCols(k0, kb));
    if (pivot.info() != Eigen::Success)
      Fail(ErrorCode::kInternal, "ease: the regularised Gram matrix is not positive definite");
    Matrix d = pivot.solve(Matrix::Identity(kb, kb));
    d = (0.5 * (d + d.transpose())).eval();
    ParallelFor(ctx, tiles, [&](int64_t j) {
      NoThreadsInsideEigen();
      const Index j0 = j * kTile, jb = std::min(kTile, n - j0);
      wk.middleCols(j0, jb).noalias() = d * vk.middleCols(j0, jb);
    });
    // Tile row I (its lower part): A_IJ -= (D A_KI)ᵀ A_KJ, the longest rows first. Row K and
    // column K are written afresh below.
    ParallelFor(ctx, tiles, [&](int64_t t) {
      const Index i = tiles - 1 - t;
      if (i == k) return;
      NoThreadsInsideEigen();
      const Index i0 = i * kTile, ib = std::min(kTile, n - i0), i1 = i0 + ib;
      const auto w_i = wk.middleCols(i0, ib).transpose();
      if (i < k) {
        a.block(i0, 0, ib, i1).noalias() -= w_i * vk.leftCols(i1);
        return;
      }
      a.block(i0, 0, ib, k0).noalias() -= w_i * vk.leftCols(k0);
      const Index k1 = k0 + kb;
      a.block(i0, k1, ib, i1 - k1).noalias() -= w_i * vk.middleCols(k1, i1 - k1);
    });
    ParallelFor(ctx, tiles, [&](int64_t j) {
      const Index j0 = j * kTile, jb = std::min(kTile, n - j0);
      if (j < k) {
        a.block(k0, j0, kb, jb) = wk.middleCols(j0, jb);
      } else if (j > k) {
        a.block(j0, k0, jb, kb) = wk.middleCols(j0, jb).transpose();
      } else {
        a.block(k0, k0, kb, kb) = -d;
      }
    });
  }
}

// B from G⁻¹ directly: G = XᵀX + λI is items × items. Holds one items × items double matrix.
void FitPrimal(const CsrMatrix& x, const CsrMatrix& by_item, double lambda, std::vector<float>& b,
               const Context& ctx) {
  const auto n = static_cast<Index>(x.cols());
  Matrix g = Matrix::Zero(n, n);
  LowerGram(by_item, x, lambda, g.data(), ctx);
  ctx.ThrowIfCancelled();
  NegatedInverseInPlace(MatrixMap(g.data(), n, n), ctx);  // g = -P, lower triangle
  // B_ij = -P_ij / P_jj = -g_ij / g_jj, row by row from the tiles of g's lower triangle.
  b.assign(static_cast<size_t>(n * n), 0.0f);
  const Index tiles = (n + kTile - 1) / kTile;
  ParallelFor(ctx, tiles, [&](int64_t t) {
    const Index i0 = t * kTile, i1 = std::min(n, i0 + kTile);
    for (Index j0 = 0; j0 < n; j0 += kTile) {
      const Index j1 = std::min(n, j0 + kTile);
      for (Index i = i0; i < i1; ++i) {
        float* out = b.data() + i * n;
        for (Index j = j0; j < j1; ++j) {
          if (i != j) out[j] = static_cast<float>(-(j < i ? g(i, j) : g(j, i)) / g(j, j));
        }
      }
    }
  });
}

// B through the users (Woodbury): with M = XXᵀ + λI (users × users), G⁻¹ = (I - XᵀM⁻¹X) / λ, so
// with S = XᵀM⁻¹X, B_ij = S_ij / (1 - S_jj). Cheaper than FitPrimal when there are far fewer users
// than items, and holds users × (users + items) doubles besides B.
void FitDual(const CsrMatrix& x, const CsrMatrix& by_item, double lambda, std::vector<float>& b,
             const Context& ctx) {
  const auto m = static_cast<Index>(x.rows()), n = static_cast<Index>(x.cols());
  Matrix minv = Matrix::Zero(m, m);
  LowerGram(x, by_item, lambda, minv.data(), ctx);
  ctx.ThrowIfCancelled();
  NegatedInverseInPlace(MatrixMap(minv.data(), m, m), ctx);
  // T = M⁻¹X, user by user: row u is the sum of the users' rows of X weighted by M⁻¹'s row u.
  Matrix t = Matrix::Zero(m, n);
  ParallelFor(ctx, m, [&](int64_t u) {
    double* row = t.data() + u * n;
    for (Index v = 0; v < m; ++v) {
      const double c = -(v <= u ? minv(u, v) : minv(v, u));
      const auto items = x.RowIndices(static_cast<size_t>(v));
      const auto w = x.RowValues(static_cast<size_t>(v));
      for (size_t k = 0; k < items.size(); ++k) row[items[k]] += c * w[k];
    }
  });
  minv.resize(0, 0);
  ctx.ThrowIfCancelled();
  // 1 - S_jj = λ P_jj > 0.
  std::vector<double> scale(static_cast<size_t>(n));
  ParallelFor(ctx, n, [&](int64_t j) {
    const auto users = by_item.RowIndices(static_cast<size_t>(j));
    const auto w = by_item.RowValues(static_cast<size_t>(j));
    double s = 0;
    for (size_t k = 0; k < users.size(); ++k) s += w[k] * t(users[k], j);
    scale[static_cast<size_t>(j)] = 1 - s;
  });
  for (const double s : scale) {
    if (!(s > 0))
      Fail(ErrorCode::kInternal, "ease: the regularised Gram matrix is not positive definite");
  }
  b.assign(static_cast<size_t>(n * n), 0.0f);
  ParallelFor(ctx, n, [&](int64_t i) {
    std::vector<double> s(static_cast<size_t>(n), 0.0);  // row i of S
    const auto users = by_item.RowIndices(static_cast<size_t>(i));
    const auto w = by_item.RowValues(static_cast<size_t>(i));
    for (size_t k = 0; k < users.size(); ++k) {
      const double* row = t.data() + static_cast<Index>(users[k]) * n;
      for (Index j = 0; j < n; ++j) s[static_cast<size_t>(j)] += w[k] * row[j];
    }
    float* out = b.data() + i * n;
    for (Index j = 0; j < n; ++j) {
      if (j != i)
        out[j] = static_cast<float>(s[static_cast<size_t>(j)] / scale[static_cast<size_t>(j)]);
    }
  });
}

}  // namespace

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
  const CsrMatrix by_item = interactions.Transpose();
  // Inverting users × users costs about users³ flops plus two sparse passes over X against
  // items × items at items³: the cheaper side, chosen from the shape alone (so any thread count
  // takes the same one). The sparse passes are counted at a tenth of the GEMMs' speed.
  const auto m = static_cast<double>(interactions.rows()), n = static_cast<double>(items);
  if (m * m * m + 10 * (m + n) * static_cast<double>(interactions.nnz()) < n * n * n) {
    FitDual(interactions, by_item, params_.lambda, b_, ctx);
  } else {
    FitPrimal(interactions, by_item, params_.lambda, b_, ctx);
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
