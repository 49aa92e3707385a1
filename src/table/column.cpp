// Column storage, factories, formatting and the append-only builder.
#include "prospect/table/column.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"

namespace prospect {

void Column::FinishValidity() {
  null_count_ = 0;
  if (data_.valid.empty()) return;
  PROSPECT_CHECK(data_.valid.size() == size_);
  for (uint8_t v : data_.valid) null_count_ += v == 0;
  if (null_count_ == 0) data_.valid.clear();
}

std::string_view Column::StringAt(size_t row) const {
  if (type_ == DataType::kCategorical) {
    const int32_t code = data_.codes[row];
    return code < 0 ? std::string_view()
                    : std::string_view(data_.dictionary[static_cast<size_t>(code)]);
  }
  PROSPECT_CHECK(type_ == DataType::kString);
  return std::string_view(data_.bytes)
      .substr(data_.offsets[row], data_.offsets[row + 1] - data_.offsets[row]);
}

double Column::NumericAt(size_t row) const {
  if (IsNull(row)) return std::numeric_limits<double>::quiet_NaN();
  switch (type_) {
    case DataType::kInt64:
    case DataType::kDate:
    case DataType::kTimestamp: return static_cast<double>(data_.ints[row]);
    case DataType::kDouble: return data_.doubles[row];
    case DataType::kBool: return data_.bools[row];
    default: return std::numeric_limits<double>::quiet_NaN();
  }
}

void Column::AppendFormatted(std::string& out, size_t row) const {
  if (IsNull(row)) return;
  char buf[64];
  switch (type_) {
    case DataType::kInt64: {
      auto r = std::to_chars(buf, buf + sizeof buf, data_.ints[row]);
      out.append(buf, r.ptr);
      return;
    }
    case DataType::kDouble: {
      // Shortest text that parses back to the same double: exports round-trip exactly.
      auto r = std::to_chars(buf, buf + sizeof buf, data_.doubles[row]);
      out.append(buf, r.ptr);
      // Keep a double recognisable as one ("1.0", not "1") so re-reading infers the same type.
      if (std::string_view(buf, static_cast<size_t>(r.ptr - buf)).find_first_of(".eEn") ==
          std::string_view::npos) {
        out += ".0";
      }
      return;
    }
    case DataType::kBool: out += data_.bools[row] ? "true" : "false"; return;
    case DataType::kString:
    case DataType::kCategorical: out += StringAt(row); return;
    case DataType::kDate: AppendDate(out, data_.ints[row]); return;
    case DataType::kTimestamp: AppendTimestamp(out, data_.ints[row]); return;
  }
}

std::string Column::FormatValue(size_t row) const {
  std::string out;
  AppendFormatted(out, row);
  return out;
}

namespace {

// values[rows[0]], values[rows[1]], ...
template <typename T>
ColumnVector<T> Gather(const ColumnVector<T>& values, std::span<const size_t> rows) {
  ColumnVector<T> out(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) out[i] = values[rows[i]];
  return out;
}

// Storage with `values` in `field` and the validity bytes `valid`.
template <typename T>
ColumnStorage StorageOf(ColumnVector<T> ColumnStorage::*field, ColumnVector<T> values,
                        ColumnVector<uint8_t> valid) {
  ColumnStorage data;
  data.valid = std::move(valid);
  data.*field = std::move(values);
  return data;
}

}  // namespace

ColumnPtr Column::Take(std::span<const size_t> rows) const {
  ColumnStorage data;
  if (!data_.valid.empty()) data.valid = Gather(data_.valid, rows);
  switch (type_) {
    case DataType::kInt64:
    case DataType::kDate:
    case DataType::kTimestamp: data.ints = Gather(data_.ints, rows); break;
    case DataType::kDouble: data.doubles = Gather(data_.doubles, rows); break;
    case DataType::kBool: data.bools = Gather(data_.bools, rows); break;
    case DataType::kCategorical:
      data.codes = Gather(data_.codes, rows);
      data.dictionary = data_.dictionary;
      break;
    case DataType::kString:
      data.offsets.reserve(rows.size() + 1);
      data.offsets.push_back(0);
      for (size_t r : rows) {
        data.bytes.append(data_.bytes, data_.offsets[r], data_.offsets[r + 1] - data_.offsets[r]);
        data.offsets.push_back(data.bytes.size());
      }
      break;
  }
  return Adopt(type_, rows.size(), std::move(data));
}

ColumnPtr Column::TakeOrNull(std::span<const size_t> rows) const {
  if (std::find(rows.begin(), rows.end(), kNoRow) == rows.end()) return Take(rows);
  ColumnBuilder out(type_);
  out.Reserve(rows.size());
  for (size_t r : rows) {
    if (r == kNoRow || IsNull(r)) {
      out.AppendNull();
      continue;
    }
    switch (type_) {
      case DataType::kInt64:
      case DataType::kDate:
      case DataType::kTimestamp: out.AppendInt(data_.ints[r]); break;
      case DataType::kDouble: out.AppendDouble(data_.doubles[r]); break;
      case DataType::kBool: out.AppendBool(data_.bools[r] != 0); break;
      case DataType::kCategorical:
      case DataType::kString: out.AppendString(StringAt(r)); break;
    }
  }
  return out.Finish();
}

ColumnPtr Column::Adopt(DataType type, size_t size, ColumnStorage data) {
  auto c = std::shared_ptr<Column>(new Column());
  c->type_ = type;
  c->size_ = size;
  c->data_ = std::move(data);
  c->FinishValidity();
  return c;
}

ColumnPtr Column::FromInts(DataType type, ColumnVector<int64_t> values,
                           ColumnVector<uint8_t> valid) {
  PROSPECT_CHECK(IsIntegerStorage(type));
  const size_t size = values.size();
  return Adopt(type, size, StorageOf(&ColumnStorage::ints, std::move(values), std::move(valid)));
}

ColumnPtr Column::FromDoubles(ColumnVector<double> values, ColumnVector<uint8_t> valid) {
  const size_t size = values.size();
  return Adopt(DataType::kDouble, size,
               StorageOf(&ColumnStorage::doubles, std::move(values), std::move(valid)));
}

ColumnPtr Column::FromBools(ColumnVector<uint8_t> values, ColumnVector<uint8_t> valid) {
  const size_t size = values.size();
  return Adopt(DataType::kBool, size,
               StorageOf(&ColumnStorage::bools, std::move(values), std::move(valid)));
}

ColumnPtr Column::FromStrings(ColumnVector<uint64_t> offsets, ColumnText bytes,
                              ColumnVector<uint8_t> valid) {
  PROSPECT_CHECK(!offsets.empty() && offsets.back() == bytes.size());
  ColumnStorage data;
  data.valid = std::move(valid);
  data.offsets = std::move(offsets);
  data.bytes = std::move(bytes);
  const size_t size = data.offsets.size() - 1;
  return Adopt(DataType::kString, size, std::move(data));
}

ColumnPtr Column::FromCategorical(ColumnVector<int32_t> codes,
                                  std::vector<std::string> dictionary) {
  auto c = std::shared_ptr<Column>(new Column());
  c->type_ = DataType::kCategorical;
  c->size_ = codes.size();
  bool any_null = false;
  for (int32_t code : codes) {
    PROSPECT_CHECK(code >= -1 && code < static_cast<int64_t>(dictionary.size()));
    any_null |= code < 0;
  }
  if (any_null) {
    c->data_.valid.resize(codes.size());
    for (size_t i = 0; i < codes.size(); ++i) c->data_.valid[i] = codes[i] >= 0;
  }
  c->data_.codes = std::move(codes);
  c->data_.dictionary = std::move(dictionary);
  c->FinishValidity();
  return c;
}

ColumnPtr Column::FromStorage(DataType type, ColumnStorage data) {
  switch (type) {
    case DataType::kDouble: return FromDoubles(std::move(data.doubles), std::move(data.valid));
    case DataType::kBool: return FromBools(std::move(data.bools), std::move(data.valid));
    case DataType::kString:
      return FromStrings(std::move(data.offsets), std::move(data.bytes), std::move(data.valid));
    case DataType::kCategorical:
      return FromCategorical(std::move(data.codes), std::move(data.dictionary));
    default: return FromInts(type, std::move(data.ints), std::move(data.valid));
  }
}

ColumnPtr Column::FromStringVector(const std::vector<std::string>& values,
                                   ColumnVector<uint8_t> valid) {
  ColumnVector<uint64_t> offsets{0};
  ColumnText bytes;
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
  ColumnVector<int32_t> codes(column.size());
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

ColumnBuilder::ColumnBuilder(DataType type) : type_(type) { data_.offsets.push_back(0); }

void ColumnBuilder::Reserve(size_t rows) {
  switch (type_) {
    case DataType::kDouble: data_.doubles.reserve(rows); break;
    case DataType::kBool: data_.bools.reserve(rows); break;
    case DataType::kString:
    case DataType::kCategorical: data_.offsets.reserve(rows + 1); break;
    default: data_.ints.reserve(rows);
  }
}

void ColumnBuilder::MarkValid(bool valid) {
  if (!valid && !any_null_) {
    any_null_ = true;
    data_.valid.assign(size_, 1);
  }
  if (any_null_) data_.valid.push_back(valid ? 1 : 0);
  ++size_;
}

void ColumnBuilder::AppendNull() {
  switch (type_) {
    case DataType::kDouble: data_.doubles.push_back(0.0); break;
    case DataType::kBool: data_.bools.push_back(0); break;
    case DataType::kString:
    case DataType::kCategorical: data_.offsets.push_back(data_.bytes.size()); break;
    default: data_.ints.push_back(0);
  }
  MarkValid(false);
}

void ColumnBuilder::AppendInt(int64_t value) {
  PROSPECT_CHECK(IsIntegerStorage(type_));
  data_.ints.push_back(value);
  MarkValid(true);
}

void ColumnBuilder::AppendDouble(double value) {
  PROSPECT_CHECK(type_ == DataType::kDouble);
  data_.doubles.push_back(value);
  MarkValid(true);
}

void ColumnBuilder::AppendBool(bool value) {
  PROSPECT_CHECK(type_ == DataType::kBool);
  data_.bools.push_back(value ? 1 : 0);
  MarkValid(true);
}

void ColumnBuilder::AppendString(std::string_view value) {
  PROSPECT_CHECK(IsStringLike(type_));
  data_.bytes.append(value);
  data_.offsets.push_back(data_.bytes.size());
  MarkValid(true);
}

ColumnPtr ColumnBuilder::Finish() {
  ColumnPtr out;
  switch (type_) {
    case DataType::kDouble:
      out = Column::FromDoubles(std::move(data_.doubles), std::move(data_.valid));
      break;
    case DataType::kBool:
      out = Column::FromBools(std::move(data_.bools), std::move(data_.valid));
      break;
    case DataType::kString:
      out = Column::FromStrings(std::move(data_.offsets), std::move(data_.bytes),
                                std::move(data_.valid));
      break;
    case DataType::kCategorical:
      out = Column::DictionaryEncode(*Column::FromStrings(
          std::move(data_.offsets), std::move(data_.bytes), std::move(data_.valid)));
      break;
    default: out = Column::FromInts(type_, std::move(data_.ints), std::move(data_.valid));
  }
  *this = ColumnBuilder(type_);
  return out;
}

std::vector<size_t> Column::RowsWithValueIn(const std::unordered_set<std::string>& values) const {
  std::vector<size_t> rows;
  if (values.empty()) return rows;
  switch (type_) {
    case DataType::kInt64: {
      // Only the values an integer formats to can match.
      std::unordered_set<int64_t> wanted;
      for (const std::string& v : values) {
        int64_t i = 0;
        const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), i);
        if (ec == std::errc() && end == v.data() + v.size() && std::to_string(i) == v)
          wanted.insert(i);
      }
      if (wanted.empty()) return rows;
      const auto ints = data_.ints;
      for (size_t r = 0; r < size_; ++r)
        if (!IsNull(r) && wanted.contains(ints[r])) rows.push_back(r);
      return rows;
    }
    case DataType::kString: {
      std::unordered_set<std::string_view> wanted(values.begin(), values.end());
      for (size_t r = 0; r < size_; ++r)
        if (!IsNull(r) && wanted.contains(StringAt(r))) rows.push_back(r);
      return rows;
    }
    case DataType::kCategorical: {
      std::vector<uint8_t> code_matches(data_.dictionary.size());
      bool any = false;
      for (size_t c = 0; c < code_matches.size(); ++c)
        any |= (code_matches[c] = values.contains(data_.dictionary[c])) != 0;
      if (!any) return rows;
      const auto codes = data_.codes;
      for (size_t r = 0; r < size_; ++r)
        if (codes[r] >= 0 && code_matches[static_cast<size_t>(codes[r])]) rows.push_back(r);
      return rows;
    }
    default:
      for (size_t r = 0; r < size_; ++r)
        if (!IsNull(r) && values.contains(FormatValue(r))) rows.push_back(r);
      return rows;
  }
}

}  // namespace prospect
