// The clustering registry: name → factory, parameter schema and a one-line description, filled in
// one place (src/models/cluster/register.cpp). The CLI, docs and conformance tests read it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "prospect/common/params.hpp"
#include "prospect/models/cluster/clusterer.hpp"

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

struct ClustererInfo {
  std::string name;
  std::string description;  ///< one line
  std::vector<ParamDoc> params;
  /// Creates an unfitted model; `params` is a JSON object of overrides (numbers, bools or strings);
  /// unknown names are kInvalidArgument with suggestions.
  std::function<std::unique_ptr<Clusterer>(const nlohmann::json& params)> create;
};

/// Every registered algorithm, in registration order.
const std::vector<ClustererInfo>& ClustererRegistry();
std::vector<std::string> ClustererNames();
/// Throws kInvalidArgument: Unknown clustering method "kmean". Did you mean "kmeans"? Valid methods: ...
const ClustererInfo& FindClusterer(std::string_view name);
std::unique_ptr<Clusterer> CreateClusterer(std::string_view name,
                                           const nlohmann::json& params = nlohmann::json::object());

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
    // Built in one expression: filled member by member, g++ 12 warns falsely (-Wmaybe-uninitialized)
    // in some unity batches.
    const nlohmann::json& v = values[field.name];
    out.push_back(ParamDoc{field.name,
                           v.is_boolean() ? "bool" : v.is_number_integer() ? "int" : v.is_number() ? "number" : "string",
                           v.is_string() ? v.get<std::string>() : v.dump(), field.description, field.min, field.max,
                           field.choices});
  }
  return out;
}

}  // namespace prospect
