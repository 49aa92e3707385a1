// The recommender registry: one entry per algorithm (name, description, factory with its
// parameters, traits).
#include "prospect/models/recommend/als.hpp"
#include "prospect/models/recommend/bpr.hpp"
#include "prospect/models/recommend/content.hpp"
#include "prospect/models/recommend/ease.hpp"
#include "prospect/models/recommend/hybrid.hpp"
#include "prospect/models/recommend/item_knn.hpp"
#include "prospect/models/recommend/popularity.hpp"

namespace prospect {

const Registry<Recommender>& RecommenderRegistry() {
  const ModelTraits exact;
  const ModelTraits seeded{.randomised = true};
  const ModelTraits hogwild{.randomised = true, .same_across_threads = false};
  static const Registry<Recommender> registry(
      {"recommender", "recommenders", "recommend/"},
      {
          {"popularity", "the items most users chose, the same for everyone (the baseline)",
           FactoryOf<Recommender, Popularity, PopularityParams>(), nullptr, exact},
          {"item_knn",
           "items chosen by the same users (cosine, tf-idf or bm25), the top neighbours per item",
           FactoryOf<Recommender, ItemKnn, ItemKnnParams>(), nullptr, exact},
          {"als",
           "implicit ALS (Hu, Koren & Volinsky 2008) with conjugate-gradient steps; seeded factors",
           FactoryOf<Recommender, Als, AlsParams>(), nullptr, seeded},
          {"bpr",
           "BPR (Rendle et al. 2009): factors by SGD on sampled pairwise rankings; lock-free "
           "threads",
           FactoryOf<Recommender, Bpr, BprParams>(), nullptr, hogwild},
          {"ease",
           "EASE: item-item weights in closed form (Steck 2019); catalogues to 20,000 items",
           FactoryOf<Recommender, Ease, EaseParams>(), nullptr, exact},
          {"content",
           "items like the user's by their attributes (TF-IDF of categories and text); reaches "
           "new items",
           FactoryOf<Recommender, ContentBased, ContentParams>(), nullptr, exact},
          {"hybrid", "a collaborative model blended with content scores; new items via content",
           FactoryOf<Recommender, Hybrid, HybridParams>(), nullptr, seeded},
      });
  return registry;
}

}  // namespace prospect
