// Schemas the JSON-constraint tests and the mask benchmark generate against: nested objects, arrays,
// enums, nullable fields, integer and number ranges, unicode and escapes, anyOf, oneOf, $ref.
#pragma once

#include <string>
#include <vector>

namespace zeroidle::testing {

inline const char* kInvoiceSchema = R"({
  "type": "object",
  "description": "An invoice",
  "properties": {
    "vendor": {"type": "string", "description": "Seller name"},
    "invoice_number": {"type": "string", "maxLength": 32},
    "date": {"type": "string", "minLength": 10, "maxLength": 10},
    "currency": {"enum": ["USD", "EUR", "GBP", "JPY"]},
    "total": {"type": "number", "minimum": 0, "maximum": 1000000},
    "paid": {"type": "boolean"},
    "line_items": {
      "type": "array", "maxItems": 8,
      "items": {
        "type": "object",
        "properties": {
          "description": {"type": "string", "maxLength": 80},
          "quantity": {"type": "integer", "minimum": 1, "maximum": 10000},
          "unit_price": {"type": "number", "exclusiveMinimum": 0}
        },
        "required": ["description", "quantity", "unit_price"]
      }
    }
  },
  "required": ["vendor", "invoice_number", "date", "currency", "total", "line_items"]
})";

inline std::vector<std::string> test_schemas() {
  return {
      kInvoiceSchema,
      // entities: a list of objects with an enum and a number in [0, 1]
      R"({"type":"object","properties":{"entities":{"type":"array","minItems":1,"maxItems":5,"items":{
         "type":"object","properties":{"entity":{"type":"string","minLength":1,"maxLength":40},
         "category":{"enum":["person","organization","location","date","other"]},
         "confidence":{"type":"number","minimum":0,"maximum":1}},
         "required":["entity","category","confidence"]}}},"required":["entities"]})",
      // nullable fields, type lists, optional properties
      R"({"type":"object","properties":{"a":{"type":["string","null"],"maxLength":6},
         "b":{"anyOf":[{"type":"integer","minimum":-5,"maximum":5},{"type":"null"}]},
         "c":{"type":["number","boolean"]},"d":{"type":"string"},"e":{"type":"null"}},"required":["a","b"]})",
      // integer ranges, exclusive bounds, tight and negative ranges
      R"({"type":"object","properties":{"i1":{"type":"integer","minimum":100,"maximum":200},
         "i2":{"type":"integer","exclusiveMinimum":-1000,"exclusiveMaximum":-998},
         "i3":{"type":"integer","minimum":0},"i4":{"type":"integer","maximum":-7},
         "i5":{"type":"integer","minimum":1.5,"maximum":3.5},"i6":{"type":"integer"}},
         "required":["i1","i2","i3","i4","i5","i6"]})",
      // number ranges
      R"({"type":"object","properties":{"n1":{"type":"number","minimum":0,"maximum":1},
         "n2":{"type":"number","exclusiveMinimum":0,"exclusiveMaximum":0.5},
         "n3":{"type":"number","minimum":-3.75,"maximum":2.5},"n4":{"type":"number","minimum":0.001,"maximum":0.01},
         "n5":{"type":"number","exclusiveMinimum":0.1,"maximum":0.3},"n6":{"type":"number"}},
         "required":["n1","n2","n3","n4","n5","n6"]})",
      // unicode and escapes in literals, string lengths
      R"({"type":"object","properties":{"word":{"enum":["café","naïve \"quoted\"","日本語","tab\there","back\\slash","😀"]},
         "short":{"type":"string","minLength":2,"maxLength":3},"free":{"type":"string","maxLength":20},
         "exact":{"type":"string","minLength":4,"maxLength":4},"c":{"const":"ünï\u0001"}},
         "required":["word","short","exact","c"]})",
      // arrays of scalars, nested arrays, min/max items
      R"({"type":"object","properties":{"xs":{"type":"array","items":{"type":"integer","minimum":0,"maximum":9},"minItems":2,"maxItems":4},
         "grid":{"type":"array","items":{"type":"array","items":{"type":"boolean"},"maxItems":3},"maxItems":3},
         "names":{"type":"array","items":{"type":"string","maxLength":8}}},"required":["xs","grid"]})",
      // anyOf of overlapping objects (several alternatives alive at once)
      R"({"anyOf":[{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]},
         {"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"boolean"}},"required":["a","b"]},
         {"type":"array","items":{"type":"string"},"maxItems":2}]})",
      // oneOf with a discriminator, $defs
      R"({"$defs":{"circle":{"type":"object","properties":{"kind":{"const":"circle"},"r":{"type":"number","minimum":0}},"required":["kind","r"]},
         "square":{"type":"object","properties":{"kind":{"const":"square"},"side":{"type":"integer","minimum":1}},"required":["kind","side"]}},
         "type":"object","properties":{"shapes":{"type":"array","maxItems":4,"items":{"oneOf":[{"$ref":"#/$defs/circle"},{"$ref":"#/$defs/square"}]}}},
         "required":["shapes"]})",
      // recursion through $ref (definitions style), bounded by max_depth
      R"({"definitions":{"node":{"type":"object","properties":{"name":{"type":"string","maxLength":6},
         "children":{"type":"array","maxItems":3,"items":{"$ref":"#/definitions/node"}}},"required":["name"]}},
         "$ref":"#/definitions/node"})",
      // top-level non-objects
      R"({"type":"array","items":{"type":"integer","minimum":-3,"maximum":300},"maxItems":6})",
      R"({"type":"number","minimum":-10,"maximum":10})",
      R"({"enum":["yes","no",true,null,42,{"k":[1,"v"]}]})",
      R"({"type":"string","maxLength":12})",
      // untyped and "any" values
      R"({"properties":{"meta":{},"flag":true,"n":{"minimum":5}},"required":["meta","flag","n"]})",
      // sentiment-like: enum label + rationale, without "type" on the root
      R"({"properties":{"label":{"enum":["positive","negative","neutral"]},"rationale":{"type":"string","maxLength":120}},
         "required":["label","rationale"],"additionalProperties":false})",
  };
}

}  // namespace zeroidle::testing
