# json_mask_bench: token-mask time per step of the JSON-Schema constraint over a real vocabulary.
# Not a CTest test. Run: build/bin/json_mask_bench [../shared/models/tiny-llama3-q4_k_m.gguf] [--docs N]
add_executable(json_mask_bench ${CMAKE_CURRENT_LIST_DIR}/json_mask_bench.cpp)
target_link_libraries(json_mask_bench PRIVATE engine gguf)
