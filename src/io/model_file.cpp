// Model-file container. Layout (little-endian): "PRSPMODL" | u32 version | u32 n + type tag |
// u64 n + params JSON | u32 block count | per block: u32 n + name, u64 n + bytes | (version ≥ 2)
// u64 XXH64 (seed 0) of all the bytes before it.
#include "prospect/io/model_file.hpp"

#include <xxhash.h>

#include <cmath>

namespace prospect {
namespace {

constexpr char kMagic[8] = {'P', 'R', 'S', 'P', 'M', 'O', 'D', 'L'};
constexpr uint64_t kMaxNameBytes = 4096;

template <typename T>
void Put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

// Bounds-checked cursor: every read checks the remaining bytes first (no size arithmetic that
// can overflow: sizes are compared with what is left, never added to positions unchecked).
class Cursor {
 public:
  explicit Cursor(std::string_view bytes) : bytes_(bytes) {}
  template <typename T>
  T Read(const char* what) {
    if (remaining() < sizeof(T)) Truncated(what);
    T v;
    std::memcpy(&v, bytes_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }
  std::string_view Take(uint64_t n, const char* what) {
    if (n > remaining()) Truncated(what);
    const std::string_view s = bytes_.substr(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return s;
  }
  size_t remaining() const { return bytes_.size() - pos_; }

 private:
  [[noreturn]] void Truncated(const char* what) const {
    Fail(ErrorCode::kInvalidData,
         "model file is truncated or corrupted: {} runs past the end ({} bytes)", what,
         bytes_.size());
  }
  std::string_view bytes_;
  size_t pos_ = 0;
};

}  // namespace

std::string ModelWriter::Finish() const {
  std::string out(kMagic, sizeof kMagic);
  Put<uint32_t>(out, kModelFileVersion);
  Put<uint32_t>(out, static_cast<uint32_t>(type_tag_.size()));
  out += type_tag_;
  const std::string params = params_.dump();
  Put<uint64_t>(out, params.size());
  out += params;
  Put<uint32_t>(out, static_cast<uint32_t>(blocks_.size()));
  for (const auto& [name, bytes] : blocks_) {
    Put<uint32_t>(out, static_cast<uint32_t>(name.size()));
    out += name;
    Put<uint64_t>(out, bytes.size());
    out += bytes;
  }
  Put<uint64_t>(out, XXH64(out.data(), out.size(), 0));
  return out;
}

ModelReader::ModelReader(std::string_view bytes) {
  Cursor c(bytes);
  const std::string_view magic = c.Take(sizeof kMagic, "the header");
  if (std::memcmp(magic.data(), kMagic, sizeof kMagic) != 0) {
    Fail(ErrorCode::kInvalidData, "not a prospect model file (bad magic bytes)");
  }
  version_ = c.Read<uint32_t>("the version");
  if (version_ == 0 || version_ > kModelFileVersion) {
    Fail(version_ == 0 ? ErrorCode::kInvalidData : ErrorCode::kFailedPrecondition,
         "model file format version {} is not supported: this prospect reads versions 1 to {}{}",
         version_, kModelFileVersion,
         version_ > kModelFileVersion ? "; upgrade prospect to load it" : "");
  }
  if (version_ >= 2) {
    // Checked before anything else is read: a damaged file is reported as such, not as whatever
    // its damage happens to look like.
    if (bytes.size() < sizeof kMagic + 4 + 8) {
      Fail(ErrorCode::kInvalidData, "model file is truncated or corrupted: {} bytes", bytes.size());
    }
    const std::string_view body = bytes.substr(0, bytes.size() - 8);
    uint64_t stored;
    std::memcpy(&stored, bytes.data() + body.size(), sizeof stored);
    if (XXH64(body.data(), body.size(), 0) != stored) {
      Fail(ErrorCode::kInvalidData,
           "model file is corrupted: its checksum does not match its contents");
    }
    c = Cursor(body);
    c.Take(sizeof kMagic + 4, "the header");
  }
  const uint32_t tag_size = c.Read<uint32_t>("the type tag size");
  if (tag_size > kMaxNameBytes)
    Fail(ErrorCode::kInvalidData, "model file: type tag of {} bytes is implausible", tag_size);
  type_tag_ = std::string(c.Take(tag_size, "the type tag"));
  const uint64_t params_size = c.Read<uint64_t>("the parameters size");
  const std::string_view params = c.Take(params_size, "the parameters");
  params_ = nlohmann::json::parse(params, nullptr, /*allow_exceptions=*/false);
  if (params_.is_discarded())
    Fail(ErrorCode::kInvalidData, "model file: the parameters are not valid JSON");
  const uint32_t count = c.Read<uint32_t>("the block count");
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t name_size = c.Read<uint32_t>("a block name size");
    if (name_size > kMaxNameBytes)
      Fail(ErrorCode::kInvalidData, "model file: block name of {} bytes is implausible", name_size);
    std::string name(c.Take(name_size, "a block name"));
    const uint64_t size = c.Read<uint64_t>("a block size");
    blocks_.emplace_back(std::move(name), c.Take(size, "a block"));
  }
  if (c.remaining() != 0)
    Fail(ErrorCode::kInvalidData, "model file has {} unexpected trailing bytes", c.remaining());
}

bool ModelReader::HasBlock(std::string_view name) const {
  for (const auto& b : blocks_) {
    if (b.first == name) return true;
  }
  return false;
}

void ModelWriter::AddStrings(std::string name, std::span<const std::string> values) {
  std::string bytes;
  for (const std::string& v : values) {
    PROSPECT_CHECK(v.size() <= UINT32_MAX);
    const auto length = static_cast<uint32_t>(v.size());
    bytes.append(reinterpret_cast<const char*>(&length), sizeof length);
    bytes += v;
  }
  AddBlock(std::move(name), std::move(bytes));
}

std::string_view ModelReader::Block(std::string_view name) const {
  for (const auto& b : blocks_) {
    if (b.first == name) return b.second;
  }
  Fail(ErrorCode::kInvalidData,
       "model file ({}) has no \"{}\" block: it is corrupted or from another model type", type_tag_,
       name);
}

std::vector<double> ModelReader::FiniteArray(std::string_view name) const {
  std::vector<double> values = Array<double>(name);
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      Fail(ErrorCode::kInvalidData, "model file is corrupted: block \"{}\" value {} is {}", name, i,
           values[i]);
    }
  }
  return values;
}

