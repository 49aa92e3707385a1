// Conformance over the clustering registry: every algorithm saves/loads/assigns identically, fails
// cleanly before fit and on bad input with the documented messages, and is deterministic for a seed
// whatever the thread count.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "unit/models/cluster/cluster_test_util.hpp"
#include "prospect/common/error.hpp"
#include "prospect/models/cluster/clusterer.hpp"
#include "support/seed_dependence.hpp"

namespace prospect {
namespace {

// Parameters that suit the shared test data (3 blobs in 3-D) for each method.
nlohmann::json ParamsFor(const std::string& name) {
  if (name == "dbscan") return {{"eps", 3.0}, {"min_samples", 5}};
  if (name == "rfm") return nlohmann::json::object();
  if (name == "minibatch_kmeans") return {{"k", 3}, {"batch_size", 64}};
  return {{"k", 3}};
}

DenseMatrix Data(size_t n = 300) { return cluster_test::Blobs(n, 3, 3, 17, nullptr); }

std::string ErrorOf(const std::function<void()>& f, ErrorCode* code = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (code) *code = e.code();
    return e.what();
  }
  return "";
}

class ClustererConformance : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<Clusterer> Make() const { return ClustererRegistry().Create(GetParam(), ParamsFor(GetParam())); }
};

TEST_P(ClustererConformance, SaveLoadAssignIdentical) {
  const DenseMatrix x = Data();
  Context ctx(2);
  auto model = Make();
  model->Fit(x, ctx);
  const std::string bytes = model->Save();
  auto loaded = Clusterer::Load(bytes);
  EXPECT_EQ(loaded->Type(), GetParam());
  EXPECT_EQ(loaded->Params(), model->Params());
  EXPECT_EQ(loaded->num_clusters(), model->num_clusters());
  EXPECT_EQ(loaded->Assign(x, ctx), model->Assign(x, ctx));
  EXPECT_EQ(model->Assign(x, ctx), model->labels());  // Assign on the training rows reproduces Fit's labels
  EXPECT_EQ(loaded->Save(), bytes);
}

TEST_P(ClustererConformance, AssignBeforeFitFailsCleanly) {
  auto model = Make();
  ErrorCode code{};
  const std::string msg = ErrorOf([&] { model->Assign(Data(), Context(1)); }, &code);
  EXPECT_EQ(code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(msg, GetParam() + " model is not fitted: call Fit before Assign");
}

TEST_P(ClustererConformance, EmptyInputIsInvalidData) {
  auto model = Make();
  ErrorCode code{};
  const std::string msg = ErrorOf([&] { model->Fit(DenseMatrix(0, 3), Context(1)); }, &code);
  EXPECT_EQ(code, ErrorCode::kInvalidData);
  EXPECT_EQ(msg, "cannot cluster an empty matrix (0 rows)");
}

TEST_P(ClustererConformance, NanAndInfAreInvalidDataNamingTheCell) {
  for (double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    DenseMatrix x = Data();
    x(4, 1) = bad;
    auto model = Make();
    ErrorCode code{};
    const std::string msg = ErrorOf([&] { model->Fit(x, Context(1)); }, &code);
    EXPECT_EQ(code, ErrorCode::kInvalidData);
    EXPECT_EQ(msg, fmt::format("the input matrix has a non-finite value ({}) at row 5, column 2. Possible fix: impute "
                               "or drop missing and infinite values before clustering.",
                               bad));
  }
}

// The one feature-count error of every model kind (Model::CheckFeatureCount).
TEST_P(ClustererConformance, WrongFeatureCountIsInvalidData) {
  auto model = Make();
  Context ctx(1);
  model->Fit(Data(), ctx);
  ErrorCode code{};
  const std::string msg = ErrorOf([&] { model->Assign(DenseMatrix(5, 4), ctx); }, &code);
  EXPECT_EQ(code, ErrorCode::kInvalidData);
  EXPECT_EQ(msg, GetParam() + ": the model was trained on 3 features but the data has 4");
}

TEST_P(ClustererConformance, SameSeedSameResult) {
  const DenseMatrix x = Data();
  auto a = Make(), b = Make();
  a->Fit(x, Context(2, 9));
  b->Fit(x, Context(2, 9));
  EXPECT_EQ(a->labels(), b->labels());
  EXPECT_EQ(a->Summary(), b->Summary());
}

// The registry's `randomised` trait is true to the algorithm: on structureless data (uniform in
// the unit cube, where random starts end in different local optima) a randomised method's model
// changes with the seed, and an exact one's must not.
TEST_P(ClustererConformance, TheSeedMattersExactlyWhereTheRegistrySaysRandomised) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> unit;
  DenseMatrix x(300, 3);
  for (double& v : x.mutable_values()) v = unit(rng);
  auto a = Make(), b = Make();
  a->Fit(x, Context(1, 1));
  b->Fit(x, Context(1, 2));
  ExpectSeedDependence(ClustererRegistry().Find(GetParam()).traits, a->Save(), b->Save());
}

