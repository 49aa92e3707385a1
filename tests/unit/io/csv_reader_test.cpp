// CSV reader: RFC 4180 cases, sniffing, inference and widening, dates, nulls, errors with their
// exact messages, rejects, gzip/Latin-1/BOM, round trips through WriteCsv, and 1 vs 2 threads.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "io/cell_parse.hpp"
#include "io/csv_internal.hpp"
#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/io/csv.hpp"
#include "support/expect_error.hpp"
#include "support/reader_test_helpers.hpp"
#include "support/test_paths.hpp"

namespace prospect {
namespace {

using io::ReadCsvText;

Table Read(const std::string& text, ReadOptions options = {}, int threads = 1,
           size_t block = 1u << 20, ReadReport* report = nullptr) {
  Context ctx(threads);
  io::CsvTuning tuning;
  tuning.block_bytes = block;
  return ReadCsvText(text, "t.csv", options, ctx, report, tuning);
}

// The message of the invalid-data error reading `text` must give.
std::string ErrorOf(const std::string& text, ReadOptions options = {}) {
  return testing::ErrorMessageOf([&] { Read(text, options); }, ErrorCode::kInvalidData, text);
}

// The same for an invalid-argument error (options that cannot work).
std::string ErrorOfArgument(const std::string& text, ReadOptions options) {
  return testing::ErrorMessageOf([&] { Read(text, options); }, ErrorCode::kInvalidArgument, text);
}

std::string Cell(const Table& t, const std::string& column, size_t row) {
  return t.column(column).FormatValue(row);
}

TEST(CsvReader, ParsesQuotedFieldsWithDelimitersQuotesAndNewlines) {
  const Table t = Read("id,text\n1,\"a,b\"\n2,\"say \"\"hi\"\"\"\n3,\"two\nlines\"\n4,plain\n");
  ASSERT_EQ(t.num_rows(), 4u);
  EXPECT_EQ(t.column("text").StringAt(0), "a,b");
  EXPECT_EQ(t.column("text").StringAt(1), "say \"hi\"");
  EXPECT_EQ(t.column("text").StringAt(2), "two\nlines");
  EXPECT_EQ(t.column("text").StringAt(3), "plain");
  EXPECT_EQ(t.column("id").type(), DataType::kInt64);
}

TEST(CsvReader, HandlesCrlfNoFinalNewlineAndBom) {
  const Table t = Read("\xEF\xBB\xBFx,y\r\n1,\"a\r\nb\"\r\n2,c");
  ASSERT_EQ(t.num_rows(), 2u);
  EXPECT_EQ(t.schema().field(0).name, "x");
  EXPECT_EQ(t.column("y").StringAt(0), "a\r\nb");
  EXPECT_EQ(t.column("y").StringAt(1), "c");
  EXPECT_EQ(t.column("x").ints()[1], 2);
}

TEST(CsvReader, SniffsSemicolonTabAndPipe) {
  for (const char d : {';', '\t', '|', ','}) {
    std::string text = "a,b;c|d\n";  // one header cell holds the others' delimiters
    text = std::string("name") + d + "age" + d + "city\n\"x,y\"" + d + "3" + d + "Paris\nz" + d +
           "4" + d + "Rome\n";
    const Table t = Read(text);
    ASSERT_EQ(t.num_columns(), 3u) << d;
    EXPECT_EQ(t.column("name").StringAt(0), "x,y");
    EXPECT_EQ(t.column("age").ints()[1], 4);
  }
  EXPECT_EQ(io::SniffDelimiter("a;b;c\n1;2,5;3\n", '"'), ';');
  EXPECT_EQ(io::SniffDelimiter("single\n1\n", '"'), ',');
}

TEST(CsvReader, ExplicitDelimiterWins) {
  ReadOptions o;
  o.delimiter = '|';
  const Table t = Read("a|b\n1,5|x\n", o);
  EXPECT_EQ(t.column("a").type(), DataType::kString);
  EXPECT_EQ(t.column("a").StringAt(0), "1,5");
}

TEST(CsvReader, InfersTypes) {
  const Table t = Read(
      "i,d,b,dt,ts,cat,s,allnull\n"
      "1,1.5,True,2024-03-01,2024-03-01T08:26:00,red,alpha,\n"
      "-2,2,False,2024-03-02,2024-03-01 08:26:00.5,red,beta,\n"
      "3,1e3,TRUE,2024-12-31,2024-03-01T08:26:00Z,blue,gamma,\n"
      "4,-0.25,false,2000-02-29,2024-03-01T10:26:00+02:00,red,delta,\n");
  EXPECT_EQ(t.column("i").type(), DataType::kInt64);
  EXPECT_EQ(t.column("d").type(), DataType::kDouble);
  EXPECT_EQ(t.column("b").type(), DataType::kBool);
  EXPECT_EQ(t.column("dt").type(), DataType::kDate);
  EXPECT_EQ(t.column("ts").type(), DataType::kTimestamp);
  EXPECT_EQ(t.column("cat").type(), DataType::kCategorical);
  EXPECT_EQ(t.column("s").type(), DataType::kString);
  EXPECT_EQ(t.column("allnull").type(), DataType::kString);
  EXPECT_EQ(t.column("allnull").null_count(), 4u);
  EXPECT_EQ(t.column("d").doubles()[2], 1000.0);
  EXPECT_EQ(t.column("b").bools()[0], 1);
  EXPECT_EQ(t.column("b").bools()[3], 0);
  EXPECT_EQ(Cell(t, "dt", 3), "2000-02-29");
  EXPECT_EQ(Cell(t, "ts", 0), "2024-03-01 08:26:00");
  EXPECT_EQ(Cell(t, "ts", 1), "2024-03-01 08:26:00.500000");
  EXPECT_EQ(Cell(t, "ts", 2), "2024-03-01 08:26:00");
  EXPECT_EQ(Cell(t, "ts", 3), "2024-03-01 08:26:00");  // +02:00 converted to UTC
  EXPECT_EQ(t.column("cat").dictionary(), (std::vector<std::string>{"red", "blue"}));
}

TEST(CsvReader, YesNoStaysText) {
  const Table t = Read("y\nyes\nno\nyes\nno\n");
  EXPECT_EQ(t.column("y").type(), DataType::kCategorical);
}

TEST(CsvReader, SlashDatesDefaultToMonthFirstAndSwitchWhenADayExceeds12) {
  const Table us = Read("d\n3/1/2024\n12/31/2024\n");
  EXPECT_EQ(us.column("d").type(), DataType::kDate);
  EXPECT_EQ(Cell(us, "d", 0), "2024-03-01");
  EXPECT_EQ(Cell(us, "d", 1), "2024-12-31");
  const Table eu = Read("d\n3/1/2024\n31/12/2024\n");
  EXPECT_EQ(Cell(eu, "d", 0), "2024-01-03");
  EXPECT_EQ(Cell(eu, "d", 1), "2024-12-31");
  const Table dots = Read("d\n1.3.2024\n31.12.2024\n");
  EXPECT_EQ(Cell(dots, "d", 0), "2024-03-01");
  const Table times = Read("t\n12/1/2010 8:26\n12/9/2011 12:50\n");
  EXPECT_EQ(times.column("t").type(), DataType::kTimestamp);
  EXPECT_EQ(Cell(times, "t", 0), "2010-12-01 08:26:00");
  EXPECT_EQ(Cell(times, "t", 1), "2011-12-09 12:50:00");
  // Both numbers above 12 in different rows: not a consistent date column.
  EXPECT_EQ(Read("d\n13/1/2024\n1/13/2024\n").column("d").type(), DataType::kString);
}

TEST(CsvReader, EpochIntegersAreTimestampsOnlyWhenDeclared) {
  EXPECT_EQ(Read("t\n964982703\n964982224\n").column("t").type(), DataType::kInt64);
  ReadOptions o;
  o.types["t"] = DataType::kTimestamp;
  const Table t = Read("t\n964982703\n964982224000\n2024-03-01\n", o);
  EXPECT_EQ(Cell(t, "t", 0), "2000-07-30 18:45:03");
  EXPECT_EQ(Cell(t, "t", 1), "2000-07-30 18:37:04");
  EXPECT_EQ(Cell(t, "t", 2), "2024-03-01 00:00:00");
}

TEST(CsvReader, NullMarkersQuotedEmptyAndUnquotedEmpty) {
  const Table t = Read("s,n\n,1\n\"\",NA\n\"NA\",\nx,\"\"\n");
  const Column& s = t.column("s");
  EXPECT_TRUE(s.IsNull(0));   // unquoted empty
  EXPECT_FALSE(s.IsNull(1));  // quoted empty: empty string
  EXPECT_EQ(s.StringAt(1), "");
  EXPECT_TRUE(s.IsNull(2));  // quoted marker
  EXPECT_EQ(t.column("n").type(), DataType::kInt64);
  EXPECT_EQ(t.column("n").null_count(), 3u);  // NA, empty, and "" in a number column
  ReadOptions o;
  o.null_values = {"unknown"};
  const Table u = Read("job\nadmin\n\"unknown\"\nNA\n", o);
  EXPECT_TRUE(u.column("job").IsNull(1));
  EXPECT_FALSE(u.column("job").IsNull(2));
}

TEST(CsvReader, WidensInferredColumnsWhenLaterRowsDoNotFit) {
  std::string text = "a,b,c\n";
  for (int i = 0; i < 200; ++i)
    text += std::to_string(i) + "," + std::to_string(i) + ",2024-01-01\n";
  text += "1.5,oops,2024-01-01 10:00\n";
  ReadOptions o;
  o.sample_rows = 20;  // the last row is outside the sample
  ReadReport report;
  const Table t = Read(text, o, 2, 64, &report);
  EXPECT_EQ(t.column("a").type(), DataType::kDouble);
  EXPECT_EQ(t.column("a").doubles()[200], 1.5);
  EXPECT_EQ(t.column("a").doubles()[7], 7.0);
  EXPECT_EQ(t.column("b").type(), DataType::kString);
  EXPECT_EQ(t.column("b").StringAt(200), "oops");
  EXPECT_EQ(t.column("b").StringAt(3), "3");
  EXPECT_EQ(t.column("c").type(), DataType::kTimestamp);
  EXPECT_EQ(Cell(t, "c", 200), "2024-01-01 10:00:00");
  EXPECT_EQ(report.warnings.size(), 3u);
}

TEST(CsvReader, ReportsLineOfBadDeclaredInteger) {
  ReadOptions o;
  o.types["age"] = DataType::kInt64;
  EXPECT_EQ(ErrorOf("name,age\nann,31\n\"b\nob\",32\ncid,abc\n", o),
            "t.csv:5:5 (column \"age\"): \"abc\" is not an int64. Possible fixes: fix the value, "
            "declare the column's "
            "type in prospect.toml [tables.NAME.types], or use --on-error reject.");
}

TEST(CsvReader, BadDateIsAnErrorEvenWhenInferred) {
  EXPECT_EQ(ErrorOf("id,d\n1,2024-02-28\n2,2024-02-30\n"),
            "t.csv:3:3 (column \"d\"): \"2024-02-30\" is not a date (no such day or time). "
            "Possible fixes: fix the "
            "value, declare the column's type in prospect.toml [tables.NAME.types], or use "
            "--on-error reject.");
}

TEST(CsvReader, RaggedRowMessage) {
  EXPECT_EQ(ErrorOf("a,b,c,d\n1,2,3,4\n1,2,3,4,5\n"),
            "t.csv:3: line 3 has 5 fields, expected 4 (the header has 4; delimiter \",\"). "
            "Possible fixes: quote "
            "fields that contain the delimiter, check --delimiter, or use --on-error reject.");
}

TEST(CsvReader, UnterminatedQuoteNamesTheLineWhereItOpened) {
  EXPECT_EQ(ErrorOf("a,b\n1,2\n3,\"open\n4,5\n6,7\n"),
            "t.csv:3:3: a quoted field opened on line 3 is never closed (the quote runs to the end "
            "of the file). "
            "Possible fix: close the quote, and double the quotes inside quoted fields (\"\").");
}

TEST(CsvReader, StrayAndTrailingQuotes) {
  ReadOptions strict;
  strict.strict_quotes = true;
  EXPECT_NE(ErrorOf("a,b\n1,12\" pizza\n", strict)
                .find("t.csv:2:5 (column \"b\"): a quote inside an unquoted field"),
            std::string::npos);
  EXPECT_NE(ErrorOf("a,b\n1,\"x\"y\n")
                .find("t.csv:2:6 (column \"b\"): unexpected \"y\" after the closing quote"),
            std::string::npos);
}

TEST(CsvReader, QuotesInsideUnquotedFieldsAreLiteralAndCounted) {
  // csv-spectrum's location case; pandas and Python's csv read the quote as a character.
  ReadReport report;
  const Table t = Read("Location,Lat\nSF,37°36'37.8\"N\nx,12\" pizza\ny,\"quoted, fine\"\n", {}, 1,
                       1u << 20, &report);
  ASSERT_EQ(t.num_rows(), 3u);
  EXPECT_EQ(t.column("Lat").StringAt(0), "37°36'37.8\"N");
  EXPECT_EQ(t.column("Lat").StringAt(1), "12\" pizza");
  EXPECT_EQ(t.column("Lat").StringAt(2), "quoted, fine");
  EXPECT_EQ(report.literal_quote_fields, 2);
  // One literal quote flips the quote parity the parallel split relies on: every thread count and
  // block size still reads the same rows (a later quoted field spans lines).
  std::string text = "id,note\n0,5'10\" tall\n";
  for (int i = 1; i < 400; ++i)
    text += fmt::format("{},{}\n", i, i % 7 == 0 ? "\"two\nlines\"" : "plain");
  const Table one = Read(text, {}, 1, 1u << 20);
  for (const size_t block : {size_t{64}, size_t{257}, size_t{4096}}) {
    ReadReport r;
    const Table many = Read(text, {}, 2, block, &r);
    ASSERT_EQ(many.num_rows(), one.num_rows()) << block;
    EXPECT_EQ(r.literal_quote_fields, 1) << block;
    for (size_t row = 0; row < one.num_rows(); ++row) {
      ASSERT_EQ(many.column("note").StringAt(row), one.column("note").StringAt(row))
          << block << " row " << row;
    }
  }
  EXPECT_EQ(one.num_rows(), 400u);
  EXPECT_EQ(one.column("note").StringAt(7), "two\nlines");
}

TEST(CsvReader, LeadingZerosKeepAColumnTextSoItRoundTrips) {
  // csv-spectrum's zip code: 08123 must not come back as 8123.
  const Table t = Read("first,zip,id,n,x\nJohn,08123,00001,0,0.5\nJane,10001,00002,-0,1.5\n");
  EXPECT_EQ(t.column("zip").type(), DataType::kString);
  EXPECT_EQ(t.column("zip").StringAt(0), "08123");
  EXPECT_EQ(t.column("id").StringAt(1), "00002");
  EXPECT_EQ(t.column("n").type(), DataType::kInt64);  // "0" and "-0" are plain numbers
  EXPECT_EQ(t.column("x").type(), DataType::kDouble);
  // A padded value after the sample widens the column to text rather than dropping the zero.
  ReadOptions o;
  o.sample_rows = 1;
  std::string text = "zip\n";
  for (int i = 0; i < 200; ++i) text += "10001\n";
  text += "08123\n";
  ReadReport report;
  const Table late = Read(text, o, 1, 1u << 20, &report);
  EXPECT_EQ(late.column("zip").type(), DataType::kString);
  EXPECT_EQ(late.column("zip").StringAt(200), "08123");
  // Declared numeric: the user asked for a number.
  o.types["zip"] = DataType::kInt64;
  EXPECT_EQ(Read("zip\n08123\n", o).column("zip").ints()[0], 8123);
}

TEST(CsvReader, CrlfInsideAQuotedFieldIsKeptAsItWas) {
  // csv-spectrum's newlines_crlf: the field's bytes, "\r\n" included, come back unchanged,
  // through the bitmask path (long files) and the general one, and through WriteCsv.
  std::string text = "a,b,c\r\n";
  for (int i = 0; i < 30; ++i) text += "1,2,3\r\n";
  text += "\"Once upon \r\na time\",5,6\r\n7,8,9\r\n";
  for (const int threads : {1, 2}) {
    const Table t = Read(text, {}, threads, 97);
    ASSERT_EQ(t.num_rows(), 32u);
    EXPECT_EQ(t.column("a").StringAt(30), "Once upon \r\na time");
  }
  testing::TempDir dir;
  const Table t = Read(text);
  const std::string out = dir.File("out.csv");
  WriteCsv(t, out, Context(1));
  EXPECT_NE(testing::ReadFileText(out).find("\"Once upon \r\na time\""), std::string::npos);
  EXPECT_EQ(ReadCsv(out, {}, Context(1)).column("a").StringAt(30), "Once upon \r\na time");
}

TEST(CsvReader, BlankCellsInNumericColumnsAreNullAndCounted) {
  // A public churn file's TotalCharges holds " " in 11 rows: the column must stay numeric.
  ReadReport report;
  const Table t =
      Read("id,total,name\n1,29.85,a\n2, ,b\n3,108.15,  \n4,\t,c\n", {}, 1, 1u << 20, &report);
  ASSERT_EQ(t.column("total").type(), DataType::kDouble);
  EXPECT_TRUE(t.column("total").IsNull(1));
  EXPECT_TRUE(t.column("total").IsNull(3));
  EXPECT_DOUBLE_EQ(t.column("total").doubles()[2], 108.15);
  EXPECT_EQ(t.column("name").StringAt(2), "  ");  // a text column keeps its spaces
  EXPECT_EQ(report.blank_cells_as_null, 2);
  // Blanks after the sample, in batches, and with two threads count the same.
  ReadOptions o;
  o.sample_rows = 2;
  std::string text = "id,total\n";
  for (int i = 0; i < 1000; ++i) text += fmt::format("{},{}\n", i, i % 100 == 5 ? " " : "1.5");
  for (const int threads : {1, 2}) {
    ReadReport r;
    const Table many = Read(text, o, threads, 256, &r);
    EXPECT_EQ(many.column("total").type(), DataType::kDouble);
    EXPECT_EQ(many.column("total").null_count(), 10u);
    EXPECT_EQ(r.blank_cells_as_null, 10);
  }
}

TEST(CsvReader, DecimalCommaReadsEuropeanNumbers) {
  ReadOptions o;
  o.decimal = ',';
  ReadReport report;
  const Table t = Read("id;amount;code\n1;1,5;A\n2;-2,25;B\n3;3;C\n", o, 1, 1u << 20, &report);
  ASSERT_EQ(t.column("amount").type(), DataType::kDouble);
  EXPECT_DOUBLE_EQ(t.column("amount").doubles()[0], 1.5);
  EXPECT_DOUBLE_EQ(t.column("amount").doubles()[1], -2.25);
  EXPECT_DOUBLE_EQ(t.column("amount").doubles()[2], 3.0);
  EXPECT_EQ(t.column("id").type(), DataType::kInt64);
  // A dot is not the decimal separator then: "1.234,5" stays text (pandas: decimal=',' likewise).
  EXPECT_EQ(Read("id;v\n1;1.234,5\n", o).column("v").type(), DataType::kString);
  // Without --decimal the same file keeps its amounts as text.
  EXPECT_NE(Read("id;amount\n1;1,5\n2;2,5\n").column("amount").type(), DataType::kDouble);
  o.delimiter = ',';
  EXPECT_NE(ErrorOfArgument("a,b\n1,2\n", o)
                .find("the decimal separator \",\" is also the field delimiter"),
            std::string::npos);
}

TEST(CsvReader, ZeroByteFilesGetTheEmptyErrorOnEveryReadPath) {
  // A regular 0-byte file has no pieces to read: it used to crash (exit 139) where a pipe with the
  // same (no) bytes got the error.
  testing::TempDir dir;
  for (const std::string name : {"empty.csv", "empty.tsv", "empty.csv.gz"}) {
    const std::string path = dir.Write(name, "");
    for (const int threads : {1, 2}) {
      SCOPED_TRACE(name);
      ExpectError(
          [&] { ReadCsv(path, {}, Context(threads)); }, ErrorCode::kInvalidData,
          path + " is empty: no header line. Possible fix: check that this is the right file.");
    }
  }
  const std::string fifo = dir.File("pipe.csv");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] { std::ofstream{fifo}; });
  ExpectError([&] { ReadCsv(fifo, {}, Context(2)); }, ErrorCode::kInvalidData,
              fifo + " is empty: no header line. Possible fix: check that this is the right file.");
  writer.join();
}

