// Gaussian mixture EM (diag / full covariance) following sklearn's GaussianMixture: k-means
// initial responsibilities, reg_covar on the diagonal, Cholesky precisions (Eigen LLT), the lower
// bound as the mean log-likelihood, n_init restarts, a final E-step, BIC; automatic k by BIC.
#include "prospect/models/cluster/gmm.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "linalg/eigen_interop.hpp"
#include "models/cluster/kernels.hpp"
#include "prospect/models/cluster/kmeans.hpp"

namespace prospect {

const ParamSchema<GmmParams>& GmmParams::Schema() {
  static const ParamSchema<GmmParams> schema(
      "gmm",
      {
          {"k", &GmmParams::k, "mixture components; 0 = choose by BIC in [k_min, k_max]", 0, 1e5},
          {"covariance",
           &GmmParams::covariance,
           "covariance of each component",
           -1,
           -1,
           {"full", "diag"}},
          {"tol", &GmmParams::tol, "stop when the mean log-likelihood gains less than this", 0, 1},
          {"reg_covar", &GmmParams::reg_covar, "added to every covariance diagonal for stability",
           0, 1e6},
          {"max_iter", &GmmParams::max_iter, "EM iterations per restart", 1, 1e6},
          {"n_init", &GmmParams::n_init, "restarts; the best lower bound wins", 1, 1000},
          {"k_min", &GmmParams::k_min, "smallest k tried when k = 0", 1, 1e5},
          {"k_max", &GmmParams::k_max, "largest k tried when k = 0", 1, 1e5},
      });
  return schema;
}

// EM kernels. Work is split into at most kGroups row groups whose boundaries depend only on n, so
// partial sums (including k·d² scatter matrices) stay small and results do not depend on threads.
struct GmmInternals {
  static constexpr size_t kGroups = 64;
  const DenseMatrixView x;
  const size_t n, d, k;
  const bool full;
  size_t group_rows, groups;

  GmmInternals(const DenseMatrixView& x_in, size_t k_in, bool full_in)
      : x(x_in), n(x_in.rows()), d(x_in.cols()), k(k_in), full(full_in) {
    group_rows = std::max(cluster_internal::kChunkRows, (n + kGroups - 1) / kGroups);
    groups = (n + group_rows - 1) / group_rows;
  }

  template <typename F>
  void ForGroups(const Context& ctx, F&& f) const {
#pragma omp parallel for schedule(dynamic, 1) \
    num_threads(ctx.threads()) if (groups > 1 && ctx.threads() > 1)
    for (long g = 0; g < static_cast<long>(groups); ++g) {
      const size_t b = static_cast<size_t>(g) * group_rows;
      f(static_cast<size_t>(g), b, std::min(n, b + group_rows));
    }
  }

  // Weighted log densities of row `row` for every component into lp (length k).
  static void LogProb(const double* row, size_t d, size_t k, bool full,
                      const std::vector<double>& log_weights, const DenseMatrix& means,
                      const std::vector<double>& prec, const std::vector<double>& log_det,
                      double* lp, double* diff, double* y) {
    const double c = static_cast<double>(d) * std::log(2 * std::numbers::pi);
    for (size_t j = 0; j < k; ++j) {
      const double* mu = means.Row(j);
      double q = 0;
      if (full) {
        const double* u = &prec[j * d * d];  // upper triangular, row-major
        for (size_t t = 0; t < d; ++t) diff[t] = row[t] - mu[t];
        for (size_t t = 0; t < d; ++t) y[t] = 0;
        for (size_t i = 0; i < d; ++i) {
          const double di = diff[i];
          const double* ui = u + i * d;
          for (size_t t = i; t < d; ++t) y[t] += di * ui[t];
        }
        for (size_t t = 0; t < d; ++t) q += y[t] * y[t];
      } else {
        const double* p = &prec[j * d];
        for (size_t t = 0; t < d; ++t) {
          const double z = (row[t] - mu[t]) * p[t];
          q += z * z;
        }
      }
      lp[j] = log_weights[j] - 0.5 * (c + q) + log_det[j];
    }
  }

