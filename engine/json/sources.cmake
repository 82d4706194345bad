# engine/json: JSON Schema -> byte automaton -> token masks. Self-contained: depends only on nlohmann_json
# (the vocabulary comes in as plain data). Included from engine/CMakeLists.txt.
find_package(nlohmann_json 3 REQUIRED)
target_sources(engine PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/byte_trie.cpp          # small tries for object keys and enum literals
  ${CMAKE_CURRENT_LIST_DIR}/number_range.cpp       # digit-by-digit number/integer range automaton
  ${CMAKE_CURRENT_LIST_DIR}/schema.cpp             # Schema::compile: keywords -> grammar nodes
  ${CMAKE_CURRENT_LIST_DIR}/schema_analysis.cpp    # $ref, union flattening, shortest values, oneOf proof
  ${CMAKE_CURRENT_LIST_DIR}/step.cpp               # the byte transition per frame kind
  ${CMAKE_CURRENT_LIST_DIR}/closing.cpp            # shortest completion: cost and next byte
  ${CMAKE_CURRENT_LIST_DIR}/matcher.cpp            # public byte-level Matcher
  ${CMAKE_CURRENT_LIST_DIR}/token_trie.cpp         # vocabulary prefix tree
  ${CMAKE_CURRENT_LIST_DIR}/mask_cache.cpp         # per-frame token masks shared across sequences
  ${CMAKE_CURRENT_LIST_DIR}/token_constraint.cpp   # public per-sequence TokenConstraint
)
target_link_libraries(engine PUBLIC nlohmann_json::nlohmann_json)
