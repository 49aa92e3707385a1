// Params declared once: a plain struct with in-class defaults plus one field table that drives
// flags, JSON, config files, validation, model files and help (XGBoost DMLC_DECLARE_FIELD style).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "prospect/common/error.hpp"
#include "prospect/common/numbers.hpp"
#include "prospect/common/strings.hpp"

namespace prospect {

/// One parameter of a params struct P: its name, the member it sets, a description, and its
/// allowed range (numbers) or choices (strings).
template <typename P>
struct ParamField {
  using Member = std::variant<int64_t P::*, double P::*, bool P::*, std::string P::*>;

  ParamField(std::string name_in, Member member_in, std::string description_in,
             double min_in = -std::numeric_limits<double>::infinity(),
             double max_in = std::numeric_limits<double>::infinity(),
             std::vector<std::string> choices_in = {})
      : name(std::move(name_in)),
        member(member_in),
        description(std::move(description_in)),
        min(min_in),
        max(max_in),
        choices(std::move(choices_in)) {}
  /// A string parameter that takes one of `choices_in`.
  ParamField(std::string name_in, std::string P::*member_in, std::string description_in,
             std::vector<std::string> choices_in)
      : ParamField(std::move(name_in), member_in, std::move(description_in),
                   -std::numeric_limits<double>::infinity(),
                   std::numeric_limits<double>::infinity(), std::move(choices_in)) {}

  std::string name;
  Member member;
  std::string description;
  double min;
  double max;
  std::vector<std::string> choices;  ///< allowed values of a string parameter (empty: any)
};

/// The field table of a params struct. Unknown names are errors with suggestions.
template <typename P>
class ParamSchema {
 public:
  ParamSchema(std::string owner, std::vector<ParamField<P>> fields)
      : owner_(std::move(owner)), fields_(std::move(fields)) {}

  /// Whose parameters these are: a model's registry name ("kmeans", "gbdt").
  const std::string& owner() const { return owner_; }

  const std::vector<ParamField<P>>& fields() const { return fields_; }

  /// Sets one parameter from text ("0.1", "true", "gini"), validating type and range.
  void Set(P& params, std::string_view name, std::string_view text) const {
    const ParamField<P>& field = Find(name);
    std::visit([&](auto member) { Assign(field, params.*member, text); }, field.member);
  }

  /// Applies every key of a JSON object; values may be JSON numbers, booleans or strings.
  void SetFromJson(P& params, const nlohmann::json& object) const {
    if (!object.is_object())
      Fail(ErrorCode::kInvalidArgument, "{} parameters must be a JSON object", owner_);
    for (const auto& [key, value] : object.items()) {
      Set(params, key, value.is_string() ? value.template get<std::string>() : value.dump());
    }
  }

  nlohmann::json ToJson(const P& params) const {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& field : fields_) {
      std::visit([&](auto member) { out[field.name] = params.*member; }, field.member);
    }
    return out;
  }

  /// Checks every field's range and choices (for structs filled in code).
  void Validate(const P& params) const {
    for (const auto& field : fields_) {
      std::visit([&](auto member) { Check(field, params.*member); }, field.member);
    }
  }

  /// Names of all parameters, in declaration order.
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& f : fields_) names.push_back(f.name);
    return names;
  }

 private:
  const ParamField<P>& Find(std::string_view name) const {
    for (const auto& f : fields_) {
      if (f.name == name) return f;
    }
    Fail(ErrorCode::kInvalidArgument, "Unknown {} parameter \"{}\". {}Valid parameters: {}.",
         owner_, name, DidYouMean(name, Names()), Join(Names(), ", "));
  }

  void Assign(const ParamField<P>& field, int64_t& target, std::string_view text) const {
    int64_t value = 0;
    if (!ParseInt64(text, &value)) {
      Fail(ErrorCode::kInvalidArgument, "{} parameter {}: expected an integer, got {}", owner_,
           field.name, QuoteForMessage(text));
    }
    Check(field, value);
    target = value;
  }
  void Assign(const ParamField<P>& field, double& target, std::string_view text) const {
    double value = 0;
    if (!ParseDouble(text, &value) || !std::isfinite(value)) {
      Fail(ErrorCode::kInvalidArgument, "{} parameter {}: expected a number, got {}", owner_,
           field.name, QuoteForMessage(text));
    }
    Check(field, value);
    target = value;
  }
  void Assign(const ParamField<P>& field, bool& target, std::string_view text) const {
    std::string s = ToLower(Trim(text));
    if (s == "true" || s == "1" || s == "yes") {
      target = true;
    } else if (s == "false" || s == "0" || s == "no") {
      target = false;
    } else {
      Fail(ErrorCode::kInvalidArgument, "{} parameter {}: expected true or false, got {}", owner_,
           field.name, QuoteForMessage(text));
    }
  }
  void Assign(const ParamField<P>& field, std::string& target, std::string_view text) const {
    std::string value(text);
    Check(field, value);
    target = std::move(value);
  }

  template <typename T>
  void Check(const ParamField<P>& field, const T& value) const {
    if constexpr (std::is_same_v<T, std::string>) {
      if (!field.choices.empty()) {
        for (const auto& c : field.choices) {
          if (c == value) return;
        }
        Fail(ErrorCode::kInvalidArgument, "{} parameter {}: {} is not allowed. {}Valid values: {}.",
             owner_, field.name, QuoteForMessage(value), DidYouMean(value, field.choices),
             Join(field.choices, ", "));
      }
    } else if constexpr (!std::is_same_v<T, bool>) {
      const double v = static_cast<double>(value);
      if (v < field.min || v > field.max) {
        Fail(ErrorCode::kOutOfRange, "{} parameter {}: {} is out of range [{}, {}]", owner_,
             field.name, value, field.min, field.max);
      }
    }
  }

  std::string owner_;
  std::vector<ParamField<P>> fields_;
};

}  // namespace prospect
