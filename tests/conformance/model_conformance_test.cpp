// One conformance suite over every entry of every model registry (classifiers, regressors,
// clusterers): the contract of models/model.hpp, asserted the same way for each model. A new
// algorithm joins it by registering; a new model interface joins it with one Kind below.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <set>
#include <string>

#include "prospect/common/error.hpp"
#include "prospect/models/classify/classifier.hpp"
#include "prospect/models/cluster/clusterer.hpp"
#include "prospect/models/regress/regressor.hpp"
#include "support/expect_error.hpp"
#include "support/model_fixtures.hpp"
#include "support/seed_dependence.hpp"

namespace prospect {
namespace {

using testing::LabelledData;

/// How the suite drives one model interface. `Predict` is the model's output per row as doubles
/// (probabilities, predictions or cluster ids), so one comparison serves every kind.
struct Kind {
  std::string name;
  std::function<std::vector<std::string>()> names;
  std::function<const ModelTraits&(const std::string&)> traits;
  /// The registry entry's one-line description and its parameters as --help shows them.
  std::function<std::pair<std::string, std::vector<ParamDoc>>(const std::string&)> describe;
  std::function<std::unique_ptr<Model>(const std::string&)> make;
  std::function<void(Model&, const LabelledData&, const Context&)> fit;
  std::function<std::vector<double>(const Model&, const LabelledData&, const Context&)> predict;
  std::function<std::unique_ptr<Model>(std::string_view)> load;
  /// The data every test fits on, and a larger set for the thread test.
  std::function<const LabelledData&()> data;
  std::function<LabelledData(const std::string&)> thread_data;
  /// Where random starts matter (a clusterer on structureless data), the seed test's data.
  std::function<LabelledData()> seed_data;
  /// What Fit does with a nan or inf at row 5, column 2.
  std::function<std::string(const std::string&, double)> non_finite_message;
  /// The contract when the target takes one value (a clusterer: every row the same point).
  std::function<void(const std::string&, Model&, const LabelledData&)> expect_one_value;
};

LabelledData WithRows(const LabelledData& data, size_t rows) {
  LabelledData out;
  out.n = rows;
  out.d = data.d;
  out.x.assign(data.x.begin(), data.x.begin() + static_cast<std::ptrdiff_t>(rows * data.d));
  out.y.assign(data.y.begin(), data.y.begin() + static_cast<std::ptrdiff_t>(rows));
  return out;
}

// --- supervised kinds -------------------------------------------------------------------------

/// `predict` is the interface's output per row (PredictProba, Predict); Interface::Load reads its
/// files.
template <typename Interface>
Kind SupervisedKind(std::string name, const Registry<Interface>& registry,
                    const LabelledData& (*data)(),
                    std::vector<double> (Interface::*predict)(const DenseMatrixView&,
                                                              const Context&) const) {
  Kind kind;
  kind.name = std::move(name);
  kind.names = [&registry] { return registry.Names(); };
  kind.traits = [&registry](const std::string& model) -> const ModelTraits& {
    return registry.Find(model).traits;
  };
  kind.describe = [&registry](const std::string& model) {
    return std::pair{registry.Find(model).description, registry.Find(model).factory.params};
  };
  kind.make = [&registry](const std::string& model) -> std::unique_ptr<Model> {
    return registry.Create(model, testing::SmallEnsembleParams(model));
  };
  kind.fit = [](Model& model, const LabelledData& d, const Context& ctx) {
    dynamic_cast<SupervisedModel&>(model).Fit(d.Set(), ctx);
  };
  kind.predict = [predict](const Model& model, const LabelledData& d, const Context& ctx) {
    return (dynamic_cast<const Interface&>(model).*predict)(d.X(), ctx);
  };
  kind.load = [](std::string_view bytes) -> std::unique_ptr<Model> {
    return Interface::Load(bytes);
  };
  kind.data = data;
  kind.thread_data = [data](const std::string&) { return data(); };
  kind.seed_data = [data] { return data(); };
  kind.non_finite_message = [](const std::string& model, double value) {
    return fmt::format("{}: feature f1 of row 5 is {}; impute or drop non-finite values first",
                       model, value);
  };
  return kind;
}

Kind ClassifierKind() {
  Kind kind = SupervisedKind("classifier", ClassifierRegistry(), &testing::ClassifierFixture,
                             &Classifier::PredictProba);
  kind.expect_one_value = [](const std::string& name, Model& model, const LabelledData& one_class) {
    ExpectError([&] { dynamic_cast<SupervisedModel&>(model).Fit(one_class.Set(), Context(1)); },
                ErrorCode::kInvalidData,
                name + ": the training labels are all negative; a classifier needs both classes");
  };
  return kind;
}

Kind RegressorKind() {
  Kind kind = SupervisedKind("regressor", RegressorRegistry(), &testing::RegressorFixture,
                             &Regressor::Predict);
  // A constant target (0) is a fine regression problem: the model predicts the constant. gbdt
  // boosts from xgboost's base_score 0.5, each of its 40 rounds shrinking the gap by about
  // (1 - learning_rate): 0.0079 is left (measured), the others are exact to 1e-6.
  kind.expect_one_value = [](const std::string& name, Model& model, const LabelledData& constant) {
    auto& regressor = dynamic_cast<Regressor&>(model);
    regressor.Fit(constant.Set(), Context(1));
    const double tol = name == "gbdt" ? 0.01 : 1e-6;
    for (const double p : regressor.Predict(constant.X(), Context(1)))
      EXPECT_NEAR(p, 0.0, tol) << name;
  };
  return kind;
}

// --- clusterers -------------------------------------------------------------------------------

/// Three well-separated blobs in 3-D (centres 20 apart, sd 1): n rows, y unused.
LabelledData Blobs(size_t n) {
  std::mt19937_64 rng(17);
  std::normal_distribution<double> noise(0.0, 1.0);
  LabelledData out;
  out.n = n;
  out.d = 3;
  out.y.assign(n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    const size_t c = i % 3;
    for (size_t j = 0; j < 3; ++j)
      out.x.push_back(20.0 * static_cast<double>((c + j) % 3 == 0 ? c + 1 : c) + noise(rng));
  }
  return out;
}

// Parameters that suit the blobs for each method.
nlohmann::json ClusterParams(const std::string& name) {
  if (name == "dbscan") return {{"eps", 3.0}, {"min_samples", 5}};
  if (name == "rfm") return nlohmann::json::object();
  if (name == "minibatch_kmeans") return {{"k", 3}, {"batch_size", 64}};
  return {{"k", 3}};
}

DenseMatrixView ViewOf(const LabelledData& d) { return DenseMatrixView(d.x, d.n, d.d); }

Kind ClustererKind() {
  Kind kind;
  kind.name = "clusterer";
  kind.names = [] { return ClustererRegistry().Names(); };
  kind.traits = [](const std::string& model) -> const ModelTraits& {
    return ClustererRegistry().Find(model).traits;
  };
  kind.describe = [](const std::string& model) {
    return std::pair{ClustererRegistry().Find(model).description,
                     ClustererRegistry().Find(model).factory.params};
  };
  kind.make = [](const std::string& model) -> std::unique_ptr<Model> {
    return ClustererRegistry().Create(model, ClusterParams(model));
  };
  kind.fit = [](Model& model, const LabelledData& d, const Context& ctx) {
    dynamic_cast<Clusterer&>(model).Fit(ViewOf(d), ctx);
  };
  kind.predict = [](const Model& model, const LabelledData& d, const Context& ctx) {
    const std::vector<int32_t> labels =
        dynamic_cast<const Clusterer&>(model).Assign(ViewOf(d), ctx);
    return std::vector<double>(labels.begin(), labels.end());
  };
  kind.load = [](std::string_view bytes) -> std::unique_ptr<Model> {
    return Clusterer::Load(bytes);
  };
  kind.data = []() -> const LabelledData& {
    static const LabelledData blobs = Blobs(300);
    return blobs;
  };
  // More than two 4,096-row chunks; Ward is quadratic, so it gets fewer rows.
  kind.thread_data = [](const std::string& model) { return Blobs(model == "ward" ? 600 : 9000); };
  // Uniform in the unit cube: random starts end in different local optima.
  kind.seed_data = [] {
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> unit;
    LabelledData out;
    out.n = 300;
    out.d = 3;
    out.y.assign(300, 0.0);
    for (size_t i = 0; i < 900; ++i) out.x.push_back(unit(rng));
    return out;
  };
  kind.non_finite_message = [](const std::string&, double value) {
    return fmt::format(
        "the input matrix has a non-finite value ({}) at row 5, column 2. Possible fix: impute or "
        "drop "
        "missing and infinite values before clustering.",
        value);
  };
  // Every row the same point: one cluster holds them all (none is noise).
  kind.expect_one_value = [](const std::string& name, Model& model, const LabelledData& same) {
    auto& clusterer = dynamic_cast<Clusterer&>(model);
    clusterer.Fit(ViewOf(same), Context(1));
    const std::vector<int32_t> labels = clusterer.Assign(ViewOf(same), Context(1));
    for (const int32_t label : labels) EXPECT_EQ(label, labels[0]) << name;
    EXPECT_GE(labels[0], 0) << name;
  };
  return kind;
}

const std::vector<Kind>& Kinds() {
  static const std::vector<Kind> kinds = {ClassifierKind(), RegressorKind(), ClustererKind()};
  return kinds;
}

// --- the suite --------------------------------------------------------------------------------

struct Subject {
  const Kind* kind;
  std::string model;
};

void PrintTo(const Subject& subject, std::ostream* os) {
  *os << subject.kind->name << " " << subject.model;
}

std::vector<Subject> EveryRegisteredModel() {
  std::vector<Subject> out;
  for (const Kind& kind : Kinds()) {
    for (const std::string& model : kind.names()) out.push_back({&kind, model});
  }
  return out;
}

class ModelConformance : public ::testing::TestWithParam<Subject> {
 protected:
  const Kind& kind() const { return *GetParam().kind; }
  const std::string& model() const { return GetParam().model; }
  std::unique_ptr<Model> Make() const { return kind().make(model()); }
  std::unique_ptr<Model> Fitted(const LabelledData& data, const Context& ctx) const {
    auto m = Make();
    kind().fit(*m, data, ctx);
    return m;
  }
};

TEST_P(ModelConformance, SaveLoadPredictsIdentically) {
  const LabelledData& data = kind().data();
  const Context ctx(2);
  const auto fitted = Fitted(data, ctx);
  const std::string bytes = fitted->Save();
  const auto loaded = kind().load(bytes);
  EXPECT_EQ(loaded->Type(), model());
  EXPECT_EQ(loaded->Params(), fitted->Params());
  EXPECT_EQ(kind().predict(*loaded, data, ctx), kind().predict(*fitted, data, ctx));
  EXPECT_EQ(loaded->Save(), bytes);
  // Every truncation of the file is a clean invalid-data error.
  for (size_t cut = 0; cut < bytes.size(); cut += std::max<size_t>(1, bytes.size() / 97)) {
    try {
      (void)kind().load(std::string_view(bytes).substr(0, cut));
      ADD_FAILURE() << "a file cut at byte " << cut << " loaded";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidData) << cut << ": " << e.what();
    }
  }
}

TEST_P(ModelConformance, PredictOrSaveBeforeFitIsOneError) {
  const auto untrained = Make();
  const std::string message = model() + ": the model is not trained yet; call Fit first";
  ExpectError([&] { (void)kind().predict(*untrained, kind().data(), Context(1)); },
              ErrorCode::kFailedPrecondition, message);
  ExpectError([&] { (void)untrained->Save(); }, ErrorCode::kFailedPrecondition, message);
}

TEST_P(ModelConformance, EmptyInputIsOneError) {
  const auto m = Make();
  ExpectError([&] { kind().fit(*m, WithRows(kind().data(), 0), Context(1)); },
              ErrorCode::kInvalidData, model() + ": no training rows");
}

TEST_P(ModelConformance, OneTargetValue) {
  LabelledData same = WithRows(kind().data(), 60);
  std::fill(same.y.begin(), same.y.end(), 0.0);
  if (kind().name == "clusterer") std::fill(same.x.begin(), same.x.end(), 1.5);
  const auto m = Make();
  kind().expect_one_value(model(), *m, same);
}

TEST_P(ModelConformance, NanAndInfAreInvalidDataNamingTheCell) {
  for (const double bad :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
        -std::numeric_limits<double>::infinity()}) {
    LabelledData data = kind().data();
    data.x[4 * data.d + 1] = bad;
    const auto m = Make();
    ExpectError([&] { kind().fit(*m, data, Context(1)); }, ErrorCode::kInvalidData,
                kind().non_finite_message(model(), bad));
  }
}

