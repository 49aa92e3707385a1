// k-means: greedy k-means++ seeding, Lloyd and Elkan iterations with sklearn's stopping rules and
// empty-cluster relocation, n_init restarts, automatic k; and mini-batch k-means.
// Every reduction is done per fixed-size chunk and added in chunk order (deterministic results).
#include "prospect/models/cluster/kmeans.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "models/cluster/kernels.hpp"
#include "prospect/models/cluster/metrics.hpp"

namespace prospect {

using cluster_internal::ForChunks;
using cluster_internal::kChunkRows;
using cluster_internal::NumChunks;
using cluster_internal::SqDist;

const ParamSchema<KMeansParams>& KMeansParams::Schema() {
  static const ParamSchema<KMeansParams> schema(
      "kmeans",
      {
          {"k", &KMeansParams::k,
           "number of clusters; 0 = choose automatically in [k_min, k_max] by k_method", 0, 1e6},
          {"init",
           &KMeansParams::init,
           "initial centres: greedy k-means++ or random rows",
           -1,
           -1,
           {"k-means++", "random"}},
          {"n_init", &KMeansParams::n_init,
           "restarts from different seeds; the lowest inertia wins", 1, 1000},
          {"max_iter", &KMeansParams::max_iter, "iterations per restart", 1, 1e6},
          {"tol", &KMeansParams::tol,
           "stop when the squared centre shift is below tol × mean feature variance", 0, 1},
          {"algorithm",
           &KMeansParams::algorithm,
           "elkan (triangle-inequality bounds) or lloyd; same result",
           -1,
           -1,
           {"elkan", "lloyd"}},
          {"k_min", &KMeansParams::k_min, "smallest k tried when k = 0", 1, 1e6},
          {"k_max", &KMeansParams::k_max, "largest k tried when k = 0", 1, 1e6},
          {"k_method",
           &KMeansParams::k_method,
           "how k = 0 picks k",
           -1,
           -1,
           {"silhouette", "calinski_harabasz", "elbow"}},
          {"silhouette_sample", &KMeansParams::silhouette_sample,
           "rows sampled for the silhouette (0 = all rows)", 0, 1e9},
      });
  return schema;
}

namespace {

struct Run {
  DenseMatrix centres;
  std::vector<int32_t> labels;
  double inertia = 0;
  int64_t n_iter = 0;
};

// Sums of the rows of each cluster, per chunk then added in chunk order.
struct ChunkSums {
  ChunkSums(size_t chunks, size_t k, size_t d)
      : k(k), d(d), sums(chunks * k * d, 0.0), counts(chunks * k, 0.0) {}
  void Clear() {
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(counts.begin(), counts.end(), 0.0);
  }
  void Add(size_t chunk, int32_t label, const double* row) {
    double* s = &sums[(chunk * k + static_cast<size_t>(label)) * d];
    for (size_t j = 0; j < d; ++j) s[j] += row[j];
    counts[chunk * k + static_cast<size_t>(label)] += 1.0;
  }
  // Totals: sums (k × d) and counts (k).
  void Reduce(DenseMatrix& total, std::vector<double>& total_counts) const {
    const size_t chunks = counts.size() / k;
    total = DenseMatrix(k, d, 0.0);
    total_counts.assign(k, 0.0);
    for (size_t c = 0; c < chunks; ++c) {
      for (size_t j = 0; j < k; ++j) {
        total_counts[j] += counts[c * k + j];
        const double* s = &sums[(c * k + j) * d];
        double* t = total.Row(j);
        for (size_t q = 0; q < d; ++q) t[q] += s[q];
      }
    }
  }
  size_t k, d;
  std::vector<double> sums;
  std::vector<double> counts;
};

// Turns cluster sums into means. Empty clusters take the rows farthest from their (old) centre, as
// sklearn's _relocate_empty_clusters_dense: the row leaves its cluster's sums.
void FinishCentres(const DenseMatrixView& x, const std::vector<int32_t>& labels,
                   const std::vector<double>& distances, DenseMatrix& sums,
                   std::vector<double>& counts, DenseMatrix& centres) {
  const size_t k = sums.rows(), d = sums.cols();
  std::vector<size_t> empty;
  for (size_t j = 0; j < k; ++j) {
    if (counts[j] == 0) empty.push_back(j);
  }
  if (!empty.empty()) {
    std::vector<size_t> order(x.rows());
    std::iota(order.begin(), order.end(), size_t{0});
    const size_t m = std::min(empty.size(), order.size());
    std::partial_sort(
        order.begin(), order.begin() + static_cast<long>(m), order.end(), [&](size_t a, size_t b) {
          return distances[a] > distances[b] || (distances[a] == distances[b] && a < b);
        });
    for (size_t e = 0; e < m; ++e) {
      const size_t row = order[e];
      const size_t old = static_cast<size_t>(labels[row]);
      const size_t target = empty[e];
      for (size_t q = 0; q < d; ++q) {
        sums(old, q) -= x(row, q);
        sums(target, q) = x(row, q);
      }
      counts[old] -= 1;
      counts[target] = 1;
    }
  }
  centres = DenseMatrix(k, d);
  for (size_t j = 0; j < k; ++j) {
    for (size_t q = 0; q < d; ++q)
      centres(j, q) = counts[j] > 0 ? sums(j, q) / counts[j] : sums(j, q);
  }
}

double Inertia(const DenseMatrixView& x, const DenseMatrix& centres,
               const std::vector<int32_t>& labels, const Context& ctx) {
  std::vector<double> partial(NumChunks(x.rows()), 0.0);
  ForChunks(x.rows(), ctx, [&](size_t c, size_t b, size_t e) {
    double s = 0;
    for (size_t i = b; i < e; ++i)
      s += SqDist(x.Row(i), centres.Row(static_cast<size_t>(labels[i])), x.cols());
    partial[c] = s;
  });
  return std::accumulate(partial.begin(), partial.end(), 0.0);
}

double ShiftSquared(const DenseMatrix& a, const DenseMatrix& b, std::vector<double>* per_centre) {
  double total = 0;
  if (per_centre) per_centre->assign(a.rows(), 0.0);
  for (size_t j = 0; j < a.rows(); ++j) {
    const double s = SqDist(a.Row(j), b.Row(j), a.cols());
    total += s;
    if (per_centre) (*per_centre)[j] = std::sqrt(s);
  }
  return total;
}

// sklearn's convergence test after iteration `it`: the labels did not change (a strict
// convergence: they are final) or the centres' total squared shift is within tol.
bool IterationConverged(Run& run, int64_t it, double shift, double tol,
                        std::vector<int32_t>& labels_old, bool& strict) {
  run.n_iter = it + 1;
  if (run.labels == labels_old) {
    strict = true;
    return true;
  }
  if (shift <= tol) return true;
  labels_old = run.labels;
  return false;
}

// The end of a Lloyd or Elkan run: unless it converged strictly, the rows are labelled by the
// final centres (sklearn's last E-step); then the inertia.
Run FinishRun(const DenseMatrixView& x, DenseMatrix centres, bool strict, std::vector<double>& dist,
              Run run, const Context& ctx) {
  if (!strict) {
    ForChunks(x.rows(), ctx, [&](size_t, size_t b, size_t e) {
      cluster_internal::NearestBlock(x.Row(b), e - b, centres.data(), centres.rows(), x.cols(),
                                     &run.labels[b], &dist[b]);
    });
  }
  run.inertia = Inertia(x, centres, run.labels, ctx);
  run.centres = std::move(centres);
  return run;
}

// What Lloyd and Elkan keep between iterations: per-chunk centre sums (a fixed-order reduction),
// the previous labels for the convergence test, each row's distance for relocating empty clusters,
// and whether the run ended with labels that no longer change.
struct IterationState {
  IterationState(size_t n, size_t k, size_t d)
      : labels_old(n, -1), dist(n), chunk_sums(NumChunks(n), k, d) {}
  std::vector<int32_t> labels_old;
  std::vector<double> dist;
  ChunkSums chunk_sums;
  DenseMatrix sums;
  std::vector<double> counts;
  bool strict = false;
};

Run RunLloyd(const DenseMatrixView& x, DenseMatrix centres, int64_t max_iter, double tol,
             const Context& ctx) {
  const size_t n = x.rows(), d = x.cols(), k = centres.rows();
  Run run;
  run.labels.assign(n, -1);
  IterationState state(n, k, d);
  for (int64_t it = 0; it < max_iter; ++it) {
    ctx.ThrowIfCancelled();
    state.chunk_sums.Clear();
    ForChunks(n, ctx, [&](size_t c, size_t b, size_t e) {
      cluster_internal::NearestBlock(x.Row(b), e - b, centres.data(), k, d, &run.labels[b],
                                     &state.dist[b]);
      for (size_t i = b; i < e; ++i) state.chunk_sums.Add(c, run.labels[i], x.Row(i));
    });
    state.chunk_sums.Reduce(state.sums, state.counts);
    DenseMatrix next;
    FinishCentres(x, run.labels, state.dist, state.sums, state.counts, next);
    const double shift = ShiftSquared(centres, next, nullptr);
    centres = std::move(next);
    if (IterationConverged(run, it, shift, tol, state.labels_old, state.strict)) break;
  }
  return FinishRun(x, std::move(centres), state.strict, state.dist, std::move(run), ctx);
}

// Half the distances between centres, and for each centre half the distance to its nearest other.
void CentreHalfDistances(const DenseMatrix& centres, std::vector<double>& half,
                         std::vector<double>& next) {
  const size_t k = centres.rows();
  half.assign(k * k, 0.0);
  next.assign(k, std::numeric_limits<double>::infinity());
  for (size_t a = 0; a < k; ++a) {
    for (size_t b = a + 1; b < k; ++b) {
      const double h = std::sqrt(SqDist(centres.Row(a), centres.Row(b), centres.cols())) / 2;
      half[a * k + b] = half[b * k + a] = h;
      next[a] = std::min(next[a], h);
      next[b] = std::min(next[b], h);
    }
  }
}

// Elkan's step for one row and centre j: the exact distance becomes the row's lower bound to j,
// and j becomes the row's label when it is nearer than the current one.
inline void ElkanVisit(const double* row, const DenseMatrix& centres, size_t j, double* lb,
                       size_t* label, double* dist) {
  const double dj = std::sqrt(SqDist(row, centres.Row(j), centres.cols()));
  lb[j] = dj;
  if (dj < *dist) {
    *dist = dj;
    *label = j;
  }
}

// Elkan (2003), in the form of sklearn's _k_means_elkan: an upper bound on the distance to the
// own centre and lower bounds to every centre skip most distance computations.
Run RunElkan(const DenseMatrixView& x, DenseMatrix centres, int64_t max_iter, double tol,
             const Context& ctx) {
  const size_t n = x.rows(), d = x.cols(), k = centres.rows();
  Run run;
  run.labels.assign(n, 0);
  std::vector<double> upper(n), lower(n * k, 0.0), half, next_half;
  CentreHalfDistances(centres, half, next_half);
  ForChunks(n, ctx, [&](size_t, size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) {
      const double* row = x.Row(i);
      double* lb = &lower[i * k];
      size_t best = 0;
      double min_dist = std::sqrt(SqDist(row, centres.Row(0), d));
      lb[0] = min_dist;
      for (size_t j = 1; j < k; ++j) {
        if (min_dist > half[best * k + j]) ElkanVisit(row, centres, j, lb, &best, &min_dist);
      }
      run.labels[i] = static_cast<int32_t>(best);
      upper[i] = min_dist;
    }
  });
  IterationState state(n, k, d);
  std::vector<double> shift;
  for (int64_t it = 0; it < max_iter; ++it) {
    ctx.ThrowIfCancelled();
    state.chunk_sums.Clear();
    ForChunks(n, ctx, [&](size_t c, size_t b, size_t e) {
      for (size_t i = b; i < e; ++i) {
        const double* row = x.Row(i);
        double* lb = &lower[i * k];
        size_t label = static_cast<size_t>(run.labels[i]);
        double ub = upper[i];
        if (next_half[label] < ub) {
          bool tight = false;
          for (size_t j = 0; j < k; ++j) {
            if (j != label && ub > lb[j] && ub > half[label * k + j]) {
              if (!tight) {
                ub = std::sqrt(SqDist(row, centres.Row(label), d));
                lb[label] = ub;
                tight = true;
                if (!(ub > lb[j] && ub > half[label * k + j])) continue;
              }
              ElkanVisit(row, centres, j, lb, &label, &ub);
            }
          }
        }
        run.labels[i] = static_cast<int32_t>(label);
        upper[i] = ub;
        state.chunk_sums.Add(c, run.labels[i], row);
      }
    });
    state.chunk_sums.Reduce(state.sums, state.counts);
    const bool any_empty =
        std::find(state.counts.begin(), state.counts.end(), 0.0) != state.counts.end();
    if (any_empty) {
      // Relocation needs the exact distance of each row to its (old) centre.
      ForChunks(n, ctx, [&](size_t, size_t b, size_t e) {
        for (size_t i = b; i < e; ++i)
          state.dist[i] = SqDist(x.Row(i), centres.Row(static_cast<size_t>(run.labels[i])), d);
      });
    }
    DenseMatrix next;
    FinishCentres(x, run.labels, state.dist, state.sums, state.counts, next);
    const double shift_total = ShiftSquared(centres, next, &shift);
    centres = std::move(next);
    ForChunks(n, ctx, [&](size_t, size_t b, size_t e) {
      for (size_t i = b; i < e; ++i) {
        upper[i] += shift[static_cast<size_t>(run.labels[i])];
        double* lb = &lower[i * k];
        for (size_t j = 0; j < k; ++j) lb[j] = std::max(lb[j] - shift[j], 0.0);
      }
    });
    CentreHalfDistances(centres, half, next_half);
    if (IterationConverged(run, it, shift_total, tol, state.labels_old, state.strict)) break;
  }
  return FinishRun(x, std::move(centres), state.strict, state.dist, std::move(run), ctx);
}

DenseMatrix RandomInit(const DenseMatrixView& x, int64_t k, uint64_t seed) {
  Rng rng(seed);
  const auto rows =
      cluster_internal::SampleWithoutReplacement(x.rows(), static_cast<size_t>(k), rng);
  DenseMatrix centres(static_cast<size_t>(k), x.cols());
  for (size_t j = 0; j < rows.size(); ++j) std::copy_n(x.Row(rows[j]), x.cols(), centres.Row(j));
  return centres;
}

}  // namespace

