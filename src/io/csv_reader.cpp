// CSV/TSV reader: RFC 4180 tokenizing, delimiter sniffing, sampled type inference with widening,
// parallel parsing over quote-aware record boundaries, rich errors and a rejects file.
//
// How the parallel parse stays identical to a sequential one: a record starts at the beginning of
// the data or right after a '\n' preceded by an even number of quote characters. Pass A counts
// quotes and newlines per fixed-size block (so each block knows its starting quote parity and
// line number); pass B gives every block the records that start inside it. A record that
// tokenizes cleanly always ends at such a newline, and after an error the reader skips to the
// next one, so every thread count and block size sees the same records.
#include <omp.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <exception>
#include <optional>
#include <unordered_map>

#include "io/column_chunk.hpp"
#include "io/csv_internal.hpp"
#include "io/read_report.hpp"
#include "io/text_source.hpp"
#include "io/type_inference.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace prospect::io {
namespace {

enum class Tok : uint8_t { kOk, kStrayQuote, kAfterQuote, kUnterminated, kTooLong };

class Tokenizer {
 public:
  Tokenizer(char delimiter, char quote, size_t max_field, bool fast_path = true,
            bool strict_quotes = true)
      : delim_(delimiter),
        quote_(quote),
        max_field_(max_field),
        fast_path_(fast_path),
        strict_quotes_(strict_quotes) {
    special_.fill(false);
    special_[static_cast<uint8_t>(delimiter)] = true;
    special_['\n'] = true;
    special_['\r'] = true;
    if (quote) special_[static_cast<uint8_t>(quote)] = true;
  }

  /// Splits the record starting at `p` into fields. On kOk, *next is the start of the next record;
  /// otherwise *error_at points at the problem. *newlines counts '\n' consumed (incl. the end).
  /// Without strict quotes, a quote inside an unquoted field is text, and `literal_quotes` (if
  /// given) counts the fields that hold one.
  [[gnu::flatten]] Tok Next(const char* p, const char* end, std::vector<CellText>& fields,
                            const char** next, const char** error_at, int64_t* newlines,
                            int64_t* literal_quotes = nullptr) const {
    fields.clear();
    *newlines = 0;
#ifdef __SSE2__
    // Fast path for the common record (unquoted fields ending in '\n' or "\r\n"): one bitmask of
    // delimiters, quotes, CRs and LFs per 64 bytes, walked bit by bit. A quote, a lone CR, a long
    // field or the last 64 bytes of the text hand over to the general loop below at the current
    // field, which then reads exactly as if it had started there.
    for (const char* window = p; fast_path_ && end - window >= 64; window += 64) {
      for (uint64_t mask = SpecialMask(window); mask != 0; mask &= mask - 1) {
        const char* at = window + __builtin_ctzll(mask);
        const char c = *at;
        const auto size = static_cast<size_t>(at - p);
        if (size > max_field_) goto general;
        if (c == delim_) {
          fields.push_back({p, size, false, false});
          p = at + 1;
          continue;
        }
        const bool crlf = c == '\r' && at + 1 < end && at[1] == '\n';
        if (c == '\n' || crlf) {
          fields.push_back({p, size, false, false});
          *next = at + (crlf ? 2 : 1);
          *newlines = 1;
          return Tok::kOk;
        }
        goto general;  // a quote or a lone CR
      }
    }
  general:
#endif
    for (;;) {
      if (p < end && *p == quote_ && quote_ != 0) {
        const char* open = p;
        const char* q = p + 1;
        bool escaped = false;
        for (;;) {
          q = static_cast<const char*>(std::memchr(q, quote_, static_cast<size_t>(end - q)));
          if (!q) {
            *error_at = open;
            return Tok::kUnterminated;
          }
          if (q + 1 < end && q[1] == quote_) {
            escaped = true;
            q += 2;
            continue;
          }
          break;
        }
        const size_t size = static_cast<size_t>(q - open - 1);
        if (size > max_field_) {
          *error_at = open;
          fields.push_back({open + 1, size, true, escaped});
          return Tok::kTooLong;
        }
        *newlines += std::count(open + 1, q, '\n');
        fields.push_back({open + 1, size, true, escaped});
        p = q + 1;
        const After after = AfterField(&p, end, next, newlines);
        if (after == After::kNextField) continue;
        if (after == After::kRecordEnd) return Tok::kOk;
        *error_at = p;
        return Tok::kAfterQuote;
      }
      const char* s = p;
      bool literal_quote = false;
      for (;;) {
        p = SkipPlain(p, end);
        // A lone carriage return (not before '\n') is ordinary text.
        if (p < end && *p == '\r' && delim_ != '\r' && p + 1 < end && p[1] != '\n') {
          ++p;
          continue;
        }
        if (p < end && *p == quote_ && quote_ != 0 && !strict_quotes_) {
          literal_quote = true;
          ++p;
          continue;
        }
        break;
      }
      if (literal_quote && literal_quotes) ++*literal_quotes;
      const size_t size = static_cast<size_t>(p - s);
      fields.push_back({s, size, false, false});
      if (size > max_field_) {
        *error_at = s;
        return Tok::kTooLong;
      }
      // A CR here ends the record: a lone one was taken as text above.
      const After after = AfterField(&p, end, next, newlines);
      if (after == After::kNextField) continue;
      if (after == After::kRecordEnd) return Tok::kOk;
      *error_at = p;  // a quote inside an unquoted field
      return Tok::kStrayQuote;
    }
  }

