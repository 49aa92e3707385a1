// Column building: ColumnSpec from the options, cells appended to ColumnChunk (general and batched
// per-type paths, null and blank handling, widening), truncation after a rejected row, and the
// merge of chunks into Columns; the categorical dictionary's open-addressing index.
#include "io/column_chunk.hpp"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "io/text_source.hpp"
#include "io/type_inference.hpp"
#include "prospect/common/error.hpp"

namespace prospect::io {

ColumnSpec SpecFor(const std::string& name, const ReadOptions& options) {
  ColumnSpec spec;
  spec.name = name;
  auto it = options.types.find(name);
  if (it != options.types.end()) {
    spec.type = it->second;
    spec.declared = true;
  }
  return spec;
}

Table TableOf(const std::vector<ColumnSpec>& specs, std::vector<ColumnPtr> columns) {
  std::vector<Field> fields;
  fields.reserve(specs.size());
  for (const auto& s : specs) fields.push_back({s.name, s.type});
  return Table(Schema(std::move(fields)), std::move(columns));
}

[[gnu::always_inline]] inline uint64_t DictionaryIndex::Hash(std::string_view text) {
  // Fixed-size loads only (a variable-length memcpy is a library call): whole 8-byte words, then
  // the last 8 bytes (overlapping) or, for short text, its first and last 4 and its first, middle
  // and last byte. Mixed with splitmix64's multipliers.
  const char* p = text.data();
  const size_t n = text.size();
  auto load64 = [](const char* at) {
    uint64_t w;
    std::memcpy(&w, at, 8);
    return w;
  };
  auto load32 = [](const char* at) {
    uint32_t w;
    std::memcpy(&w, at, 4);
    return uint64_t{w};
  };
  uint64_t h = n * 0x9E3779B97F4A7C15ull;
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8)
      h = ((h ^ load64(p + i)) * 0xBF58476D1CE4E5B9ull) ^ (h >> 31);
    h ^= load64(p + n - 8);
  } else if (n >= 4) {
    h ^= load32(p) << 32 | load32(p + n - 4);
  } else if (n > 0) {
    h ^= uint64_t{static_cast<uint8_t>(p[0])} << 16 |
         uint64_t{static_cast<uint8_t>(p[n / 2])} << 8 | static_cast<uint8_t>(p[n - 1]);
  }
  h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
  h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
  return h ^ (h >> 31);
}

[[gnu::always_inline]] inline int32_t DictionaryIndex::Find(
    std::string_view text, uint64_t hash, const std::vector<std::string>& dictionary) const {
  if (slots_.empty()) return -1;
  const size_t mask = slots_.size() - 1;
  for (size_t i = (hash >> 32) & mask;; i = (i + 1) & mask) {
    const uint64_t slot = slots_[i];
    if (slot == 0) return -1;
    if ((slot ^ hash) >> 32 == 0) {
      const auto code = static_cast<int32_t>(static_cast<uint32_t>(slot) - 1);
      if (dictionary[static_cast<size_t>(code)] == text) return code;
    }
  }
}

int32_t DictionaryIndex::Add(std::string text, uint64_t hash,
                             std::vector<std::string>* dictionary) {
  const auto code = static_cast<int32_t>(dictionary->size());
  dictionary->push_back(std::move(text));
  Insert(hash, code);
  return code;
}

void DictionaryIndex::Insert(uint64_t hash, int32_t code) {
  if ((used_ + 1) * 2 > slots_.size()) {  // keep the load at most one half
    std::vector<uint64_t> old = std::move(slots_);
    slots_.assign(std::max<size_t>(64, old.size() * 2), 0);
    used_ = 0;
    for (uint64_t slot : old) {
      if (slot) Place(slot);
    }
  }
  Place(Slot(hash, code));
}

void DictionaryIndex::Place(uint64_t slot) {
  const size_t mask = slots_.size() - 1;
  size_t i = (slot >> 32) & mask;
  while (slots_[i] != 0) i = (i + 1) & mask;
  slots_[i] = slot;
  ++used_;
}

void DictionaryIndex::Rebuild(const std::vector<std::string>& dictionary) {
  slots_.clear();
  used_ = 0;
  for (size_t k = 0; k < dictionary.size(); ++k)
    Insert(Hash(dictionary[k]), static_cast<int32_t>(k));
}

