#include "prospect/monitor/summary.hpp"

#include <algorithm>
#include <boost/sort/pdqsort/pdqsort.hpp>
#include <cmath>
#include <string_view>
#include <unordered_map>

#include "prospect/common/error.hpp"

namespace prospect::monitor {
namespace {

// Sorted values, with equal neighbours combined, as (distinct value, count) runs.
template <typename Key>
void AppendRuns(const std::vector<Key>& sorted, std::vector<Key>* keys,
                std::vector<int64_t>* counts) {
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i + 1;
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
    keys->push_back(sorted[i]);
    counts->push_back(static_cast<int64_t>(j - i));
    i = j;
  }
}

// Two sorted run lists merged into one, counts of equal keys added.
template <typename Key>
void MergeRuns(std::vector<Key>* keys, std::vector<int64_t>* counts, const std::vector<Key>& keys2,
               std::span<const int64_t> counts2) {
  std::vector<Key> out_keys;
  std::vector<int64_t> out_counts;
  out_keys.reserve(keys->size() + keys2.size());
  out_counts.reserve(keys->size() + keys2.size());
  size_t i = 0, j = 0;
  while (i < keys->size() || j < keys2.size()) {
    if (j == keys2.size() || (i < keys->size() && (*keys)[i] < keys2[j])) {
      out_keys.push_back(std::move((*keys)[i]));
      out_counts.push_back((*counts)[i++]);
    } else if (i == keys->size() || keys2[j] < (*keys)[i]) {
      out_keys.push_back(keys2[j]);
      out_counts.push_back(counts2[j++]);
    } else {
      out_keys.push_back(std::move((*keys)[i]));
      out_counts.push_back((*counts)[i++] + counts2[j++]);
    }
  }
  *keys = std::move(out_keys);
  *counts = std::move(out_counts);
}

}  // namespace

std::string_view ValueKindName(ValueKind kind) {
  return kind == ValueKind::kNumeric ? "numeric" : "categorical";
}

std::optional<ValueKind> ValueKindOf(DataType type) {
  switch (type) {
    case DataType::kInt64:
    case DataType::kDouble: return ValueKind::kNumeric;
    case DataType::kBool:
    case DataType::kString:
    case DataType::kCategorical: return ValueKind::kCategorical;
    case DataType::kDate:
    case DataType::kTimestamp: return std::nullopt;
  }
  return std::nullopt;
}

double RoundToSignificantBits(double value, int bits) {
  if (value == 0 || !std::isfinite(value)) return value;
  int exponent = 0;
  const double mantissa = std::frexp(value, &exponent);  // |mantissa| in [0.5, 1)
  return std::ldexp(std::round(std::ldexp(mantissa, bits)), exponent - bits);
}

ColumnSummary ColumnSummary::Of(const Column& column) {
  const auto kind = ValueKindOf(column.type());
  if (!kind) {
    Fail(ErrorCode::kInvalidArgument,
         "a {} column has no drift summary: dates and timestamps move with time; compare a "
         "number or a category derived from them",
         DataTypeName(column.type()));
  }
  ColumnSummary summary(*kind);
  const size_t n = column.size();
  if (*kind == ValueKind::kNumeric) {
    std::vector<double> values;
    values.reserve(n - column.null_count());
    for (size_t r = 0; r < n; ++r) {
      const double v = column.NumericAt(r);
      if (std::isfinite(v)) values.push_back(v);
    }
    summary.count_ = static_cast<int64_t>(values.size());
    summary.missing_ = static_cast<int64_t>(n - values.size());
    boost::sort::pdqsort(values.begin(), values.end());  // 2.6x std::sort on 64k doubles
    AppendRuns(values, &summary.values_, &summary.counts_);
    if (summary.values_.size() > kExactLimit) summary.RoundToSketch();
    return summary;
  }
  // Categories: count per dictionary code, per text, or per truth value, then sort the texts.
  std::vector<std::pair<std::string, int64_t>> tallies;
  if (column.type() == DataType::kCategorical) {
    std::vector<int64_t> per_code(column.dictionary().size(), 0);
    for (const int32_t code : column.codes())
      if (code >= 0) ++per_code[static_cast<size_t>(code)];
    for (size_t c = 0; c < per_code.size(); ++c)
      if (per_code[c] > 0) tallies.emplace_back(column.dictionary()[c], per_code[c]);
  } else if (column.type() == DataType::kBool) {
    int64_t per_value[2] = {0, 0};
    for (size_t r = 0; r < n; ++r)
      if (!column.IsNull(r)) ++per_value[column.bools()[r] ? 1 : 0];
    if (per_value[0] > 0) tallies.emplace_back("false", per_value[0]);
    if (per_value[1] > 0) tallies.emplace_back("true", per_value[1]);
  } else {
    std::unordered_map<std::string_view, int64_t> per_text;
    for (size_t r = 0; r < n; ++r)
      if (!column.IsNull(r)) ++per_text[column.StringAt(r)];
    for (const auto& [text, count] : per_text) tallies.emplace_back(std::string(text), count);
  }
  std::sort(tallies.begin(), tallies.end());
  for (auto& [text, count] : tallies) {
    // A dictionary may hold one text twice; its counts belong together.
    if (!summary.categories_.empty() && summary.categories_.back() == text) {
      summary.counts_.back() += count;
    } else {
      summary.categories_.push_back(std::move(text));
      summary.counts_.push_back(count);
    }
    summary.count_ += count;
  }
  summary.missing_ = static_cast<int64_t>(n) - summary.count_;
  return summary;
}

void ColumnSummary::Merge(const ColumnSummary& other) {
  PROSPECT_CHECK(kind_ == other.kind_);
  count_ += other.count_;
  missing_ += other.missing_;
  if (kind_ == ValueKind::kCategorical) {
    MergeRuns(&categories_, &counts_, other.categories_, other.counts_);
    return;
  }
  if (exact_ && !other.exact_) RoundToSketch();
  if (!exact_ && other.exact_) {  // a sketch takes exact values rounded as its own were
    ColumnSummary rounded = other;
    rounded.RoundToSketch();
    MergeRuns(&values_, &counts_, rounded.values_, rounded.counts_);
  } else {
    MergeRuns(&values_, &counts_, other.values_, other.counts_);
  }
  if (exact_ && values_.size() > kExactLimit) RoundToSketch();
}

void ColumnSummary::RoundToSketch() {
  exact_ = false;
  // Rounding keeps the order, so equal neighbours are all that need combining.
  size_t out = 0;
  for (size_t i = 0; i < values_.size(); ++i) {
    const double v = RoundToSignificantBits(values_[i], kSketchBits);
    if (out > 0 && values_[out - 1] == v) {
      counts_[out - 1] += counts_[i];
    } else {
      values_[out] = v;
      counts_[out] = counts_[i];
      ++out;
    }
  }
  values_.resize(out);
  counts_.resize(out);
}

double ColumnSummary::Mean() const {
  double sum = 0;
  for (size_t i = 0; i < values_.size(); ++i) sum += values_[i] * static_cast<double>(counts_[i]);
  return count_ > 0 ? sum / static_cast<double>(count_) : std::nan("");
}

double ColumnSummary::StdDev() const {
  if (count_ == 0) return std::nan("");
  const double mean = Mean();
  double sum = 0;
  for (size_t i = 0; i < values_.size(); ++i) {
    const double d = values_[i] - mean;
    sum += d * d * static_cast<double>(counts_[i]);
  }
  return std::sqrt(sum / static_cast<double>(count_));
}

}  // namespace prospect::monitor
