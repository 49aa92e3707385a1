// Duplicate-row detection by row hashing with exact verification (hash collisions never merge
// different rows).
#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <unordered_map>

#include "prospect/common/strings.hpp"
#include "quality/quality_internal.hpp"

namespace prospect {
namespace {

constexpr uint64_t kNullHash = 0x9e3779b97f4a7c15ULL;

uint64_t Mix(uint64_t h, uint64_t v) {
  // boost::hash_combine's 64-bit variant, then a final avalanche in RowHashes.
  return h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 12) + (h >> 4));
}

bool CellMissing(const Column& col, size_t r) {
  return col.IsNull(r) || (col.type() == DataType::kDouble && std::isnan(col.doubles()[r]));
}

uint64_t CellHash(const Column& col, size_t r, const std::vector<uint64_t>& dict_hashes) {
  if (CellMissing(col, r)) return kNullHash;
  switch (col.type()) {
    case DataType::kInt64:
    case DataType::kDate:
    case DataType::kTimestamp: return std::hash<int64_t>{}(col.ints()[r]) * 0xff51afd7ed558ccdULL;
    case DataType::kDouble: {
      const double d = col.doubles()[r] == 0 ? 0.0 : col.doubles()[r];  // -0 == 0
      return std::bit_cast<uint64_t>(d) * 0xc4ceb9fe1a85ec53ULL;
    }
    case DataType::kBool: return col.bools()[r] ? 0x51ed27e9ULL : 0x2f8b1c7dULL;
    case DataType::kCategorical: return dict_hashes[static_cast<size_t>(col.codes()[r])];
    case DataType::kString: return std::hash<std::string_view>{}(col.StringAt(r));
  }
  return 0;
}

bool CellsEqual(const Column& col, size_t a, size_t b) {
  const bool ma = CellMissing(col, a), mb = CellMissing(col, b);
  if (ma || mb) return ma == mb;
  switch (col.type()) {
    case DataType::kInt64:
    case DataType::kDate:
    case DataType::kTimestamp: return col.ints()[a] == col.ints()[b];
    case DataType::kDouble: return col.doubles()[a] == col.doubles()[b];
    case DataType::kBool: return col.bools()[a] == col.bools()[b];
    case DataType::kCategorical: return col.codes()[a] == col.codes()[b];
    case DataType::kString: return col.StringAt(a) == col.StringAt(b);
  }
  return false;
}

// For each row, the first earlier equal row (or itself).
std::vector<size_t> FirstOccurrence(const Table& table, const std::vector<size_t>& columns) {
  const size_t n = table.num_rows();
  std::vector<uint64_t> hashes(n, 0);
  for (size_t c : columns) {
    const Column& col = *table.column(c);
    std::vector<uint64_t> dict_hashes;
    if (col.type() == DataType::kCategorical) {
      for (const auto& s : col.dictionary()) dict_hashes.push_back(std::hash<std::string>{}(s));
    }
    for (size_t r = 0; r < n; ++r) hashes[r] = Mix(hashes[r], CellHash(col, r, dict_hashes));
  }
  std::unordered_map<uint64_t, std::vector<size_t>> seen;
  seen.reserve(n);
  std::vector<size_t> first(n);
  for (size_t r = 0; r < n; ++r) {
    auto& reps = seen[hashes[r]];
    first[r] = r;
    for (size_t rep : reps) {
      bool equal = true;
      for (size_t c : columns) {
        if (!CellsEqual(*table.column(c), rep, r)) {
          equal = false;
          break;
        }
      }
      if (equal) {
        first[r] = rep;
        break;
      }
    }
    if (first[r] == r) reps.push_back(r);
  }
  return first;
}

}  // namespace

std::vector<uint8_t> DuplicateMask(const Table& table, const std::vector<size_t>& columns) {
  const std::vector<size_t> first = FirstOccurrence(table, columns);
  std::vector<uint8_t> mask(first.size(), 0);
  for (size_t r = 0; r < first.size(); ++r) mask[r] = first[r] != r;
  return mask;
}

int64_t CountDuplicateRows(const Table& table, const std::vector<size_t>& columns,
                           std::vector<ValueCount>* examples) {
  const std::vector<size_t> first = FirstOccurrence(table, columns);
  int64_t dups = 0;
  std::unordered_map<size_t, int64_t> group_size;
  for (size_t r = 0; r < first.size(); ++r) {
    if (first[r] != r) {
      ++dups;
      ++group_size[first[r]];
    }
  }
  if (examples) {
    std::vector<std::pair<size_t, int64_t>> groups(group_size.begin(), group_size.end());
    std::sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    for (size_t i = 0; i < groups.size() && i < 5; ++i) {
      std::vector<std::string> parts;
      for (size_t c : columns) parts.push_back(table.column(c)->FormatValue(groups[i].first));
      examples->push_back({Join(parts, "|"), groups[i].second + 1});
    }
  }
  return dups;
}

}  // namespace prospect
