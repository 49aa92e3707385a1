// Clustering behaviour with known right answers: separable blobs recovered exactly, automatic k,
// eps suggestion, Ward's size limit, RFM scores and segment map (hand-computed), stable ids.
#include <gtest/gtest.h>

#include "prospect/common/error.hpp"
#include "prospect/models/cluster/clusterer.hpp"
#include "prospect/models/cluster/dbscan.hpp"
#include "prospect/models/cluster/gmm.hpp"
#include "prospect/models/cluster/kmeans.hpp"
#include "prospect/models/cluster/rfm.hpp"
#include "prospect/models/cluster/stable_ids.hpp"
#include "prospect/models/cluster/ward.hpp"
#include "support/expect_error.hpp"
#include "unit/models/cluster/cluster_test_util.hpp"

namespace prospect {
namespace {

using cluster_test::Blobs;
using cluster_test::SamePartition;

TEST(Clustering, SeparableBlobsAreRecoveredExactlyByEveryClusteringMethod) {
  std::vector<int32_t> truth;
  const DenseMatrix x = Blobs(800, 5, 4, 3, &truth);
  Context ctx(2);
  for (const std::string name : {"kmeans", "minibatch_kmeans", "gmm", "ward", "dbscan"}) {
    const nlohmann::json params = name == "dbscan"
                                      ? nlohmann::json{{"eps", 4.0}, {"min_samples", 5}}
                                      : nlohmann::json{{"k", 4}};
    auto model = ClustererRegistry().Create(name, params);
    model->Fit(x, ctx);
    EXPECT_EQ(model->num_clusters(), 4) << name;
    EXPECT_TRUE(SamePartition(model->labels(), truth)) << name;
  }
}

TEST(KMeans, AutomaticKFindsFourBlobsByEachMethod) {
  const DenseMatrix x = Blobs(600, 3, 4, 8, nullptr);
  Context ctx(2);
  for (const std::string method : {"silhouette", "calinski_harabasz", "elbow"}) {
    KMeansParams p;
    p.k = 0;
    p.k_min = 2;
    p.k_max = 8;
    p.n_init = 2;
    p.k_method = method;
    p.silhouette_sample = 300;
    KMeans km(p);
    km.Fit(x, ctx);
    EXPECT_EQ(km.num_clusters(), 4) << method;
    EXPECT_EQ(km.k_scores().size(), 7u) << method;
  }
}

TEST(GaussianMixture, AutomaticKByBicFindsFourBlobs) {
  const DenseMatrix x = Blobs(600, 3, 4, 9, nullptr);
  GmmParams p;
  p.k = 0;
  p.k_min = 1;
  p.k_max = 6;
  p.covariance = "diag";
  GaussianMixture gm(p);
  gm.Fit(x, Context(2));
  EXPECT_EQ(gm.num_clusters(), 4);
  EXPECT_EQ(gm.Summary()["k_scores"].size(), 6u);
}

TEST(MiniBatchKMeans, InertiaCloseToFullKMeansOnBlobs) {
  const DenseMatrix x = Blobs(20000, 4, 6, 4, nullptr);
  Context ctx(2);
  KMeansParams kp;
  kp.k = 6;
  kp.n_init = 3;
  KMeans km(kp);
  km.Fit(x, ctx);
  MiniBatchKMeansParams mp;
  mp.k = 6;
  MiniBatchKMeans mb(mp);
  mb.Fit(x, ctx);
  EXPECT_LT(mb.inertia(), km.inertia() * 1.02);
}

TEST(Dbscan, SuggestedEpsSeparatesBlobs) {
  std::vector<int32_t> truth;
  const DenseMatrix x = Blobs(1000, 2, 4, 12, &truth);
  Context ctx(2);
  const EpsSuggestion s = SuggestEps(x, 5, ctx);
  EXPECT_GT(s.eps, 0.1);
  EXPECT_LT(s.eps, 10.0);
  EXPECT_EQ(s.k_distances.size(), 1000u);
  DbscanParams p;
  p.eps = s.eps;
  Dbscan db(p);
  db.Fit(x, ctx);
  EXPECT_EQ(db.num_clusters(), 4);
  EXPECT_LT(db.num_noise(), 50);
}

TEST(Dbscan, AssignUsesNearestCoreWithinEps) {
  DenseMatrix x(7, 1);
  const double v[7] = {0, 0.1, 0.2, 0.3, 5, 5.1, 9};
  for (size_t i = 0; i < 7; ++i) x(i, 0) = v[i];
  DbscanParams p;
  p.eps = 0.15;
  p.min_samples = 2;
  Dbscan db(p);
  Context ctx(1);
  db.Fit(x, ctx);
  EXPECT_EQ(db.labels(), (std::vector<int32_t>{0, 0, 0, 0, 1, 1, -1}));
  DenseMatrix q(3, 1);
  q(0, 0) = 0.42;  // 0.12 from the core row 0.3
  q(1, 0) = 5.3;   // 0.2 from 5.1: too far
  q(2, 0) = 4.9;
  EXPECT_EQ(db.Assign(q, ctx), (std::vector<int32_t>{0, -1, 1}));
}

TEST(WardClustering, RefusesInputsAboveMaxSamplesSuggestingKMeans) {
  WardParams p;
  p.k = 2;
  p.max_samples = 100;
  WardClustering ward(p);
  ExpectError([&] { ward.Fit(Blobs(101, 2, 2, 1, nullptr), Context(1)); },
              ErrorCode::kResourceExhausted,
              "ward: 101 rows need 0.0 GB for the pairwise distance matrix; the limit is "
              "max_samples = 100 rows. "
              "Possible fixes: use method kmeans (or minibatch_kmeans for large n), cluster a "
              "sample of the rows, or "
              "raise max_samples if the machine has the memory.");
}

// Recency, frequency, monetary of ten customers; breakpoints and scores worked out by hand with
// numpy's linear quantiles (see the comments).
DenseMatrix RfmData() {
  const double r[10] = {5, 10, 20, 40, 80, 160, 200, 300, 365, 400};
  const double f[10] = {10, 8, 6, 5, 4, 3, 2, 1, 1, 1};
  const double m[10] = {1000, 800, 600, 500, 400, 300, 200, 100, 50, 20};
  DenseMatrix x(10, 3);
  for (size_t i = 0; i < 10; ++i) {
    x(i, 0) = r[i];
    x(i, 1) = f[i];
    x(i, 2) = m[i];
  }
  return x;
}

TEST(RfmSegmenter, QuintileBreakpointsScoresAndNamesByHand) {
  RfmSegmenter rfm;
  Context ctx(1);
  rfm.Fit(RfmData(), ctx);
  // Positions 1.8, 3.6, 5.4, 7.2 of the sorted columns.
  const std::vector<std::vector<double>> expected = {
      {18, 64, 176, 313}, {1, 2.6, 4.4, 6.4}, {90, 260, 440, 640}};
  for (size_t c = 0; c < 3; ++c) {
    ASSERT_EQ(rfm.breakpoints()[c].size(), 4u);
    for (size_t b = 0; b < 4; ++b)
      EXPECT_NEAR(rfm.breakpoints()[c][b], expected[c][b], 1e-9) << c << "," << b;
  }
  const auto scores = rfm.Scores(RfmData());
  const int r[10] = {5, 5, 4, 4, 3, 3, 2, 2, 1, 1};
  const int f[10] = {5, 5, 4, 4, 3, 3, 2, 1, 1, 1};
  const int m[10] = {5, 5, 4, 4, 3, 3, 2, 2, 1, 1};
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(scores[i].r, r[i]) << i;
    EXPECT_EQ(scores[i].f, f[i]) << i;
    EXPECT_EQ(scores[i].m, m[i]) << i;
  }
  const auto& names = RfmSegmentNames();
  std::vector<std::string> got;
  for (int32_t l : rfm.labels()) got.push_back(names[static_cast<size_t>(l)]);
  EXPECT_EQ(
      got, (std::vector<std::string>{"Champions", "Champions", "Loyal", "Loyal", "Hibernating",
                                     "Hibernating", "Hibernating", "Hibernating", "Lost", "Lost"}));
  // New customers scored with the fitted breakpoints.
  DenseMatrix q(4, 3);
  const double rows[4][3] = {{3, 1, 30}, {350, 10, 1000}, {250, 5, 500}, {15, 3, 100}};
  for (size_t i = 0; i < 4; ++i)
    for (size_t j = 0; j < 3; ++j) q(i, j) = rows[i][j];
  std::vector<std::string> q_names;
  for (int32_t l : rfm.Assign(q, ctx)) q_names.push_back(names[static_cast<size_t>(l)]);
  EXPECT_EQ(q_names,
            (std::vector<std::string>{"New", "Can't lose them", "At risk", "Potential loyalists"}));
}

TEST(RfmSegmenter, SegmentMapCoversEveryScoreCell) {
  // Rows R = 5 … 1, columns FM = 1 … 5 (docs/user/segment-algorithms.md).
  const char* expected[5][5] = {
      {"New", "Potential loyalists", "Potential loyalists", "Champions", "Champions"},
      {"New", "Potential loyalists", "Potential loyalists", "Loyal", "Loyal"},
      {"Hibernating", "Hibernating", "Hibernating", "Loyal", "Loyal"},
      {"Hibernating", "Hibernating", "At risk", "At risk", "Can't lose them"},
      {"Lost", "Lost", "At risk", "At risk", "Can't lose them"},
  };
  for (int r = 5; r >= 1; --r) {
    for (int fm = 1; fm <= 5; ++fm) {
      EXPECT_EQ(RfmSegmentNames()[static_cast<size_t>(RfmSegmentFor(r, fm))],
                expected[5 - r][fm - 1])
          << "R=" << r << " FM=" << fm;
    }
  }
}

TEST(RfmSegmenter, NeedsThreeColumns) {
  RfmSegmenter rfm;
  EXPECT_THROW(rfm.Fit(DenseMatrix(5, 2, 1.0), Context(1)), Error);
}

TEST(StableIds, PermutedCentresAreMatchedBackAndNewClustersGetFreshIds) {
  DenseMatrix old_c(3, 2);
  const double o[3][2] = {{0, 0}, {10, 0}, {0, 10}};
  for (size_t i = 0; i < 3; ++i)
    for (size_t j = 0; j < 2; ++j) old_c(i, j) = o[i][j];
  DenseMatrix new_c(4, 2);
  const double nw[4][2] = {{0.5, 9.5}, {20, 20}, {0.2, -0.1}, {9.8, 0.3}};
  for (size_t i = 0; i < 4; ++i)
    for (size_t j = 0; j < 2; ++j) new_c(i, j) = nw[i][j];
  const auto mapping = MatchCentres(old_c, new_c);
  EXPECT_EQ(mapping, (std::vector<int32_t>{2, 3, 0, 1}));
  std::vector<int32_t> labels = {0, 1, 2, 3, -1};
  Renumber(labels, mapping);
  EXPECT_EQ(labels, (std::vector<int32_t>{2, 3, 0, 1, -1}));
}

TEST(StableIds, RefitWithAnotherSeedKeepsSegmentIds) {
  const DenseMatrix x = Blobs(900, 3, 5, 21, nullptr);
  KMeansParams p;
  p.k = 5;
  p.n_init = 1;
  KMeans first(p), second(p);
  first.Fit(x, Context(2, 1));
  second.Fit(x, Context(2, 99));
  std::vector<int32_t> relabelled = second.labels();
  Renumber(relabelled, MatchCentres(first.Centres(), second.Centres()));
  EXPECT_EQ(relabelled, first.labels());
  std::vector<int32_t> by_overlap = second.labels();
  Renumber(by_overlap, MatchByOverlap(first.labels(), second.labels()));
  EXPECT_EQ(by_overlap, first.labels());
}

}  // namespace
}  // namespace prospect
