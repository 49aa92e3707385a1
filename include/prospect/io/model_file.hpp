// The one model-file container: magic, format version, type tag, params as JSON, then named
// binary blocks. Every model serialises itself into it; the reader checks every size against the
// bytes that are actually there, so a truncated or corrupted file is an error, never a crash.
#pragma once

#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "prospect/common/error.hpp"

namespace prospect {

/// Current container version. Readers accept this and older versions. Version 2 ends in an XXH64
/// checksum of everything before it, so any change to a stored model is found on load.
inline constexpr uint32_t kModelFileVersion = 2;

class ModelWriter {
 public:
  ModelWriter(std::string type_tag, nlohmann::json params)
      : type_tag_(std::move(type_tag)), params_(std::move(params)) {}

  void AddBlock(std::string name, std::string bytes) {
    blocks_.emplace_back(std::move(name), std::move(bytes));
  }

  /// Arrays of trivially copyable values (doubles, int32, ...), stored little-endian as in memory.
  template <typename T>
  void AddArray(std::string name, std::span<const T> values) {
    static_assert(std::is_trivially_copyable_v<T>);
    AddBlock(std::move(name),
             std::string(reinterpret_cast<const char*>(values.data()), values.size_bytes()));
  }

  /// A list of strings (ids): each as its byte length (uint32) and its bytes.
  void AddStrings(std::string name, std::span<const std::string> values);
  /// The serialised file.
  std::string Finish() const;

 private:
  std::string type_tag_;
  nlohmann::json params_;
  std::vector<std::pair<std::string, std::string>> blocks_;
};

class ModelReader {
 public:
  /// Parses and validates the container. Throws kInvalidData for anything malformed and
  /// kFailedPrecondition for a file written by a newer prospect.
  explicit ModelReader(std::string_view bytes);

  uint32_t format_version() const { return version_; }
  const std::string& type_tag() const { return type_tag_; }
  const nlohmann::json& params() const { return params_; }
  bool HasBlock(std::string_view name) const;
  /// The blocks' names, in file order.
  std::vector<std::string> BlockNames() const {
    std::vector<std::string> names;
    for (const auto& b : blocks_) names.push_back(b.first);
    return names;
  }
  /// A block's bytes; throws kInvalidData naming the missing block.
  std::string_view Block(std::string_view name) const;

  template <typename T>
  std::vector<T> Array(std::string_view name) const {
    static_assert(std::is_trivially_copyable_v<T>);
    const std::string_view bytes = Block(name);
    if (bytes.size() % sizeof(T) != 0) {
      Fail(ErrorCode::kInvalidData,
           "model file: block \"{}\" has {} bytes, not a whole number of {}-byte values", name,
           bytes.size(), sizeof(T));
    }
    std::vector<T> out(bytes.size() / sizeof(T));
    if (!bytes.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
    return out;
  }

  /// Array<double> whose every value is finite (coefficients, centres: a NaN would score every
  /// customer NaN). Throws kInvalidData "model file is corrupted: block "B" value I is nan".
  std::vector<double> FiniteArray(std::string_view name) const;

  /// A list AddStrings wrote; kInvalidData when the lengths overrun the block.
  std::vector<std::string> Strings(std::string_view name) const;
  /// Throws kInvalidData unless the type tag is `expected` (loading a model as the wrong kind).
  void ExpectType(std::string_view expected) const;

 private:
  uint32_t version_ = 0;
  std::string type_tag_;
  nlohmann::json params_;
  std::vector<std::pair<std::string, std::string_view>> blocks_;
};

/// An integer of a model file's JSON (a node's child index, a count): `v` must be an integer in
/// [lo, hi], else kInvalidData naming `what`. (nlohmann's get<int> on 2e44 is undefined behaviour.)
int64_t ModelFileInt(const nlohmann::json& v, std::string_view what, int64_t lo, int64_t hi);

}  // namespace prospect
