// BPR (see bpr.hpp): seeded start, epochs of lock-free SGD over sampled triples on the Context's
// threads, and the same step on one user's factors alone to fold in a user outside training.
#include "prospect/models/recommend/bpr.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <type_traits>

#include "prospect/common/error.hpp"
#include "prospect/common/parallel.hpp"
#include "prospect/common/rng.hpp"

namespace prospect {
namespace {

// A negative found in the user's history is redrawn this often before the triple is skipped
// (a user with nearly every item would otherwise loop for long).
constexpr int kBprNegativeDraws = 10;
// The negatives of a fold-in come from this fixed stream, so a new user's scores depend on the
// model and the history only.
constexpr uint64_t kBprFoldInSeed = 0x62707266'6f6c64ULL;

// Uniform in [-0.5, 0.5) / f, as implicit starts; rows without interactions start at 0.
std::vector<float> BprStart(size_t rows, size_t cols, std::span<const int64_t> counts,
                            uint64_t seed) {
  Rng rng(seed);
  const size_t f = cols - 1;
  std::uniform_real_distribution<float> uniform(-0.5f, 0.5f);
  std::vector<float> out(rows * cols, 0.0f);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t k = 0; k < cols; ++k) {
      const float v = uniform(rng) / static_cast<float>(f);
      if (counts[r] > 0) out[r * cols + k] = v;
    }
  }
  return out;
}

// The step size of an epoch: falling linearly from `start` to start / epochs at the last (as
// word2vec's does). On MovieLens-small it beat a constant rate: NDCG@10 0.247 against 0.235.
float BprRate(double start, int64_t epoch, int64_t epochs) {
  return static_cast<float>(start * static_cast<double>(epochs - epoch) /
                            static_cast<double>(epochs));
}

// Σ a[k] (b[k] − c[k]) in eight partial sums in a fixed order: the compiler vectorises them, and
// the result does not depend on whether it did. `load` reads one value.
template <typename Load>
float BprDot(const float* a, const float* b, const float* c, size_t cols, Load load) {
  float part[8] = {};
  size_t k = 0;
  for (; k + 8 <= cols; k += 8) {
    for (size_t l = 0; l < 8; ++l) part[l] += load(a + k + l) * (load(b + k + l) - load(c + k + l));
  }
  float x = 0;
  for (; k < cols; ++k) x += load(a + k) * (load(b + k) - load(c + k));
  for (const float v : part) x += v;
  return x;
}

// z = σ(−x_uij): the weight of the log-likelihood's gradient, ∂ ln σ(x) / ∂x.
float BprWeight(float x_uij) { return 1.0f / (1.0f + std::exp(x_uij)); }

// One SGD step on the rows of user u, positive p and negative n (factors + bias, f + 1 each):
// gradient ascent on ln σ(x_uij) − λ/2 ‖θ‖², x_uij = u·(p − n) over every column (the user's last
// is 1: the bias difference), as Rendle et al.'s LearnBPR. The bias column takes the item step
// only. Returns z before the step.
//
// kShared: other threads read and write the same rows meanwhile (Hogwild). Every access is then
// a relaxed atomic one, which makes the races defined behaviour (and TSan-clean) at the price of
// scalar code; alone, the same arithmetic runs vectorised.
template <bool kShared>
float BprStep(float* u, float* p, float* n, size_t f, float lr, float reg) {
  const auto load = [](const float* v) {
    if constexpr (kShared) {
      return std::atomic_ref<float>(*const_cast<float*>(v)).load(std::memory_order_relaxed);
    } else {
      return *v;
    }
  };
  const auto store = [](float* v, float value) {
    if constexpr (kShared) {
      std::atomic_ref<float>(*v).store(value, std::memory_order_relaxed);
    } else {
      *v = value;
    }
  };
  const float z = BprWeight(BprDot(u, p, n, f + 1, load));
  for (size_t k = 0; k < f; ++k) {
    const float uk = load(u + k), pk = load(p + k), nk = load(n + k);
    store(u + k, uk + lr * (z * (pk - nk) - reg * uk));
    store(p + k, pk + lr * (z * uk - reg * pk));
    store(n + k, nk + lr * (-z * uk - reg * nk));
  }
  const float pb = load(p + f), nb = load(n + f);
  store(p + f, pb + lr * (z - reg * pb));
  store(n + f, nb + lr * (-z - reg * nb));
  return z;
}

// A negative for a user with (ascending) history `seen`, or -1 to skip the triple: every draw was
// in the history, or (unverified) the draw was the positive itself, which carries no gradient.
template <typename Draw>
int32_t BprNegative(Draw& draw, std::span<const int32_t> seen, int32_t positive, bool verify) {
  if (!verify) {
    const int32_t j = draw();
    return j == positive ? -1 : j;
  }
  for (int attempt = 0; attempt < kBprNegativeDraws; ++attempt) {
    const int32_t j = draw();
    if (!std::binary_search(seen.begin(), seen.end(), j)) return j;
  }
  return -1;
}

}  // namespace

