#include "serve/request_json.hpp"

#include <simdjson.h>

#include <array>
#include <charconv>
#include <cmath>

#include "io/cell_parse.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/strings.hpp"

namespace prospect::serve {
namespace {

const nlohmann::json* Present(const nlohmann::json& body, const char* name) {
  const auto it = body.find(name);
  return it == body.end() || it->is_null() ? nullptr : &*it;
}

[[noreturn]] void Expected(const char* name, const nlohmann::json& value, const char* what) {
  Fail(ErrorCode::kInvalidArgument, "field \"{}\": expected {}, got {}", name, what, Shown(value));
}

}  // namespace

bool AppendJsonCell(ColumnBuilder& b, DataType type, const nlohmann::json& v) {
  if (v.is_null()) {
    b.AppendNull();
    return true;
  }
  switch (type) {
    case DataType::kInt64: {
      int64_t n = 0;
      if (v.is_number_integer()) {
        b.AppendInt(v.get<int64_t>());
      } else if (v.is_string() && ParseInt64(v.get<std::string>(), &n)) {
        b.AppendInt(n);  // ids often travel as text
      } else {
        return false;
      }
      return true;
    }
    case DataType::kDouble:
      if (!v.is_number()) return false;
      b.AppendDouble(v.get<double>());
      return true;
    case DataType::kBool:
      if (!v.is_boolean()) return false;
      b.AppendBool(v.get<bool>());
      return true;
    case DataType::kString:
    case DataType::kCategorical:
      b.AppendString(v.is_string() ? v.get<std::string>() : v.dump());
      return true;
    case DataType::kDate:
    case DataType::kTimestamp: {
      // ISO forms only (no slash dates, whose order a request cannot show), read by the
      // readers' own parser: 'T' or ' ', fractions, Z or an offset (converted to UTC).
      if (!v.is_string()) return false;
      const std::string& text = v.get_ref<const std::string&>();
      if (text.size() < 10 || text[4] != '-') return false;
      int64_t value = 0;
      const io::DateParse parsed =
          type == DataType::kTimestamp
              ? io::ParseTimestampText(text, io::DateOrder::kMonthFirst, false, &value)
              : io::ParseDateText(text, io::DateOrder::kMonthFirst, &value);
      if (parsed != io::DateParse::kOk) return false;
      b.AppendInt(value);
      return true;
    }
  }
  return false;
}

std::string_view JsonCellExpectation(DataType type) {
  switch (type) {
    case DataType::kInt64: return "a whole number";
    case DataType::kDouble: return "a number";
    case DataType::kBool: return "true or false";
    case DataType::kDate: return "a date YYYY-MM-DD";
    case DataType::kTimestamp:
      return "a time YYYY-MM-DD HH:MM:SS (a T, Z or offset allowed; or a date)";
    default: return "text";
  }
}

bool ReadScoreById(std::string_view body, ScoreByIdRequest* out) {
  thread_local simdjson::ondemand::parser parser;
  thread_local std::string padded;  // the body and simdjson's padding; its capacity stays
  thread_local std::array<char, 24> number;
  if (padded.capacity() < body.size() + simdjson::SIMDJSON_PADDING)
    padded.reserve(std::max<size_t>(512, body.size() + simdjson::SIMDJSON_PADDING));
  padded.assign(body);
  *out = {};
  bool have_id = false;
  try {
    simdjson::ondemand::document doc =
        parser.iterate(simdjson::padded_string_view(padded.data(), body.size(), padded.capacity()));
    for (auto field : doc.get_object()) {
      const std::string_view key = field.unescaped_key();  // views into the parser's buffer
      simdjson::ondemand::value value = field.value();
      const auto type = value.type().value();
      if (key == "model" && !out->model && type == simdjson::ondemand::json_type::string) {
        out->model = value.get_string().value();
      } else if (key == "customer_id" && !have_id &&
                 type == simdjson::ondemand::json_type::string) {
        out->customer_id = value.get_string().value();
        have_id = true;
      } else if (key == "customer_id" && !have_id &&
                 type == simdjson::ondemand::json_type::number &&
                 value.get_number_type().value() ==
                     simdjson::ondemand::number_type::signed_integer) {
        const int64_t id = value.get_int64().value();
        const auto [end, ec] = std::to_chars(number.data(), number.data() + number.size(), id);
        if (ec != std::errc()) return false;
        out->customer_id =
            std::string_view(number.data(), static_cast<size_t>(end - number.data()));
        have_id = true;
      } else {
        return false;  // anything else takes the general path, which names what is wrong
      }
    }
    // Past the object's end nothing may follow: simdjson reports the end as out of bounds.
    if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) return false;
  } catch (const simdjson::simdjson_error&) {
    return false;
  }
  return have_id;
}

