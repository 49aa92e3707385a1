// Text source and decoding: reading a file whole (in parallel pieces), gunzip, the binary and .gz
// name checks, Latin-1 to UTF-8, UTF-8 validation and positions for messages.
#include "io/text_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace prospect::io {
namespace {

bool EndsWithGz(const std::string& path) {
  return path.size() >= 3 && ToLower(path.substr(path.size() - 3)) == ".gz";
}

std::string Gunzip(std::string_view bytes, const std::string& name) {
  std::string out;
  // The gzip trailer holds the uncompressed size mod 2^32: a good first guess for the buffer.
  size_t guess = bytes.size() * 4;
  if (bytes.size() >= 18) {
    uint32_t isize;
    std::memcpy(&isize, bytes.data() + bytes.size() - 4, 4);
    // Deflate expands at most ~1032:1, so a larger trailer value is garbage (a truncated file).
    if (isize > bytes.size() && isize / 1032 <= bytes.size())
      guess = std::min<size_t>(isize + 1, size_t{1} << 31);
  }
  out.resize(std::max<size_t>(guess, 1 << 16));
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
    Fail(ErrorCode::kInternal, "zlib inflateInit2 failed");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  size_t in_left = bytes.size();
  size_t produced = 0;
  int rc = Z_OK;
  for (;;) {
    if (produced == out.size()) out.resize(out.size() * 2);
    const uInt in_chunk = static_cast<uInt>(std::min<size_t>(in_left, 1u << 30));
    zs.avail_in = in_chunk;
    const size_t out_room = std::min<size_t>(out.size() - produced, 1u << 30);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(out_room);
    rc = inflate(&zs, Z_NO_FLUSH);
    produced += out_room - zs.avail_out;
    in_left -= in_chunk - zs.avail_in;
    if (rc == Z_STREAM_END) {
      // Concatenated gzip members (as `cat a.gz b.gz` makes) are one stream.
      if (in_left == 0) break;
      if (inflateReset(&zs) != Z_OK) Fail(ErrorCode::kInternal, "zlib inflateReset failed");
      continue;
    }
    if (rc == Z_BUF_ERROR && in_left == 0) {
      Fail(ErrorCode::kInvalidData,
           "{}: the gzip data is truncated (it ends after {} compressed bytes, before the end of "
           "the stream). "
           "Possible fix: copy or download the file again; `gzip -t` checks it.",
           name, bytes.size());
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      Fail(ErrorCode::kInvalidData,
           "{}: the gzip data is corrupt ({}). Possible fix: copy or download the file again; "
           "`gzip -t` checks it.",
           name, zs.msg ? zs.msg : "zlib error " + std::to_string(rc));
    }
  }
  out.resize(produced);
  return out;
}

std::string Latin1ToUtf8(std::string_view in) {
  size_t high = 0;
  for (unsigned char c : in) high += c >= 0x80;
  if (high == 0) return std::string(in);
  std::string out;
  out.reserve(in.size() + high);
  for (unsigned char c : in) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

bool IsGzip(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

// A .gz name on data that is not gzip (an empty file passes: there is nothing to misread).
void CheckGzipName(const std::string& path, std::string_view bytes) {
  if (EndsWithGz(path) && !IsGzip(bytes) && !bytes.empty()) {
    Fail(ErrorCode::kInvalidData,
         "{}: the name ends in .gz but the file is not gzip data. Possible fix: rename it.", path);
  }
}

[[noreturn]] void FailBinary(std::string_view text, size_t nul, const std::string& name) {
  const Location at = LocateIn(text, 0, 1, nul);
  Fail(ErrorCode::kInvalidData,
       "{}:{}:{}: the file looks binary (it contains a NUL byte), not CSV or JSON Lines text. "
       "Possible fixes: check that this is the right file; decompress or export it as text first.",
       name, at.line, at.column);
}

// The text to parse from bytes that are not gzip data and hold no NUL: nullopt when the bytes
// themselves are that text (UTF-8), else their transcoding.
std::optional<std::string> Transcode(std::string_view bytes, TextEncoding encoding) {
  if (encoding == TextEncoding::kLatin1) return Latin1ToUtf8(bytes);
  return std::nullopt;
}

// Gunzips, checks for NUL bytes and transcodes bytes already in memory.
std::string PrepareBytes(std::string_view bytes, const std::string& name, TextEncoding encoding) {
  std::string text = IsGzip(bytes) ? Gunzip(bytes, name) : std::string(bytes);
  if (const void* nul = std::memchr(text.data(), 0, text.size())) {
    FailBinary(text, static_cast<size_t>(static_cast<const char*>(nul) - text.data()), name);
  }
  if (auto transcoded = Transcode(text, encoding)) return std::move(*transcoded);
  return text;
}

// Reads what is left of a stream that has no size up front (a pipe).
std::string ReadStream(int fd, const std::string& path) {
  std::string bytes;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      Fail(ErrorCode::kIo, "cannot read {}: {}", path, std::strerror(errno));
    }
    bytes.append(buf, static_cast<size_t>(n));
  }
  return bytes;
}

// Reads `size` bytes at `offset` whole; false when the file ends first.
bool ReadFully(int fd, char* out, size_t size, size_t offset, int* error) {
  while (size > 0) {
    const ssize_t n = ::pread(fd, out, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = errno;
      return false;
    }
    if (n == 0) return false;
    out += n;
    offset += static_cast<size_t>(n);
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

std::string PrepareText(std::string bytes, const std::string& name, TextEncoding encoding) {
  return PrepareBytes(bytes, name, encoding);
}

LoadedText LoadText(const std::string& path, TextEncoding encoding, int threads) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    Fail(errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo, "cannot open {}: {}", path,
         std::strerror(errno));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) Fail(ErrorCode::kIo, "cannot read {}: {}", path, std::strerror(errno));
  if (!S_ISREG(st.st_mode)) {
    std::string bytes = ReadStream(fd, path);
    CheckGzipName(path, bytes);
    return LoadedText(PrepareBytes(bytes, path, encoding));
  }
  // A regular file is read in pieces by all threads into memory that is not zeroed first (zeroing
  // and then copying cost as much again), each piece checked for NUL bytes while it is in cache.
  // The memory is huge-page backed: first touches of 4 KiB pages cost as much as the copy itself.
  const auto size = static_cast<size_t>(st.st_size);
  auto bytes = LargeBytes::Allocate(std::max<size_t>(size, 1));
  constexpr size_t kPiece = size_t{4} << 20;
  const size_t pieces = (size + kPiece - 1) / kPiece;
  std::vector<size_t> first_nul(pieces, SIZE_MAX);
  std::atomic<int> read_error{0};
  std::atomic<bool> ended_early{false};
#pragma omp parallel for schedule(static) num_threads(std::max(1, threads))
  for (size_t i = 0; i < pieces; ++i) {
    const size_t offset = i * kPiece, length = std::min(kPiece, size - offset);
    int error = 0;
    if (!ReadFully(fd, bytes.get() + offset, length, offset, &error)) {
      if (error) read_error = error;
      ended_early = true;
      continue;
    }
    if (const void* nul = std::memchr(bytes.get() + offset, 0, length)) {
      first_nul[i] = static_cast<size_t>(static_cast<const char*>(nul) - bytes.get());
    }
  }
  if (read_error) Fail(ErrorCode::kIo, "cannot read {}: {}", path, std::strerror(read_error));
  char extra;
  if (ended_early || ::pread(fd, &extra, 1, static_cast<off_t>(size)) > 0) {
    Fail(ErrorCode::kIo,
         "{} changed while it was being read (it had {} bytes when opened). Possible fix: ingest a "
         "copy that "
         "nothing is writing to.",
         path, size);
  }
  const std::string_view view(bytes.get(), size);
  if (IsGzip(view)) return LoadedText(PrepareBytes(view, path, encoding));
  CheckGzipName(path, view);
  // An empty file has no pieces (and so no first NUL to look at).
  const size_t nul =
      first_nul.empty() ? SIZE_MAX : *std::min_element(first_nul.begin(), first_nul.end());
  if (nul != SIZE_MAX) FailBinary(view, nul, path);
  if (auto transcoded = Transcode(view, encoding)) return LoadedText(std::move(*transcoded));
  return LoadedText(std::move(bytes), size);
}

Location LocateIn(std::string_view text, size_t line_start, int64_t line, size_t pos) {
  pos = std::min(pos, text.size());
  size_t start = line_start;
  for (size_t i = line_start; i < pos; ++i) {
    if (text[i] == '\n') {
      ++line;
      start = i + 1;
    }
  }
  int64_t column = 1;
  for (size_t i = start; i < pos; ++i)
    column += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
  return {line, column};
}

}  // namespace prospect::io