TEST(CsvReader, DuplicateAndEmptyHeaderNames) {
  EXPECT_EQ(ErrorOf("id,x,y,x\n1,2,3,4\n"),
            "t.csv:1: duplicate column name \"x\" (columns 2 and 4). Possible fix: rename one of "
            "them in the header.");
  const Table t = Read("id,,z\n1,2,3\n");
  EXPECT_EQ(t.schema().field(1).name, "column_2");
}

TEST(CsvReader, NoHeaderNamesColumnsByPosition) {
  ReadOptions o;
  o.header = false;
  const Table t = Read("1,a\n2,b\n", o);
  ASSERT_EQ(t.num_rows(), 2u);
  EXPECT_EQ(t.schema().field(0).name, "column_1");
  EXPECT_EQ(t.column("column_2").StringAt(1), "b");
}

TEST(CsvReader, BinaryAndInvalidUtf8) {
  testing::TempDir dir;
  const std::string bin = dir.Write("b.csv", std::string("a,b\n1,\x01\x00\x02\n", 10));
  ExpectError([&] { ReadCsv(bin, {}, Context(1)); }, ErrorCode::kInvalidData,
              bin +
                  ":2:4: the file looks binary (it contains a NUL byte), not CSV or JSON Lines "
                  "text. Possible "
                  "fixes: check that this is the right file; decompress or export it as text "
                  "first.");
  EXPECT_EQ(ErrorOf("name,city\n\xe4\xb8\xad\xe6\x96\x87,Z\xfcrich\n"),
            "t.csv:2:5 (column \"city\"): invalid UTF-8 (byte 0xFC). Possible fixes: save the file "
            "as UTF-8, or read "
            "it as Latin-1 (--encoding latin1, or encoding = \"latin1\" in prospect.toml "
            "[tables.NAME]).");
  const std::string latin = dir.Write("l.csv", "name,city\nJos\xe9,Z\xfcrich\n");
  ReadOptions o;
  o.encoding = TextEncoding::kLatin1;
  const Table t = ReadCsv(latin, o, Context(1));
  EXPECT_EQ(t.column("city").StringAt(0), "Z\xc3\xbcrich");
  EXPECT_EQ(t.column("name").StringAt(0), "Jos\xc3\xa9");
}

