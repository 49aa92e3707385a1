// What clusterers add to the shared model contract (tests/conformance/model_conformance_test.cpp):
// labels and summaries reproducible for a seed whatever the thread count, and the registry's
// documented errors.
#include <gtest/gtest.h>

#include "prospect/common/error.hpp"
#include "prospect/models/cluster/clusterer.hpp"
#include "unit/models/cluster/cluster_test_util.hpp"

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

class ClustererLabels : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<Clusterer> Make() const {
    return ClustererRegistry().Create(GetParam(), ParamsFor(GetParam()));
  }
};

TEST_P(ClustererLabels, AssignOnTheTrainingRowsReproducesFit) {
  const DenseMatrix x = Data();
  auto model = Make();
  model->Fit(x, Context(2));
  EXPECT_EQ(model->Assign(x, Context(2)), model->labels());
  EXPECT_EQ(Clusterer::Load(model->Save())->num_clusters(), model->num_clusters());
}

TEST_P(ClustererLabels, SameSeedAndAnyThreadCountGiveTheSameLabelsAndSummary) {
  const DenseMatrix x = Data(GetParam() == "ward" ? 600 : 9000);  // more than two row chunks
  auto a = Make(), b = Make(), c = Make();
  a->Fit(x, Context(1, 5));
  b->Fit(x, Context(1, 5));
  c->Fit(x, Context(2, 5));
  EXPECT_EQ(a->labels(), b->labels());
  EXPECT_EQ(a->labels(), c->labels());
  EXPECT_EQ(a->Summary(), b->Summary());
  EXPECT_EQ(a->Summary(), c->Summary());
}

INSTANTIATE_TEST_SUITE_P(Registry, ClustererLabels,
                         ::testing::ValuesIn(ClustererRegistry().Names()),
                         [](const auto& info) { return info.param; });

TEST(ClustererRegistry, UnknownMethodListsValidOnesWithSuggestion) {
  ErrorCode code{};
  const std::string msg = ErrorOf([] { ClustererRegistry().Create("kmean"); }, &code);
  EXPECT_EQ(code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(msg,
            "Unknown clustering method \"kmean\". Did you mean \"kmeans\"? Valid methods: kmeans, "
            "minibatch_kmeans, dbscan, gmm, ward, rfm.");
}

TEST(ClustererRegistry, UnknownParameterSuggestsCloseName) {
  const std::string msg = ErrorOf([] { ClustererRegistry().Create("kmeans", {{"n_inits", 3}}); });
  EXPECT_NE(msg.find("Unknown kmeans parameter \"n_inits\". Did you mean \"n_init\"?"),
            std::string::npos)
      << msg;
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
