// Written as JSON, the form readers of OpenAPI know; parsed once at start.
#include "serve/openapi.hpp"

namespace prospect::serve {
namespace {

constexpr const char* kDocument = R"json({
  "openapi": "3.0.3",
  "info": {
    "title": "prospect serve",
    "version": "0.1.0",
    "description": "Scores, explanations, recommendations, customer views, experiment assignment and the dashboard from a prospect workspace. Every route but /v2/health/* and / needs Authorization: Bearer <key> (prospect keys create). Errors are {\"error\": {\"code\", \"message\"}}."
  },
  "components": {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    "schemas": {
      "Error": {
        "type": "object", "required": ["error"], "additionalProperties": false,
        "properties": {"error": {"type": "object", "required": ["code", "message"], "additionalProperties": false,
          "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}
      },
      "Id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
      "ScoreRequest": {
        "type": "object",
        "properties": {
          "model": {"type": "string", "description": "a served model; optional when only one is served"},
          "customer_id": {"$ref": "#/components/schemas/Id"},
          "customer_ids": {"type": "array", "items": {"$ref": "#/components/schemas/Id"}},
          "rows": {"type": "array", "items": {"type": "object", "description": "input column → value"}}
        }
      },
      "ScoreResponse": {
        "type": "object", "required": ["model", "version"],
        "properties": {
          "model": {"type": "string"}, "version": {"type": "integer"},
          "customer_id": {"type": "string"}, "score": {"type": "number"},
          "scores": {"type": "array", "items": {"oneOf": [
            {"type": "number"},
            {"type": "object", "required": ["customer_id", "score"], "properties": {
              "customer_id": {"type": "string"}, "score": {"type": "number", "nullable": true},
              "error": {"type": "string", "description": "why score is null"}}}]}}
        }
      },
      "ExplainRequest": {
        "type": "object",
        "properties": {"model": {"type": "string"}, "customer_id": {"$ref": "#/components/schemas/Id"},
          "row": {"type": "object"}, "top": {"type": "integer", "minimum": 0, "maximum": 100}}
      },
      "ExplainResponse": {
        "type": "object", "required": ["model", "version", "score", "reasons"],
        "properties": {
          "model": {"type": "string"}, "version": {"type": "integer"}, "customer_id": {"type": "string"},
          "score": {"type": "number"},
          "reasons": {"type": "array", "items": {"type": "object", "required": ["column", "value", "contribution", "words"],
            "properties": {"column": {"type": "string"}, "value": {"type": "string"},
              "contribution": {"type": "number"}, "words": {"type": "string"}}}}
        }
      },
      "RecommendRequest": {
        "type": "object", "required": ["user"],
        "properties": {"recommender": {"type": "string"}, "user": {"$ref": "#/components/schemas/Id"},
          "k": {"type": "integer", "minimum": 0, "maximum": 1000}, "exclude_history": {"type": "boolean"},
          "allow": {"type": "array", "items": {"$ref": "#/components/schemas/Id"}},
          "deny": {"type": "array", "items": {"$ref": "#/components/schemas/Id"}},
          "mmr_lambda": {"type": "number"}, "reasons": {"type": "boolean"}}
      },
      "SimilarRequest": {
        "type": "object", "required": ["item"],
        "properties": {"recommender": {"type": "string"}, "item": {"$ref": "#/components/schemas/Id"},
          "k": {"type": "integer", "minimum": 0, "maximum": 1000}}
      },
      "Items": {
        "type": "array", "items": {"type": "object", "required": ["item", "score"],
          "properties": {"item": {"type": "string"}, "score": {"type": "number"}, "reason": {"type": "string"}}}
      },
      "RecommendResponse": {
        "type": "object", "required": ["recommender", "version", "items"],
        "properties": {"recommender": {"type": "string"}, "version": {"type": "integer"},
          "user": {"type": "string"}, "item": {"type": "string"}, "items": {"$ref": "#/components/schemas/Items"}}
      },
      "Customer": {
        "type": "object", "required": ["customer_id", "tables", "scores"],
        "properties": {
          "customer_id": {"type": "string"},
          "profile": {"type": "object", "nullable": true},
          "tables": {"type": "object", "additionalProperties": {"type": "object", "nullable": true}},
          "scores": {"type": "object", "additionalProperties": {"type": "number"}}
        }
      },
      "AssignRequest": {
        "type": "object", "required": ["salt", "variants"],
        "properties": {
          "salt": {"type": "string"},
          "variants": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "object", "required": ["name"],
            "properties": {"name": {"type": "string"}, "weight": {"type": "number"}}}}]},
          "traffic": {"type": "number"}, "layer": {"type": "string"}, "layer_offset": {"type": "number"},
          "holdout": {"type": "number"}, "holdout_salt": {"type": "string"},
          "unit_id": {"$ref": "#/components/schemas/Id"},
          "unit_ids": {"type": "array", "items": {"$ref": "#/components/schemas/Id"}}
        }
      },
      "Assignment": {
        "type": "object", "required": ["unit_id", "status", "variant", "bucket"],
        "properties": {"unit_id": {"type": "string"},
          "status": {"type": "string", "enum": ["assigned", "not_in_experiment", "holdout"]},
          "variant": {"type": "string", "nullable": true}, "bucket": {"type": "integer"}}
      },
      "AssignResponse": {
        "oneOf": [{"$ref": "#/components/schemas/Assignment"},
          {"type": "object", "required": ["assignments"], "properties": {
            "assignments": {"type": "array", "items": {"$ref": "#/components/schemas/Assignment"}}}}]
      },
      "EventsRequest": {
        "type": "object", "required": ["events"],
        "properties": {"events": {"type": "array", "minItems": 1, "items": {"type": "object",
          "description": "the events table's columns: the customer id and the time are required; times as YYYY-MM-DD HH:MM:SS"}}}
      },
      "EventsResponse": {
        "type": "object", "required": ["accepted", "as_of", "customers"],
        "properties": {"accepted": {"type": "integer"}, "as_of": {"type": "string"},
          "customers": {"type": "array", "items": {"type": "object", "required": ["customer_id", "profiled"],
            "properties": {"customer_id": {"type": "string"}, "profiled": {"type": "boolean"}}}}}
      },
      "AudienceSaveRequest": {
        "type": "object", "required": ["name"],
        "description": "as prospect audience save: a table with an optional condition and top N, or an SQL query",
        "properties": {"name": {"type": "string"}, "table": {"type": "string"}, "where": {"type": "string"},
          "order_by": {"type": "string"}, "top": {"type": "integer", "minimum": 1},
          "id_column": {"type": "string"}, "sql": {"type": "string"}}
      },
      "Audience": {
        "type": "object", "required": ["name", "version", "size", "created_at"],
        "properties": {"name": {"type": "string"}, "version": {"type": "integer"}, "size": {"type": "integer"},
          "created_at": {"type": "string"}, "source": {"type": "object"}}
      },
      "Audiences": {
        "type": "object", "required": ["audiences"],
        "properties": {"audiences": {"type": "array", "items": {"$ref": "#/components/schemas/Audience"}}}
      },
      "AudienceExportRequest": {
        "type": "object", "required": ["platform"],
        "description": "as prospect audience export: the platform, the contacts table (default customers), a country for national phone numbers, a version (default the latest)",
        "properties": {"platform": {"type": "string", "enum": ["google", "meta"]}, "contacts": {"type": "string"},
          "country": {"type": "string"}, "version": {"type": "integer", "minimum": 1}}
      },
      "Forget": {
        "type": "object", "required": ["people", "rows", "tables", "audience_versions", "retrain", "suppressed", "receipt"],
        "properties": {"people": {"type": "integer"}, "rows": {"type": "integer"},
          "tables": {"type": "array", "items": {"type": "object", "required": ["table", "rows"],
            "properties": {"table": {"type": "string"}, "rows": {"type": "integer"}}}},
          "audience_versions": {"type": "integer"}, "retrain": {"type": "array", "items": {"type": "string"}},
          "suppressed": {"type": "integer"}, "receipt": {"type": "string"}}
      },
      "Served": {
        "type": "object", "required": ["models", "recommenders"],
        "properties": {
          "models": {"type": "array", "items": {"type": "object", "required": ["name", "version", "type", "task", "compiled", "features_table"],
            "properties": {"name": {"type": "string"}, "version": {"type": "integer"}, "type": {"type": "string"},
              "task": {"type": "string"}, "compiled": {"type": "boolean"}, "features_table": {"type": "string", "nullable": true}}}},
          "recommenders": {"type": "array", "items": {"type": "object", "required": ["name", "version", "type"],
            "properties": {"name": {"type": "string"}, "version": {"type": "integer"}, "type": {"type": "string"}}}}
        }
      },
      "Dashboard": {
        "type": "object", "required": ["workspace", "generated_at", "sections", "contents_html", "sections_html", "charts"],
        "additionalProperties": false,
        "properties": {
          "workspace": {"type": "string"}, "generated_at": {"type": "string"},
          "sections": {"type": "array", "items": {"type": "object", "required": ["id", "title", "status"],
            "properties": {"id": {"type": "string"}, "title": {"type": "string"},
              "status": {"type": "string", "enum": ["results", "not run yet", "not available yet", "error"]}}}},
          "contents_html": {"type": "string", "description": "the table of contents' <li> entries"},
          "sections_html": {"type": "string", "description": "one <section> per section; chart i goes in the element chart-i"},
          "charts": {"type": "array", "items": {"type": "object", "description": "an Apache ECharts option"}}
        }
      },
      "V2ServerMetadata": {
        "type": "object", "required": ["name", "version", "extensions"],
        "properties": {"name": {"type": "string"}, "version": {"type": "string"},
          "extensions": {"type": "array", "items": {"type": "string"}}}
      },
      "V2Tensor": {
        "type": "object", "required": ["name", "shape", "datatype"],
        "properties": {"name": {"type": "string"}, "shape": {"type": "array", "items": {"type": "integer"}},
          "datatype": {"type": "string"}, "parameters": {"type": "object"}, "data": {"type": "array"}}
      },
      "V2ModelMetadata": {
        "type": "object", "required": ["name", "platform", "inputs", "outputs"],
        "properties": {"name": {"type": "string"}, "versions": {"type": "array", "items": {"type": "string"}},
          "platform": {"type": "string"},
          "inputs": {"type": "array", "items": {"$ref": "#/components/schemas/V2Tensor"}},
          "outputs": {"type": "array", "items": {"$ref": "#/components/schemas/V2Tensor"}}}
      },
      "V2InferRequest": {
        "type": "object", "required": ["inputs"],
        "properties": {"id": {"type": "string"}, "parameters": {"type": "object"},
          "inputs": {"type": "array", "items": {"$ref": "#/components/schemas/V2Tensor"}},
          "outputs": {"type": "array", "items": {"type": "object"}}}
      },
      "V2InferResponse": {
        "type": "object", "required": ["model_name", "outputs"],
        "properties": {"model_name": {"type": "string"}, "model_version": {"type": "string"},
          "id": {"type": "string"}, "parameters": {"type": "object"},
          "outputs": {"type": "array", "items": {"$ref": "#/components/schemas/V2Tensor"}}}
      }
    },
    "responses": {
      "Error": {"description": "an error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    }
  },
  "security": [{"bearer": []}],
  "paths": {
    "/v2/health/live": {"get": {"summary": "Liveness (KServe V2): 200 while the process runs", "security": [],
      "responses": {"200": {"description": "live"}}}},
    "/v2/health/ready": {"get": {"summary": "Readiness (KServe V2): 200 once models are loaded", "security": [],
      "responses": {"200": {"description": "ready"}, "503": {"$ref": "#/components/responses/Error"}}}},
    "/v2": {"get": {"summary": "Server metadata (KServe V2)",
      "responses": {"200": {"description": "metadata", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/V2ServerMetadata"}}}},
        "default": {"$ref": "#/components/responses/Error"}}}},
    "/v2/models/{model}": {"get": {"summary": "Model metadata (KServe V2): inputs and outputs",
      "parameters": [{"name": "model", "in": "path", "required": true, "schema": {"type": "string"}}],
      "responses": {"200": {"description": "metadata", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/V2ModelMetadata"}}}},
        "default": {"$ref": "#/components/responses/Error"}}}},
    "/v2/models/{model}/ready": {"get": {"summary": "Model readiness (KServe V2)",
      "parameters": [{"name": "model", "in": "path", "required": true, "schema": {"type": "string"}}],
      "responses": {"200": {"description": "ready"}, "default": {"$ref": "#/components/responses/Error"}}}},
    "/v2/models/{model}/infer": {"post": {"summary": "Inference (KServe V2): one tensor of shape [N] per input column",
      "parameters": [{"name": "model", "in": "path", "required": true, "schema": {"type": "string"}}],
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/V2InferRequest"}}}},
      "responses": {"200": {"description": "scores", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/V2InferResponse"}}}},
        "default": {"$ref": "#/components/responses/Error"}}}},
    "/v1/score": {"post": {"summary": "Score customers by id (online features) or rows given in the body",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScoreRequest"}}}},
      "responses": {"200": {"description": "scores", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScoreResponse"}}}},
        "default": {"$ref": "#/components/responses/Error"}}}},
    "/v1/explain": {"post": {"summary": "A score and its top reasons",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExplainRequest"}}}},
      "responses": {"200": {"description": "explanation", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExplainResponse"}}}},
        "default": {"$ref": "#/components/responses/Error"}}}},
    "/v1/recommend": {"post": {"summary": "The k best items for a user, with business rules",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RecommendRequest"}}}},
      "responses": {"200": {"description": "items", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RecommendResponse"}}}},
        "default": {"$ref": "#/components/responses/Error"}}}},
    "/v1/similar": {"post": {"summary": "The k items most like an item",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SimilarRequest"}}}},
      "responses": {"200": {"description": "items", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RecommendResponse"}}}},
        "default": {"$ref": "#/components/responses/Error"}}}},
    "/v1/customers/{id}": {"get": {"summary": "One customer: profile, per-customer tables (segment, churn risk, CLV) and scores",
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
      "responses": {"200": {"description": "the customer", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Customer"}}}},
        "default": {"$ref": "#/components/responses/Error"}}},
      "delete": {"summary": "Erase the customer from every table and audience, as prospect forget (admin role)",
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
      "responses": {"200": {"description": "what was erased, and the audit receipt", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Forget"}}}},
        "default": {"$ref": "#/components/responses/Error"}}}},
    "/v1/assign": {"post": {"summary": "Experiment assignment: the same hash as prospect experiment assign",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AssignRequest"}}}},
      "responses": {"200": {"description": "assignments", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AssignResponse"}}}},
        "default": {"$ref": "#/components/responses/Error"}}}},
    "/v1/events": {"post": {"summary": "Append events: stored, and the customers' online features recomputed so their next score uses them",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventsRequest"}}}},
      "responses": {"200": {"description": "accepted", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventsResponse"}}}},
        "default": {"$ref": "#/components/responses/Error"}}}},
    "/v1/audiences": {
      "get": {"summary": "The saved audiences: latest version and size of each",
        "responses": {"200": {"description": "audiences", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Audiences"}}}},
          "default": {"$ref": "#/components/responses/Error"}}},
      "post": {"summary": "Save a new version of an audience (write role), as prospect audience save",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AudienceSaveRequest"}}}},
        "responses": {"200": {"description": "the version saved", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Audience"}}}},
          "default": {"$ref": "#/components/responses/Error"}}}},
    "/v1/audiences/{name}/export": {"post": {"summary": "An audience's upload file for Google or Meta, as prospect audience export (admin role: it opens sealed identifiers)",
      "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AudienceExportRequest"}}}},
      "responses": {"200": {"description": "the CSV", "content": {"text/csv": {"schema": {"type": "string"}}}},
        "default": {"$ref": "#/components/responses/Error"}}}},
    "/v1/crm/people/{id}": {"get": {"summary": "A person's CRM timeline, newest first (100 entries), as prospect crm timeline",
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
      "responses": {"200": {"description": "{customer_id, timeline: [{at, kind, summary}]}", "content": {"application/json": {"schema": {"type": "object"}}}},
        "default": {"$ref": "#/components/responses/Error"}}}},
    "/v1/crm/pipeline": {"get": {"summary": "Opportunities per stage with amounts weighted by the stage's probability",
      "responses": {"200": {"description": "{stages: [{stage, probability, opportunities, amount, weighted_amount}]}", "content": {"application/json": {"schema": {"type": "object"}}}},
        "default": {"$ref": "#/components/responses/Error"}}}},
    "/v1/crm/opportunities/{id}/stage": {"post": {"summary": "Move an opportunity to a stage (write role): body {stage, at?}",
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object"}}}},
      "responses": {"200": {"description": "{opportunity_id, from, to, moved}", "content": {"application/json": {"schema": {"type": "object"}}}},
        "default": {"$ref": "#/components/responses/Error"}}}},
    "/v1/crm/duplicates/{object}": {"get": {"summary": "Groups of people or companies that look like one record",
      "parameters": [{"name": "object", "in": "path", "required": true, "schema": {"type": "string", "enum": ["people", "companies"]}}],
      "responses": {"200": {"description": "{object, groups: [{ids, reasons}]}", "content": {"application/json": {"schema": {"type": "object"}}}},
        "default": {"$ref": "#/components/responses/Error"}}}},
    "/v1/crm/merge": {"post": {"summary": "Merge two records (write role): body {object, keep, other, take?, apply?}; a dry run unless apply is true",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object"}}}},
      "responses": {"200": {"description": "the field choices, references moved, and the audit entry an undo takes", "content": {"application/json": {"schema": {"type": "object"}}}},
        "default": {"$ref": "#/components/responses/Error"}}}},
    "/v1/crm/undo/{entry}": {"post": {"summary": "Undo a merge from its audit entry (write role)",
      "parameters": [{"name": "entry", "in": "path", "required": true, "schema": {"type": "integer"}}],
      "responses": {"200": {"description": "{merge_audit_id, audit_id, tables}", "content": {"application/json": {"schema": {"type": "object"}}}},
        "default": {"$ref": "#/components/responses/Error"}}}},
    "/v1/models": {"get": {"summary": "What is being served",
      "responses": {"200": {"description": "models and recommenders", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Served"}}}},
        "default": {"$ref": "#/components/responses/Error"}}}},
    "/metrics": {"get": {"summary": "Prometheus metrics (text format 0.0.4)",
      "responses": {"200": {"description": "metrics", "content": {"text/plain": {"schema": {"type": "string"}}}},
        "default": {"$ref": "#/components/responses/Error"}}}},
    "/": {"get": {"summary": "The dashboard: a page that asks for a key, then shows /v1/dashboard", "security": [],
      "responses": {"200": {"description": "the page", "content": {"text/html": {"schema": {"type": "string"}}}}}}},
    "/v1/dashboard": {"get": {"summary": "The report's sections, rendered now from the store (what the dashboard draws)",
      "responses": {"200": {"description": "sections", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Dashboard"}}}},
        "default": {"$ref": "#/components/responses/Error"}}}},
    "/openapi.json": {"get": {"summary": "This document",
      "responses": {"200": {"description": "OpenAPI 3.0", "content": {"application/json": {"schema": {"type": "object"}}}},
        "default": {"$ref": "#/components/responses/Error"}}}}
  }
})json";

}  // namespace

nlohmann::json OpenApiDocument() { return nlohmann::json::parse(kDocument); }

}  // namespace prospect::serve