TEST(CsvReader, FilesAreReadInPiecesByEveryThreadAndPipesWhole) {
  // 6 MB: two of the loader's 4 MB pieces; a NUL in the second is found at its line and column.
  testing::TempDir dir;
  std::string text = "id,word\n";
  size_t rows = 0, last_id = 0;
  while (text.size() < (6u << 20)) {
    last_id = text.size();
    text += fmt::format("{},w{}\n", last_id, last_id % 97);
    ++rows;
  }
  const Table t = ReadCsv(dir.Write("big.csv", text), {}, Context(2));
  ASSERT_EQ(t.num_rows(), rows);
  EXPECT_EQ(t.column("id").FormatValue(rows - 1), std::to_string(last_id));
  EXPECT_EQ(t.column("word").FormatValue(rows - 1), fmt::format("w{}", last_id % 97));
  std::string with_nul = text;
  const size_t at = with_nul.find('\n', 5u << 20) + 3;  // 3rd byte of a line past the first piece
  with_nul[at] = '\0';
  const std::string bin = dir.Write("nul.csv", with_nul);
  const auto line =
      1 + std::count(with_nul.begin(), with_nul.begin() + static_cast<std::ptrdiff_t>(at), '\n');
  try {
    ReadCsv(bin, {}, Context(2));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(
        std::string(e.what()).rfind(fmt::format("{}:{}:3: the file looks binary", bin, line), 0),
        0u)
        << e.what();
  }
  // A pipe has no size up front: it is read whole, sequentially.
  const std::string fifo = dir.File("pipe.csv");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] { std::ofstream(fifo) << "a,b\n1,x\n2,y\n"; });
  const Table p = ReadCsv(fifo, {}, Context(2));
  writer.join();
  EXPECT_EQ(p.num_rows(), 2u);
  EXPECT_EQ(p.column("b").StringAt(1), "y");
}

