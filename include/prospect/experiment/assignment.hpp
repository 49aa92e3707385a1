// Deterministic experiment assignment: MurmurHash3 (x86, 32-bit) of salt and unit id into 10000
// buckets; traffic share, variant weights, mutually exclusive layers and a global holdout.
// Changing weights moves only the units whose bucket lies between the old and new boundaries.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/table/table.hpp"

namespace prospect::experiment {

inline constexpr uint32_t kBuckets = 10000;

/// MurmurHash3_x86_32 (Austin Appleby, public domain reference), little-endian reads.
uint32_t MurmurHash3X86_32(std::string_view key, uint32_t seed = 0);

/// Bucket in [0, 10000) of `salt` "." `unit_id`: floor(hash * 10000 / 2^32).
uint32_t Bucket(std::string_view salt, std::string_view unit_id);

struct VariantWeight {
  std::string name;
  double weight = 1.0;
};

/// Where a unit goes. Two independent hashes decide it, so that ramping traffic up never moves
/// a unit between variants and changing weights never moves a unit in or out of the experiment:
///  1. holdout: Bucket(holdout_salt, id) < holdout * 10000 → "holdout" (in no experiment);
///  2. eligibility: Bucket(layer or salt, id) in [offset, offset + traffic) * 10000 → in the
///     experiment. Experiments in one layer (same `layer`, disjoint [offset, offset + traffic))
///     are mutually exclusive;
///  3. variant: Bucket(salt + "/variant", id) against the cumulative weights: variant k owns
///     buckets [10000 W_{k-1} / W, 10000 W_k / W). Changing weights moves only units whose
///     variant bucket lies between an old and a new boundary.
struct AssignmentSpec {
  std::string salt;  ///< the experiment's salt (its name by default); required
  std::vector<VariantWeight> variants;
  double traffic = 1.0;       ///< share of units (of the layer) in the experiment, (0, 1]
  std::string layer;          ///< empty: the experiment has its own layer
  double layer_offset = 0.0;  ///< start of the experiment's slice of its layer, [0, 1)
  double holdout = 0.0;       ///< share of all units held out of every experiment, [0, 1)
  std::string holdout_salt = "prospect-holdout";

  /// Checks shares, offsets and weights; throws kInvalidArgument / kOutOfRange naming the option.
  void Validate() const;
};

enum class AssignmentStatus : uint8_t { kAssigned, kNotInExperiment, kHoldout };
std::string_view AssignmentStatusName(AssignmentStatus status);

struct Assignment {
  AssignmentStatus status = AssignmentStatus::kNotInExperiment;
  int variant = -1;     ///< index into spec.variants when assigned
  uint32_t bucket = 0;  ///< eligibility bucket
  uint32_t variant_bucket = 0;
};

/// Assigns one unit. Thread-safe and deterministic.
Assignment Assign(const AssignmentSpec& spec, std::string_view unit_id);

/// Parses "control:50,treatment:50" (weights optional: "a,b" is an equal split).
std::vector<VariantWeight> ParseVariantWeights(std::string_view text);

/// Assigns every row's id (column `id_column`, any type, formatted as text) and returns a table
/// unit_id, variant (null when not assigned), status ("assigned", "not_in_experiment",
/// "holdout"), bucket. Parallel over ctx.threads().
Table AssignTable(const AssignmentSpec& spec, const Table& units, const std::string& id_column,
                  const Context& ctx);

/// Units per variant of an AssignTable result; units without a variant are counted under their
/// status in parentheses, "(holdout)" and "(not_in_experiment)".
std::map<std::string, int64_t> CountAssignments(const Table& assigned);

/// Unit ids from a text file, one a line (blank lines skipped, spaces and a CR trimmed), as a
/// table with one string column unit_id. Throws kIo naming the file when it cannot be read.
Table ReadUnitIds(const std::string& path);

}  // namespace prospect::experiment