  /// What follows a field that ends at `*p`: the next field (*p steps over the delimiter), the end
  /// of the record (*next and *newlines set), or another byte (*p is left on it).
  enum class After : uint8_t { kNextField, kRecordEnd, kOther };
  [[gnu::always_inline]] After AfterField(const char** p, const char* end, const char** next,
                                          int64_t* newlines) const {
    const char* at = *p;
    if (at == end) {
      *next = end;
      return After::kRecordEnd;
    }
    if (*at == delim_) {
      *p = at + 1;
      return After::kNextField;
    }
    if (*at == '\n') {
      *next = at + 1;
      ++*newlines;
      return After::kRecordEnd;
    }
    if (*at == '\r' && (at + 1 == end || at[1] == '\n')) {
      *next = at + 1 == end ? end : at + 2;
      *newlines += at + 1 != end;
      return After::kRecordEnd;
    }
    return After::kOther;
  }

  /// After a bad record: the start of the next record (after a '\n' at even quote parity), or
  /// nullptr when the quotes never balance before the end.
  const char* Skip(const char* p, const char* end, int64_t* newlines) const {
    bool odd = false;
    *newlines = 0;
    for (; p < end; ++p) {
      if (*p == quote_ && quote_ != 0) {
        odd = !odd;
      } else if (*p == '\n') {
        ++*newlines;
        if (!odd) return p + 1;
      }
    }
    return odd ? nullptr : end;
  }

#ifdef __SSE2__
  // Bit i set when p[i] (i < 64) is a delimiter, quote, CR or LF.
  uint64_t SpecialMask(const char* p) const {
    const __m128i d = _mm_set1_epi8(delim_), q = _mm_set1_epi8(quote_ ? quote_ : delim_);
    const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    uint64_t mask = 0;
    for (int k = 0; k < 4; ++k) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
      const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, d), _mm_cmpeq_epi8(v, q)),
                                       _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)));
      mask |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(hit))) << (16 * k);
    }
    return mask;
  }
#endif

  // First delimiter, quote, CR or LF at or after p (or end); 16 bytes at a time where SSE2 exists.
  const char* SkipPlain(const char* p, const char* end) const {
#ifdef __SSE2__
    const __m128i d = _mm_set1_epi8(delim_), q = _mm_set1_epi8(quote_ ? quote_ : delim_);
    const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    while (end - p >= 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, d), _mm_cmpeq_epi8(v, q)),
                                       _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)));
      const int mask = _mm_movemask_epi8(hit);
      if (mask) return p + __builtin_ctz(static_cast<unsigned>(mask));
      p += 16;
    }
#endif
    while (p < end && !special_[static_cast<uint8_t>(*p)]) ++p;
    return p;
  }

  char delimiter() const { return delim_; }
  char quote() const { return quote_; }

 private:
  char delim_, quote_;
  size_t max_field_;
  bool fast_path_;
  bool strict_quotes_;
  std::array<bool, 256> special_;
};

struct CharCounts {
  uint64_t quotes = 0;
  uint64_t newlines = 0;
};

// Quote characters and '\n's in [p, end): pass A reads every byte of the file once, so 16 at a
// time.
CharCounts CountQuotesAndNewlines(const char* p, const char* end, char quote) {
  CharCounts counts;
#ifdef __SSE2__
  // Byte-wide counters (a match compares to -1) for at most 255 vectors, then summed with SAD.
  const __m128i q = _mm_set1_epi8(quote), lf = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
  while (end - p >= 16) {
    __m128i acc_q = zero, acc_n = zero;
    for (int run = 0; run < 255 && end - p >= 16; ++run, p += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      acc_q = _mm_sub_epi8(acc_q, _mm_cmpeq_epi8(v, q));
      acc_n = _mm_sub_epi8(acc_n, _mm_cmpeq_epi8(v, lf));
    }
    const __m128i sum_q = _mm_sad_epu8(acc_q, zero), sum_n = _mm_sad_epu8(acc_n, zero);
    counts.quotes += static_cast<uint64_t>(_mm_cvtsi128_si64(sum_q) + _mm_extract_epi16(sum_q, 4));
    counts.newlines +=
        static_cast<uint64_t>(_mm_cvtsi128_si64(sum_n) + _mm_extract_epi16(sum_n, 4));
  }
#endif
  for (; p < end; ++p) {
    counts.quotes += *p == quote;
    counts.newlines += *p == '\n';
  }
  return counts;
}

