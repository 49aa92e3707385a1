// Binary COPY rows to and from prospect's columns (see copy_binary.hpp for the format).
#include "store/postgres/copy_binary.hpp"

#include <bit>
#include <cstring>
#include <limits>

#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace prospect::pg_store {
namespace {

// PostgreSQL counts dates and timestamps from 2000-01-01; prospect from 1970-01-01.
constexpr int64_t kEpochShiftDays = 10957;
constexpr int64_t kEpochShiftMicros = kEpochShiftDays * 86'400'000'000;

constexpr char kSignature[] = "PGCOPY\n\377\r\n";  // 11 bytes with its NUL

template <typename T>
void PutBigEndian(std::string& out, T value) {
  using U = std::make_unsigned_t<T>;
  U bits = static_cast<U>(value);
  char bytes[sizeof(T)];
  for (size_t i = 0; i < sizeof(T); ++i) {
    bytes[sizeof(T) - 1 - i] = static_cast<char>(bits & 0xff);
    bits = static_cast<U>(bits >> 8);
  }
  out.append(bytes, sizeof(T));
}

template <typename T>
T GetBigEndian(const char* p) {
  using U = std::make_unsigned_t<T>;
  U bits = 0;
  for (size_t i = 0; i < sizeof(T); ++i) {
    bits = static_cast<U>((bits << 8) | static_cast<unsigned char>(p[i]));
  }
  return static_cast<T>(bits);
}

void PutText(std::string& out, std::string_view text) {
  PutBigEndian<int32_t>(out, static_cast<int32_t>(text.size()));
  out.append(text);
}

}  // namespace

std::string_view SqlTypeOf(DataType type) {
  switch (type) {
    case DataType::kInt64: return "bigint";
    case DataType::kDouble: return "double precision";
    case DataType::kBool: return "boolean";
    case DataType::kString:
    case DataType::kCategorical: return "text";
    case DataType::kDate: return "date";
    case DataType::kTimestamp: return "timestamp without time zone";
  }
  return "text";
}

void AppendCopyHeader(std::string& out) {
  out.append(kSignature, 11);
  PutBigEndian<int32_t>(out, 0);  // flags: no OIDs
  PutBigEndian<int32_t>(out, 0);  // no header extension
}

void AppendCopyTrailer(std::string& out) { PutBigEndian<int16_t>(out, -1); }

void AppendCopyRows(const std::string& table_name, const Table& table, size_t begin, size_t end,
                    int64_t first_row_number, std::string& out) {
  const size_t columns = table.num_columns();
  std::vector<const Column*> data;
  for (size_t c = 0; c < columns; ++c) data.push_back(table.column(c).get());
  auto too_far = [&](size_t c, size_t r, std::string_view what) {
    Fail(ErrorCode::kInvalidData,
         "table {}: column \"{}\" row {} holds {}, which PostgreSQL cannot store as a {}",
         table_name, table.schema().field(c).name, r + 1, data[c]->FormatValue(r), what);
  };
  for (size_t r = begin; r < end; ++r) {
    PutBigEndian<int16_t>(out, static_cast<int16_t>(columns + 1));
    PutBigEndian<int32_t>(out, 8);
    PutBigEndian<int64_t>(out, first_row_number + static_cast<int64_t>(r - begin));
    for (size_t c = 0; c < columns; ++c) {
      const Column& column = *data[c];
      if (column.IsNull(r) || (column.type() == DataType::kCategorical && column.codes()[r] < 0)) {
        PutBigEndian<int32_t>(out, -1);
        continue;
      }
      switch (column.type()) {
        case DataType::kInt64:
          PutBigEndian<int32_t>(out, 8);
          PutBigEndian<int64_t>(out, column.ints()[r]);
          break;
        case DataType::kDouble:
          PutBigEndian<int32_t>(out, 8);
          PutBigEndian<uint64_t>(out, std::bit_cast<uint64_t>(column.doubles()[r]));
          break;
        case DataType::kBool:
          PutBigEndian<int32_t>(out, 1);
          out.push_back(column.bools()[r] ? 1 : 0);
          break;
        case DataType::kString:
        case DataType::kCategorical: PutText(out, column.StringAt(r)); break;
        case DataType::kDate: {
          const int64_t days = column.ints()[r] - kEpochShiftDays;
          if (days < std::numeric_limits<int32_t>::min() ||
              days > std::numeric_limits<int32_t>::max()) {
            too_far(c, r, "date");
          }
          PutBigEndian<int32_t>(out, 4);
          PutBigEndian<int32_t>(out, static_cast<int32_t>(days));
          break;
        }
        case DataType::kTimestamp: {
          const int64_t micros = column.ints()[r];
          if (micros < std::numeric_limits<int64_t>::min() + kEpochShiftMicros)
            too_far(c, r, "timestamp");
          PutBigEndian<int32_t>(out, 8);
          PutBigEndian<int64_t>(out, micros - kEpochShiftMicros);
          break;
        }
      }
    }
  }
}

CopyDecoder::CopyDecoder(std::string table_name, std::vector<Field> fields, size_t rows_per_chunk)
    : table_name_(std::move(table_name)),
      fields_(std::move(fields)),
      rows_per_chunk_(rows_per_chunk) {
  ResetChunk();
}

