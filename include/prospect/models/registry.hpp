// Registry<Interface>: the one shape of every algorithm list (classifiers, regressors, clusterers,
// and next recommenders, uplift learners and CLV models). An entry holds the name, a one-line
// description, the factory, the parameters as the CLI and docs show them, the default search
// space and the traits the workflows ask about, so no workflow special-cases an algorithm by name.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "prospect/common/params.hpp"

namespace prospect {

/// One parameter as the CLI and docs show it.
struct ParamDoc {
  std::string name;
  std::string type;           ///< int | number | bool | string
  std::string default_value;  ///< as text
  std::string description;
  double min = 0;
  double max = 0;
  std::vector<std::string> choices;
};

/// Describes a params struct's fields with their defaults (from a default-constructed P).
template <typename P>
std::vector<ParamDoc> DescribeParams(const ParamSchema<P>& schema) {
  // Held inside a larger object: g++ 12 warns falsely (-Warray-bounds) when a P smaller than a
  // std::string is read through the string member-pointer alternative that no field of P uses.
  struct Holder {
    P defaults{};
    std::string room;
  };
  const Holder holder;
  const nlohmann::json values = schema.ToJson(holder.defaults);
  std::vector<ParamDoc> out;
  for (const auto& field : schema.fields()) {
    // Built in one expression: filled member by member, g++ 12 warns falsely
    // (-Wmaybe-uninitialized) in some unity batches.
    const nlohmann::json& v = values[field.name];
    out.push_back(ParamDoc{field.name,
                           v.is_boolean()          ? "bool"
                           : v.is_number_integer() ? "int"
                           : v.is_number()         ? "number"
                                                   : "string",
                           v.is_string() ? v.get<std::string>() : v.dump(), field.description,
                           field.min, field.max, field.choices});
  }
  return out;
}

/// What the workflows need to know about an algorithm before or after fitting it.
struct ModelTraits {
  /// Features are standardised first (linear models, SVMs, distance-based clustering); trees
  /// see them as they are.
  bool wants_scaled_features = true;
  /// Fit stops on Dataset::valid_x when its early_stopping_rounds parameter is above 0.
  bool supports_early_stopping = false;
  /// The seed changes the fitted model (bootstrap, subsampling, random initialisation).
  bool randomised = false;
  /// What Importance() measures: "gain", "abs_coefficient" or "mean_abs_contribution".
  std::string importance_kind = "abs_coefficient";
  /// Fit gives the same model, bit for bit, whatever ctx.threads(). False for lock-free parallel
  /// SGD (BPR): there only one thread is reproducible, and the model's own tests bound how far
  /// thread counts differ in quality.
  bool same_across_threads = true;

  /// The traits both tasks' tree families share: a single CART tree, a random forest and
  /// gradient boosting see raw features and report gain; the forest is seeded, boosting stops
  /// early.
  static ModelTraits Tree() { return {false, false, false, "gain"}; }
  static ModelTraits Forest() { return {false, false, true, "gain"}; }
  static ModelTraits Boosted() { return {false, true, false, "gain"}; }
};

/// How to make an unfitted model and which parameters it takes: what each algorithm's file
/// exports for the registry.
template <typename Interface>
struct ModelFactory {
  /// Creates an unfitted model; `params` is a JSON object of overrides (numbers, bools or strings);
  /// unknown names are kInvalidArgument with suggestions.
  std::function<std::unique_ptr<Interface>(const nlohmann::json& params)> create;
  std::vector<ParamDoc> params;
};

/// The factory of a model class constructed from a JSON object of parameters, with the
/// parameters of its params struct P.
template <typename Interface, typename Model, typename P>
ModelFactory<Interface> FactoryOf() {
  return {[](const nlohmann::json& params) -> std::unique_ptr<Interface> {
            return std::make_unique<Model>(params);
          },
          DescribeParams(P::Schema())};
}

template <typename Interface>
struct RegistryEntry {
  std::string name;
  std::string description;  ///< one line
  ModelFactory<Interface> factory;
  /// Default search space for --search, in SearchSpace::FromJson form (evaluate/search.hpp); null
  /// when the algorithm is not tuned by search.
  nlohmann::json search_space;
  ModelTraits traits;

  std::unique_ptr<Interface> Create(const nlohmann::json& params = nlohmann::json::object()) const {
    return factory.create(params);
  }
};

/// What a registry calls its entries in messages, and the prefix of its model files' type tags.
struct RegistryNouns {
  std::string one;   ///< "model", "regression model", "clustering method"
  std::string many;  ///< "models", "regression models", "methods"
  std::string
      file_prefix;  ///< "", "regress/", "cluster/": a file of one kind never loads as another
};

[[noreturn]] void FailUnknownName(const RegistryNouns& nouns, std::string_view name,
                                  const std::vector<std::string>& names);
[[noreturn]] void FailUnknownFileType(const RegistryNouns& nouns, std::string_view tag);

template <typename Interface>
class Registry {
 public:
  Registry(RegistryNouns nouns, std::vector<RegistryEntry<Interface>> entries)
      : nouns_(std::move(nouns)), entries_(std::move(entries)) {}

  /// In the order `--help` and the docs list them.
  const std::vector<RegistryEntry<Interface>>& entries() const { return entries_; }
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& e : entries_) names.push_back(e.name);
    return names;
  }
  bool Contains(std::string_view name) const {
    for (const auto& e : entries_) {
      if (e.name == name) return true;
    }
    return false;
  }
  /// Throws kInvalidArgument: Unknown model "xgbost". Did you mean "gbdt"? Valid models: ...
  const RegistryEntry<Interface>& Find(std::string_view name) const {
    for (const auto& e : entries_) {
      if (e.name == name) return e;
    }
    FailUnknownName(nouns_, name, Names());
  }
  std::unique_ptr<Interface> Create(std::string_view name,
                                    const nlohmann::json& params = nlohmann::json::object()) const {
    return Find(name).Create(params);
  }

  /// The type tag a model file of this algorithm carries: prefix + name.
  std::string FileTag(std::string_view name) const {
    return nouns_.file_prefix + std::string(name);
  }
  /// The entry a model file's type tag names. Throws kInvalidData for a tag of another kind or an
  /// algorithm this build does not know.
  const RegistryEntry<Interface>& FindByFileTag(std::string_view tag) const {
    if (tag.substr(0, nouns_.file_prefix.size()) == nouns_.file_prefix) {
      const std::string_view name = tag.substr(nouns_.file_prefix.size());
      for (const auto& e : entries_) {
        if (e.name == name) return e;
      }
    }
    FailUnknownFileType(nouns_, tag);
  }

 private:
  RegistryNouns nouns_;
  std::vector<RegistryEntry<Interface>> entries_;
};

/// One algorithm as `--help` lists it: its name and description, then each parameter with its
/// default, allowed values or range, and description, one per line.
std::string DescribeAlgorithm(std::string_view name, std::string_view description,
                              const std::vector<ParamDoc>& params);

/// Every entry of a registry as DescribeAlgorithm gives it: the parameters `--param` takes.
template <typename Interface>
std::string DescribeAlgorithms(const Registry<Interface>& registry) {
  std::string out;
  for (const auto& e : registry.entries())
    out += DescribeAlgorithm(e.name, e.description, e.factory.params);
  return out;
}

}  // namespace prospect
