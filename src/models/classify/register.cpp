// The classifier registry: one entry per algorithm (name, description, factory, search space,
// traits).
#include "models/classify/families.hpp"
#include "models/gbdt/gbdt.hpp"
#include "prospect/evaluate/search.hpp"

namespace prospect {

const Registry<Classifier>& ClassifierRegistry() {
  using S = SearchSpace;
  // liblinear's dual coordinate descent visits rows in an order drawn from the seed, and libsvm's
  // Platt probabilities come from a seeded internal cross-validation.
  const ModelTraits linear_svm{.randomised = true};
  const ModelTraits kernel_svm{.randomised = true, .importance_kind = "mean_abs_contribution"};
  static const Registry<Classifier> registry(
      {"model", "models", ""},
      {
          {"logistic",
           "logistic regression: L2 by L-BFGS (sklearn's default objective), L1 by liblinear",
           LogisticFactory(),
           S().AddFloat("c", 1e-3, 1e2, true).AddChoice("penalty", {"l1", "l2"}).ToJson(),
           ModelTraits()},
          {"tree", "CART decision tree with readable rules", TreeFactory(),
           S().AddInt("max_depth", 2, 12)
               .AddInt("min_samples_leaf", 1, 500, true)
               .AddChoice("criterion", {"gini", "entropy"})
               .ToJson(),
           ModelTraits::Tree()},
          {"forest", "random forest of CART trees (bootstrap, sqrt features)", ForestFactory(),
           S().AddInt("max_depth", 4, 20)
               .AddInt("min_samples_leaf", 1, 100, true)
               .AddChoice("max_features", {"sqrt", "log2"})
               .ToJson(),
           ModelTraits::Forest()},
          {"gbdt", "gradient-boosted trees (XGBoost, hist, early stopping)",
           GbdtClassifierFactory(), GbdtSearchSpace(), ModelTraits::Boosted()},
          {"linear_svm", "linear SVM (liblinear, squared hinge), Platt probabilities",
           LinearSvmFactory(),
           S().AddFloat("c", 1e-3, 1e2, true)
               .AddChoice("loss", {"squared_hinge", "hinge"})
               .ToJson(),
           linear_svm},
          {"kernel_svm", "kernel SVM (libsvm C-SVC, RBF by default), Platt probabilities",
           KernelSvmFactory(),
           S().AddFloat("c", 1e-2, 1e2, true).AddFloat("gamma", 1e-3, 1, true).ToJson(),
           kernel_svm},
      });
  return registry;
}

}  // namespace prospect
