// Deterministic hash assignment (MurmurHash3 x86_32 buckets), layers, holdouts.
#include "prospect/experiment/assignment.hpp"

#include <cmath>
#include <cstring>
#include <fstream>

#include "prospect/common/enum_names.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/numbers.hpp"
#include "prospect/common/strings.hpp"

namespace prospect::experiment {
namespace {

inline uint32_t Rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }
inline uint32_t Fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

uint32_t BucketOf(std::string_view a, std::string_view sep, std::string_view b) {
  std::string key;
  key.reserve(a.size() + sep.size() + b.size());
  key.append(a).append(sep).append(b);
  const uint64_t h = MurmurHash3X86_32(key, 0);
  return static_cast<uint32_t>((h * kBuckets) >> 32);
}

// Share → bucket boundary, rounded so that 0.3 means exactly 3000 buckets.
uint32_t Boundary(double share) { return static_cast<uint32_t>(std::llround(share * kBuckets)); }

}  // namespace

uint32_t MurmurHash3X86_32(std::string_view key, uint32_t seed) {
  const auto* data = reinterpret_cast<const uint8_t*>(key.data());
  const size_t len = key.size();
  const size_t nblocks = len / 4;
  uint32_t h1 = seed;
  constexpr uint32_t c1 = 0xcc9e2d51, c2 = 0x1b873593;
  for (size_t i = 0; i < nblocks; ++i) {
    uint32_t k1;
    std::memcpy(&k1, data + i * 4, 4);
    k1 *= c1;
    k1 = Rotl32(k1, 15);
    k1 *= c2;
    h1 ^= k1;
    h1 = Rotl32(h1, 13);
    h1 = h1 * 5 + 0xe6546b64;
  }
  const uint8_t* tail = data + nblocks * 4;
  uint32_t k1 = 0;
  switch (len & 3) {
    case 3: k1 ^= static_cast<uint32_t>(tail[2]) << 16; [[fallthrough]];
    case 2: k1 ^= static_cast<uint32_t>(tail[1]) << 8; [[fallthrough]];
    case 1:
      k1 ^= tail[0];
      k1 *= c1;
      k1 = Rotl32(k1, 15);
      k1 *= c2;
      h1 ^= k1;
  }
  h1 ^= static_cast<uint32_t>(len);
  return Fmix32(h1);
}

uint32_t Bucket(std::string_view salt, std::string_view unit_id) {
  return BucketOf(salt, ".", unit_id);
}

void AssignmentSpec::Validate() const {
  if (salt.empty())
    Fail(ErrorCode::kInvalidArgument, "experiment assignment needs a salt (--salt NAME)");
  if (variants.size() < 2) {
    Fail(ErrorCode::kInvalidArgument,
         "experiment assignment needs at least 2 variants (got {}); e.g. --variants "
         "control:50,treatment:50",
         variants.size());
  }
  double total = 0.0;
  for (const auto& v : variants) {
    if (!(v.weight >= 0.0) || !std::isfinite(v.weight)) {
      Fail(ErrorCode::kOutOfRange, "variant {} has weight {}; weights must be non-negative numbers",
           QuoteForMessage(v.name), v.weight);
    }
    total += v.weight;
  }
  if (!(total > 0.0))
    Fail(ErrorCode::kOutOfRange, "variant weights sum to 0; give at least one a positive weight");
  if (!(traffic > 0.0 && traffic <= 1.0)) {
    Fail(ErrorCode::kOutOfRange, "traffic share {} is out of range (0, 1] (--traffic)", traffic);
  }
  if (!(layer_offset >= 0.0 && layer_offset + traffic <= 1.0 + 1e-12)) {
    Fail(ErrorCode::kOutOfRange,
         "layer slice [{}, {}) does not fit in [0, 1] (--layer-offset + --traffic <= 1)",
         layer_offset, layer_offset + traffic);
  }
  if (!(holdout >= 0.0 && holdout < 1.0)) {
    Fail(ErrorCode::kOutOfRange, "holdout share {} is out of range [0, 1) (--holdout)", holdout);
  }
}

std::string_view AssignmentStatusName(AssignmentStatus status) {
  static constexpr EnumName<AssignmentStatus> kNames[] = {
      {AssignmentStatus::kAssigned, "assigned"},
      {AssignmentStatus::kNotInExperiment, "not_in_experiment"},
      {AssignmentStatus::kHoldout, "holdout"}};
  return NameOf(kNames, status);
}