TEST_P(ClustererConformance, OneAndTwoThreadsAgreeExactly) {
  const DenseMatrix x = Data(9000);  // more than two row chunks
  auto a = Make(), b = Make();
  if (GetParam() == "ward") {
    a = ClustererRegistry().Create("ward", {{"k", 3}});
    b = ClustererRegistry().Create("ward", {{"k", 3}});
  }
  const DenseMatrix small = Data(600);
  const DenseMatrix& data = GetParam() == "ward" ? small : x;
  a->Fit(data, Context(1, 5));
  b->Fit(data, Context(2, 5));
  EXPECT_EQ(a->labels(), b->labels());
  EXPECT_EQ(a->Summary(), b->Summary());
  EXPECT_EQ(a->Save(), b->Save());
}

TEST_P(ClustererConformance, RegistryDescribesEveryParameter) {
  const RegistryEntry<Clusterer>& info = ClustererRegistry().Find(GetParam());
  EXPECT_FALSE(info.description.empty());
  const nlohmann::json params = Make()->Params();
  EXPECT_EQ(params.size(), info.factory.params.size());
  for (const auto& p : info.factory.params) {
    EXPECT_TRUE(params.contains(p.name)) << p.name;
    EXPECT_FALSE(p.description.empty()) << p.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Registry, ClustererConformance, ::testing::ValuesIn(ClustererRegistry().Names()),
                         [](const auto& info) { return info.param; });

TEST(ClustererRegistry, UnknownMethodListsValidOnesWithSuggestion) {
  ErrorCode code{};
  const std::string msg = ErrorOf([] { ClustererRegistry().Create("kmean"); }, &code);
  EXPECT_EQ(code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(msg, "Unknown clustering method \"kmean\". Did you mean \"kmeans\"? Valid methods: kmeans, "
                 "minibatch_kmeans, dbscan, gmm, ward, rfm.");
}

TEST(ClustererRegistry, UnknownParameterSuggestsCloseName) {
  const std::string msg = ErrorOf([] { ClustererRegistry().Create("kmeans", {{"n_inits", 3}}); });
  EXPECT_NE(msg.find("Unknown kmeans parameter \"n_inits\". Did you mean \"n_init\"?"), std::string::npos) << msg;
}

TEST(ClustererRegistry, FewerRowsThanClustersIsInvalidArgument) {
  auto model = ClustererRegistry().Create("kmeans", {{"k", 8}});
  EXPECT_EQ(ErrorOf([&] { model->Fit(Data(5), Context(1)); }),
            "kmeans: k = 8 clusters need at least 8 rows; the data has 5");
}

TEST(ClustererRegistry, LoadRejectsGarbageAndOtherModelTypes) {
  ErrorCode code{};
  ErrorOf([] { Clusterer::Load("not a model"); }, &code);
  EXPECT_EQ(code, ErrorCode::kInvalidData);
  auto model = ClustererRegistry().Create("kmeans", {{"k", 3}});
  model->Fit(Data(), Context(1));
  std::string bytes = model->Save();
  bytes.resize(bytes.size() - 9);  // truncated
  code = ErrorCode::kInternal;
  ErrorOf([&] { Clusterer::Load(bytes); }, &code);
  EXPECT_EQ(code, ErrorCode::kInvalidData);
}

}  // namespace
}  // namespace prospect