TEST_P(ModelConformance, WrongFeatureCountIsOneError) {
  const LabelledData& data = kind().data();
  const auto fitted = Fitted(data, Context(1));
  LabelledData narrow;
  narrow.n = 3;
  narrow.d = data.d - 1;
  narrow.x.assign(narrow.n * narrow.d, 0.0);
  ExpectError([&] { (void)kind().predict(*fitted, narrow, Context(1)); }, ErrorCode::kInvalidData,
              fmt::format("{}: the model was trained on {} features but the data has {}", model(),
                          data.d, narrow.d));
}

TEST_P(ModelConformance, SameSeedSameModel) {
  const LabelledData& data = kind().data();
  EXPECT_EQ(Fitted(data, Context(1, 9))->Save(), Fitted(data, Context(1, 9))->Save());
}

// The registry's `randomised` trait is true to the algorithm with its default parameters: the
// seed changes a randomised model and must not change any other.
TEST_P(ModelConformance, TheSeedMattersExactlyWhereTheRegistrySaysRandomised) {
  const LabelledData data = kind().seed_data();
  ExpectSeedDependence(kind().traits(model()), Fitted(data, Context(1, 9))->Save(),
                       Fitted(data, Context(1, 10))->Save());
}

TEST_P(ModelConformance, OneAndTwoThreadsGiveTheSameModel) {
  const LabelledData data = kind().thread_data(model());
  EXPECT_EQ(Fitted(data, Context(1, 5))->Save(), Fitted(data, Context(2, 5))->Save());
}

