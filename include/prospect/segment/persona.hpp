// Personas: a card per segment — size, share of customers and of value, how it differs from
// everyone (standardised differences), a one-line description in plain words, and decision-tree
// rules (CART, depth ≤ 3) that describe membership, with their accuracy.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/table/table.hpp"

namespace prospect {

struct PersonaOptions {
  /// Columns to describe segments with (numeric ones get contrasts and feed the rules;
  /// categorical ones with ≤ 30 levels get "mostly X" shares). Empty: every column but the id.
  std::vector<std::string> features;
  std::string id_column = "customer_id";
  std::string value_column = "monetary";  ///< share of value; skipped if absent
  int64_t rule_depth = 3;
  int64_t distinguishing = 3;  ///< how many top features a card lists
};

struct FeatureContrast {
  std::string feature;
  double segment_mean = 0;
  double overall_mean = 0;
  double std_difference = 0;  ///< (segment mean − overall mean) / overall standard deviation
};

struct Persona {
  int32_t segment = 0;
  std::string name;
  int64_t size = 0;
  double share_customers = 0;
  double share_value = 0;                   ///< NaN when there is no value column
  std::vector<FeatureContrast> contrasts;   ///< every numeric feature, by |std_difference|
  std::vector<std::string> distinguishing;  ///< top features in words
  std::string description;                  ///< one line for a marketer
  std::vector<std::string> rules;           ///< "if … then NAME (93% of 1,204 customers)"
  double rule_precision = 0;  ///< share of customers the rules assign here who are here
  double rule_recall = 0;     ///< share of this segment the rules find
};

struct PersonaReport {
  std::vector<Persona> personas;
  double rules_accuracy = 0;  ///< share of customers whose segment the depth-≤3 tree predicts
  int rules_depth = 0;
  nlohmann::json ToJson() const;
};

/// labels[i] ∈ [0, names.size()) is row i's segment (−1 = unassigned, e.g. DBSCAN noise, kept as
/// its own persona only if names has an entry for it — otherwise skipped).
PersonaReport BuildPersonas(const Table& profiles, const std::vector<int32_t>& labels,
                            const std::vector<std::string>& names, const PersonaOptions& options,
                            const Context& ctx);

}  // namespace prospect
