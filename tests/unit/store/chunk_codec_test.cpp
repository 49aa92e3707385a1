// Column chunks: every type round-trips through encode and decode (nulls, empty strings, extreme
// values), min/max and null counts are what the rows hold, and damaged bytes are refused with a
// reason, never read out of bounds.
#include "store/sqlite/chunk_codec.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <functional>
#include <limits>

#include "prospect/common/error.hpp"
#include "support/expect_error.hpp"

namespace prospect::sqlite_store {
namespace {

// Decodes rows [begin, end) of `column`, encoded as one chunk, back into a column.
ColumnPtr RoundTrip(const Column& column, size_t begin, size_t end) {
  const EncodedChunk chunk = EncodeChunk(column, begin, end);
  EXPECT_EQ(chunk.checksum, ChunkChecksum(chunk.bytes));
  const size_t rows = end - begin;
  ColumnStorage out;
  const DataType type = column.type();
  if (chunk.null_count > 0 && type != DataType::kCategorical) out.valid.resize(rows);
  out.ForRowValues(type, [&](auto& values) { values.resize(rows); });
  if (type == DataType::kString) {
    out.offsets.assign(rows + 1, 0);
    out.bytes.resize(ReadChunkLayout(chunk.bytes).text_bytes);
  }
  DecodeChunk(chunk.bytes, type, rows, chunk.null_count, column.dictionary().size(), out, 0, 0);
  out.dictionary = column.dictionary();
  return Column::FromStorage(type, std::move(out));
}

void ExpectSameCells(const Column& a, size_t begin, const Column& b) {
  for (size_t r = 0; r < b.size(); ++r) {
    EXPECT_EQ(a.IsNull(begin + r), b.IsNull(r)) << r;
    EXPECT_EQ(a.FormatValue(begin + r), b.FormatValue(r)) << r;
  }
}

TEST(ChunkCodec, EveryTypeRoundTripsWithNulls) {
  ColumnBuilder cat(DataType::kCategorical);
  for (const char* v : {"北京", "", "x", "北京"}) cat.AppendString(v);
  cat.AppendNull();
  const std::vector<ColumnPtr> columns = {
      Column::FromInts(DataType::kInt64, {1, INT64_MIN, INT64_MAX, 0, 7}, {1, 1, 1, 0, 1}),
      Column::FromDoubles({0.1, -1e300, std::numeric_limits<double>::denorm_min(), 0, -0.0},
                          {1, 1, 1, 0, 1}),
      Column::FromBools({1, 0, 1, 0, 0}, {1, 1, 0, 1, 1}),
      Column::FromStringVector({"a,\"b\"\n", "", "x", "", "ü"}, {1, 1, 0, 1, 1}),
      cat.Finish(),
      Column::FromInts(DataType::kDate, {-719162, 0, 2932896, 1, 2}),
      Column::FromInts(DataType::kTimestamp, {-1, 0, 1, 2, 3}, {0, 1, 1, 1, 1})};
  for (const ColumnPtr& c : columns) {
    SCOPED_TRACE(std::string(DataTypeName(c->type())));
    ExpectSameCells(*c, 0, *RoundTrip(*c, 0, 5));
    ExpectSameCells(*c, 2, *RoundTrip(*c, 2, 5));  // a chunk from the middle
    ExpectSameCells(*c, 3, *RoundTrip(*c, 3, 3));  // and an empty one
  }
}

TEST(ChunkCodec, CountsNullsAndKeepsTheRangeOfValidValues) {
  const auto ints = Column::FromInts(DataType::kInt64, {5, -3, 99, 1000}, {1, 1, 1, 0});
  const EncodedChunk a = EncodeChunk(*ints, 0, 4);
  EXPECT_EQ(a.null_count, 1u);
  EXPECT_EQ(std::get<int64_t>(*a.min), -3);
  EXPECT_EQ(std::get<int64_t>(*a.max), 99);  // 1000 sits in a null slot: not a value
  const auto doubles = Column::FromDoubles({std::nan(""), 2.5, -1.0});
  const EncodedChunk b = EncodeChunk(*doubles, 0, 3);
  EXPECT_EQ(std::get<double>(*b.min), -1.0);  // NaN takes no part
  EXPECT_EQ(std::get<double>(*b.max), 2.5);
  const auto nulls = Column::FromDoubles({0, 0}, {0, 0});
  EXPECT_FALSE(EncodeChunk(*nulls, 0, 2).min.has_value());
  EXPECT_FALSE(EncodeChunk(*Column::FromStringVector({"b", "a"}), 0, 2).min.has_value());
}

TEST(ChunkCodec, RepetitiveValuesAreCompressed) {
  ColumnVector<int64_t> same(65536, 42);
  const EncodedChunk chunk = EncodeChunk(*Column::FromInts(DataType::kInt64, same), 0, same.size());
  EXPECT_LT(chunk.bytes.size(), same.size() * sizeof(int64_t) / 20);
  ExpectSameCells(*Column::FromInts(DataType::kInt64, same), 0,
                  *RoundTrip(*Column::FromInts(DataType::kInt64, same), 0, same.size()));
}

TEST(ChunkCodec, CategoricalCodesGoThroughTheStoredDictionarysMap) {
  const auto column = Column::FromCategorical({0, 1, -1, 1}, {"b", "a"});
  const std::vector<int32_t> to_stored = {5, 2};  // "b" is stored code 5, "a" code 2
  const EncodedChunk chunk = EncodeChunk(*column, 0, 4, to_stored);
  ColumnStorage out;
  out.codes.resize(4);
  DecodeChunk(chunk.bytes, DataType::kCategorical, 4, 1, 6, out, 0, 0);
  EXPECT_EQ(out.codes, (ColumnVector<int32_t>{5, 2, -1, 2}));
  // A code past the dictionary is refused.
  ExpectError([&] { DecodeChunk(chunk.bytes, DataType::kCategorical, 4, 1, 5, out, 0, 0); },
              ErrorCode::kInvalidData, "row 0 holds code 5; the dictionary has 5 entries");
}

TEST(ChunkCodec, DictionariesRoundTrip) {
  const std::vector<std::string> words = {"", "北京", "a\0b", std::string(1000, 'z')};
  const EncodedChunk chunk = EncodeDictionary(words);
  EXPECT_EQ(DecodeDictionary(chunk.bytes, words.size()), words);
  EXPECT_THROW(DecodeDictionary(chunk.bytes, words.size() + 1), Error);
}

TEST(ChunkCodec, DamagedBytesAreRefusedWithAReason) {
  // Repeats that LZ4 compresses, over the whole int64 range, which bit packing cannot narrow.
  const int64_t pattern[] = {INT64_MIN, INT64_MAX, 0, -1, 1, 12345, -987654321};
  ColumnVector<int64_t> values(1000);
  for (size_t i = 0; i < values.size(); ++i) values[i] = pattern[i % 7];
  const auto column = Column::FromInts(DataType::kInt64, values);
  const EncodedChunk chunk = EncodeChunk(*column, 0, values.size());
  ColumnStorage out;
  out.ints.resize(values.size());
  auto decode = [&](const std::string& bytes, size_t rows, size_t nulls) {
    DecodeChunk(bytes, DataType::kInt64, rows, nulls, 0, out, 0, 0);
  };
  decode(chunk.bytes, values.size(), 0);
  EXPECT_EQ(out.ints, values);
  ExpectError([&] { decode(chunk.bytes.substr(0, 10), values.size(), 0); }, ErrorCode::kInvalidData,
              "10 bytes, shorter than a chunk header (28)");
  ExpectError([&] { decode(chunk.bytes.substr(0, chunk.bytes.size() - 1), values.size(), 0); },
              ErrorCode::kInvalidData,
              fmt::format("stream 1 needs {} bytes; only {} remain", chunk.bytes.size() - 28,
                          chunk.bytes.size() - 29));
  ExpectError([&] { decode(chunk.bytes, values.size() - 1, 0); }, ErrorCode::kInvalidData,
              "the values stream holds 8000 bytes; 7992 expected");
  ExpectError([&] { decode(chunk.bytes, values.size(), 3); }, ErrorCode::kInvalidData,
              "the chunk has nulls the catalogue does not count");
  // A compressed stream that claims more than LZ4 can expand to (255 times) is refused before
  // anyone allocates for it.
  std::string huge_claim = chunk.bytes;
  const uint32_t claim = 0xfffffff0;
  huge_claim.replace(1 + 9 + 1, 4, reinterpret_cast<const char*>(&claim), 4);  // values raw size
  ExpectErrorStartingWith([&] { ReadChunkLayout(huge_claim); },
                          "LZ4 stream 1 claims 4294967280 bytes", "compressed ones");
  std::string bad_format = chunk.bytes;
  bad_format[0] = 9;
  ExpectError([&] { decode(bad_format, values.size(), 0); }, ErrorCode::kInvalidData,
              "chunk format 9 is not one this prospect reads (1)");
  // Every single-byte change to the compressed stream is refused or decodes to 8000 bytes: never
  // out of bounds (ASan checks that in the sanitizer run).
  for (size_t at = 28; at < chunk.bytes.size(); ++at) {
    std::string flipped = chunk.bytes;
    flipped[at] = static_cast<char>(flipped[at] ^ 0x5a);
    try {
      decode(flipped, values.size(), 0);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidData);
    }
  }
}

// The stored stream's codec byte (0 raw, 1 LZ4, 2 packed) of the values stream.
int ValuesCodec(const EncodedChunk& chunk) { return chunk.bytes[1 + 9]; }

TEST(ChunkCodec, IntegersArePackedIntoTheBitsTheirRangeNeeds) {
  const size_t n = 5000;
  struct Case {
    const char* name;
    std::function<int64_t(size_t)> value;
    size_t max_bytes;  // header (26) + n * bits / 8 + padding (8) + chunk header (28)
  };
  const std::vector<Case> cases = {
      {"a constant", [](size_t) { return int64_t{-42}; }, 62},
      {"a sequence (deltas of 1)", [](size_t i) { return 1000000 + static_cast<int64_t>(i); }, 62},
      {"whole seconds in microseconds over a year",
       [](size_t i) {
         return 1'700'000'000'000'000 + static_cast<int64_t>(i * 7919 % 31'536'000) * 1'000'000;
       },
       62 + n * 25 / 8 + 1},
      {"multiples of 6 and of 10 (a step of 2 found on the way)",
       [](size_t i) { return static_cast<int64_t>((i % 3 == 0 ? 6 : 10) * (i % 50)); },
       62 + n * 8 / 8 + 1},
      {"small counts 1 to 5", [](size_t i) { return static_cast<int64_t>(1 + i * 31 % 5); },
       62 + n * 3 / 8 + 1},
      {"negative and positive", [](size_t i) { return static_cast<int64_t>(i % 1000) - 500; },
       62 + n * 10 / 8 + 1},
      {"the whole int64 range in two values",
       [](size_t i) { return i % 2 ? INT64_MAX : INT64_MIN + 1; }, 62 + n * 1 / 8 + 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ColumnVector<int64_t> values(n);
    for (size_t i = 0; i < n; ++i) values[i] = c.value(i);
    const auto column = Column::FromInts(DataType::kInt64, values);
    const EncodedChunk chunk = EncodeChunk(*column, 0, n);
    EXPECT_EQ(ValuesCodec(chunk), 2);
    EXPECT_LE(chunk.bytes.size(), c.max_bytes);
    ExpectSameCells(*column, 0, *RoundTrip(*column, 0, n));
    ExpectSameCells(*column, 1234, *RoundTrip(*column, 1234, 4321));
  }
}

TEST(ChunkCodec, PackedChunksKeepNullsAndCategoricalCodes) {
  // Nulls hold zero in the column, outside the valid values' range: they are left out of it.
  ColumnVector<int64_t> ints(3000);
  ColumnVector<uint8_t> valid(3000);
  for (size_t i = 0; i < ints.size(); ++i) {
    valid[i] = i % 3 != 0;
    ints[i] = valid[i] ? 1'000'000'000 + static_cast<int64_t>(i % 100) : 0;
  }
  const auto with_nulls = Column::FromInts(DataType::kTimestamp, ints, valid);
  const EncodedChunk chunk = EncodeChunk(*with_nulls, 0, ints.size());
  EXPECT_EQ(ValuesCodec(chunk), 2);
  EXPECT_EQ(chunk.null_count, 1000u);
  ExpectSameCells(*with_nulls, 0, *RoundTrip(*with_nulls, 0, ints.size()));

  ColumnBuilder cat(DataType::kCategorical);
  for (size_t i = 0; i < 3000; ++i) {
    if (i % 11 == 0) {
      cat.AppendNull();  // code -1
    } else {
      cat.AppendString(std::string(1, static_cast<char>('a' + i % 5)));
    }
  }
  const ColumnPtr codes = cat.Finish();
  const EncodedChunk cat_chunk = EncodeChunk(*codes, 0, codes->size());
  EXPECT_EQ(ValuesCodec(cat_chunk), 2);
  ExpectSameCells(*codes, 0, *RoundTrip(*codes, 0, codes->size()));
}

TEST(ChunkCodec, DecimalDoublesArePackedAndComeBackBitForBit) {
  const size_t n = 4000;
  ColumnVector<double> prices(n);
  ColumnVector<uint8_t> valid(n);
  for (size_t i = 0; i < n; ++i) {
    prices[i] = static_cast<double>(i * 7919 % 100000) / 100;  // cents up to 999.99
    valid[i] = i % 17 != 0;
  }
  const auto column = Column::FromDoubles(prices, valid);
  const EncodedChunk chunk = EncodeChunk(*column, 0, n);
  EXPECT_EQ(ValuesCodec(chunk), 2);
  EXPECT_LE(chunk.bytes.size(), 62 + n * 17 / 8 + 1 + (n + 7) / 8);  // 17 bits + validity
  const ColumnPtr back = RoundTrip(*column, 0, n);
  for (size_t i = 0; i < n; ++i) {
    ASSERT_EQ(back->IsNull(i), column->IsNull(i));
    if (!column->IsNull(i)) {
      ASSERT_EQ(std::bit_cast<uint64_t>(back->doubles()[i]), std::bit_cast<uint64_t>(prices[i]));
    }
  }
  // One value that no short decimal writes exactly keeps the chunk's doubles as they are:
  // 0.1 + 0.2, -0.0 (whose sign a decimal loses), NaN, and a value past 2^53 at any scale.
  for (double odd : {0.1 + 0.2, -0.0, std::nan(""), 1e300}) {
    SCOPED_TRACE(odd);
    ColumnVector<double> values = prices;
    values[n / 2] = odd;
    const auto mixed = Column::FromDoubles(values);
    const EncodedChunk kept = EncodeChunk(*mixed, 0, n);
    EXPECT_NE(ValuesCodec(kept), 2);
    const ColumnPtr again = RoundTrip(*mixed, 0, n);
    for (size_t i = 0; i < n; ++i)
      ASSERT_EQ(std::bit_cast<uint64_t>(again->doubles()[i]), std::bit_cast<uint64_t>(values[i]));
  }
}

// Chunks of one column decode in parallel: a chunk must not read the offset its neighbour writes
// (that raced, and a null first row was sometimes called damaged).
TEST(ChunkCodec, AChunkReadsNothingItsNeighbourWrites) {
  const auto column = Column::FromStringVector({"", "ab", "", "c"}, {0, 1, 0, 1});
  const EncodedChunk chunk = EncodeChunk(*column, 0, 4);
  ColumnStorage out;
  out.valid.assign(10, 1);
  out.offsets.assign(11, 999);  // rows 0-5 belong to other chunks, not decoded yet
  out.bytes.resize(20);
  DecodeChunk(chunk.bytes, DataType::kString, 4, 2, 0, out, 6, 7);
  EXPECT_EQ(std::vector<uint64_t>(out.offsets.begin() + 7, out.offsets.end()),
            (std::vector<uint64_t>{7, 9, 9, 10}));
  EXPECT_EQ(std::string(out.bytes.data() + 7, 3), "abc");
}

TEST(ChunkCodec, DamagedPackedStreamsAreRefused) {
  ColumnVector<int64_t> values(2000);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<int64_t>(i * 37 % 1000);
  const auto column = Column::FromInts(DataType::kInt64, values);
  const EncodedChunk chunk = EncodeChunk(*column, 0, values.size());
  ASSERT_EQ(ValuesCodec(chunk), 2);
  ColumnStorage out;
  out.ints.resize(values.size());
  auto decode = [&](const std::string& bytes) {
    DecodeChunk(bytes, DataType::kInt64, values.size(), 0, 0, out, 0, 0);
  };
  std::string wide = chunk.bytes;
  wide[28 + 1] = 60;  // width past the 56 bits one 8-byte load holds
  // Steps of 37 and -963: deltas, one bit each (scale 1000).
  ExpectError([&] { decode(wide); }, ErrorCode::kInvalidData,
              "a packed stream has mode 1 and width 60");
  std::string other_width = chunk.bytes;
  other_width[28 + 1] = 2;  // the stored bytes hold 1-bit values
  ExpectErrorStartingWith([&] { decode(other_width); },
                          "a packed stream of 2000 2-bit values stores", "expected");
  // A double column's values unpack only from decimals (mode 2): integers there are damage.
  ColumnStorage doubles;
  doubles.doubles.resize(values.size());
  ExpectError(
      [&] { DecodeChunk(chunk.bytes, DataType::kDouble, values.size(), 0, 0, doubles, 0, 0); },
      ErrorCode::kInvalidData, "a packed stream has mode 1 and width 1");
  for (size_t at = 28; at < chunk.bytes.size(); ++at) {
    std::string flipped = chunk.bytes;
    flipped[at] = static_cast<char>(flipped[at] ^ 0x5a);
    try {
      decode(flipped);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidData);
    }
  }
}

}  // namespace
}  // namespace prospect::sqlite_store