const ParamSchema<BprParams>& BprParams::Schema() {
  static const ParamSchema<BprParams> schema(
      "bpr", {
                 {"factors", &BprParams::factors,
                  "latent factors per user and item (plus an item bias)", 1, 4096},
                 {"learning_rate", &BprParams::learning_rate, "SGD step size", 1e-6, 10},
                 {"regularization", &BprParams::regularization, "L2 weight on the factors", 0, 1e3},
                 {"iterations", &BprParams::iterations,
                  "epochs, each of as many sampled triples as interactions", 1, 100000},
                 {"verify_negative_samples", &BprParams::verify_negative_samples,
                  "redraw a negative item the user already has (false: faster, noisier)"},
             });
  return schema;
}

void Bpr::FitChecked(const CsrMatrix& interactions, const Context& ctx) {
  const size_t users = interactions.rows(), items = interactions.cols(), nnz = interactions.nnz();
  const auto f = static_cast<size_t>(params_.factors);
  const size_t cols = f + 1;
  const std::span<const int64_t> indptr = interactions.indptr();
  const std::span<const int32_t> indices = interactions.indices();

  std::vector<int64_t> user_counts(users), item_counts(items, 0);
  std::vector<int32_t> active;  // users with interactions: the ones sampled
  for (size_t u = 0; u < users; ++u) {
    user_counts[u] = indptr[u + 1] - indptr[u];
    if (user_counts[u] > 0) active.push_back(static_cast<int32_t>(u));
  }
  for (const int32_t i : indices) ++item_counts[static_cast<size_t>(i)];
  user_factors_ = BprStart(users, cols, user_counts, DeriveSeed(ctx.seed(), 1));
  item_factors_ = BprStart(items, cols, item_counts, DeriveSeed(ctx.seed(), 2));
  for (size_t u = 0; u < users; ++u) user_factors_[u * cols + f] = 1.0f;

  // One task per thread, each with its own stream and share of every epoch: with one thread the
  // whole epoch runs in order from one stream.
  const auto tasks = static_cast<size_t>(ctx.threads());
  std::vector<Rng> streams;
  for (size_t t = 0; t < tasks; ++t) streams.emplace_back(DeriveSeed(DeriveSeed(ctx.seed(), 3), t));
  std::vector<int64_t> correct(tasks), sampled(tasks);
  const auto reg = static_cast<float>(params_.regularization);
  const bool verify = params_.verify_negative_samples;
  float* const x = user_factors_.data();
  float* const y = item_factors_.data();
  training_auc_.clear();

  for (int64_t epoch = 0; epoch < params_.iterations; ++epoch) {
    const float lr = BprRate(params_.learning_rate, epoch, params_.iterations);
    // kShared: whether other threads touch the factors meanwhile.
    auto run = [&]<bool kShared>(std::bool_constant<kShared>, int64_t task) {
      const auto t = static_cast<size_t>(task);
      Rng& rng = streams[t];
      std::uniform_int_distribution<size_t> pick_user(0, active.size() - 1);
      std::uniform_int_distribution<int32_t> pick_item(0, static_cast<int32_t>(items) - 1);
      auto draw_item = [&] { return pick_item(rng); };
      const size_t share = nnz / tasks + (t < nnz % tasks ? 1 : 0);
      int64_t right = 0, used = 0;
      for (size_t s = 0; s < share; ++s) {
        const auto user = static_cast<size_t>(active[pick_user(rng)]);
        const std::span<const int32_t> seen = interactions.RowIndices(user);
        const int32_t positive =
            seen[std::uniform_int_distribution<size_t>(0, seen.size() - 1)(rng)];
        const int32_t negative = BprNegative(draw_item, seen, positive, verify);
        if (negative < 0) continue;
        const float z = BprStep<kShared>(x + user * cols, y + static_cast<size_t>(positive) * cols,
                                         y + static_cast<size_t>(negative) * cols, f, lr, reg);
        ++used;
        if (z < 0.5f) ++right;
      }
      correct[t] = right;
      sampled[t] = used;
    };
    if (tasks == 1) {
      run(std::false_type(), 0);
    } else {
      ParallelFor(ctx, static_cast<int64_t>(tasks),
                  [&](int64_t task) { run(std::true_type(), task); });
    }
    int64_t right = 0, used = 0;
    for (size_t t = 0; t < tasks; ++t) {
      right += correct[t];
      used += sampled[t];
    }
    training_auc_.push_back(used > 0 ? static_cast<double>(right) / static_cast<double>(used) : 0);
    // Too large a step overflows the factors; say so instead of ranking by NaN.
    const auto finite = [](float v) { return std::isfinite(v); };
    if (!std::all_of(item_factors_.begin(), item_factors_.end(), finite) ||
        !std::all_of(user_factors_.begin(), user_factors_.end(), finite)) {
      Fail(ErrorCode::kInvalidArgument,
           "bpr: the factors overflowed in epoch {} with learning_rate {}; use a smaller "
           "learning_rate (default 0.3)",
           epoch + 1, params_.learning_rate);
    }
    ctx.Progress("bpr", static_cast<uint64_t>(epoch + 1),
                 static_cast<uint64_t>(params_.iterations));
    ctx.ThrowIfCancelled();
  }
}