std::string DelimiterName(char d) {
  if (d == '\t') return "tab";
  return QuoteForMessage(std::string_view(&d, 1));
}

bool IsBlank(const std::vector<CellText>& fields) {
  return fields.size() == 1 && fields[0].size == 0 && !fields[0].quoted;
}

// A field's text with its doubled quotes (if any) undone.
std::string Unescape(const CellText& f, char quote) {
  const std::string_view text(f.begin, f.size);
  if (!f.escaped) return std::string(text);
  std::string out;
  out.reserve(f.size);
  AppendUnescaped(out, text, quote);
  return out;
}

// Text of a record without its line ending (for the rejects file).
std::string_view RawRecord(const char* begin, const char* next) {
  std::string_view raw(begin, static_cast<size_t>(next - begin));
  if (!raw.empty() && raw.back() == '\n') raw.remove_suffix(1);
  if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
  return raw;
}

// An error found while parsing one record.
struct RecordError {
  std::string message;  // the full message for --on-error fail
  std::string column;   // for the rejects file
  std::string value;
  std::string reason;
  bool fatal = false;  // not rejectable: the rest of the file cannot be trusted
};

struct ParseContext {
  std::string_view text;
  const std::string* name;
  const Tokenizer* tok;
  const std::vector<ColumnSpec>* specs;
  const NullMatcher* nulls;
  const ReadOptions* options;
};

std::string ColumnLabel(const ParseContext& pc, size_t index) {
  if (index < pc.specs->size()) return fmt::format(" (column \"{}\")", (*pc.specs)[index].name);
  return "";
}

// Builds the error for a tokenizer failure of the record starting at `rec` on line `line`.
RecordError TokenizerError(const ParseContext& pc, Tok status, const char* rec, int64_t line,
                           const char* at, const std::vector<CellText>& fields) {
  const size_t rec_off = static_cast<size_t>(rec - pc.text.data());
  const Location loc = LocateIn(pc.text, rec_off, line, static_cast<size_t>(at - pc.text.data()));
  // The failing field is the last one pushed, except for an unterminated quote (never pushed).
  const size_t index =
      status == Tok::kUnterminated || fields.empty() ? fields.size() : fields.size() - 1;
  RecordError e;
  e.column = index < pc.specs->size() ? (*pc.specs)[index].name : "";
  // Every message reads "file:line:column[ (column "name")]: what is wrong. Possible fix(es): ...".
  auto failure = [&](bool fatal, bool names_column, std::string reason, std::string_view problem,
                     std::string_view fixes) {
    e.fatal = fatal;
    e.reason = std::move(reason);
    e.message = fmt::format("{}:{}:{}{}: {}. {}", *pc.name, loc.line, loc.column,
                            names_column ? ColumnLabel(pc, index) : "", problem, fixes);
    return e;
  };
  switch (status) {
    case Tok::kStrayQuote:
      return failure(false, true, "a quote inside an unquoted field",
                     "a quote inside an unquoted field",
                     "Possible fixes: quote the whole field and double the quotes in it (\"12\"\" "
                     "pizza\" for 12\" "
                     "pizza), or use --on-error reject.");
    case Tok::kAfterQuote: {
      std::string reason = fmt::format("{} after the closing quote of a quoted field",
                                       QuoteForMessage(std::string_view(at, 1)));
      const std::string problem = "unexpected " + reason;
      return failure(false, true, std::move(reason), problem,
                     "Possible fixes: double the quotes inside a quoted field (\"\"), or use "
                     "--on-error reject.");
    }
    case Tok::kUnterminated:
      // The quote may have run over many lines: the message names the line it opened on.
      return failure(
          true, false, "unterminated quoted field",
          fmt::format(
              "a quoted field opened on line {} is never closed (the quote runs to the end of "
              "the file)",
              loc.line),
          "Possible fix: close the quote, and double the quotes inside quoted fields (\"\").");
    case Tok::kTooLong:
      return failure(
          true, true, "field too long",
          fmt::format("a field of {} bytes is longer than the limit of {} bytes (max_field_bytes)",
                      fields.empty() ? 0 : fields.back().size, pc.options->max_field_bytes),
          "Possible fixes: check for an unbalanced quote, or raise the limit.");
    case Tok::kOk: break;
  }
  return e;
}

RecordError RaggedError(const ParseContext& pc, int64_t line, size_t got) {
  RecordError e;
  const size_t want = pc.specs->size();
  e.reason = fmt::format("has {} fields, expected {}", got, want);
  e.message = fmt::format(
      "{}:{}: line {} has {} fields, expected {} (the header has {}; delimiter {}). Possible "
      "fixes: quote fields "
      "that contain the delimiter, check --delimiter, or use --on-error reject.",
      *pc.name, line, line, got, want, want, DelimiterName(pc.tok->delimiter()));
  return e;
}