void ColumnChunk::Init(DataType type, size_t reserve_rows) {
  type_ = type;
  if (type == DataType::kString) {
    data_.offsets.reserve(reserve_rows + 1);
    data_.offsets.push_back(0);
  }
  data_.ForRowValues(type, [&](auto& values) { values.reserve(reserve_rows); });
}

void ColumnChunk::AppendNull() {
  if (!has_nulls_) {
    has_nulls_ = true;
    data_.valid.assign(rows_, 1);
  }
  data_.valid.push_back(0);
  ++rows_;
  // Null slots hold 0 (code -1 in a categorical, an empty text in a string column).
  if (type_ == DataType::kString) data_.offsets.push_back(data_.bytes.size());
  data_.ForRowValues(
      type_, [&](auto& values) { values.push_back(type_ == DataType::kCategorical ? -1 : 0); });
}

CellStatus ColumnChunk::Append(const ColumnSpec& spec, const NullMatcher& nulls,
                               std::string_view text, bool quoted, bool escaped, char quote,
                               DataType* widen_to) {
  if (nulls.IsNull(text, quoted) || (text.empty() && !IsStringLike(type_))) {
    AppendNull();
    return CellStatus::kOk;
  }
  if (!IsStringLike(type_) && IsBlankText(text)) {  // " " in a number column: null, counted
    blank_rows_.push_back(rows_);
    AppendNull();
    return CellStatus::kOk;
  }
  if (escaped) {
    scratch_.clear();
    AppendUnescaped(scratch_, text, quote);
    text = scratch_;
  }
  // A cell that is not of the column's type: an error in a declared column; in an inferred one a
  // null for now, and the wider type the column must be read as.
  auto not_of_type = [&](DataType wider) {
    if (spec.declared) return CellStatus::kBadValue;
    *widen_to = wider;
    AppendNull();
    return CellStatus::kWiden;
  };
  switch (type_) {
    case DataType::kInt64: {
      int64_t v;
      if ((!spec.declared && HasLeadingZero(text)) || !ParseInt64(text, &v)) {
        double d;
        return not_of_type(!HasLeadingZero(text) && ParseDouble(text, spec.decimal, &d)
                               ? DataType::kDouble
                               : DataType::kString);
      }
      data_.ints.push_back(v);
      break;
    }
    case DataType::kDouble: {
      double v;
      if ((!spec.declared && HasLeadingZero(text)) || !ParseDouble(text, spec.decimal, &v)) {
        return not_of_type(DataType::kString);
      }
      data_.doubles.push_back(v);
      break;
    }
    case DataType::kBool: {
      bool v;
      if (!ParseBool(text, spec.declared, &v)) return not_of_type(DataType::kString);
      data_.bools.push_back(v);
      break;
    }
    case DataType::kDate: {
      int64_t v;
      const DateParse r = ParseDateText(text, spec.order, &v);
      if (r == DateParse::kInvalidDay) return CellStatus::kBadValue;
      if (r == DateParse::kNotADate) {
        // Maybe a timestamp; an impossible one ("2024-01-01 25:00") is bad in any column.
        const DateParse t = ParseTimestampText(text, spec.order, false, &v);
        if (t == DateParse::kInvalidDay) return CellStatus::kBadValue;
        return not_of_type(t == DateParse::kOk ? DataType::kTimestamp : DataType::kString);
      }
      data_.ints.push_back(v);
      break;
    }
    case DataType::kTimestamp: {
      int64_t v;
      const DateParse r = ParseTimestampText(text, spec.order, spec.declared, &v);
      if (r == DateParse::kInvalidDay) return CellStatus::kBadValue;
      if (r == DateParse::kNotADate) return not_of_type(DataType::kString);
      data_.ints.push_back(v);
      break;
    }
    case DataType::kString: {
      if (FindInvalidUtf8(text.data(), text.size()) != text.size()) return CellStatus::kBadUtf8;
      data_.bytes.append(text);
      data_.offsets.push_back(data_.bytes.size());
      break;
    }
    case DataType::kCategorical: {
      const uint64_t hash = DictionaryIndex::Hash(text);
      int32_t code = index_.Find(text, hash, data_.dictionary);
      if (code < 0) {
        if (FindInvalidUtf8(text.data(), text.size()) != text.size()) return CellStatus::kBadUtf8;
        if (data_.dictionary.size() >= static_cast<size_t>(INT32_MAX)) {
          Fail(ErrorCode::kResourceExhausted, "column \"{}\" has more than 2^31 distinct values",
               spec.name);
        }
        code = index_.Add(std::string(text), hash, &data_.dictionary);
        entry_rows_.push_back(rows_);
      }
      data_.codes.push_back(code);
      break;
    }
  }
  if (has_nulls_) data_.valid.push_back(1);
  ++rows_;
  return CellStatus::kOk;
}