// --help and the docs list an algorithm's parameters from its registry entry: it must name
// every parameter the model has, each with a description.
TEST_P(ModelConformance, RegistryDescribesEveryParameter) {
  const auto [description, docs] = kind().describe(model());
  EXPECT_FALSE(description.empty());
  const nlohmann::json params = Make()->Params();
  EXPECT_EQ(params.size(), docs.size());
  for (const ParamDoc& doc : docs) {
    EXPECT_TRUE(params.contains(doc.name)) << doc.name;
    EXPECT_FALSE(doc.description.empty()) << doc.name;
  }
}

INSTANTIATE_TEST_SUITE_P(EveryRegistry, ModelConformance,
                         ::testing::ValuesIn(EveryRegisteredModel()), [](const auto& info) {
                           return info.param.kind->name + "_" + info.param.model;
                         });

// A model file carries its kind: each interface's Load refuses the others' files.
TEST(ModelKinds, EachLoadRefusesAFileOfAnotherKind) {
  for (const Kind& maker : Kinds()) {
    const auto model = maker.make(maker.names().front());
    maker.fit(*model, maker.data(), Context(1));
    const std::string bytes = model->Save();
    for (const Kind& loader : Kinds()) {
      if (&loader == &maker) continue;
      try {
        (void)loader.load(bytes);
        ADD_FAILURE() << "a " << maker.name << " file loaded as a " << loader.name;
      } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kInvalidData)
            << maker.name << " → " << loader.name << ": " << e.what();
      }
    }
  }
}