RecordError CellError(const ParseContext& pc, CellStatus status, const char* rec, int64_t line,
                      const CellText& f, size_t index) {
  const ColumnSpec& spec = (*pc.specs)[index];
  const size_t rec_off = static_cast<size_t>(rec - pc.text.data());
  RecordError e;
  e.column = spec.name;
  e.value = Unescape(f, pc.tok->quote());
  if (status == CellStatus::kBadUtf8) {
    const size_t bad = FindInvalidUtf8(f.begin, f.size);
    const size_t at = static_cast<size_t>(f.begin - pc.text.data()) + std::min(bad, f.size);
    const Location loc = LocateIn(pc.text, rec_off, line, at);
    e.reason =
        fmt::format("invalid UTF-8 (byte 0x{:02X})", static_cast<unsigned char>(f.begin[bad]));
    e.message = fmt::format(
        "{}:{}:{} (column \"{}\"): {}. Possible fixes: save the file as UTF-8, or read it as "
        "Latin-1 "
        "(--encoding latin1, or encoding = \"latin1\" in prospect.toml [tables.NAME]).",
        *pc.name, loc.line, loc.column, spec.name, e.reason);
    return e;
  }
  const size_t start = static_cast<size_t>(f.begin - pc.text.data()) - (f.quoted ? 1 : 0);
  const Location loc = LocateIn(pc.text, rec_off, line, start);
  std::string detail;
  if (spec.type == DataType::kDate || spec.type == DataType::kTimestamp) {
    int64_t v;
    const DateParse r = spec.type == DataType::kDate
                            ? ParseDateText(e.value, spec.order, &v)
                            : ParseTimestampText(e.value, spec.order, spec.declared, &v);
    if (r == DateParse::kInvalidDay) detail = " (no such day or time)";
  }
  e.reason =
      fmt::format("{} is not {}{}", QuoteForMessage(e.value), TypeWithArticle(spec.type), detail);
  e.message = fmt::format("{}:{}:{} (column \"{}\"): {}. {}", *pc.name, loc.line, loc.column,
                          spec.name, e.reason, kCellFixes);
  return e;
}

// The records that start inside one block, parsed into column chunks.
struct BlockResult {
  std::vector<ColumnChunk> columns;
  std::vector<std::optional<DataType>> widen;  // per column: wider type some cell needs
  std::vector<RejectRow> rejects;
  int64_t rows_seen = 0;
  int64_t literal_quotes = 0;        // unquoted fields holding a quote, read literally
  std::optional<RecordError> error;  // first error (fail mode) or fatal error
  int64_t error_line = 0;
  std::exception_ptr exception;
};

struct BlockInfo {
  size_t begin;  // offsets into text
  size_t end;
  bool odd;      // quote parity at begin
  int64_t line;  // line number at begin
};

// First record start at or after `offset` (any byte position), or the end of the text.
size_t RecordStartAt(std::string_view text, const std::vector<BlockInfo>& blocks, size_t block,
                     char quote, size_t data_begin, size_t offset) {
  if (offset <= data_begin) return data_begin;
  const BlockInfo& b = blocks[std::min(blocks.size() - 1, (offset - data_begin) / block)];
  bool odd = b.odd;
  if (quote != 0)
    odd ^= CountQuotesAndNewlines(text.data() + b.begin, text.data() + offset, quote).quotes & 1;
  if (!odd && text[offset - 1] == '\n') return offset;
  for (size_t i = offset; i < text.size(); ++i) {
    if (text[i] == quote && quote != 0) {
      odd = !odd;
    } else if (text[i] == '\n' && !odd) {
      return i + 1;
    }
  }
  return text.size();
}

// First record start at or after block.begin (nullopt when none starts inside the block).
std::optional<std::pair<size_t, int64_t>> FirstRecord(std::string_view text, const BlockInfo& b,
                                                      char quote, size_t data_begin) {
  if (b.begin == data_begin) return std::make_pair(b.begin, b.line);
  bool odd = b.odd;
  int64_t line = b.line;
  if (!odd && text[b.begin - 1] == '\n') return std::make_pair(b.begin, line);
  for (size_t i = b.begin; i < b.end; ++i) {
    const char c = text[i];
    if (c == quote && quote != 0) {
      odd = !odd;
    } else if (c == '\n') {
      ++line;
      if (!odd) {
        if (i + 1 < b.end) return std::make_pair(i + 1, line);
        return std::nullopt;
      }
    }
  }
  return std::nullopt;
}

// A well-formed record waiting in a batch.
struct BatchRecord {
  const char* begin;
  const char* next;
  int64_t line;
};