DenseMatrix KMeansPlusPlus(const DenseMatrixView& x, int64_t k_in, uint64_t seed,
                           const Context& ctx) {
  const size_t n = x.rows(), d = x.cols(), k = static_cast<size_t>(k_in);
  const size_t chunks = NumChunks(n);
  Rng rng(seed);
  DenseMatrix centres(k, d);
  const size_t trials = 2 + static_cast<size_t>(std::log(static_cast<double>(k)));
  const size_t first = cluster_internal::UniformIndex(rng, n);
  std::copy_n(x.Row(first), d, centres.Row(0));
  std::vector<double> closest(n);
  std::vector<double> chunk_pot(chunks, 0.0);
  ForChunks(n, ctx, [&](size_t c, size_t b, size_t e) {
    double s = 0;
    for (size_t i = b; i < e; ++i) s += closest[i] = SqDist(x.Row(i), centres.Row(0), d);
    chunk_pot[c] = s;
  });
  std::vector<double> candidate_pot(chunks * trials);
  std::vector<double> cands(trials * d);
  std::vector<size_t> cand_ids(trials);
  for (size_t c = 1; c < k; ++c) {
    ctx.ThrowIfCancelled();
    // Prefix sums per chunk; searchsorted(cumsum(closest), u·pot) as sklearn, found chunk first.
    std::vector<double> prefix(chunks + 1, 0.0);
    for (size_t q = 0; q < chunks; ++q) prefix[q + 1] = prefix[q] + chunk_pot[q];
    const double pot = prefix[chunks];
    for (size_t t = 0; t < trials; ++t) {
      const double target = cluster_internal::Uniform01(rng) * pot;
      const size_t p = static_cast<size_t>(
          std::lower_bound(prefix.begin() + 1, prefix.end(), target) - prefix.begin());
      const size_t q = std::min(p, chunks) - 1;  // the chunk holding the searchsorted position
      double run_sum = prefix[q];
      size_t id = std::min(n - 1, (q + 1) * kChunkRows - 1);
      for (size_t i = q * kChunkRows; i < std::min(n, (q + 1) * kChunkRows); ++i) {
        run_sum += closest[i];
        if (run_sum >= target) {
          id = i;
          break;
        }
      }
      cand_ids[t] = id;
      std::copy_n(x.Row(id), d, &cands[t * d]);
    }
    ForChunks(n, ctx, [&](size_t ch, size_t b, size_t e) {
      double buf[64 * 8];
      std::vector<double> pots(trials, 0.0);
      for (size_t i0 = b; i0 < e; i0 += 64) {
        const size_t rows = std::min<size_t>(64, e - i0);
        for (size_t t0 = 0; t0 < trials; t0 += 8) {
          const size_t m = std::min<size_t>(8, trials - t0);
          cluster_internal::DistancesBlock(x.Row(i0), rows, &cands[t0 * d], m, d, buf);
          for (size_t r = 0; r < rows; ++r)
            for (size_t t = 0; t < m; ++t)
              pots[t0 + t] += std::min(closest[i0 + r], buf[r * m + t]);
        }
      }
      for (size_t t = 0; t < trials; ++t) candidate_pot[ch * trials + t] = pots[t];
    });
    size_t best = 0;
    double best_pot = std::numeric_limits<double>::infinity();
    for (size_t t = 0; t < trials; ++t) {
      double s = 0;
      for (size_t ch = 0; ch < chunks; ++ch) s += candidate_pot[ch * trials + t];
      if (s < best_pot) {
        best_pot = s;
        best = t;
      }
    }
    std::copy_n(&cands[best * d], d, centres.Row(c));
    ForChunks(n, ctx, [&](size_t ch, size_t b, size_t e) {
      double s = 0;
      for (size_t i = b; i < e; ++i) {
        closest[i] = std::min(closest[i], SqDist(x.Row(i), centres.Row(c), d));
        s += closest[i];
      }
      chunk_pot[ch] = s;
    });
  }
  return centres;
}

