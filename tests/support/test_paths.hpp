// Paths and helpers shared by tests: the repo, ../shared/data, the CLI binary, temp folders.
#pragma once

#include <filesystem>
#include <string>

namespace prospect::testing {

inline std::string SourceDir() { return PROSPECT_SOURCE_DIR; }
inline std::string SharedData(const std::string& relative) {
  return std::string(PROSPECT_SHARED_DATA_DIR) + "/" + relative;
}
inline std::string CliPath() { return PROSPECT_CLI_PATH; }

/// A fresh empty folder under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  /// Writes `content` to File(name) and returns its path.
  std::string Write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

/// The whole content of the file at `path` ("" when it cannot be read).
std::string ReadFileText(const std::string& path);

/// Result of running the CLI: exit code, stdout, stderr.
struct CommandResult {
  int exit_code;
  std::string out;
  std::string err;
};
/// Runs `prospect ARGS` (ARGS is shell-quoted by the caller) and captures its output.
CommandResult RunCli(const std::string& args);

}  // namespace prospect::testing