// Records are gathered into batches whose cells are then appended column by column (one type
// switch per column, not per cell). A batch with a bad cell is undone and appended again record by
// record, the way a record-at-a-time reader would: same first error, same rejects, same rows.
void ParseBlock(const ParseContext& pc, const BlockInfo& b, size_t data_begin, size_t reserve_rows,
                size_t batch_records, BlockResult* out) {
  const std::vector<ColumnSpec>& specs = *pc.specs;
  const size_t ncols = specs.size();
  out->columns.resize(ncols);
  out->widen.assign(ncols, std::nullopt);
  for (size_t c = 0; c < ncols; ++c) out->columns[c].Init(specs[c].type, reserve_rows);
  const auto first = FirstRecord(pc.text, b, pc.tok->quote(), data_begin);
  if (!first) return;
  const char* base = pc.text.data();
  const char* end = base + pc.text.size();
  const char* rec = base + first->first;
  int64_t line = first->second;
  const bool reject = pc.options->on_error == OnError::kReject;
  const char quote = pc.tok->quote();
  std::vector<CellText> fields;
  fields.reserve(ncols + 1);
  std::vector<CellText> batch_cells;
  batch_cells.reserve(batch_records * ncols);
  std::vector<BatchRecord> batch;
  batch.reserve(batch_records);
  size_t rows = 0;  // rows appended (and kept) so far

  // A record's error: kept as a reject, or the end of the block (false).
  auto handle_error = [&](RecordError err, const char* begin, const char* next, int64_t at_line) {
    if (err.fatal || !reject) {
      out->error = std::move(err);
      out->error_line = at_line;
      return false;
    }
    out->rejects.push_back({at_line, err.column, err.value, err.reason,
                            std::string(RawRecord(begin, next ? next : end))});
    return true;
  };
  // Appends one record; a bad cell undoes the record and is returned.
  auto append_record = [&](const CellText* cells,
                           const BatchRecord& r) -> std::optional<RecordError> {
    for (size_t c = 0; c < ncols; ++c) {
      const CellText& f = cells[c];
      DataType widen_to;
      const CellStatus cs =
          out->columns[c].Append(specs[c], *pc.nulls, std::string_view(f.begin, f.size), f.quoted,
                                 f.escaped, quote, &widen_to);
      if (cs == CellStatus::kOk) continue;
      if (cs == CellStatus::kWiden) {
        out->widen[c] = out->widen[c] ? WidenType(*out->widen[c], widen_to) : widen_to;
        continue;
      }
      for (auto& column : out->columns) column.Truncate(rows);
      return CellError(pc, cs, r.begin, r.line, f, c);
    }
    ++rows;
    return std::nullopt;
  };
  // Appends the batch; false when an error ends the block.
  std::vector<std::optional<DataType>> widen_before;
  auto flush = [&] {
    const size_t n = batch.size();
    widen_before = out->widen;  // a replay must not keep widenings seen only past its first error
    bool clean = true;
    for (size_t c = 0; c < ncols && clean; ++c) {
      clean = out->columns[c].AppendColumn(specs[c], *pc.nulls, batch_cells.data() + c, ncols, n,
                                           quote, &out->widen[c]) == n;
    }
    bool go_on = true;
    if (clean) {
      rows += n;
    } else {
      for (auto& column : out->columns) column.Truncate(rows);
      out->widen = widen_before;
      for (size_t i = 0; i < n && go_on; ++i) {
        if (auto err = append_record(batch_cells.data() + i * ncols, batch[i])) {
          go_on = handle_error(std::move(*err), batch[i].begin, batch[i].next, batch[i].line);
        }
      }
    }
    batch.clear();
    batch_cells.clear();
    return go_on;
  };

  while (rec < base + b.end && rec < end) {
    const char* next = nullptr;
    const char* at = nullptr;
    int64_t newlines = 0;
    const Tok st = pc.tok->Next(rec, end, fields, &next, &at, &newlines, &out->literal_quotes);
    if (st == Tok::kOk && IsBlank(fields)) {
      rec = next;
      line += newlines;
      continue;
    }
    ++out->rows_seen;
    if (st == Tok::kOk && fields.size() == ncols) {
      batch.push_back({rec, next, line});
      batch_cells.insert(batch_cells.end(), fields.begin(), fields.end());
      rec = next;
      line += newlines;
      if (batch.size() >= batch_records && !flush()) return;
      continue;
    }
    // A broken record: the batch before it goes first, so rejects stay in file order.
    if (!flush()) return;
    RecordError err = st == Tok::kOk ? RaggedError(pc, line, fields.size())
                                     : TokenizerError(pc, st, rec, line, at, fields);
    if (st != Tok::kOk && !err.fatal && reject) {
      next = pc.tok->Skip(rec, end, &newlines);
      if (!next) {
        err.fatal = true;
        err.message +=
            " The quotes in the rest of the file do not balance, so it cannot be read row by row.";
      }
    }
    if (!handle_error(std::move(err), rec, next, line)) return;
    rec = next;
    line += newlines;
  }
  flush();
}