std::vector<int32_t> NearestCentres(const DenseMatrixView& x, const DenseMatrixView& centres,
                                    const Context& ctx, double* inertia) {
  const size_t n = x.rows();
  std::vector<int32_t> labels(n);
  std::vector<double> dist(n);
  std::vector<double> partial(NumChunks(n), 0.0);
  ForChunks(n, ctx, [&](size_t c, size_t b, size_t e) {
    cluster_internal::NearestBlock(x.Row(b), e - b, centres.data(), centres.rows(), x.cols(),
                                   &labels[b], &dist[b]);
    double s = 0;
    for (size_t i = b; i < e; ++i) s += dist[i];
    partial[c] = s;
  });
  if (inertia) *inertia = std::accumulate(partial.begin(), partial.end(), 0.0);
  return labels;
}

void KMeans::FitFixedK(const DenseMatrixView& x, int64_t k, const Context& ctx) {
  const double tol = params_.tol * cluster_internal::MeanVariance(x, ctx);
  Run best;
  best.inertia = std::numeric_limits<double>::infinity();
  for (int64_t r = 0; r < params_.n_init; ++r) {
    const uint64_t seed = DeriveSeed(ctx.seed(), static_cast<uint64_t>(r));
    DenseMatrix init =
        params_.init == "random" ? RandomInit(x, k, seed) : KMeansPlusPlus(x, k, seed, ctx);
    Run run = params_.algorithm == "lloyd"
                  ? RunLloyd(x, std::move(init), params_.max_iter, tol, ctx)
                  : RunElkan(x, std::move(init), params_.max_iter, tol, ctx);
    ctx.Progress("kmeans restarts", static_cast<uint64_t>(r + 1),
                 static_cast<uint64_t>(params_.n_init));
    if (run.inertia < best.inertia) best = std::move(run);
  }
  centres_ = std::move(best.centres);
  inertia_ = best.inertia;
  n_iter_ = best.n_iter;
  FinishFit(x.cols(), static_cast<int32_t>(k), std::move(best.labels));
}