void AppendJsonString(std::string* out, std::string_view text) {
  out->push_back('"');
  for (const char c : text) {
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(*out), "\\u{:04x}", static_cast<int>(c));
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

nlohmann::json ParseRequestBody(std::string_view body, int max_depth) {
  if (body.empty()) return nlohmann::json::object();
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(
        body, [max_depth](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
          if (depth > max_depth) {
            Fail(ErrorCode::kInvalidArgument, "request JSON is nested deeper than {} levels",
                 max_depth);
          }
          return true;
        });
  } catch (const nlohmann::json::exception& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, column 9: ..." or,
    // for a number past double's range (found by the request fuzzer: 7777E777),
    // "[json.exception.out_of_range.406] number overflow parsing '7777E777'".
    const std::string what = e.what();
    const size_t at = what.find("] ");
    Fail(ErrorCode::kInvalidArgument, "request body is not JSON: {}",
         at == std::string::npos ? what : what.substr(at + 2));
  }
  if (!doc.is_object())
    Fail(ErrorCode::kInvalidArgument, "request body: expected a JSON object, got {}", Shown(doc));
  return doc;
}

std::string Shown(const nlohmann::json& value) {
  std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

std::optional<std::string> StringField(const nlohmann::json& body, const char* name) {
  const nlohmann::json* v = Present(body, name);
  if (!v) return std::nullopt;
  if (!v->is_string()) Expected(name, *v, "a string");
  return v->get<std::string>();
}

std::optional<double> NumberField(const nlohmann::json& body, const char* name) {
  const nlohmann::json* v = Present(body, name);
  if (!v) return std::nullopt;
  if (!v->is_number()) Expected(name, *v, "a number");
  return v->get<double>();
}

std::optional<bool> BoolField(const nlohmann::json& body, const char* name) {
  const nlohmann::json* v = Present(body, name);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) Expected(name, *v, "true or false");
  return v->get<bool>();
}

std::optional<size_t> CountField(const nlohmann::json& body, const char* name, size_t max) {
  const nlohmann::json* v = Present(body, name);
  if (!v) return std::nullopt;
  if (!v->is_number_integer() || v->get<int64_t>() < 0) Expected(name, *v, "a whole number ≥ 0");
  const auto n = v->get<uint64_t>();
  if (n > max)
    Fail(ErrorCode::kOutOfRange, "field \"{}\": {} is more than the limit {}", name, n, max);
  return static_cast<size_t>(n);
}

std::string IdText(const nlohmann::json& value, std::string_view field) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return value.dump();
  Fail(ErrorCode::kInvalidArgument, "{}: expected an id (a string or a whole number), got {}",
       field, Shown(value));
}

std::optional<std::vector<std::string>> IdsField(const nlohmann::json& body, const char* name,
                                                 size_t max) {
  const nlohmann::json* v = Present(body, name);
  if (!v) return std::nullopt;
  if (!v->is_array()) Expected(name, *v, "an array of ids");
  if (v->size() > max) {
    Fail(ErrorCode::kOutOfRange, "field \"{}\": {} ids is more than the limit {} per request", name,
         v->size(), max);
  }
  std::vector<std::string> out;
  out.reserve(v->size());
  for (size_t i = 0; i < v->size(); ++i)
    out.push_back(IdText((*v)[i], fmt::format("{}[{}]", name, i)));
  return out;
}

Table InputTable(const FeaturePipeline& pipeline,
                 const std::map<std::string, const nlohmann::json*>& columns, size_t rows,
                 const Schema* types,
                 const std::function<std::string(const std::string&, size_t)>& where) {
  std::vector<Field> fields;
  std::vector<ColumnPtr> out;
  for (const auto& step : pipeline.steps()) {
    const auto it = columns.find(step.column);
    if (it == columns.end()) {
      Fail(ErrorCode::kInvalidArgument,
           "the model reads column \"{}\", which the request lacks ({} columns: {})", step.column,
           pipeline.input_columns().size(), Join(pipeline.input_columns(), ", "));
    }
    // Dates and times keep their type, so they become numbers exactly as in training.
    DataType type = step.categorical ? DataType::kString : DataType::kDouble;
    const int known = types ? types->IndexOf(step.column) : -1;
    if (known >= 0) {
      const DataType t = types->field(static_cast<size_t>(known)).type;
      if (t == DataType::kDate || t == DataType::kTimestamp) type = t;
    }
    const nlohmann::json& values = *it->second;
    ColumnBuilder builder(type);
    builder.Reserve(rows);
    for (size_t r = 0; r < rows; ++r) {
      const nlohmann::json& v = values[r];
      const bool ok = type == DataType::kDouble && v.is_boolean()
                          ? (builder.AppendDouble(v.get<bool>() ? 1.0 : 0.0), true)
                          : AppendJsonCell(builder, type, v);
      if (!ok) {
        Fail(ErrorCode::kInvalidArgument, "{}: expected {} (the model reads {} so), got {}",
             where(step.column, r), JsonCellExpectation(type), step.column, Shown(v));
      }
    }
    fields.push_back({step.column, builder.type()});
    out.push_back(builder.Finish());
  }
  return Table(Schema(std::move(fields)), std::move(out));
}

}  // namespace prospect::serve