// Tokenizes header names, applies header=false, fills empty names, rejects duplicates.
std::vector<std::string> HeaderNames(const ParseContext& pc, const std::vector<CellText>& fields) {
  std::vector<std::string> names;
  std::unordered_map<std::string, size_t> seen;
  for (size_t i = 0; i < fields.size(); ++i) {
    std::string name = pc.options->header ? Unescape(fields[i], pc.tok->quote()) : std::string();
    if (pc.options->header) {
      const size_t bad = FindInvalidUtf8(name.data(), name.size());
      if (bad != name.size()) {
        Fail(ErrorCode::kInvalidData,
             "{}:1: header column {} is not valid UTF-8. Possible fixes: save the file as UTF-8, "
             "or read it as "
             "Latin-1 (--encoding latin1).",
             *pc.name, i + 1);
      }
    }
    if (Trim(name).empty()) name = fmt::format("column_{}", i + 1);
    auto [it, inserted] = seen.emplace(name, i);
    if (!inserted) {
      Fail(ErrorCode::kInvalidData,
           "{}:1: duplicate column name {} (columns {} and {}). Possible fix: rename one of them "
           "in the header.",
           *pc.name, QuoteForMessage(name), it->second + 1, i + 1);
    }
    names.push_back(std::move(name));
  }
  return names;
}

}  // namespace

char SniffDelimiter(std::string_view text, char quote, char decimal) {
  constexpr char kCandidates[] = {',', ';', '\t', '|'};
  constexpr int kLines = 30;
  char best = decimal == ',' ? ';' : ',';
  // Score: consistent lines first, then fields per line.
  std::pair<int, size_t> best_score{-1, 0};
  std::vector<CellText> fields;
  for (char d : kCandidates) {
    if (d == decimal) continue;
    const Tokenizer tok(d, quote, SIZE_MAX, true, /*strict_quotes=*/false);
    const char* p = text.data();
    const char* end = p + text.size();
    std::vector<size_t> counts;
    while (p < end && static_cast<int>(counts.size()) < kLines) {
      const char* next;
      const char* at;
      int64_t nl;
      if (tok.Next(p, end, fields, &next, &at, &nl) != Tok::kOk) break;
      if (!IsBlank(fields)) counts.push_back(fields.size());
      p = next;
    }
    if (counts.empty() || counts[0] < 2) continue;
    int agree = 0;
    for (size_t c : counts) agree += c == counts[0];
    const std::pair<int, size_t> score{agree, counts[0]};
    if (score > best_score) {
      best_score = score;
      best = d;
    }
  }
  return best;
}