TEST(CsvReader, ChineseText) {
  const Table t = Read("城市,人口\n北京,2189\n\"上海,浦东\",2487\n");
  EXPECT_EQ(t.schema().field(0).name, "城市");
  EXPECT_EQ(t.column("城市").StringAt(1), "上海,浦东");
  EXPECT_EQ(t.column("人口").ints()[0], 2189);
}

TEST(CsvReader, FieldSizeLimit) {
  const std::string big(10u << 20, 'x');
  const Table t = Read("a,b\n1,\"" + big + "\"\n2," + big + "\n");
  EXPECT_EQ(t.column("b").StringAt(0).size(), big.size());
  EXPECT_EQ(t.column("b").StringAt(1).size(), big.size());
  ReadOptions o;
  o.max_field_bytes = 1000;
  EXPECT_EQ(
      ErrorOf("a,b\n1,2\n2," + std::string(1001, 'y') + "\n", o),
      "t.csv:3:3 (column \"b\"): a field of 1001 bytes is longer than the limit of 1000 bytes "
      "(max_field_bytes). Possible fixes: check for an unbalanced quote, or raise the limit.");
  // The same with many records after it (the tokenizer's 64-byte fast path is then in play).
  std::string after;
  for (int i = 0; i < 50; ++i) after += "3,zzzzzzzzzzzz\n";
  EXPECT_EQ(
      ErrorOf("a,b\n1,2\n2," + std::string(1001, 'y') + "\n" + after, o),
      "t.csv:3:3 (column \"b\"): a field of 1001 bytes is longer than the limit of 1000 bytes "
      "(max_field_bytes). Possible fixes: check for an unbalanced quote, or raise the limit.");
  EXPECT_EQ(
      ErrorOf("a,b\n1,2\n2," + std::string(1001, 'y') + ",\n" + after, o),
      "t.csv:3:3 (column \"b\"): a field of 1001 bytes is longer than the limit of 1000 bytes "
      "(max_field_bytes). Possible fixes: check for an unbalanced quote, or raise the limit.");
}

