// Implicit ALS (see als.hpp): seeded start, alternating half-steps parallel over rows (each row
// alone, so any thread count gives the same factors), the objective after every iteration.
#include "prospect/models/recommend/als.hpp"

#include <algorithm>
#include <cmath>

#include "models/recommend/als_solver.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/parallel.hpp"
#include "prospect/common/rng.hpp"

namespace prospect {
namespace {

// Small uniform values in [0, 0.01), as the implicit library starts; one stream per side.
std::vector<float> StartingFactors(size_t rows, size_t f, uint64_t seed, uint64_t stream) {
  Rng rng(DeriveSeed(seed, stream));
  std::uniform_real_distribution<float> uniform(0.0f, 0.01f);
  std::vector<float> out(rows * f);
  for (float& v : out) v = uniform(rng);
  return out;
}

}  // namespace

const ParamSchema<AlsParams>& AlsParams::Schema() {
  static const ParamSchema<AlsParams> schema(
      "als",
      {
          {"factors", &AlsParams::factors, "latent factors per user and item", 1, 4096},
          {"regularization", &AlsParams::regularization, "L2 weight on the factors", 0, 1e9},
          {"alpha", &AlsParams::alpha, "confidence per unit of weight: c = 1 + alpha * w", 0, 1e9},
          {"iterations", &AlsParams::iterations, "alternating passes over users and items", 1,
           10000},
          {"solver",
           &AlsParams::solver,
           "each row by conjugate gradient (fast) or exactly by Cholesky",
           {"cg", "cholesky"}},
          {"cg_steps", &AlsParams::cg_steps, "conjugate-gradient steps per row and pass", 1, 4096},
      });
  return schema;
}

void Als::FitChecked(const CsrMatrix& interactions, const Context& ctx) {
  const size_t users = interactions.rows(), items = interactions.cols();
  const auto f = static_cast<size_t>(params_.factors);
  const CsrMatrix by_item = interactions.Transpose();
  user_factors_ = StartingFactors(users, f, ctx.seed(), 1);
  item_factors_ = StartingFactors(items, f, ctx.seed(), 2);
  loss_history_.clear();
  const bool cg = params_.solver == "cg";
  // Solves every row of `rows` (users or items) against the other side's factors.
  auto half_step = [&](const CsrMatrix& rows, const std::vector<float>& other,
                       std::vector<float>& solved) {
    const als::Gram gram = als::GramOf(other, other.size() / f, f, params_.regularization);
    const Eigen::MatrixXf gram_f = gram.cast<float>();
    ParallelFor(ctx, static_cast<int64_t>(rows.rows()), [&](int64_t r) {
      const auto row = static_cast<size_t>(r);
      float* x = solved.data() + row * f;
      if (cg) {
        als::SolveCg(other, f, gram_f, rows.RowIndices(row), rows.RowValues(row), params_.alpha,
                     static_cast<int>(params_.cg_steps), x);
      } else {
        als::SolveExact(other, f, gram, rows.RowIndices(row), rows.RowValues(row), params_.alpha,
                        x);
      }
    });
  };
  for (int64_t it = 0; it < params_.iterations; ++it) {
    half_step(interactions, item_factors_, user_factors_);
    half_step(by_item, user_factors_, item_factors_);
    loss_history_.push_back(als::Loss(
        user_factors_.data(), item_factors_.data(), users, items, f, interactions.indptr(),
        interactions.indices(), interactions.values(), params_.alpha, params_.regularization));
    ctx.Progress("als", static_cast<uint64_t>(it + 1), static_cast<uint64_t>(params_.iterations));
    ctx.ThrowIfCancelled();
  }
  KeepItemGram();
}

void Als::UpdateChecked(const CsrMatrix& interactions, std::span<const int32_t> changed_users,
                        const Context& ctx) {
  const auto f = static_cast<size_t>(params_.factors);
  const size_t users = interactions.rows(), items = interactions.cols();
  // New users and items start at zero: their solves below are exact, so no seed is needed.
  user_factors_.resize(users * f, 0.0f);
  item_factors_.resize(items * f, 0.0f);
  std::vector<int32_t> rows(changed_users.begin(), changed_users.end());
  for (size_t u = num_users(); u < users; ++u) rows.push_back(static_cast<int32_t>(u));
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  std::vector<uint8_t> touched(items, 0);
  for (const int32_t u : rows) {
    for (const int32_t i : interactions.RowIndices(static_cast<size_t>(u)))
      touched[static_cast<size_t>(i)] = 1;
  }
  std::vector<int32_t> touched_items;
  for (size_t i = 0; i < items; ++i) {
    if (touched[i]) touched_items.push_back(static_cast<int32_t>(i));
  }
  const CsrMatrix by_item = interactions.Transpose();
  auto solve = [&](const CsrMatrix& m, std::span<const int32_t> which,
                   const std::vector<float>& other, std::vector<float>& solved) {
    const als::Gram gram = als::GramOf(other, other.size() / f, f, params_.regularization);
    ParallelFor(ctx, static_cast<int64_t>(which.size()), [&](int64_t k) {
      const auto row = static_cast<size_t>(which[static_cast<size_t>(k)]);
      als::SolveExact(other, f, gram, m.RowIndices(row), m.RowValues(row), params_.alpha,
                      solved.data() + row * f);
    });
  };
  solve(interactions, rows, item_factors_, user_factors_);
  solve(by_item, touched_items, user_factors_, item_factors_);
  solve(interactions, rows, item_factors_, user_factors_);
  KeepItemGram();
}

void Als::KeepItemGram() {
  const auto f = static_cast<size_t>(params_.factors);
  const als::Gram gram =
      als::GramOf(item_factors_, item_factors_.size() / f, f, params_.regularization);
  item_gram_.assign(gram.data(), gram.data() + gram.size());
}

std::span<const float> Als::ItemVectors(size_t* dim) const {
  *dim = static_cast<size_t>(params_.factors);
  return item_factors_;
}

void Als::UserVector(const UserHistory& history, std::span<float> x) const {
  const auto f = static_cast<size_t>(params_.factors);
  std::fill(x.begin(), x.end(), 0.0f);
  if (history.user >= 0) {
    const float* stored = user_factors_.data() + static_cast<size_t>(history.user) * f;
    std::copy(stored, stored + f, x.begin());
  } else if (!history.items.empty()) {
    const std::vector<double> ones(history.items.size(), 1.0);
    const auto n = static_cast<Eigen::Index>(f);
    const als::Gram gram = Eigen::Map<const als::Gram>(item_gram_.data(), n, n);
    als::SolveExact(item_factors_, f, gram, history.items,
                    history.weights.empty() ? std::span<const double>(ones) : history.weights,
                    params_.alpha, x.data());
  }
}

void Als::ScoreInto(const UserHistory& history, std::span<float> out) const {
  const auto f = static_cast<size_t>(params_.factors);
  std::vector<float> x(f);
  UserVector(history, x);
  for (size_t i = 0; i < num_items(); ++i) {
    const float* y = item_factors_.data() + i * f;
    float s = 0;
    for (size_t j = 0; j < f; ++j) s += x[j] * y[j];
    out[i] = s;
  }
}

std::vector<double> Als::ExplainChecked(const UserHistory& history, int32_t item) const {
  const auto f = static_cast<size_t>(params_.factors);
  const std::vector<double> ones(history.items.size(), 1.0);
  const auto n = static_cast<Eigen::Index>(f);
  return als::Contributions(
      item_factors_, f, Eigen::Map<const als::Gram>(item_gram_.data(), n, n), history.items,
      history.weights.empty() ? std::span<const double>(ones) : history.weights, params_.alpha,
      item);
}

std::vector<ScoredItem> Als::SimilarItems(int32_t item, size_t k) const {
  CheckItem(item);
  const auto f = static_cast<size_t>(params_.factors);
  const std::vector<float> cosine = VectorCosines(item_factors_, f, f, item);
  return BestOthers(cosine, item, k);
}

void Als::SaveState(ModelWriter& writer) const {
  writer.AddArray<float>("user_factors", user_factors_);
  writer.AddArray<float>("item_factors", item_factors_);
}

void Als::LoadState(const ModelReader& reader) {
  const auto f = static_cast<size_t>(params_.factors);
  user_factors_ = reader.Array<float>("user_factors");
  item_factors_ = reader.Array<float>("item_factors");
  if (user_factors_.size() != num_users() * f || item_factors_.size() != num_items() * f) {
    Fail(ErrorCode::kInvalidData,
         "model file: als holds {} user and {} item factor values for {} users, {} items and {} "
         "factors",
         user_factors_.size(), item_factors_.size(), num_users(), num_items(), f);
  }
  for (const auto* side : {&user_factors_, &item_factors_}) {
    for (const float v : *side) {
      if (!std::isfinite(v))
        Fail(ErrorCode::kInvalidData, "model file is corrupted: an als factor is {}", v);
    }
  }
  KeepItemGram();
}

}  // namespace prospect
