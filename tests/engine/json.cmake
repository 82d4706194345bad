# engine/json tests: schema compile errors, the byte automaton, number ranges, token constraint on the
# real Llama 3 and SentencePiece vocabularies, and generated documents checked by Python jsonschema.
zeroidle_test(engine_json_test
  SOURCES json_schema_test.cpp json_matcher_test.cpp json_number_test.cpp json_constraint_test.cpp
          json_property_test.cpp
  LIBS engine gguf nlohmann_json::nlohmann_json)