Assignment Assign(const AssignmentSpec& spec, std::string_view unit_id) {
  Assignment a;
  if (spec.holdout > 0.0 && Bucket(spec.holdout_salt, unit_id) < Boundary(spec.holdout)) {
    a.status = AssignmentStatus::kHoldout;
    return a;
  }
  a.bucket = Bucket(spec.layer.empty() ? spec.salt : spec.layer, unit_id);
  const uint32_t start = Boundary(spec.layer_offset);
  const uint32_t end = Boundary(spec.layer_offset + spec.traffic);
  if (a.bucket < start || a.bucket >= end) return a;
  a.variant_bucket = BucketOf(spec.salt, "/variant.", unit_id);
  double total = 0.0;
  for (const auto& v : spec.variants) total += v.weight;
  double cumulative = 0.0;
  for (size_t k = 0; k < spec.variants.size(); ++k) {
    cumulative += spec.variants[k].weight;
    const uint32_t upper = k + 1 == spec.variants.size() ? kBuckets : Boundary(cumulative / total);
    if (a.variant_bucket < upper) {
      a.status = AssignmentStatus::kAssigned;
      a.variant = static_cast<int>(k);
      return a;
    }
  }
  PROSPECT_CHECK(false);
  return a;
}

std::vector<VariantWeight> ParseVariantWeights(std::string_view text) {
  std::vector<VariantWeight> out;
  for (const std::string& part : Split(text, ',')) {
    const std::string_view item = Trim(part);
    if (item.empty()) continue;
    VariantWeight v;
    const size_t colon = item.rfind(':');
    if (colon == std::string_view::npos) {
      v.name = std::string(item);
    } else {
      v.name = std::string(Trim(item.substr(0, colon)));
      const std::string_view w = Trim(item.substr(colon + 1));
      if (!ParseDouble(w, &v.weight)) {
        Fail(ErrorCode::kInvalidArgument,
             "--variants: weight {} of variant {} is not a number; write NAME:WEIGHT, e.g. "
             "control:50,treatment:50",
             QuoteForMessage(w), QuoteForMessage(v.name));
      }
    }
    if (v.name.empty())
      Fail(ErrorCode::kInvalidArgument, "--variants: empty variant name in {}",
           QuoteForMessage(text));
    for (const auto& seen : out) {
      if (seen.name == v.name)
        Fail(ErrorCode::kInvalidArgument, "--variants: variant {} appears twice",
             QuoteForMessage(v.name));
    }
    out.push_back(std::move(v));
  }
  return out;
}

Table AssignTable(const AssignmentSpec& spec, const Table& units, const std::string& id_column,
                  const Context& ctx) {
  spec.Validate();
  const Column& ids = units.column(id_column);
  const size_t n = units.num_rows();
  std::vector<Assignment> result(n);
  std::vector<std::string> id_text(n);
#pragma omp parallel for num_threads(ctx.threads()) schedule(static)
  for (size_t i = 0; i < n; ++i) {
    if (ids.IsNull(i)) continue;
    id_text[i] = ids.FormatValue(i);
    result[i] = Assign(spec, id_text[i]);
  }
  ColumnBuilder unit(DataType::kString), variant(DataType::kString), status(DataType::kString),
      bucket(DataType::kInt64);
  for (size_t i = 0; i < n; ++i) {
    if (ids.IsNull(i)) continue;  // a unit without an id cannot be assigned reproducibly
    unit.AppendString(id_text[i]);
    if (result[i].status == AssignmentStatus::kAssigned) {
      variant.AppendString(spec.variants[static_cast<size_t>(result[i].variant)].name);
    } else {
      variant.AppendNull();
    }
    status.AppendString(AssignmentStatusName(result[i].status));
    bucket.AppendInt(result[i].bucket);
  }
  return Table(Schema({{"unit_id", DataType::kString},
                       {"variant", DataType::kString},
                       {"status", DataType::kString},
                       {"bucket", DataType::kInt64}}),
               {unit.Finish(), variant.Finish(), status.Finish(), bucket.Finish()});
}

std::map<std::string, int64_t> CountAssignments(const Table& assigned) {
  std::map<std::string, int64_t> counts;
  const Column& variant = assigned.column("variant");
  const Column& status = assigned.column("status");
  for (size_t i = 0; i < assigned.num_rows(); ++i) {
    ++counts[variant.IsNull(i) ? "(" + std::string(status.StringAt(i)) + ")"
                               : std::string(variant.StringAt(i))];
  }
  return counts;
}

Table ReadUnitIds(const std::string& path) {
  std::ifstream in(path);
  if (!in) Fail(ErrorCode::kIo, "cannot open the unit id file {}", QuoteForMessage(path));
  std::vector<std::string> ids;
  std::string line;
  while (std::getline(in, line)) {
    const std::string_view id = Trim(line);  // Trim takes the CR of a CRLF line too
    if (!id.empty()) ids.emplace_back(id);
  }
  return Table(Schema({{"unit_id", DataType::kString}}), {Column::FromStringVector(ids)});
}

}  // namespace prospect::experiment