Table ReadCsvText(std::string_view all, const std::string& name, const ReadOptions& options,
                  const Context& ctx, ReadReport* report, const CsvTuning& tuning) {
  ReadReport local_report;
  ReadReport& rep = report ? *report : local_report;
  rep = ReadReport{};
  size_t begin = 0;
  if (all.size() >= 3 && all.substr(0, 3) == "\xEF\xBB\xBF") begin = 3;  // UTF-8 byte order mark
  const std::string_view text = all;
  if (all.find_first_not_of(" \t\r\n", begin) == std::string_view::npos) {
    Fail(ErrorCode::kInvalidData,
         "{} is empty: no header line. Possible fix: check that this is the right file.", name);
  }
  if (text.find('\n', begin) == std::string_view::npos &&
      text.find('\r', begin) != std::string_view::npos) {
    Fail(ErrorCode::kInvalidData,
         "{}: lines end in a bare carriage return (old Mac style), which is not supported. "
         "Possible fix: convert "
         "the line endings to LF or CRLF.",
         name);
  }
  if (options.quote == '\n' || options.quote == '\r' ||
      (options.delimiter != 0 && options.delimiter == options.quote) || options.delimiter == '\n' ||
      options.delimiter == '\r') {
    Fail(ErrorCode::kInvalidArgument,
         "reading {}: the delimiter and quote must differ and not be line breaks", name);
  }
  if (options.decimal != '.' && options.decimal != ',') {
    Fail(ErrorCode::kInvalidArgument,
         "reading {}: the decimal separator must be '.' or ',', not {}", name,
         QuoteForMessage(std::string_view(&options.decimal, 1)));
  }
  const char delimiter = options.delimiter
                             ? options.delimiter
                             : SniffDelimiter(text.substr(begin), options.quote, options.decimal);
  if (delimiter == options.decimal) {
    Fail(ErrorCode::kInvalidArgument,
         "reading {}: the decimal separator {} is also the field delimiter. Possible fix: name the "
         "delimiter "
         "(--delimiter ';').",
         name, QuoteForMessage(std::string_view(&options.decimal, 1)));
  }
  const Tokenizer tok(delimiter, options.quote, options.max_field_bytes, tuning.fast_tokenizer,
                      options.strict_quotes);
  const NullMatcher nulls(options.null_values);
  std::vector<ColumnSpec> specs;
  ParseContext pc{text, &name, &tok, &specs, &nulls, &options};

  // Header (or the first record, to count columns).
  std::vector<CellText> fields;
  const char* next = nullptr;
  const char* at = nullptr;
  int64_t header_newlines = 0;
  int64_t header_line = 1;
  {
    const char* p = text.data() + begin;
    Tok st;
    // Skip leading blank lines before the header.
    int64_t& line = header_line;
    for (;;) {
      st = tok.Next(p, text.data() + text.size(), fields, &next, &at, &header_newlines);
      if (st != Tok::kOk || !IsBlank(fields)) break;
      line += header_newlines;
      begin = static_cast<size_t>(next - text.data());
      p = next;
    }
    if (st != Tok::kOk) {
      RecordError e = TokenizerError(pc, st, p, line, at, fields);
      Fail(ErrorCode::kInvalidData, "{}", e.message);
    }
  }
  const std::vector<std::string> names = HeaderNames(pc, fields);
  const size_t data_begin = options.header ? static_cast<size_t>(next - text.data()) : begin;
  const int64_t first_line = options.header ? header_line + header_newlines : header_line;
  for (const std::string& column : names) {
    specs.push_back(SpecFor(column, options));
    specs.back().decimal = options.decimal;
  }
  WarnAboutUnknownTypedColumns(options, names, name, &rep);

  // Pass A: quote parity and line number at each block start.
  const size_t block = std::max<size_t>(tuning.block_bytes, 1);
  const size_t data_size = text.size() - data_begin;
  size_t nblocks = std::max<size_t>(1, (data_size + block - 1) / block);
  std::vector<BlockInfo> blocks(nblocks);
  std::vector<uint64_t> quotes(nblocks), lines(nblocks);
  const int threads = std::max(1, ctx.threads());
  const char quote = options.quote;
#pragma omp parallel for schedule(static) num_threads(threads)
  for (size_t b = 0; b < nblocks; ++b) {
    const size_t lo = data_begin + b * block, hi = std::min(text.size(), lo + block);
    const CharCounts counts = CountQuotesAndNewlines(text.data() + lo, text.data() + hi, quote);
    quotes[b] = quote ? counts.quotes : 0;
    lines[b] = counts.newlines;
  }
  {
    bool odd = false;
    int64_t line = first_line;
    for (size_t b = 0; b < nblocks; ++b) {
      const size_t lo = data_begin + b * block;
      blocks[b] = {lo, std::min(text.size(), lo + block), odd, line};
      odd ^= quotes[b] & 1;
      line += static_cast<int64_t>(lines[b]);
    }
  }

  // Sample: rows from up to 32 places spread over the file.
  size_t sample_bytes = 0, sample_records = 0;
  {
    std::vector<TypeGuesser> guessers;
    for (size_t c = 0; c < specs.size(); ++c) guessers.emplace_back(false, options.decimal);
    // Segments start at fixed fractions of the data, so the sample (and so the types) do not
    // depend on the block size or the thread count.
    constexpr size_t kSegments = 32;
    const size_t per_segment =
        std::max<size_t>(1, (options.sample_rows + kSegments - 1) / kSegments);
    size_t done_until = data_begin;
    std::string scratch;
    for (size_t s = 0; s < kSegments; ++s) {
      const size_t start = RecordStartAt(text, blocks, block, quote, data_begin,
                                         data_begin + s * data_size / kSegments);
      const char* p = text.data() + std::max(start, done_until);
      const char* end = text.data() + text.size();
      size_t taken = 0;
      while (p < end && taken < per_segment) {
        int64_t nl;
        const Tok st = tok.Next(p, end, fields, &next, &at, &nl);
        if (st != Tok::kOk) {
          next = tok.Skip(p, end, &nl);
          if (!next) break;
          p = next;
          continue;
        }
        sample_bytes += static_cast<size_t>(next - p);
        ++sample_records;
        p = next;
        if (IsBlank(fields) || fields.size() != specs.size()) continue;
        ++taken;
        for (size_t c = 0; c < specs.size(); ++c) {
          if (specs[c].declared) continue;
          const CellText& f = fields[c];
          std::string_view cell(f.begin, f.size);
          if (f.escaped) {
            scratch = Unescape(f, quote);
            cell = scratch;
          }
          if (cell.empty() || nulls.IsNull(cell, f.quoted)) continue;
          guessers[c].Observe(cell);
        }
      }
      done_until = static_cast<size_t>(p - text.data());
    }
    for (size_t c = 0; c < specs.size(); ++c) {
      if (specs[c].declared) continue;
      specs[c].type = guessers[c].Result();
      specs[c].order = guessers[c].order();
    }
  }
  // Declared ambiguous slash dates: take the order from the sample as well.
  {
    std::vector<DateOrderEvidence> evidence(specs.size());
    bool any = false;
    for (const auto& s : specs)
      any |= s.declared && (s.type == DataType::kDate || s.type == DataType::kTimestamp);
    if (any) {
      const char* p = text.data() + data_begin;
      const char* end = text.data() + text.size();
      for (size_t n = 0; p < end && n < options.sample_rows; ++n) {
        int64_t nl;
        if (tok.Next(p, end, fields, &next, &at, &nl) != Tok::kOk) break;
        p = next;
        if (fields.size() != specs.size()) continue;
        for (size_t c = 0; c < specs.size(); ++c) {
          if (specs[c].declared &&
              (specs[c].type == DataType::kDate || specs[c].type == DataType::kTimestamp)) {
            ObserveDateOrder(std::string_view(fields[c].begin, fields[c].size), &evidence[c]);
          }
        }
      }
      for (size_t c = 0; c < specs.size(); ++c) {
        if (specs[c].declared && evidence[c].first_over_12) specs[c].order = DateOrder::kDayFirst;
      }
    }
  }

  const size_t avg_record =
      sample_records ? std::max<size_t>(1, sample_bytes / sample_records) : 64;
  const size_t reserve_rows = std::min(block, data_size) / avg_record + 16;

  // Pass B, repeated when an inferred column needs a wider type.
  std::vector<BlockResult> results;
  for (int attempt = 0;; ++attempt) {
    results.clear();
    results.resize(nblocks);
    std::atomic<size_t> first_failed{SIZE_MAX};
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (size_t b = 0; b < nblocks; ++b) {
      if (ctx.cancelled() || b > first_failed.load(std::memory_order_relaxed)) continue;
      try {
        ParseBlock(pc, blocks[b], data_begin, reserve_rows,
                   std::max<size_t>(1, tuning.batch_records), &results[b]);
      } catch (...) {
        results[b].exception = std::current_exception();
      }
      if (results[b].error || results[b].exception) {
        size_t cur = first_failed.load();
        while (b < cur && !first_failed.compare_exchange_weak(cur, b)) {
        }
      }
    }
    ctx.ThrowIfCancelled();
    // A quote read literally flips the quote parity that placed the block boundaries, so the
    // blocks after it may start inside a record: read the text again as one block.
    if (nblocks > 1 && std::any_of(results.begin(), results.end(),
                                   [](const auto& r) { return r.literal_quotes > 0; })) {
      blocks = {BlockInfo{data_begin, text.size(), false, first_line}};
      nblocks = 1;
      continue;
    }
    bool widened = false;
    for (size_t c = 0; c < specs.size(); ++c) {
      DataType t = specs[c].type;
      for (size_t b = 0; b < nblocks; ++b) {
        if (results[b].widen.size() > c && results[b].widen[c])
          t = WidenType(t, *results[b].widen[c]);
      }
      if (t != specs[c].type) {
        rep.warnings.push_back(
            fmt::format("column \"{}\": values after the sampled rows do not fit {}; read as {}",
                        specs[c].name, DataTypeName(specs[c].type), DataTypeName(t)));
        specs[c].type = t;
        widened = true;
      }
    }
    if (widened && attempt < 16) continue;
    for (size_t b = 0; b < nblocks; ++b) {
      if (results[b].exception) std::rethrow_exception(results[b].exception);
      if (results[b].error) Fail(ErrorCode::kInvalidData, "{}", results[b].error->message);
    }
    break;
  }

  // Merge the blocks column by column.
  std::vector<ColumnPtr> columns(specs.size());
  std::vector<std::exception_ptr> merge_errors(specs.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (size_t c = 0; c < specs.size(); ++c) {
    try {
      std::vector<ColumnChunk*> parts;
      parts.reserve(nblocks);
      for (auto& r : results) parts.push_back(&r.columns[c]);
      columns[c] = ColumnChunk::Merge(specs[c].type, std::move(parts));
    } catch (...) {
      merge_errors[c] = std::current_exception();
    }
  }
  for (auto& e : merge_errors) {
    if (e) std::rethrow_exception(e);
  }
  std::vector<RejectRow> rejects;
  for (auto& r : results) {
    rep.rows_read += r.rows_seen;
    rep.literal_quote_fields += r.literal_quotes;
    for (const auto& column : r.columns)
      rep.blank_cells_as_null += static_cast<int64_t>(column.blank_nulls());
    for (auto& row : r.rejects) rejects.push_back(std::move(row));
  }
  ReportRejects(rejects, options, &rep);
  ctx.Progress("read", text.size(), text.size());
  return TableOf(specs, std::move(columns));
}

}  // namespace prospect::io
