// Workspace: a folder with prospect.toml (everything a run needs) and the store.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "prospect/store/store.hpp"

namespace prospect {

inline constexpr const char* kConfigFileName = "prospect.toml";

class Workspace {
 public:
  /// Creates DIR (if needed), a commented prospect.toml and the store. `store_url` empty means
  /// the default SQLite file DIR/prospect.db. Throws kAlreadyExists if DIR has a prospect.toml.
  static void Init(const std::string& dir, const std::string& store_url = "");

  /// Opens the workspace in DIR. Throws kNotFound (with the fix: prospect init) if there is none,
  /// kInvalidData with file:line:column if prospect.toml does not parse.
  static Workspace Open(const std::string& dir);

  const std::string& dir() const { return dir_; }
  /// prospect.toml as JSON (TOML tables → objects); modules read their own sections.
  const nlohmann::json& config() const { return config_; }
  /// A section of the config, or an empty object.
  const nlohmann::json& Section(const std::string& key) const;
  Store& store() const { return *store_; }
  /// A path relative to the workspace folder (absolute paths are returned unchanged).
  std::string Path(const std::string& relative) const;

 private:
  std::string dir_;
  nlohmann::json config_;
  std::shared_ptr<Store> store_;
};

}  // namespace prospect
