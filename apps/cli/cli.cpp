// Global-option plumbing and output helpers for the CLI.
#include "cli.hpp"

#include <pwd.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <mutex>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/io/csv.hpp"

namespace prospect::cli {
namespace {

// Progress on stderr, redrawn at most every 100 ms; only on a terminal and without --quiet.
class ProgressBar {
 public:
  void Update(std::string_view stage, uint64_t done, uint64_t total) {
    std::lock_guard lock(mu_);
    const auto now = std::chrono::steady_clock::now();
    if (done < total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double frac = total ? static_cast<double>(done) / static_cast<double>(total) : 0.0;
    const int width = 30;
    const int filled = static_cast<int>(frac * width);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(width, '.');
    std::fprintf(stderr, "\r%-10.*s [%s] %5.1f%%", static_cast<int>(stage.size()), stage.data(),
                 bar.c_str(), frac * 100);
    if (done >= total) std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }

 private:
  std::mutex mu_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace

Context Cli::MakeContext() const {
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(spdlog::color_mode::automatic);
  auto logger = std::make_shared<spdlog::logger>("prospect", sink);
  logger->set_pattern("%^%l%$: %v");
  logger->set_level(options.quiet ? spdlog::level::warn : spdlog::level::info);
  Context ctx(options.threads, options.seed, logger);
  if (!options.quiet && isatty(STDERR_FILENO)) {
    auto bar = std::make_shared<ProgressBar>();
    ctx.set_progress([bar](std::string_view stage, uint64_t done, uint64_t total) {
      bar->Update(stage, done, total);
    });
  }
  return ctx;
}

Workspace Cli::OpenWorkspace() const {
  Workspace ws = Workspace::Open(options.workspace);
  // Audit entries made from the command line name the system user.
  const char* user = std::getenv("USER");
  if (user == nullptr || *user == '\0') {
    const passwd* entry = getpwuid(geteuid());
    user = entry != nullptr ? entry->pw_name : nullptr;
  }
  ws.store().set_actor(fmt::format("cli:{}", user != nullptr ? user : std::to_string(geteuid())));
  return ws;
}

void Cli::PrintJson(const nlohmann::json& doc) const { std::cout << doc.dump(2) << "\n"; }

void Cli::PrintTable(const std::vector<std::string>& header,
                     const std::vector<std::vector<std::string>>& rows) const {
  std::vector<size_t> widths(header.size());
  for (size_t c = 0; c < header.size(); ++c) widths[c] = DisplayWidth(header[c]);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c)
      widths[c] = std::max(widths[c], DisplayWidth(row[c]));
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - DisplayWidth(row[c]) + 2, ' ');
    }
    std::cout << line << "\n";
  };
  print_row(header);
  std::vector<std::string> rule;
  for (size_t w : widths) rule.push_back(std::string(w, '-'));
  print_row(rule);
  for (const auto& row : rows) print_row(row);
}

void Cli::Say(const std::string& line) const {
  if (!options.quiet) std::cerr << line << "\n";
}

CLI::App* AddCommand(CLI::App& app, const std::string& name, const std::string& description,
                     const std::string& examples, std::function<void()> run) {
  CLI::App* sub = app.add_subcommand(name, description);
  // The global options belong to the top-level app, so CLI11 leaves them out of a command's help.
  std::string footer = examples.empty() ? "" : "\nExamples:\n" + examples;
  footer += "\n" + std::string(kGlobalOptionsHelp);
  sub->footer(footer);
  sub->callback(std::move(run));
  return sub;
}

CLI::App* AddWorkspaceCommand(CLI::App& app, const Cli& cli, const std::string& name,
                              const std::string& description, const std::string& examples,
                              std::function<void(Workspace&, Context&)> run) {
  return AddCommand(app, name, description, examples, [&cli, run = std::move(run)] {
    Workspace ws = cli.OpenWorkspace();
    Context ctx = cli.MakeContext();
    run(ws, ctx);
  });
}

nlohmann::json ParamFlags(const std::vector<std::string>& specs, std::string_view example,
                          std::string_view flag) {
  nlohmann::json params = nlohmann::json::object();
  for (const auto& spec : specs) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0) {
      Fail(ErrorCode::kInvalidArgument, "{} {}: expected NAME=VALUE, for example {} {}", flag,
           QuoteForMessage(spec), flag, example);
    }
    params[spec.substr(0, eq)] = spec.substr(eq + 1);
  }
  return params;
}

int64_t DateFlag(std::string_view flag, const std::string& date, std::string_view example) {
  int64_t day = 0;
  if (!ParseIsoDate(date, &day)) {
    Fail(ErrorCode::kInvalidArgument, "{} {}: expected a date like {}", flag, QuoteForMessage(date),
         example);
  }
  return day;
}

std::optional<int64_t> AsOfFlag(const std::string& date) {
  if (date.empty()) return std::nullopt;
  return (DateFlag("--as-of", date) + 1) * kMicrosPerDay;
}

std::string Fixed(double v, int digits) {
  return std::isfinite(v) ? fmt::format("{:.{}f}", v, digits) : "-";
}

std::vector<std::string> FirstColumnIds(const std::string& file, const char* what,
                                        const Context& ctx) {
  const Table t = ReadCsv(file, {}, ctx);
  if (t.num_columns() == 0) Fail(ErrorCode::kInvalidData, "{}: no columns", file);
  const Column& ids = *t.column(size_t{0});
  std::vector<std::string> out;
  for (size_t r = 0; r < ids.size(); ++r) {
    if (!ids.IsNull(r)) {
      out.push_back(ids.FormatValue(r));
    } else if (what != nullptr) {
      Fail(ErrorCode::kInvalidData, "{}: line {}: the {} is empty", file, r + 2, what);
    }
  }
  return out;
}

}  // namespace prospect::cli
