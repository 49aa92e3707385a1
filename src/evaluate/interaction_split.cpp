// Train/test splits of interaction tables. Every split ends as a per-row test flag, turned into the
// two ascending row lists and a JSON summary in one place.
#include "prospect/evaluate/interaction_split.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/rng.hpp"
#include "prospect/common/strings.hpp"
#include "prospect/linalg/sparse.hpp"

namespace prospect {
namespace {

// A fraction times a count, rounded down; the slack keeps 0.29 · 100 (28.999999999999996 in
// doubles) at 29.
size_t FloorOfShare(double fraction, size_t count) {
  return static_cast<size_t>(std::floor(fraction * static_cast<double>(count) + 1e-9));
}

// `which` names the fraction ("train", "test") in the message.
void RequireFraction(double fraction, std::string_view which, std::string_view what) {
  if (!(fraction > 0.0 && fraction < 1.0)) {
    Fail(ErrorCode::kInvalidArgument,
         "{}: the {} fraction must lie strictly between 0 and 1, got {}", what, which, fraction);
  }
}

void RequireRows(const Table& t, std::string_view what) {
  if (t.num_rows() == 0) Fail(ErrorCode::kInvalidData, "{}: the table has no rows to split", what);
}

const Column& SplitColumn(const Table& t, const std::string& name, std::string_view what) {
  if (!t.HasColumn(name)) {
    const std::vector<std::string> names = t.schema().Names();
    Fail(ErrorCode::kNotFound, "{}: no column \"{}\". {}Columns: {}.", what, name,
         DidYouMean(name, names), Join(names, ", "));
  }
  return t.column(name);
}

void RequireNoNulls(const Column& col, const std::string& name, std::string_view what,
                    std::string_view fix) {
  if (col.null_count() == 0) return;
  for (size_t r = 0; r < col.size(); ++r) {
    if (col.IsNull(r)) {
      Fail(ErrorCode::kInvalidData, "{}: column {} is empty at row {}; {}", what, name, r + 1, fix);
    }
  }
}

// The time column's values, dates as the microsecond of their midnight so that every time compares
// with a timestamp cutoff.
std::vector<int64_t> SplitTimes(const Table& t, const std::string& name, std::string_view what) {
  const Column& col = SplitColumn(t, name, what);
  if (!IsIntegerStorage(col.type())) {
    Fail(ErrorCode::kInvalidArgument,
         "{}: column {} is {}; the time column must be a timestamp, date or int64 column", what,
         name, DataTypeName(col.type()));
  }
  RequireNoNulls(col, name, what, "drop or fill rows without a time");
  std::vector<int64_t> times(col.ints().begin(), col.ints().end());
  if (col.type() == DataType::kDate) {
    constexpr int64_t kMaxDays = std::numeric_limits<int64_t>::max() / kMicrosPerDay;
    for (size_t r = 0; r < times.size(); ++r) {
      if (times[r] > kMaxDays || times[r] < -kMaxDays) {
        Fail(ErrorCode::kInvalidData,
             "{}: column {} holds day {} at row {}, beyond what a timestamp can hold", what, name,
             times[r], r + 1);
      }
      times[r] *= kMicrosPerDay;
    }
  }
  return times;
}

// A time as people read it: a timestamp for timestamp and date columns, the number otherwise.
std::string TimeText(DataType type, int64_t time) {
  return type == DataType::kInt64 ? std::to_string(time) : FormatTimestamp(time);
}

// Users numbered 0, 1, … in order of first appearance (NumberIds); ids[u] is user u's id text.
IdNumbers NumberUsers(const Table& t, const std::string& name, std::string_view what) {
  const Column& col = SplitColumn(t, name, what);
  RequireNoNulls(col, name, what, "drop or fill rows without a user");
  return NumberIds(col, name, what);
}

// FNV-1a, 64 bits: a fixed, platform-independent hash of an id (std::hash is neither).
uint64_t Fnv1a64(std::string_view text) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

void RequireTestUsers(size_t users_in_test, size_t users, const std::string& user_column,
                      std::string_view what) {
  if (users_in_test > 0) return;
  Fail(ErrorCode::kInvalidData,
       "{}: each of the {} users in column {} has a single row, so nothing can be held out; a user "
       "needs at least two rows to appear in test",
       what, users, user_column);
}

InteractionSplit FinishSplit(const std::vector<uint8_t>& in_test, std::string method,
                             nlohmann::json summary) {
  InteractionSplit split;
  for (size_t r = 0; r < in_test.size(); ++r) {
    (in_test[r] != 0 ? split.test_rows : split.train_rows).push_back(r);
  }
  summary["method"] = method;
  summary["train_rows"] = split.train_rows.size();
  summary["test_rows"] = split.test_rows.size();
  split.method = std::move(method);
  split.summary = std::move(summary);
  return split;
}

// Rows before `cutoff` train, the others test; the caller has made sure both sides have rows.
InteractionSplit CutAtTime(const std::vector<int64_t>& times, DataType time_type, int64_t cutoff,
                           nlohmann::json summary) {
  std::vector<uint8_t> in_test(times.size());
  for (size_t r = 0; r < times.size(); ++r) in_test[r] = times[r] >= cutoff ? 1 : 0;
  summary["cutoff"] = cutoff;
  if (time_type != DataType::kInt64) summary["cutoff_time"] = FormatTimestamp(cutoff);
  return FinishSplit(in_test, "time", std::move(summary));
}

}  // namespace

InteractionSplit SplitByTime(const Table& t, const std::string& time_column, int64_t cutoff) {
  constexpr std::string_view kWhat = "time split";
  const std::vector<int64_t> times = SplitTimes(t, time_column, kWhat);
  RequireRows(t, kWhat);
  const DataType type = t.column(time_column).type();
  const auto [earliest, latest] = std::minmax_element(times.begin(), times.end());
  if (*earliest >= cutoff || *latest < cutoff) {
    const bool no_train = *earliest >= cutoff;
    Fail(ErrorCode::kInvalidArgument,
         "time split: the cutoff {} leaves nothing for {}: the times of column {} run from {} to "
         "{}; choose a cutoff after the earliest and no later than the latest",
         TimeText(type, cutoff), no_train ? "training" : "testing", time_column,
         TimeText(type, *earliest), TimeText(type, *latest));
  }
  return CutAtTime(times, type, cutoff, {{"time_column", time_column}});
}

InteractionSplit SplitByTimeFraction(const Table& t, const std::string& time_column,
                                     double train_fraction) {
  constexpr std::string_view kWhat = "time split";
  RequireFraction(train_fraction, "train", kWhat);
  const std::vector<int64_t> times = SplitTimes(t, time_column, kWhat);
  RequireRows(t, kWhat);
  const DataType type = t.column(time_column).type();
  const size_t n = times.size();
  const size_t m = std::min(FloorOfShare(train_fraction, n), n - 1);
  if (m == 0) {
    Fail(ErrorCode::kInvalidArgument,
         "time split: a train fraction of {} of {} rows puts no row in training; give a larger "
         "fraction or more rows",
         train_fraction, n);
  }
  // The m-th smallest time (0-based) is the cutoff: selection, not a full sort.
  std::vector<int64_t> sorted(times);
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(m), sorted.end());
  const int64_t cutoff = sorted[m];
  if (std::none_of(times.begin(), times.end(), [&](int64_t v) { return v < cutoff; })) {
    Fail(ErrorCode::kInvalidData,
         "time split: the cutoff for a train fraction of {} is {}, and no row of column {} is "
         "earlier, so nothing is left for training; the column needs more distinct times",
         train_fraction, TimeText(type, cutoff), time_column);
  }
  return CutAtTime(times, type, cutoff,
                   {{"time_column", time_column}, {"train_fraction", train_fraction}});
}