std::span<const float> Bpr::ItemVectors(size_t* dim) const {
  *dim = static_cast<size_t>(params_.factors) + 1;
  return item_factors_;
}

void Bpr::UserVector(const UserHistory& history, std::span<float> u) const {
  const auto f = static_cast<size_t>(params_.factors);
  const size_t cols = f + 1;
  std::fill(u.begin(), u.end(), 0.0f);
  u[f] = 1.0f;
  if (history.user >= 0) {
    const float* stored = user_factors_.data() + static_cast<size_t>(history.user) * cols;
    std::copy(stored, stored + cols, u.begin());
  } else if (!history.items.empty()) {
    std::vector<int32_t> seen(history.items.begin(), history.items.end());
    std::sort(seen.begin(), seen.end());
    Rng rng(kBprFoldInSeed);
    std::uniform_int_distribution<size_t> pick_positive(0, seen.size() - 1);
    std::uniform_int_distribution<int32_t> pick_item(0, static_cast<int32_t>(num_items()) - 1);
    auto draw_item = [&] { return pick_item(rng); };
    const auto reg = static_cast<float>(params_.regularization);
    for (int64_t epoch = 0; epoch < params_.iterations; ++epoch) {
      const float lr = BprRate(params_.learning_rate, epoch, params_.iterations);
      for (size_t s = 0; s < seen.size(); ++s) {
        const int32_t positive = seen[pick_positive(rng)];
        const int32_t negative =
            BprNegative(draw_item, seen, positive, params_.verify_negative_samples);
        if (negative < 0) continue;
        const float* p = item_factors_.data() + static_cast<size_t>(positive) * cols;
        const float* n = item_factors_.data() + static_cast<size_t>(negative) * cols;
        const float z = BprWeight(BprDot(u.data(), p, n, cols, [](const float* v) { return *v; }));
        for (size_t k = 0; k < f; ++k) u[k] += lr * (z * (p[k] - n[k]) - reg * u[k]);
      }
    }
  }
}

void Bpr::ScoreInto(const UserHistory& history, std::span<float> out) const {
  const size_t cols = static_cast<size_t>(params_.factors) + 1;
  std::vector<float> u(cols);
  UserVector(history, u);
  for (size_t i = 0; i < num_items(); ++i) {
    const float* y = item_factors_.data() + i * cols;
    float s = 0;
    for (size_t k = 0; k < cols; ++k) s += u[k] * y[k];
    out[i] = s;
  }
}

std::vector<double> Bpr::ExplainChecked(const UserHistory& history, int32_t item) const {
  const auto f = static_cast<size_t>(params_.factors);
  const std::vector<float> cosine = VectorCosines(item_factors_, f + 1, f, item);
  std::vector<double> out(history.items.size());
  for (size_t k = 0; k < out.size(); ++k) {
    const double w = history.weights.empty() ? 1.0 : history.weights[k];
    out[k] = w * cosine[static_cast<size_t>(history.items[k])];
  }
  return out;
}

std::vector<ScoredItem> Bpr::SimilarItems(int32_t item, size_t k) const {
  CheckItem(item);
  const auto f = static_cast<size_t>(params_.factors);
  const size_t cols = f + 1;
  const std::vector<float> cosine = VectorCosines(item_factors_, cols, f, item);
  return BestOthers(cosine, item, k);
}

void Bpr::SaveState(ModelWriter& writer) const {
  writer.AddArray<float>("user_factors", user_factors_);
  writer.AddArray<float>("item_factors", item_factors_);
}

void Bpr::LoadState(const ModelReader& reader) {
  const size_t cols = static_cast<size_t>(params_.factors) + 1;
  user_factors_ = reader.Array<float>("user_factors");
  item_factors_ = reader.Array<float>("item_factors");
  if (user_factors_.size() != num_users() * cols || item_factors_.size() != num_items() * cols) {
    Fail(ErrorCode::kInvalidData,
         "model file: bpr holds {} user and {} item factor values for {} users, {} items and {} "
         "factors plus a bias",
         user_factors_.size(), item_factors_.size(), num_users(), num_items(), cols - 1);
  }
  for (const auto* side : {&user_factors_, &item_factors_}) {
    for (const float v : *side) {
      if (!std::isfinite(v))
        Fail(ErrorCode::kInvalidData, "model file is corrupted: a bpr factor is {}", v);
    }
  }
}

}  // namespace prospect