  static double LogSumExp(const double* v, size_t k) {
    double mx = -std::numeric_limits<double>::infinity();
    for (size_t j = 0; j < k; ++j) mx = std::max(mx, v[j]);
    if (!std::isfinite(mx)) return mx;
    double s = 0;
    for (size_t j = 0; j < k; ++j) s += std::exp(v[j] - mx);
    return mx + std::log(s);
  }
};

namespace {

struct MixtureState {
  std::vector<double> weights;
  DenseMatrix means;
  std::vector<double> cov;
  std::vector<double> prec;
  std::vector<double> log_det;
};

// Cholesky of each covariance: precisions and log-determinants (sklearn's
// _compute_precision_cholesky). A failed factorisation is the user's to fix (reg_covar, k).
void ComputePrecisions(MixtureState& p, size_t k, size_t d, bool full) {
  p.log_det.assign(k, 0.0);
  if (full) {
    p.prec.assign(k * d * d, 0.0);
    for (size_t j = 0; j < k; ++j) {
      Eigen::Map<const EigenRowMatrix> cov(&p.cov[j * d * d], static_cast<Eigen::Index>(d),
                                           static_cast<Eigen::Index>(d));
      Eigen::LLT<Eigen::MatrixXd> llt(cov);
      if (llt.info() != Eigen::Success) {
        Fail(ErrorCode::kInvalidData,
             "gmm: component {} has an ill-defined covariance (not positive definite). Possible "
             "fixes: fewer "
             "components (k), a larger reg_covar, or covariance=diag; check for duplicated or "
             "constant columns.",
             j);
      }
      const Eigen::MatrixXd lower = llt.matrixL();
      const Eigen::MatrixXd inv = lower.triangularView<Eigen::Lower>().solve(
          Eigen::MatrixXd::Identity(static_cast<Eigen::Index>(d), static_cast<Eigen::Index>(d)));
      Eigen::Map<EigenRowMatrix> u(&p.prec[j * d * d], static_cast<Eigen::Index>(d),
                                   static_cast<Eigen::Index>(d));
      u = inv.transpose();
      for (size_t t = 0; t < d; ++t)
        p.log_det[j] += std::log(u(static_cast<Eigen::Index>(t), static_cast<Eigen::Index>(t)));
    }
  } else {
    p.prec.assign(k * d, 0.0);
    for (size_t j = 0; j < k; ++j) {
      for (size_t t = 0; t < d; ++t) {
        const double v = p.cov[j * d + t];
        if (!(v > 0)) {
          Fail(ErrorCode::kInvalidData,
               "gmm: component {} has a zero variance in column {}. Possible fixes: a larger "
               "reg_covar or fewer "
               "components (k).",
               j, t + 1);
        }
        p.prec[j * d + t] = 1 / std::sqrt(v);
        p.log_det[j] += std::log(p.prec[j * d + t]);
      }
    }
  }
}

// M-step from responsibilities (n × k): weights, means, covariances + reg_covar, precisions.
void MStep(const GmmInternals& g, const std::vector<double>& resp, double reg_covar,
           const Context& ctx, MixtureState& p) {
  const size_t n = g.n, d = g.d, k = g.k;
  std::vector<double> part_nk(g.groups * k, 0.0), part_sum(g.groups * k * d, 0.0);
  g.ForGroups(ctx, [&](size_t grp, size_t b, size_t e) {
    double* nk = &part_nk[grp * k];
    double* sm = &part_sum[grp * k * d];
    for (size_t i = b; i < e; ++i) {
      const double* row = g.x.Row(i);
      for (size_t j = 0; j < k; ++j) {
        const double r = resp[i * k + j];
        if (r == 0) continue;
        nk[j] += r;
        for (size_t t = 0; t < d; ++t) sm[j * d + t] += r * row[t];
      }
    }
  });
  std::vector<double> nk(k, 0.0);
  p.means = DenseMatrix(k, d, 0.0);
  for (size_t grp = 0; grp < g.groups; ++grp) {
    for (size_t j = 0; j < k; ++j) {
      nk[j] += part_nk[grp * k + j];
      for (size_t t = 0; t < d; ++t) p.means(j, t) += part_sum[(grp * k + j) * d + t];
    }
  }
  const double eps10 = 10 * std::numeric_limits<double>::epsilon();
  for (size_t j = 0; j < k; ++j) {
    nk[j] += eps10;
    for (size_t t = 0; t < d; ++t) p.means(j, t) /= nk[j];
  }
  const size_t block = g.full ? d * d : d;
  std::vector<double> part_cov(g.groups * k * block, 0.0);
  g.ForGroups(ctx, [&](size_t grp, size_t b, size_t e) {
    std::vector<double> diff(d);
    for (size_t i = b; i < e; ++i) {
      const double* row = g.x.Row(i);
      for (size_t j = 0; j < k; ++j) {
        const double r = resp[i * k + j];
        if (r == 0) continue;
        double* c = &part_cov[(grp * k + j) * block];
        for (size_t t = 0; t < d; ++t) diff[t] = row[t] - p.means(j, t);
        if (g.full) {
          for (size_t a = 0; a < d; ++a) {
            const double ra = r * diff[a];
            for (size_t bb = a; bb < d; ++bb) c[a * d + bb] += ra * diff[bb];
          }
        } else {
          for (size_t t = 0; t < d; ++t) c[t] += r * diff[t] * diff[t];
        }
      }
    }
  });
  p.cov.assign(k * block, 0.0);
  for (size_t grp = 0; grp < g.groups; ++grp)
    for (size_t q = 0; q < k * block; ++q) p.cov[q] += part_cov[grp * k * block + q];
  for (size_t j = 0; j < k; ++j) {
    double* c = &p.cov[j * block];
    if (g.full) {
      for (size_t a = 0; a < d; ++a) {
        for (size_t bb = a; bb < d; ++bb) {
          c[a * d + bb] /= nk[j];
          c[bb * d + a] = c[a * d + bb];
        }
        c[a * d + a] += reg_covar;
      }
    } else {
      for (size_t t = 0; t < d; ++t) c[t] = c[t] / nk[j] + reg_covar;
    }
  }
  p.weights.resize(k);
  for (size_t j = 0; j < k; ++j) p.weights[j] = nk[j] / static_cast<double>(n);
  ComputePrecisions(p, k, d, g.full);
}

// E-step: responsibilities into resp; returns the mean log-likelihood (the lower bound).
double EStep(const GmmInternals& g, const MixtureState& p, const Context& ctx,
             std::vector<double>* resp) {
  const size_t k = g.k, d = g.d;
  std::vector<double> log_w(k);
  for (size_t j = 0; j < k; ++j) log_w[j] = std::log(p.weights[j]);
  std::vector<double> part(g.groups, 0.0);
  g.ForGroups(ctx, [&](size_t grp, size_t b, size_t e) {
    std::vector<double> lp(k), diff(d), y(d);
    double s = 0;
    for (size_t i = b; i < e; ++i) {
      GmmInternals::LogProb(g.x.Row(i), d, k, g.full, log_w, p.means, p.prec, p.log_det, lp.data(),
                            diff.data(), y.data());
      const double lse = GmmInternals::LogSumExp(lp.data(), k);
      s += lse;
      if (resp) {
        for (size_t j = 0; j < k; ++j) (*resp)[i * k + j] = std::exp(lp[j] - lse);
      }
    }
    part[grp] = s;
  });
  double total = 0;
  for (double v : part) total += v;
  return total / static_cast<double>(g.n);
}

}  // namespace

void GaussianMixture::FitFixedK(const DenseMatrixView& x, int64_t k_in, const Context& ctx) {
  const size_t k = static_cast<size_t>(k_in), n = x.rows();
  const GmmInternals g(x, k, params_.covariance == "full");
  double best_bound = -std::numeric_limits<double>::infinity();
  MixtureState best;
  bool best_converged = false;
  int64_t best_iter = 0;
  std::vector<double> resp(n * k);
  for (int64_t r = 0; r < params_.n_init; ++r) {
    // Initial responsibilities: one k-means run (n_init = 1), as sklearn's init_params="kmeans".
    KMeansParams kp;
    kp.k = k_in;
    kp.n_init = 1;
    KMeans km(kp);
    const Context sub(ctx.threads(), DeriveSeed(ctx.seed(), 500 + static_cast<uint64_t>(r)),
                      ctx.logger_ptr());
    km.Fit(x, sub);
    std::fill(resp.begin(), resp.end(), 0.0);
    for (size_t i = 0; i < n; ++i) resp[i * k + static_cast<size_t>(km.labels()[i])] = 1.0;
    MixtureState p;
    MStep(g, resp, params_.reg_covar, ctx, p);
    double bound = -std::numeric_limits<double>::infinity();
    bool converged = false;
    int64_t iter = 0;
    for (iter = 1; iter <= params_.max_iter; ++iter) {
      ctx.ThrowIfCancelled();
      const double prev = bound;
      bound = EStep(g, p, ctx, &resp);
      MStep(g, resp, params_.reg_covar, ctx, p);
      if (std::abs(bound - prev) < params_.tol) {
        converged = true;
        break;
      }
    }
    if (bound > best_bound || best_bound == -std::numeric_limits<double>::infinity()) {
      best_bound = bound;
      best = std::move(p);
      best_converged = converged;
      best_iter = std::min(iter, params_.max_iter);
    }
  }
  if (!best_converged) {
    ctx.logger().warn("gmm: EM did not converge in {} iterations (k = {}); raise max_iter or tol",
                      params_.max_iter, k);
  }
  weights_ = std::move(best.weights);
  centres_ = std::move(best.means);
  covariances_ = std::move(best.cov);
  precision_chol_ = std::move(best.prec);
  lower_bound_ = best_bound;
  converged_ = best_converged;
  n_iter_ = best_iter;
  num_features_ = x.cols();
  num_clusters_ = static_cast<int32_t>(k);
  fitted_ = true;
  std::vector<int32_t> labels = Assign(x, ctx);  // the final E-step, as sklearn
  train_bic_ = Bic(x, ctx);
  FinishFit(x.cols(), static_cast<int32_t>(k), std::move(labels));
}

void GaussianMixture::Fit(const DenseMatrixView& x, const Context& ctx) {
  bic_by_k_.clear();
  if (params_.k > 0) {
    CheckFitInput(x, static_cast<size_t>(params_.k));
    FitFixedK(x, params_.k, ctx);
    return;
  }
  if (params_.k_min > params_.k_max) {
    Fail(ErrorCode::kInvalidArgument, "gmm: k_min ({}) is larger than k_max ({})", params_.k_min,
         params_.k_max);
  }
  CheckFitInput(x, static_cast<size_t>(params_.k_min));
  const int64_t k_max = std::min<int64_t>(params_.k_max, static_cast<int64_t>(x.rows()));
  double best_bic = std::numeric_limits<double>::infinity();
  int64_t best_k = params_.k_min;
  for (int64_t k = params_.k_min; k <= k_max; ++k) {
    FitFixedK(x, k, ctx);
    bic_by_k_.emplace_back(k, train_bic_);
    if (train_bic_ < best_bic) {
      best_bic = train_bic_;
      best_k = k;
    }
  }
  auto keep = bic_by_k_;
  FitFixedK(x, best_k, ctx);  // refit the winner (cheaper than keeping every model)
  bic_by_k_ = std::move(keep);
}

namespace {
MixtureState CurrentParams(const std::vector<double>& w, const DenseMatrix& means,
                           const std::vector<double>& prec, size_t k, size_t d, bool full) {
  MixtureState p;
  p.weights = w;
  p.means = means;
  p.prec = prec;
  p.log_det.assign(k, 0.0);
  for (size_t j = 0; j < k; ++j) {
    for (size_t t = 0; t < d; ++t)
      p.log_det[j] += std::log(full ? prec[j * d * d + t * d + t] : prec[j * d + t]);
  }
  return p;
}
}  // namespace

DenseMatrix GaussianMixture::PredictProba(const DenseMatrixView& x, const Context& ctx) const {
  CheckAssignInput(x);
  const size_t k = static_cast<size_t>(num_clusters_);
  const GmmInternals g(x, k, params_.covariance == "full");
  DenseMatrix out(x.rows(), k);
  std::vector<double> resp(x.rows() * k);
  EStep(g, CurrentParams(weights_, centres_, precision_chol_, k, x.cols(), g.full), ctx, &resp);
  out.mutable_values() = std::move(resp);
  return out;
}

std::vector<int32_t> GaussianMixture::Assign(const DenseMatrixView& x, const Context& ctx) const {
  const DenseMatrix proba = PredictProba(x, ctx);
  std::vector<int32_t> out(x.rows());
  for (size_t i = 0; i < x.rows(); ++i) {
    const double* r = proba.Row(i);
    out[i] = static_cast<int32_t>(std::max_element(r, r + proba.cols()) - r);
  }
  return out;
}

double GaussianMixture::Score(const DenseMatrixView& x, const Context& ctx) const {
  CheckAssignInput(x);
  const size_t k = static_cast<size_t>(num_clusters_);
  const GmmInternals g(x, k, params_.covariance == "full");
  return EStep(g, CurrentParams(weights_, centres_, precision_chol_, k, x.cols(), g.full), ctx,
               nullptr);
}

int64_t GaussianMixture::NumParameters() const {
  const int64_t k = num_clusters_, d = static_cast<int64_t>(num_features_);
  const int64_t cov = params_.covariance == "full" ? k * d * (d + 1) / 2 : k * d;
  return cov + k * d + k - 1;
}

double GaussianMixture::Bic(const DenseMatrixView& x, const Context& ctx) const {
  const double n = static_cast<double>(x.rows());
  return -2 * Score(x, ctx) * n + static_cast<double>(NumParameters()) * std::log(n);
}

nlohmann::json GaussianMixture::Summary() const {
  nlohmann::json out = {{"method", Type()},
                        {"k", num_clusters_},
                        {"covariance", params_.covariance},
                        {"lower_bound", lower_bound_},
                        {"bic", train_bic_},
                        {"converged", converged_},
                        {"n_iter", n_iter_},
                        {"weights", weights_}};
  if (!labels_.empty()) out["sizes"] = ClusterSizes(labels_, num_clusters_);
  if (!bic_by_k_.empty()) {
    nlohmann::json scores = nlohmann::json::array();
    for (const auto& [k, bic] : bic_by_k_) scores.push_back({{"k", k}, {"bic", bic}});
    out["k_scores"] = scores;
  }
  return out;
}

void GaussianMixture::SaveState(ModelWriter& writer) const {
  writer.AddArray<double>("weights", std::span<const double>(weights_));
  cluster_internal::WriteMatrixBlock(writer, "means", centres_);
  writer.AddArray<double>("covariances", std::span<const double>(covariances_));
  writer.AddArray<double>("precision_cholesky", std::span<const double>(precision_chol_));
  const double stats[4] = {lower_bound_, train_bic_, converged_ ? 1.0 : 0.0,
                           static_cast<double>(n_iter_)};
  writer.AddArray<double>("stats", std::span<const double>(stats, 4));
}

void GaussianMixture::LoadState(const ModelReader& reader) {
  const size_t k = static_cast<size_t>(num_clusters_), d = num_features_;
  const size_t block = params_.covariance == "full" ? d * d : d;
  weights_ = reader.FiniteArray("weights");
  centres_ = cluster_internal::ReadMatrixBlock(reader, "means", k, d);
  covariances_ = reader.FiniteArray("covariances");
  precision_chol_ = reader.FiniteArray("precision_cholesky");
  const auto stats = reader.FiniteArray("stats");
  if (weights_.size() != k || covariances_.size() != k * block ||
      precision_chol_.size() != k * block || stats.size() != 4) {
    Fail(ErrorCode::kInvalidData, "model file: gmm blocks do not match {} components × {} features",
         k, d);
  }
  lower_bound_ = stats[0];
  train_bic_ = stats[1];
  converged_ = stats[2] != 0;
  n_iter_ = static_cast<int64_t>(stats[3]);
}

}  // namespace prospect