void KMeans::Fit(const DenseMatrixView& x, const Context& ctx) {
  k_scores_.clear();
  if (params_.k > 0) {
    CheckFitInput(x, static_cast<size_t>(params_.k));
    FitFixedK(x, params_.k, ctx);
    return;
  }
  // Automatic k.
  if (params_.k_min > params_.k_max) {
    Fail(ErrorCode::kInvalidArgument, "kmeans: k_min ({}) is larger than k_max ({})", params_.k_min,
         params_.k_max);
  }
  const bool needs_two = params_.k_method != "elbow";
  const int64_t k_min = std::max<int64_t>(params_.k_min, needs_two ? 2 : 1);
  CheckFitInput(x, static_cast<size_t>(std::max<int64_t>(k_min, needs_two ? 3 : 1)));
  const int64_t k_max =
      std::min<int64_t>(params_.k_max, static_cast<int64_t>(x.rows()) - (needs_two ? 1 : 0));
  if (k_max < k_min) {
    Fail(ErrorCode::kInvalidArgument, "kmeans: no k in [{}, {}] fits {} rows", params_.k_min,
         params_.k_max, x.rows());
  }
  std::vector<KScore> scores;
  std::vector<DenseMatrix> centres;
  std::vector<std::vector<int32_t>> labels;
  std::vector<double> inertias;
  std::vector<int64_t> iters;
  for (int64_t k = k_min; k <= k_max; ++k) {
    FitFixedK(x, k, ctx);
    KScore s;
    s.k = k;
    s.inertia = inertia_;
    if (params_.k_method == "silhouette") {
      s.score =
          SilhouetteScore(x, labels_, params_.silhouette_sample, DeriveSeed(ctx.seed(), 7777), ctx);
    } else if (params_.k_method == "calinski_harabasz") {
      s.score = CalinskiHarabaszScore(x, labels_, ctx);
    } else {
      s.score = inertia_;
    }
    scores.push_back(s);
    centres.push_back(centres_);
    labels.push_back(labels_);
    inertias.push_back(inertia_);
    iters.push_back(n_iter_);
  }
  size_t pick = 0;
  if (params_.k_method == "elbow") {
    std::vector<double> ks, ys;
    for (const auto& s : scores) {
      ks.push_back(static_cast<double>(s.k));
      ys.push_back(s.inertia);
    }
    pick = KneeIndex(ks, ys);
  } else {
    for (size_t i = 1; i < scores.size(); ++i) {
      if (scores[i].score > scores[pick].score) pick = i;
    }
  }
  centres_ = std::move(centres[pick]);
  inertia_ = inertias[pick];
  n_iter_ = iters[pick];
  k_scores_ = std::move(scores);
  FinishFit(x.cols(), static_cast<int32_t>(k_scores_[pick].k), std::move(labels[pick]));
}