TEST(CsvReader, RejectModeWritesBadRowsAndLoadsTheRest) {
  testing::TempDir dir;
  ReadOptions o = testing::RejectingInto(dir.File("rejects.csv"));
  o.types["n"] = DataType::kInt64;
  o.types["d"] = DataType::kDate;
  ReadReport report;
  const Table t =
      Read("id,n,d\n1,5,2024-01-01\n2,abc,2024-01-02\n3,7\n4,8,\"2024-02-30\"\n5,9,2024-03-01\n", o,
           1, 1u << 20, &report);
  ASSERT_EQ(t.num_rows(), 2u);
  EXPECT_EQ(t.column("id").ints()[1], 5);
  EXPECT_EQ(report.rows_read, 5);
  EXPECT_EQ(report.rows_rejected, 3);
  EXPECT_EQ(report.rejects_path, o.rejects_path);
  EXPECT_EQ(testing::ReadFileText(o.rejects_path),
            "line,column,value,reason,raw\n"
            "3,n,abc,\"\"\"abc\"\" is not an int64\",\"2,abc,2024-01-02\"\n"
            "4,,,\"has 2 fields, expected 3\",\"3,7\"\n"
            "5,d,2024-02-30,\"\"\"2024-02-30\"\" is not a date (no such day or "
            "time)\",\"4,8,\"\"2024-02-30\"\"\"\n");
}