size_t ColumnChunk::AppendColumn(const ColumnSpec& spec, const NullMatcher& nulls,
                                 const CellText* cells, size_t stride, size_t rows, char quote,
                                 std::optional<DataType>* widen) {
  // `fast` appends a value the common way or returns false; every other cell (null, escaped, or
  // not parsed by `fast`) goes through Append, which decides exactly as it does alone.
  auto run = [&](auto&& fast) -> size_t {
    for (size_t i = 0; i < rows; ++i) {
      const CellText& cell = cells[i * stride];
      const std::string_view text(cell.begin, cell.size);
      if (!cell.escaped && !text.empty() && !nulls.IsNull(text, cell.quoted) && fast(text)) {
        if (has_nulls_) data_.valid.push_back(1);
        ++rows_;
        continue;
      }
      DataType widen_to;
      const CellStatus status =
          Append(spec, nulls, text, cell.quoted, cell.escaped, quote, &widen_to);
      if (status == CellStatus::kWiden) {
        *widen = *widen ? WidenType(**widen, widen_to) : widen_to;
      } else if (status != CellStatus::kOk) {
        return i;
      }
    }
    return rows;
  };
  switch (type_) {
    case DataType::kInt64:
      return run([&](std::string_view text) __attribute__((flatten)) {
        int64_t v;
        if (!ParsePlainInt(text, &v) && !ParseInt64(text, &v)) return false;
        // Not a digit 1-9 first: maybe a leading zero ("08123"), which Append turns into text.
        if (!spec.declared && (text[0] < '1' || text[0] > '9') && HasLeadingZero(text))
          return false;
        data_.ints.push_back(v);
        return true;
      });
    case DataType::kDouble:
      return run([&](std::string_view text) __attribute__((flatten)) {
        double v;
        if (spec.decimal != '.' || !ParseDouble(text, &v)) return false;  // Append parses "1,5"
        if (!spec.declared && HasLeadingZero(text)) return false;
        data_.doubles.push_back(v);
        return true;
      });
    case DataType::kDate:
    case DataType::kTimestamp:
      return run([&](std::string_view text) __attribute__((flatten)) {
        DateParse r;
        int64_t days, seconds;
        if (!ParseIsoFast(text, &r, &days, &seconds) || r != DateParse::kOk) return false;
        if (type_ == DataType::kDate && text.size() != 10)
          return false;  // a timestamp: Append decides
        data_.ints.push_back(
            type_ == DataType::kDate ? days : days * kMicrosPerDay + seconds * kMicrosPerSecond);
        return true;
      });
    case DataType::kCategorical:
      return run([&](std::string_view text) __attribute__((flatten)) {
        const int32_t code = index_.Find(text, DictionaryIndex::Hash(text), data_.dictionary);
        if (code < 0) return false;  // a new entry: Append checks and adds it
        data_.codes.push_back(code);
        return true;
      });
    case DataType::kString:
      return run([&](std::string_view text) __attribute__((flatten)) {
        if (FindInvalidUtf8(text.data(), text.size()) != text.size()) return false;
        data_.bytes.append(text);
        data_.offsets.push_back(data_.bytes.size());
        return true;
      });
    case DataType::kBool: return run([](std::string_view) { return false; });
  }
  return 0;
}

