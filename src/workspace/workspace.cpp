// Workspace creation and opening; prospect.toml is parsed with toml++ and exposed as JSON.
#include "prospect/workspace/workspace.hpp"

#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "prospect/common/error.hpp"

namespace prospect {
namespace fs = std::filesystem;

namespace {

const char* const kDefaultConfig =
    R"toml(# prospect workspace configuration. Everything a run needs lives here, so runs are reproducible.
# Docs: docs/user/workspace.md

[store]
# "sqlite:prospect.db" (a file in this folder), or a PostgreSQL URL such as
# "postgresql://user@host/dbname?options=-csearch_path%3Dshop" (tables become SQL tables in that
# schema; keep the password out of this file: use PGPASSWORD or ~/.pgpass).
url = "sqlite:prospect.db"

[ingest]
# Cells equal to one of these are null in every table (per-table lists add to it).
null_values = ["", "NA", "N/A", "null", "NULL"]
# Rows read to infer column types.
sample_rows = 10000

# Per-table ingest settings. Example:
# [tables.bank]
# delimiter = ";"
# null_values = ["unknown"]
# types = { pdays = "int64", y = "categorical" }

# Cleaning steps applied by `prospect quality TABLE --clean` and recorded for scoring. Example:
# [[cleaning.bank]]
# step = "impute"        # impute | deduplicate | clip | map
# column = "age"
# method = "median"      # mean | median | mode | constant
# indicator = true
)toml";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail(ErrorCode::kIo, "cannot read {}", path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

void Workspace::Init(const std::string& dir, const std::string& store_url) {
  const fs::path root(dir);
  const fs::path config = root / kConfigFileName;
  if (fs::exists(config)) {
    Fail(ErrorCode::kAlreadyExists, "{} already holds a workspace ({} exists)", dir,
         config.string());
  }
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) Fail(ErrorCode::kIo, "cannot create folder {}: {}", dir, ec.message());
  std::string text = kDefaultConfig;
  if (!store_url.empty()) {
    const std::string from = "url = \"sqlite:prospect.db\"";
    text.replace(text.find(from), from.size(), "url = " + nlohmann::json(store_url).dump());
  }
  // Open the store first: if it fails, no half-made workspace is left behind.
  const std::string url =
      store_url.empty() ? "sqlite:" + (root / "prospect.db").string() : store_url;
  Store::Open(url)->Audit("init", "workspace created");
  std::ofstream out(config, std::ios::binary);
  out << text;
  if (!out) Fail(ErrorCode::kIo, "cannot write {}", config.string());
}

Workspace Workspace::Open(const std::string& dir) {
  const fs::path config_path = fs::path(dir) / kConfigFileName;
  if (!fs::exists(config_path)) {
    Fail(ErrorCode::kNotFound,
         "no workspace in {} (no {}). Create one with: prospect init {} — or pass --workspace DIR, "
         "or set "
         "PROSPECT_WORKSPACE",
         dir, kConfigFileName, dir);
  }
  Workspace ws;
  ws.dir_ = dir;
  const std::string text = ReadFile(config_path);
  try {
    toml::table table = toml::parse(text, config_path.string());
    std::stringstream ss;
    ss << toml::json_formatter{table};
    ws.config_ = nlohmann::json::parse(ss.str());
  } catch (const toml::parse_error& e) {
    Fail(ErrorCode::kInvalidData, "{}:{}:{}: {}", config_path.string(), e.source().begin.line,
         e.source().begin.column, e.description());
  }
  std::string url = "sqlite:prospect.db";
  if (ws.config_.contains("store") && ws.config_["store"].contains("url")) {
    url = ws.config_["store"]["url"].get<std::string>();
  }
  if (url.rfind("sqlite:", 0) == 0) url = "sqlite:" + ws.Path(url.substr(7));
  ws.store_ = Store::Open(url);
  return ws;
}

const nlohmann::json& Workspace::Section(const std::string& key) const {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  auto it = config_.find(key);
  return it == config_.end() ? kEmpty : *it;
}

std::string Workspace::Path(const std::string& relative) const {
  const fs::path p(relative);
  return p.is_absolute() ? relative : (fs::path(dir_) / p).string();
}

}  // namespace prospect
