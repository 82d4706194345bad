// Schema -> Grammar compilation, split by stage. Internal to engine/json.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/json/grammar.h"

namespace zeroidle::engine::json::detail {

using ojson = nlohmann::ordered_json;

std::string pointer_child(const std::string& ptr, const std::string& key);
std::string pointer_text(const std::string& ptr);  // "(root)" for the empty pointer
[[noreturn]] void fail(const std::string& message);

// Resolves a local "$ref" against the document root; throws SchemaError naming `at` when it cannot.
struct RefTarget {
  std::string pointer;
  const ojson* schema;
};
RefTarget resolve_ref(const ojson& root, const ojson& ref, const std::string& at);

// Stage 1 (schema.cpp): keywords -> nodes, with $ref placeholders and unflattened unions.
class Compiler {
 public:
  Compiler(const ojson& root, const Limits& limits);
  std::shared_ptr<Grammar> run();

 private:
  struct OneOf {
    uint32_t node;
    std::vector<uint32_t> alt_nodes;
    std::vector<const ojson*> raw_alts;
    std::string pointer;
  };

  uint32_t compile(const ojson& s, const std::string& ptr);
  uint32_t compile_ref(const ojson& ref, const std::string& ptr);
  uint32_t compile_union(const ojson& s, const std::string& ptr);
  uint32_t compile_literals(const ojson& s, const std::string& ptr);
  uint32_t compile_typed(const ojson& s, const std::string& ptr);
  uint32_t compile_type(const std::string& type, const ojson& s, const std::string& ptr);
  uint32_t compile_object(const ojson& s, const std::string& ptr);
  uint32_t compile_array(const ojson& s, const std::string& ptr);
  uint32_t compile_string(const ojson& s, const std::string& ptr);
  uint32_t compile_number(const ojson& s, const std::string& ptr, bool integer);
  uint32_t literal_node(const std::vector<ojson>& values, const std::string& ptr);
  uint32_t any_node();
  uint32_t unsat_node(const std::string& ptr);
  uint32_t add(Node n);
  void check_keywords(const ojson& s, const std::string& ptr);
  void collect_annotations(const ojson& s, const std::string& ptr);
  void resolve_aliases();
  void check_one_of(const OneOf& o);

  const ojson& root_;
  std::shared_ptr<Grammar> g_;
  std::map<std::string, uint32_t> ref_nodes_;
  std::vector<std::pair<uint32_t, uint32_t>> aliases_;  // placeholder -> compiled target
  std::vector<OneOf> one_ofs_;
  uint32_t any_ = UINT32_MAX;
};

// Stage 2 (schema_analysis.cpp).
void flatten_unions(Grammar& g);
void compute_min_len(Grammar& g);
bool compute_depth_sensitive(const Grammar& g);
// Whether every document `node` can emit is rejected by the raw schema `other` (JSON Schema semantics).
bool provably_exclusive(const Grammar& g, uint32_t node, const ojson& other, const ojson& root,
                        int budget = 8);

}  // namespace zeroidle::engine::json::detail