TEST(CsvReader, RejectedRowDoesNotLeaveItsCategoryBehind) {
  ReadOptions o;
  o.on_error = OnError::kReject;
  o.types["n"] = DataType::kInt64;
  o.types["c"] = DataType::kCategorical;
  const Table t = Read("c,n\na,1\nb,x\na,2\n", o);
  EXPECT_EQ(t.column("c").dictionary(), (std::vector<std::string>{"a"}));
}

TEST(CsvReader, CategoriesSurviveIndexGrowthAndARejectedNewCategory) {
  // 3000 distinct categories (the index grows many times), each seen twice; a rejected row in
  // between brings a new one, which must not stay behind in the dictionary.
  ReadOptions o;
  o.on_error = OnError::kReject;
  o.types["c"] = DataType::kCategorical;
  o.types["n"] = DataType::kInt64;
  std::string text = "c,n\n";
  for (int pass = 0; pass < 2; ++pass) {
    for (int i = 0; i < 3000; ++i) text += fmt::format("category {},{}\n", i * 7919 % 3000, i);
    if (pass == 0) text += "brand new,oops\n";
  }
  const Table t = Read(text, o);
  ASSERT_EQ(t.num_rows(), 6000u);
  const Column& c = t.column("c");
  EXPECT_EQ(c.dictionary().size(), 3000u);
  for (size_t row = 0; row < 6000; ++row) {
    EXPECT_EQ(c.FormatValue(row), fmt::format("category {}", row % 3000 * 7919 % 3000));
  }
  EXPECT_EQ(c.dictionary().front(), "category 0");
  EXPECT_EQ(c.dictionary()[1], "category 1919");  // first-seen order
}