std::vector<std::string> ModelReader::Strings(std::string_view name) const {
  const std::string_view bytes = Block(name);
  std::vector<std::string> out;
  size_t at = 0;
  while (at < bytes.size()) {
    uint32_t length = 0;
    if (bytes.size() - at < sizeof length ||
        (std::memcpy(&length, bytes.data() + at, sizeof length),
         bytes.size() - at - sizeof length < length)) {
      Fail(ErrorCode::kInvalidData, "model file: string {} of block \"{}\" overruns the block",
           out.size(), name);
    }
    at += sizeof length;
    out.emplace_back(bytes.substr(at, length));
    at += length;
  }
  return out;
}

void ModelReader::ExpectType(std::string_view expected) const {
  if (type_tag_ != expected) {
    Fail(ErrorCode::kInvalidData, "model file holds a \"{}\" model, expected \"{}\"", type_tag_,
         expected);
  }
}

int64_t ModelFileInt(const nlohmann::json& v, std::string_view what, int64_t lo, int64_t hi) {
  bool in_range = false;
  if (v.is_number_unsigned()) {  // at most hi (an int64), so it fits an int64
    in_range = hi >= 0 && v.get<uint64_t>() <= static_cast<uint64_t>(hi) &&
               static_cast<int64_t>(v.get<uint64_t>()) >= lo;
  } else if (v.is_number_integer()) {
    in_range = v.get<int64_t>() >= lo && v.get<int64_t>() <= hi;
  }
  if (!in_range) {
    Fail(ErrorCode::kInvalidData, "model file: {} is {}; expected an integer in [{}, {}]", what,
         v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).substr(0, 40), lo, hi);
  }
  return v.is_number_unsigned() ? static_cast<int64_t>(v.get<uint64_t>()) : v.get<int64_t>();
}

}  // namespace prospect
