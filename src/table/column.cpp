// Column storage, factories, formatting and the append-only builder.
#include "prospect/table/column.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"

namespace prospect {

void Column::FinishValidity() {
  null_count_ = 0;
  if (valid_.empty()) return;
  PROSPECT_CHECK(valid_.size() == size_);
  for (uint8_t v : valid_) null_count_ += v == 0;
  if (null_count_ == 0) valid_.clear();
}

std::string_view Column::StringAt(size_t row) const {
  if (type_ == DataType::kCategorical) {
    const int32_t code = codes_[row];
    return code < 0 ? std::string_view() : std::string_view(dictionary_[static_cast<size_t>(code)]);
  }
  PROSPECT_CHECK(type_ == DataType::kString);
  return std::string_view(bytes_).substr(offsets_[row], offsets_[row + 1] - offsets_[row]);
}

double Column::NumericAt(size_t row) const {
  if (IsNull(row)) return std::numeric_limits<double>::quiet_NaN();
  switch (type_) {
    case DataType::kInt64:
    case DataType::kDate:
    case DataType::kTimestamp: return static_cast<double>(ints_[row]);
    case DataType::kDouble: return doubles_[row];
    case DataType::kBool: return bools_[row];
    default: return std::numeric_limits<double>::quiet_NaN();
  }
}

void Column::AppendFormatted(std::string& out, size_t row) const {
  if (IsNull(row)) return;
  char buf[64];
  switch (type_) {
    case DataType::kInt64: {
      auto r = std::to_chars(buf, buf + sizeof buf, ints_[row]);
      out.append(buf, r.ptr);
      return;
    }
    case DataType::kDouble: {
      // Shortest text that parses back to the same double: exports round-trip exactly.
      auto r = std::to_chars(buf, buf + sizeof buf, doubles_[row]);
      out.append(buf, r.ptr);
      // Keep a double recognisable as one ("1.0", not "1") so re-reading infers the same type.
      if (std::string_view(buf, static_cast<size_t>(r.ptr - buf)).find_first_of(".eEn") == std::string_view::npos) {
        out += ".0";
      }
      return;
    }
    case DataType::kBool: out += bools_[row] ? "true" : "false"; return;
    case DataType::kString:
    case DataType::kCategorical: out += StringAt(row); return;
    case DataType::kDate: AppendDate(out, ints_[row]); return;
    case DataType::kTimestamp: AppendTimestamp(out, ints_[row]); return;
  }
}

std::string Column::FormatValue(size_t row) const {
  std::string out;
  AppendFormatted(out, row);
  return out;
}

ColumnPtr Column::Take(std::span<const size_t> rows) const {
  auto c = std::shared_ptr<Column>(new Column());
  c->type_ = type_;
  c->size_ = rows.size();
  if (!valid_.empty()) {
    c->valid_.resize(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) c->valid_[i] = valid_[rows[i]];
  }
  switch (type_) {
    case DataType::kInt64:
    case DataType::kDate:
    case DataType::kTimestamp:
      c->ints_.resize(rows.size());
      for (size_t i = 0; i < rows.size(); ++i) c->ints_[i] = ints_[rows[i]];
      break;
    case DataType::kDouble:
      c->doubles_.resize(rows.size());
      for (size_t i = 0; i < rows.size(); ++i) c->doubles_[i] = doubles_[rows[i]];
      break;
    case DataType::kBool:
      c->bools_.resize(rows.size());
      for (size_t i = 0; i < rows.size(); ++i) c->bools_[i] = bools_[rows[i]];
      break;
    case DataType::kCategorical:
      c->codes_.resize(rows.size());
      for (size_t i = 0; i < rows.size(); ++i) c->codes_[i] = codes_[rows[i]];
      c->dictionary_ = dictionary_;
      break;
    case DataType::kString:
      c->offsets_.reserve(rows.size() + 1);
      c->offsets_.push_back(0);
      for (size_t r : rows) {
        c->bytes_.append(bytes_, offsets_[r], offsets_[r + 1] - offsets_[r]);
        c->offsets_.push_back(c->bytes_.size());
      }
      break;
  }
  c->FinishValidity();
  return c;
}

ColumnPtr Column::FromInts(DataType type, std::vector<int64_t> values, std::vector<uint8_t> valid) {
  PROSPECT_CHECK(IsIntegerStorage(type));
  auto c = std::shared_ptr<Column>(new Column());
  c->type_ = type;
  c->size_ = values.size();
  c->ints_ = std::move(values);
  c->valid_ = std::move(valid);
  c->FinishValidity();
  return c;
}

ColumnPtr Column::FromDoubles(std::vector<double> values, std::vector<uint8_t> valid) {
  auto c = std::shared_ptr<Column>(new Column());
  c->type_ = DataType::kDouble;
  c->size_ = values.size();
  c->doubles_ = std::move(values);
  c->valid_ = std::move(valid);
  c->FinishValidity();
  return c;
}

ColumnPtr Column::FromBools(std::vector<uint8_t> values, std::vector<uint8_t> valid) {
  auto c = std::shared_ptr<Column>(new Column());
  c->type_ = DataType::kBool;
  c->size_ = values.size();
  c->bools_ = std::move(values);
  c->valid_ = std::move(valid);
  c->FinishValidity();
  return c;
}

ColumnPtr Column::FromStrings(std::vector<uint64_t> offsets, std::string bytes, std::vector<uint8_t> valid) {
  PROSPECT_CHECK(!offsets.empty() && offsets.back() == bytes.size());
  auto c = std::shared_ptr<Column>(new Column());
  c->type_ = DataType::kString;
  c->size_ = offsets.size() - 1;
  c->offsets_ = std::move(offsets);
  c->bytes_ = std::move(bytes);
  c->valid_ = std::move(valid);
  c->FinishValidity();
  return c;
}

ColumnPtr Column::FromCategorical(std::vector<int32_t> codes, std::vector<std::string> dictionary) {
  auto c = std::shared_ptr<Column>(new Column());
  c->type_ = DataType::kCategorical;
  c->size_ = codes.size();
  bool any_null = false;
  for (int32_t code : codes) {
    PROSPECT_CHECK(code >= -1 && code < static_cast<int64_t>(dictionary.size()));
    any_null |= code < 0;
  }
  if (any_null) {
    c->valid_.resize(codes.size());
    for (size_t i = 0; i < codes.size(); ++i) c->valid_[i] = codes[i] >= 0;
  }
  c->codes_ = std::move(codes);
  c->dictionary_ = std::move(dictionary);
  c->FinishValidity();
  return c;
}

ColumnPtr Column::FromStringVector(const std::vector<std::string>& values, std::vector<uint8_t> valid) {
  std::vector<uint64_t> offsets{0};
  std::string bytes;
  for (size_t i = 0; i < values.size(); ++i) {
    if (valid.empty() || valid[i]) bytes += values[i];
    offsets.push_back(bytes.size());
  }
  return FromStrings(std::move(offsets), std::move(bytes), std::move(valid));
}

ColumnPtr Column::DictionaryEncode(const Column& column) {
  if (column.type() == DataType::kCategorical) {
    return std::make_shared<Column>(column);
  }
  PROSPECT_CHECK(column.type() == DataType::kString);
  std::unordered_map<std::string_view, int32_t> index;
  std::vector<std::string> dictionary;
  std::vector<int32_t> codes(column.size());
  for (size_t i = 0; i < column.size(); ++i) {
    if (column.IsNull(i)) {
      codes[i] = -1;
      continue;
    }
    const std::string_view s = column.StringAt(i);
    auto [it, inserted] = index.emplace(s, static_cast<int32_t>(dictionary.size()));
    if (inserted) dictionary.emplace_back(s);
    codes[i] = it->second;
  }
  return FromCategorical(std::move(codes), std::move(dictionary));
}

ColumnBuilder::ColumnBuilder(DataType type) : type_(type) {}

void ColumnBuilder::Reserve(size_t rows) {
  switch (type_) {
    case DataType::kDouble: doubles_.reserve(rows); break;
    case DataType::kBool: bools_.reserve(rows); break;
    case DataType::kString:
    case DataType::kCategorical: offsets_.reserve(rows + 1); break;
    default: ints_.reserve(rows);
  }
}

void ColumnBuilder::MarkValid(bool valid) {
  if (!valid && !any_null_) {
    any_null_ = true;
    valid_.assign(size_, 1);
  }
  if (any_null_) valid_.push_back(valid ? 1 : 0);
  ++size_;
}

void ColumnBuilder::AppendNull() {
  switch (type_) {
    case DataType::kDouble: doubles_.push_back(0.0); break;
    case DataType::kBool: bools_.push_back(0); break;
    case DataType::kString:
    case DataType::kCategorical: offsets_.push_back(bytes_.size()); break;
    default: ints_.push_back(0);
  }
  MarkValid(false);
}

void ColumnBuilder::AppendInt(int64_t value) {
  PROSPECT_CHECK(IsIntegerStorage(type_));
  ints_.push_back(value);
  MarkValid(true);
}

void ColumnBuilder::AppendDouble(double value) {
  PROSPECT_CHECK(type_ == DataType::kDouble);
  doubles_.push_back(value);
  MarkValid(true);
}

void ColumnBuilder::AppendBool(bool value) {
  PROSPECT_CHECK(type_ == DataType::kBool);
  bools_.push_back(value ? 1 : 0);
  MarkValid(true);
}

void ColumnBuilder::AppendString(std::string_view value) {
  PROSPECT_CHECK(IsStringLike(type_));
  bytes_.append(value);
  offsets_.push_back(bytes_.size());
  MarkValid(true);
}

ColumnPtr ColumnBuilder::Finish() {
  ColumnPtr out;
  switch (type_) {
    case DataType::kDouble: out = Column::FromDoubles(std::move(doubles_), std::move(valid_)); break;
    case DataType::kBool: out = Column::FromBools(std::move(bools_), std::move(valid_)); break;
    case DataType::kString: out = Column::FromStrings(std::move(offsets_), std::move(bytes_), std::move(valid_)); break;
    case DataType::kCategorical:
      out = Column::DictionaryEncode(*Column::FromStrings(std::move(offsets_), std::move(bytes_), std::move(valid_)));
      break;
    default: out = Column::FromInts(type_, std::move(ints_), std::move(valid_));
  }
  *this = ColumnBuilder(type_);
  return out;
}

}  // namespace prospect