TEST(CsvReader, IsoDateFastPathAgreesWithTheGeneralParser) {
  // The unpadded text takes the fast path; a leading space sends the same text down the general
  // one.
  for (const std::string text :
       {"2024-03-05", "2024-02-29", "2023-02-29", "2024-13-01", "2024-00-10", "0001-01-01",
        "9999-12-31", "2024-03-05 12:34:56", "2024-03-05T23:59:60", "2024-03-05 24:00:00",
        "2024-03-05 12:60:00", "2023-02-29 10:00:00", "1969-12-31T23:59:59", "2024-3-05 1:2:3",
        "2024-03-05 12:34", "2024/03/05"}) {
    for (io::DateOrder order : {io::DateOrder::kMonthFirst, io::DateOrder::kDayFirst}) {
      int64_t fast = -1, general = -1;
      EXPECT_EQ(io::ParseTimestampText(text, order, false, &fast),
                io::ParseTimestampText(" " + text, order, false, &general))
          << text;
      EXPECT_EQ(fast, general) << text;
      fast = general = -1;
      EXPECT_EQ(io::ParseDateText(text, order, &fast),
                io::ParseDateText(" " + text, order, &general))
          << text;
      EXPECT_EQ(fast, general) << text;
    }
  }
  int64_t micros = 0;
  ASSERT_EQ(
      io::ParseTimestampText("2024-03-05T12:34:56", io::DateOrder::kMonthFirst, false, &micros),
      io::DateParse::kOk);
  EXPECT_EQ(micros, (DaysFromCivil(2024, 3, 5) * 86400 + 12 * 3600 + 34 * 60 + 56) * 1'000'000);
}

TEST(CsvReader, LineNumbersCountPhysicalLinesAcrossBlocks) {
  // Many records with embedded newlines, cut into tiny blocks, then a bad value at the end.
  std::string text = "id,note\n";
  int line = 2;
  for (int i = 0; i < 300; ++i) {
    text += std::to_string(i) + ",\"a\nb\"\n";
    line += 2;
  }
  text += "x,y\n";
  ReadOptions o;
  o.types["id"] = DataType::kInt64;
  try {
    Read(text, o, 2, 37);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).substr(0, 12), "t.csv:" + std::to_string(line) + ":1 ");
  }
}

// A varied file: quotes, embedded newlines, nulls, categories, widening, CRLF.
std::string MixedCsv(int rows) {
  std::string s = "id,name,score,when,flag,tag\r\n";
  for (int i = 0; i < rows; ++i) {
    s += std::to_string(i) + ",";
    s += (i % 7 == 0) ? "\"multi\nline, \"\"quoted\"\"\""
                      : (i % 5 == 0 ? "" : "n" + std::to_string(i % 13));
    s += ",";
    s += (i % 11 == 0) ? "NA" : std::to_string(i * 0.5);
    s += ",2024-01-" + std::to_string(1 + i % 28) + (i == rows - 3 ? " 10:00" : "");
    s += (i % 3 == 0) ? ",true" : ",false";
    s += (i == rows - 2) ? ",late-" : ",t";
    s += std::to_string(i % 4) + "\r\n";
  }
  return s;
}

void ExpectSameTable(const Table& a, const Table& b) {
  ASSERT_EQ(a.num_rows(), b.num_rows());
  ASSERT_EQ(a.num_columns(), b.num_columns());
  for (size_t c = 0; c < a.num_columns(); ++c) {
    ASSERT_EQ(a.schema().field(c).name, b.schema().field(c).name);
    ASSERT_EQ(a.schema().field(c).type, b.schema().field(c).type) << a.schema().field(c).name;
    if (a.column(c)->type() == DataType::kCategorical) {
      EXPECT_EQ(a.column(c)->dictionary(), b.column(c)->dictionary());
    }
    for (size_t r = 0; r < a.num_rows(); ++r) {
      ASSERT_EQ(a.column(c)->IsNull(r), b.column(c)->IsNull(r)) << c << " " << r;
      ASSERT_EQ(a.column(c)->FormatValue(r), b.column(c)->FormatValue(r)) << c << " " << r;
    }
  }
}