void ColumnChunk::Truncate(size_t rows) {
  if (rows >= rows_) return;
  rows_ = rows;
  while (!blank_rows_.empty() && blank_rows_.back() >= rows) blank_rows_.pop_back();
  if (has_nulls_) data_.valid.resize(rows);
  if (type_ == DataType::kString) {
    data_.offsets.resize(rows + 1);
    data_.bytes.resize(data_.offsets.back());
  }
  data_.ForRowValues(type_, [&](auto& values) { values.resize(rows); });
  // A row adds at most one entry per column; drop it if the dropped rows added it.
  if (!entry_rows_.empty() && entry_rows_.back() >= rows) {
    while (!entry_rows_.empty() && entry_rows_.back() >= rows) {
      entry_rows_.pop_back();
      data_.dictionary.pop_back();
    }
    index_.Rebuild(data_.dictionary);  // rare (rejected rows), so no erase of single entries
  }
}

ColumnPtr ColumnChunk::Merge(DataType type, std::vector<ColumnChunk*> chunks) {
  size_t rows = 0;
  bool nulls = false;
  for (const ColumnChunk* c : chunks) {
    PROSPECT_CHECK(c->type_ == type);
    rows += c->rows_;
    // A chunk whose only nulls were truncated away has validity of all ones.
    nulls |= c->has_nulls_ &&
             std::find(c->data_.valid.begin(), c->data_.valid.end(), 0) != c->data_.valid.end();
  }
  ColumnVector<uint8_t> valid;
  if (nulls) {
    valid.reserve(rows);
    for (const ColumnChunk* c : chunks) {
      if (c->has_nulls_) {
        valid.insert(valid.end(), c->data_.valid.begin(), c->data_.valid.end());
      } else {
        valid.insert(valid.end(), c->rows_, 1);
      }
    }
  }
  // The chunks' vectors `member` end to end; a single chunk's is moved, not copied.
  auto concatenate = [&](auto member) {
    if (chunks.size() == 1) return std::move(chunks[0]->data_.*member);
    std::remove_reference_t<decltype(chunks[0]->data_.*member)> out;
    out.reserve(rows);
    for (const ColumnChunk* c : chunks)
      out.insert(out.end(), (c->data_.*member).begin(), (c->data_.*member).end());
    return out;
  };
  switch (type) {
    case DataType::kInt64:
    case DataType::kDate:
    case DataType::kTimestamp:
      return Column::FromInts(type, concatenate(&ColumnStorage::ints), std::move(valid));
    case DataType::kDouble:
      return Column::FromDoubles(concatenate(&ColumnStorage::doubles), std::move(valid));
    case DataType::kBool:
      return Column::FromBools(concatenate(&ColumnStorage::bools), std::move(valid));
    case DataType::kString: {
      if (chunks.empty()) return Column::FromStrings({0}, {}, {});
      if (chunks.size() == 1) {
        ColumnStorage& only = chunks[0]->data_;
        return Column::FromStrings(std::move(only.offsets), std::move(only.bytes),
                                   std::move(valid));
      }
      size_t bytes_total = 0;
      for (const ColumnChunk* c : chunks) bytes_total += c->data_.bytes.size();
      ColumnVector<uint64_t> offsets(rows + 1);
      ColumnText bytes;
      bytes.reserve(bytes_total);
      size_t row = 0;
      for (const ColumnChunk* c : chunks) {
        const uint64_t base = bytes.size();
        for (size_t i = 1; i < c->data_.offsets.size(); ++i)
          offsets[++row] = base + c->data_.offsets[i];
        bytes += c->data_.bytes;
      }
      return Column::FromStrings(std::move(offsets), std::move(bytes), std::move(valid));
    }
    case DataType::kCategorical: {
      // Merge dictionaries in chunk order, so codes follow first appearance in the file.
      std::vector<std::string> dictionary;
      DictionaryIndex index;
      ColumnVector<int32_t> codes(rows);
      size_t row = 0;
      std::vector<int32_t> remap;
      for (ColumnChunk* c : chunks) {
        remap.resize(c->data_.dictionary.size());
        for (size_t k = 0; k < c->data_.dictionary.size(); ++k) {
          std::string& text = c->data_.dictionary[k];
          const uint64_t hash = DictionaryIndex::Hash(text);
          int32_t code = index.Find(text, hash, dictionary);
          if (code < 0) code = index.Add(std::move(text), hash, &dictionary);
          remap[k] = code;
        }
        for (int32_t code : c->data_.codes)
          codes[row++] = code < 0 ? -1 : remap[static_cast<size_t>(code)];
      }
      return Column::FromCategorical(std::move(codes), std::move(dictionary));
    }
  }
  return nullptr;
}

}  // namespace prospect::io