InteractionSplit SplitLeaveLastOut(const Table& t, const std::string& user_column,
                                   const std::string& time_column) {
  constexpr std::string_view kWhat = "leave-last-out split";
  const IdNumbers users = NumberUsers(t, user_column, kWhat);
  const std::vector<int64_t> times = SplitTimes(t, time_column, kWhat);
  RequireRows(t, kWhat);
  const size_t n_users = users.ids.size();
  std::vector<size_t> latest(n_users, 0), rows_of(n_users, 0);
  for (size_t r = 0; r < times.size(); ++r) {
    const size_t u = users.of_row[r];
    // ">=": among equal times the later row wins, as documented.
    if (rows_of[u]++ == 0 || times[r] >= times[latest[u]]) latest[u] = r;
  }
  std::vector<uint8_t> in_test(times.size(), 0);
  size_t users_in_test = 0;
  for (size_t u = 0; u < n_users; ++u) {
    if (rows_of[u] < 2) continue;  // nothing would be left to learn this user from
    in_test[latest[u]] = 1;
    ++users_in_test;
  }
  RequireTestUsers(users_in_test, n_users, user_column, kWhat);
  return FinishSplit(in_test, "leave_last_out",
                     {{"user_column", user_column},
                      {"time_column", time_column},
                      {"users", n_users},
                      {"users_in_test", users_in_test}});
}

InteractionSplit SplitRandomPerUser(const Table& t, const std::string& user_column,
                                    double test_fraction, uint64_t seed) {
  constexpr std::string_view kWhat = "random per-user split";
  RequireFraction(test_fraction, "test", kWhat);
  const IdNumbers users = NumberUsers(t, user_column, kWhat);
  RequireRows(t, kWhat);
  const size_t n_users = users.ids.size();
  // Each user's rows in table order, grouped by a counting sort: start[u] .. start[u + 1].
  std::vector<size_t> start(n_users + 1, 0);
  for (const size_t u : users.of_row) ++start[u + 1];
  for (size_t u = 0; u < n_users; ++u) start[u + 1] += start[u];
  std::vector<size_t> grouped(users.of_row.size());
  std::vector<size_t> fill(start.begin(), start.end() - 1);
  for (size_t r = 0; r < users.of_row.size(); ++r) grouped[fill[users.of_row[r]]++] = r;

  std::vector<uint8_t> in_test(users.of_row.size(), 0);
  size_t users_in_test = 0;
  for (size_t u = 0; u < n_users; ++u) {
    const size_t n_u = start[u + 1] - start[u];
    if (n_u < 2) continue;
    ++users_in_test;
    const size_t n_test = std::clamp<size_t>(FloorOfShare(test_fraction, n_u), 1, n_u - 1);
    size_t* rows = grouped.data() + start[u];
    // Seeded by the id, not the user's number, so other users' rows cannot change this user's.
    Rng rng(DeriveSeed(seed, Fnv1a64(users.ids[u])));
    for (size_t i = 0; i < n_test; ++i) {
      // Modulo draw: a bias below 2^-40 for any realistic row count, and the same everywhere.
      const size_t j = i + static_cast<size_t>(rng() % (n_u - i));
      std::swap(rows[i], rows[j]);
      in_test[rows[i]] = 1;
    }
  }
  RequireTestUsers(users_in_test, n_users, user_column, kWhat);
  return FinishSplit(in_test, "random_per_user",
                     {{"user_column", user_column},
                      {"test_fraction", test_fraction},
                      {"seed", seed},
                      {"users", n_users},
                      {"users_in_test", users_in_test}});
}

}  // namespace prospect