void CopyDecoder::ResetChunk() {
  rows_ = 0;
  storage_.assign(fields_.size(), ColumnStorage());
  codes_.assign(fields_.size(), {});
  for (size_t c = 0; c < fields_.size(); ++c) {
    if (fields_[c].type == DataType::kString) storage_[c].offsets.push_back(0);
  }
}

void CopyDecoder::Malformed(std::string_view what) const {
  Fail(ErrorCode::kInvalidData, "store: reading table {}: the server's COPY data is malformed: {}",
       table_name_, what);
}

bool CopyDecoder::Feed(std::string_view bytes) {
  if (finished_) {
    if (!bytes.empty()) Malformed("data after the trailer");
    return false;
  }
  pending_.append(bytes);
  size_t at = 0;
  if (!header_read_) {
    if (pending_.size() < 19) return false;
    if (std::memcmp(pending_.data(), kSignature, 11) != 0) Malformed("no PGCOPY signature");
    const auto extension = GetBigEndian<int32_t>(pending_.data() + 15);
    if (extension < 0) Malformed("a negative header extension length");
    if (pending_.size() < 19 + static_cast<size_t>(extension)) return false;
    at = 19 + static_cast<size_t>(extension);
    header_read_ = true;
  }
  at = ParseRows(pending_, at);
  pending_.erase(0, at);
  return rows_ >= rows_per_chunk_;
}

size_t CopyDecoder::ParseRows(std::string_view data, size_t at) {
  const size_t n_fields = fields_.size();
  while (rows_ < rows_per_chunk_ && !finished_) {
    if (data.size() - at < 2) return at;
    const auto count = GetBigEndian<int16_t>(data.data() + at);
    if (count == -1) {
      finished_ = true;
      return at + 2;
    }
    if (count != static_cast<int16_t>(n_fields)) {
      Malformed(fmt::format("a row of {} fields where {} were asked for", count, n_fields));
    }
    // Is the whole row here? Walk the field lengths first.
    size_t end = at + 2;
    for (size_t c = 0; c < n_fields; ++c) {
      if (data.size() - end < 4) return at;
      const auto length = GetBigEndian<int32_t>(data.data() + end);
      end += 4 + (length > 0 ? static_cast<size_t>(length) : 0);
      if (end > data.size()) return at;
    }
    size_t p = at + 2;
    for (size_t c = 0; c < n_fields; ++c) {
      const auto length = GetBigEndian<int32_t>(data.data() + p);
      p += 4;
      const char* value = data.data() + p;
      ColumnStorage& st = storage_[c];
      const DataType type = fields_[c].type;
      const bool null = length < 0;
      if (null) {
        if (type == DataType::kCategorical) {
          st.codes.push_back(-1);
          continue;
        }
        if (st.valid.empty()) st.valid.assign(rows_, 1);
        st.valid.push_back(0);
      } else {
        if (!st.valid.empty()) st.valid.push_back(1);
        p += static_cast<size_t>(length);
      }
      auto expect_length = [&](int32_t want) {
        if (!null && length != want) {
          Malformed(fmt::format("column \"{}\" ({}) has a value of {} bytes, expected {}",
                                fields_[c].name, DataTypeName(type), length, want));
        }
      };
      switch (type) {
        case DataType::kInt64:
          expect_length(8);
          st.ints.push_back(null ? 0 : GetBigEndian<int64_t>(value));
          break;
        case DataType::kDate:
          expect_length(4);
          st.ints.push_back(null ? 0 : GetBigEndian<int32_t>(value) + kEpochShiftDays);
          break;
        case DataType::kTimestamp:
          expect_length(8);
          st.ints.push_back(null ? 0 : GetBigEndian<int64_t>(value) + kEpochShiftMicros);
          break;
        case DataType::kDouble:
          expect_length(8);
          st.doubles.push_back(null ? 0.0 : std::bit_cast<double>(GetBigEndian<uint64_t>(value)));
          break;
        case DataType::kBool:
          expect_length(1);
          st.bools.push_back(null ? 0 : (*value != 0));
          break;
        case DataType::kString:
          if (!null) st.bytes.append(value, static_cast<size_t>(length));
          st.offsets.push_back(st.bytes.size());
          break;
        case DataType::kCategorical: {
          const std::string_view text(value, static_cast<size_t>(length));
          auto& codes = codes_[c];
          auto it = codes.find(text);
          if (it == codes.end()) {
            it = codes.emplace(std::string(text), static_cast<int32_t>(st.dictionary.size())).first;
            st.dictionary.emplace_back(text);
          }
          st.codes.push_back(it->second);
          break;
        }
      }
    }
    at = end;
    ++rows_;
  }
  return at;
}

Table CopyDecoder::TakeChunk() {
  std::vector<ColumnPtr> columns;
  for (size_t c = 0; c < fields_.size(); ++c)
    columns.push_back(Column::FromStorage(fields_[c].type, std::move(storage_[c])));
  Table chunk(Schema(fields_), std::move(columns));
  ResetChunk();
  return chunk;
}

}  // namespace prospect::pg_store
