#include "serve/online_profiles.hpp"

#include "prospect/common/datetime.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/numbers.hpp"
#include "prospect/common/strings.hpp"
#include "serve/request_json.hpp"

namespace prospect::serve {
namespace {

void IndexRows(const Table& table, const std::string& id_column,
               std::unordered_map<std::string, std::vector<size_t>>* out) {
  if (!table.HasColumn(id_column)) return;
  const Column& ids = table.column(id_column);
  for (size_t r = 0; r < ids.size(); ++r) {
    if (!ids.IsNull(r)) (*out)[ids.FormatValue(r)].push_back(r);
  }
}

}  // namespace

std::unique_ptr<OnlineProfiles> OnlineProfiles::Load(Store& store, const ProfileConfig& config,
                                                     const Context& ctx) {
  auto out = std::make_unique<OnlineProfiles>();
  out->config_ = config;
  out->inputs_ = LoadProfileInputs(store, config, ctx);
  if (!out->inputs_.events) {
    Fail(ErrorCode::kFailedPrecondition,
         "online features need an events table \"{}\" ([profile] events_table); ingest one",
         config.events_table);
  }
  out->inputs_.event_types = ProfileEventTypes(*out->inputs_.events, config);
  if (out->inputs_.customers)
    IndexRows(*out->inputs_.customers, config.customer_id, &out->customer_rows_);
  IndexRows(*out->inputs_.events, config.customer_id, &out->event_rows_);
  if (out->inputs_.orders) IndexRows(*out->inputs_.orders, config.customer_id, &out->order_rows_);
  out->as_of_ = DefaultAsOf(out->inputs_, config);
  return out;
}

int64_t OnlineProfiles::as_of() const {
  std::lock_guard lock(mu_);
  return as_of_;
}

Table OnlineProfiles::EventsFromJson(const nlohmann::json& events) const {
  const Schema& schema = inputs_.events->schema();
  std::vector<ColumnBuilder> builders;
  for (const auto& f : schema.fields()) builders.emplace_back(f.type);
  for (size_t i = 0; i < events.size(); ++i) {
    const nlohmann::json& e = events[i];
    if (!e.is_object())
      Fail(ErrorCode::kInvalidArgument, "events[{}]: expected an object, got {}", i, Shown(e));
    for (const auto& [key, value] : e.items()) {
      if (schema.IndexOf(key) < 0) {
        Fail(ErrorCode::kInvalidArgument, "events[{}].{}: the events table has no such column ({})",
             i, key, Join(schema.Names(), ", "));
      }
    }
    for (size_t c = 0; c < schema.size(); ++c) {
      const Field& f = schema.field(c);
      const auto it = e.find(f.name);
      const nlohmann::json& v = it == e.end() ? nlohmann::json() : *it;
      const bool required = f.name == config_.customer_id || f.name == config_.event_time;
      if (required && v.is_null())
        Fail(ErrorCode::kInvalidArgument, "events[{}].{} is required", i, f.name);
      if (!AppendJsonCell(builders[c], f.type, v)) {
        Fail(ErrorCode::kInvalidArgument, "events[{}].{}: expected {}, got {}", i, f.name,
             JsonCellExpectation(f.type), Shown(v));
      }
    }
  }
  std::vector<ColumnPtr> columns;
  for (auto& b : builders) columns.push_back(b.Finish());
  return Table(schema, std::move(columns));
}

std::vector<OnlineProfiles::Update> OnlineProfiles::Add(const Table& events, const Context& ctx) {
  std::lock_guard lock(mu_);
  const Column& ids = events.column(config_.customer_id);
  const Column& times = events.column(config_.event_time);
  const int64_t scale = times.type() == DataType::kDate ? kMicrosPerDay : 1;
  std::vector<std::string> customers;
  std::unordered_map<std::string, std::vector<size_t>> rows_of;
  for (size_t r = 0; r < events.num_rows(); ++r) {
    const std::string id = ids.FormatValue(r);
    if (rows_of[id].empty()) customers.push_back(id);
    rows_of[id].push_back(r);
    as_of_ = std::max(as_of_, (DayOfTimestamp(times.ints()[r] * scale) + 1) * kMicrosPerDay);
  }
  std::vector<Update> out;
  for (const auto& id : customers) {
    posted_[id].push_back(events.Take(rows_of[id]));
    Update update{id, std::nullopt};
    ProfileInputs in;
    in.event_types = inputs_.event_types;
    in.items = inputs_.items;
    auto slice = [&id](const Table& t, const RowsById& index) {
      const auto it = index.find(id);
      return it == index.end() ? t.Take(std::span<const size_t>()) : t.Take(it->second);
    };
    if (inputs_.customers) {
      in.customers = slice(*inputs_.customers, customer_rows_);
      if (in.customers->num_rows() == 0) {  // a closed population: `prospect profile` skips them
        out.push_back(std::move(update));
        continue;
      }
    }
    std::vector<Table> parts = {slice(*inputs_.events, event_rows_)};
    for (const Table& t : posted_[id]) parts.push_back(t);
    in.events = ConcatTables(parts);
    if (inputs_.orders) in.orders = slice(*inputs_.orders, order_rows_);
    Table profile = BuildProfiles(in, config_, as_of_, ctx);
    if (profile.num_rows() == 1) update.profile = std::move(profile);
    out.push_back(std::move(update));
  }
  return out;
}

}  // namespace prospect::serve