nlohmann::json KMeans::Summary() const {
  nlohmann::json out = {
      {"method", Type()}, {"k", num_clusters_}, {"inertia", inertia_}, {"n_iter", n_iter_}};
  if (!labels_.empty()) out["sizes"] = ClusterSizes(labels_, num_clusters_);
  if (!k_scores_.empty()) {
    nlohmann::json scores = nlohmann::json::array();
    for (const auto& s : k_scores_)
      scores.push_back({{"k", s.k}, {"inertia", s.inertia}, {"score", s.score}});
    out["k_method"] = params_.k_method;
    out["k_scores"] = scores;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Mini-batch k-means.

const ParamSchema<MiniBatchKMeansParams>& MiniBatchKMeansParams::Schema() {
  static const ParamSchema<MiniBatchKMeansParams> schema(
      "minibatch_kmeans",
      {
          {"k", &MiniBatchKMeansParams::k, "number of clusters", 1, 1e6},
          {"batch_size", &MiniBatchKMeansParams::batch_size, "rows per mini-batch", 1, 1e8},
          {"max_iter", &MiniBatchKMeansParams::max_iter, "passes over the data", 1, 1e6},
          {"n_init", &MiniBatchKMeansParams::n_init,
           "k-means++ inits compared on a validation sample", 1, 1000},
          {"max_no_improvement", &MiniBatchKMeansParams::max_no_improvement,
           "stop after this many batches without a better smoothed inertia (0 = never)", 0, 1e9},
          {"tol", &MiniBatchKMeansParams::tol,
           "stop when the centre change is below tol × mean variance (0 = off)", 0, 1},
          {"init_size", &MiniBatchKMeansParams::init_size,
           "rows used to choose initial centres (0 = 3 × batch_size)", 0, 1e9},
      });
  return schema;
}

void MiniBatchKMeans::Fit(const DenseMatrixView& x, const Context& ctx) {
  const size_t k = static_cast<size_t>(params_.k);
  CheckFitInput(x, k);
  const size_t n = x.rows(), d = x.cols();
  Rng rng(DeriveSeed(ctx.seed(), 1000));
  const size_t batch = std::min<size_t>(static_cast<size_t>(params_.batch_size), n);
  size_t init_size = params_.init_size > 0 ? static_cast<size_t>(params_.init_size) : 3 * batch;
  init_size = std::min(n, std::max(init_size, k));
  // Initial centres: the best of n_init k-means++ seedings on a sample, judged on another sample.
  auto gather = [&](const std::vector<size_t>& rows) {
    DenseMatrix m(rows.size(), d);
    for (size_t i = 0; i < rows.size(); ++i) std::copy_n(x.Row(rows[i]), d, m.Row(i));
    return m;
  };
  const DenseMatrix validation =
      gather(cluster_internal::SampleWithoutReplacement(n, init_size, rng));
  double best_inertia = std::numeric_limits<double>::infinity();
  DenseMatrix centres;
  for (int64_t r = 0; r < params_.n_init; ++r) {
    const DenseMatrix sample =
        gather(cluster_internal::SampleWithoutReplacement(n, init_size, rng));
    DenseMatrix c = KMeansPlusPlus(sample, params_.k,
                                   DeriveSeed(ctx.seed(), 2000 + static_cast<uint64_t>(r)), ctx);
    double inertia = 0;
    NearestCentres(validation, c, ctx, &inertia);
    if (inertia < best_inertia) {
      best_inertia = inertia;
      centres = std::move(c);
    }
  }
  const double tol = params_.tol > 0 ? params_.tol * cluster_internal::MeanVariance(x, ctx) : 0.0;
  std::vector<double> weight(k, 0.0);
  const int64_t steps = params_.max_iter * static_cast<int64_t>((n + batch - 1) / batch);
  double ewa = -1, ewa_min = std::numeric_limits<double>::infinity();
  int64_t no_improvement = 0;
  const double alpha = std::min(1.0, 2.0 * static_cast<double>(batch) / static_cast<double>(n + 1));
  std::vector<size_t> rows(batch);
  std::vector<int32_t> labels(batch);
  std::vector<double> dist(batch);
  DenseMatrix sums(k, d);
  std::vector<double> counts(k);
  n_steps_ = 0;
  for (int64_t step = 0; step < steps; ++step) {
    if (step % 64 == 0) ctx.ThrowIfCancelled();
    for (size_t i = 0; i < batch; ++i) rows[i] = cluster_internal::UniformIndex(rng, n);
    const DenseMatrix xb = gather(rows);
    cluster_internal::NearestBlock(xb.data(), batch, centres.data(), k, d, labels.data(),
                                   dist.data());
    double batch_inertia = 0;
    for (double v : dist) batch_inertia += v;
    std::fill(sums.mutable_values().begin(), sums.mutable_values().end(), 0.0);
    std::fill(counts.begin(), counts.end(), 0.0);
    for (size_t i = 0; i < batch; ++i) {
      const size_t l = static_cast<size_t>(labels[i]);
      counts[l] += 1;
      for (size_t q = 0; q < d; ++q) sums(l, q) += xb(i, q);
    }
    // Per-centre learning rate 1 / (rows seen): the centre is the running mean of its rows.
    double shift = 0;
    for (size_t j = 0; j < k; ++j) {
      if (counts[j] == 0) continue;
      const double total = weight[j] + counts[j];
      for (size_t q = 0; q < d; ++q) {
        const double updated = (centres(j, q) * weight[j] + sums(j, q)) / total;
        shift += (updated - centres(j, q)) * (updated - centres(j, q));
        centres(j, q) = updated;
      }
      weight[j] = total;
    }
    n_steps_ = step + 1;
    if (step == 0) continue;  // as sklearn, the first batch does not count for early stopping
    const double per_row = batch_inertia / static_cast<double>(batch);
    ewa = ewa < 0 ? per_row : ewa * (1 - alpha) + per_row * alpha;
    if (tol > 0 && shift <= tol) break;
    if (ewa < ewa_min) {
      no_improvement = 0;
      ewa_min = ewa;
    } else if (params_.max_no_improvement > 0 && ++no_improvement >= params_.max_no_improvement) {
      break;
    }
  }
  centres_ = std::move(centres);
  std::vector<int32_t> all = NearestCentres(x, centres_, ctx, &inertia_);
  FinishFit(d, static_cast<int32_t>(k), std::move(all));
}

nlohmann::json MiniBatchKMeans::Summary() const {
  nlohmann::json out = {
      {"method", Type()}, {"k", num_clusters_}, {"inertia", inertia_}, {"n_steps", n_steps_}};
  if (!labels_.empty()) out["sizes"] = ClusterSizes(labels_, num_clusters_);
  return out;
}

}  // namespace prospect