TEST(CsvReader, OneAndTwoThreadsAndAnyBlockSizeGiveTheSameTable) {
  const std::string text = MixedCsv(1500);
  ReadOptions o;
  o.sample_rows = 100;
  const Table one = Read(text, o, 1);
  EXPECT_EQ(one.num_rows(), 1500u);
  EXPECT_EQ(one.column("when").type(), DataType::kTimestamp);
  EXPECT_EQ(one.column("tag").type(),
            DataType::kCategorical);  // "late-" is outside the sample but fits
  for (size_t block : {size_t{3}, size_t{17}, size_t{256}, size_t{4096}}) {
    ExpectSameTable(one, Read(text, o, 2, block));
    ExpectSameTable(one, Read(text, o, 1, block));
  }
  // Record-by-record appends and the tokenizer's general loop alone read the same table.
  io::CsvTuning plain;
  plain.batch_records = 1;
  plain.fast_tokenizer = false;
  ExpectSameTable(one, ReadCsvText(text, "t.csv", o, Context(1), nullptr, plain));
}

TEST(CsvReader, RejectsAreIdenticalAcrossThreadsAndBlocks) {
  std::string text = MixedCsv(500);
  text += "1,2\r\n";
  text.insert(text.find("\r\n100,") + 2, "bad,row,with,too,many,fields,here\r\n");
  ReadOptions o;
  o.on_error = OnError::kReject;
  ReadReport r1, r2;
  const Table a = Read(text, o, 1, 1u << 20, &r1);
  const Table b = Read(text, o, 2, 29, &r2);
  ExpectSameTable(a, b);
  EXPECT_EQ(r1.rows_rejected, 2);
  EXPECT_EQ(r2.rows_rejected, 2);
  EXPECT_EQ(r1.rows_read, 502);
  io::CsvTuning plain;
  plain.batch_records = 1;
  plain.fast_tokenizer = false;
  ReadReport r3;
  ExpectSameTable(a, ReadCsvText(text, "t.csv", o, Context(1), &r3, plain));
  EXPECT_EQ(r3.rows_rejected, 2);
}

TEST(CsvReader, RoundTripsThroughWriteCsv) {
  testing::TempDir dir;
  const std::vector<std::string> texts = {"plain",      "",          "with,comma", "say \"hi\"",
                                          "two\nlines", "中文 text", " pad "};
  ColumnVector<uint8_t> valid = {1, 1, 1, 1, 1, 1, 1, 0};
  std::vector<std::string> strings = texts;
  strings.push_back("ignored");
  const auto s = Column::FromStringVector(strings, valid);
  const auto d = Column::FromDoubles({0.1, -2.5e-8, 1e300, 3.0, 0.0, 1.0 / 3.0, 42.125, 0}, valid);
  const auto i = Column::FromInts(DataType::kInt64, {1, -2, 3, 4, 5, 6, INT64_MAX, 0}, valid);
  const auto ts =
      Column::FromInts(DataType::kTimestamp, {0, 1, 1700000000000000, 86400000000, 5, 6, 7, 8});
  const Table t(Schema({{"s", DataType::kString},
                        {"d", DataType::kDouble},
                        {"i", DataType::kInt64},
                        {"ts", DataType::kTimestamp}}),
                {s, d, i, ts});
  const std::string path = dir.File("rt.csv");
  WriteCsv(t, path, Context(1));
  const Table back = ReadCsv(path, {}, Context(2));
  ExpectSameTable(t, back);
  EXPECT_EQ(back.column("s").StringAt(1), "");
  EXPECT_FALSE(back.column("s").IsNull(1));
  EXPECT_TRUE(back.column("s").IsNull(7));
}

TEST(CsvReader, ReadsGzipAndRejectsTruncatedGzip) {
  testing::TempDir dir;
  const std::string text = "a,b\n1,x\n2,y\n";
  std::string gz(256, '\0');
  z_stream zs{};
  deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(gz.data());
  zs.avail_out = static_cast<uInt>(gz.size());
  ASSERT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  gz.resize(zs.total_out);
  deflateEnd(&zs);
  const Table t = ReadCsv(dir.Write("a.csv.gz", gz), {}, Context(1));
  EXPECT_EQ(t.num_rows(), 2u);
  EXPECT_EQ(t.column("b").StringAt(1), "y");
  // Magic bytes alone are enough (no .gz name).
  EXPECT_EQ(ReadCsv(dir.Write("magic.csv", gz), {}, Context(1)).num_rows(), 2u);
  const std::string cut = dir.Write("cut.csv.gz", gz.substr(0, gz.size() - 10));
  try {
    ReadCsv(cut, {}, Context(1));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidData);
    EXPECT_NE(std::string(e.what()).find(cut + ": the gzip data is truncated"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace prospect