// Row weights reach every supervised model through Fit: the SVMs (libsvm and liblinear weigh
// classes only) refuse them with one message; every other model trains on them.
TEST(ModelKinds, RowWeightsAreUsedOrRefusedByFit) {
  const std::set<std::string> refuse = {"linear_svm", "kernel_svm"};
  for (const Kind& kind : Kinds()) {
    if (kind.name == "clusterer") continue;
    for (const std::string& name : kind.names()) {
      const LabelledData& data = kind.data();
      std::vector<double> weights(data.n);
      for (size_t i = 0; i < data.n; ++i) weights[i] = 1.0 + static_cast<double>(i % 3);
      Dataset weighted = data.Set();
      weighted.weights = weights;
      const auto model = kind.make(name);
      auto& supervised = dynamic_cast<SupervisedModel&>(*model);
      if (refuse.contains(name)) {
        ExpectError([&] { supervised.Fit(weighted, Context(1)); }, ErrorCode::kInvalidArgument,
                    name + ": per-row weights are not supported; use class_weight=balanced");
        EXPECT_FALSE(supervised.fitted()) << name;
      } else {
        // Used: the same rows weighted 1, 2, 3 give another model than unweighted.
        supervised.Fit(weighted, Context(1));
        EXPECT_TRUE(supervised.fitted()) << kind.name << " " << name;
        const auto unweighted = kind.make(name);
        kind.fit(*unweighted, data, Context(1));
        EXPECT_NE(kind.predict(*model, data, Context(1)),
                  kind.predict(*unweighted, data, Context(1)))
            << kind.name << " " << name << " ignores its row weights";
      }
    }
  }
}

// A fit that fails after the input checks (here: cancelled before it starts) leaves the model
// untrained, even one trained before: nothing half-fitted can be saved or scored.
TEST(ModelKinds, AFailedFitLeavesTheModelUntrained) {
  std::vector<std::string> observed;
  for (const Kind& kind : Kinds()) {
    if (kind.name == "clusterer") continue;
    for (const std::string& name : kind.names()) {
      const auto model = kind.make(name);
      auto& supervised = dynamic_cast<SupervisedModel&>(*model);
      supervised.Fit(kind.data().Set(), Context(1));
      ASSERT_TRUE(supervised.fitted()) << name;
      Context cancelled(1);
      cancelled.Cancel();
      try {
        supervised.Fit(kind.data().Set(), cancelled);
      } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kCancelled) << name << ": " << e.what();
        EXPECT_FALSE(supervised.fitted()) << kind.name << " " << name;
        observed.push_back(kind.name + " " + name);
      }
    }
  }
  // Every model but kernel_svm (libsvm runs without a callback) checks for cancellation.
  EXPECT_EQ(observed.size(), 9u) << ::testing::PrintToString(observed);
}

}  // namespace
}  // namespace prospect
