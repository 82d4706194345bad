# Scalar reference kernels: the specification of every format, the oracle of the SIMD tests and the
# last fallback of the dispatch table. Included from kernels/CMakeLists.txt.
set(ZEROIDLE_REF_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/fp16.cpp            # F32 / F16 / BF16 conversions and dots
  ${CMAKE_CURRENT_LIST_DIR}/quants_legacy.cpp   # Q4_0 / Q5_0 / Q8_0
  ${CMAKE_CURRENT_LIST_DIR}/quants_k.cpp        # Q4_K / Q5_K / Q6_K / Q8_K unpack, dequantize, dot
  ${CMAKE_CURRENT_LIST_DIR}/quantize_k.cpp      # Q4_K / Q5_K / Q6_K weight quantizers
  ${CMAKE_CURRENT_LIST_DIR}/dispatch_ref.cpp    # QType-generic dequantize_row / quantize_row / dot_row
)
target_sources(kernels PRIVATE ${ZEROIDLE_REF_SOURCES})
# The references must give the same bits with every compiler and CPU: forbid fusing a * b + c into
# an FMA (GCC in GNU mode and Clang contract by default where the target has FMA, e.g. AArch64).
if(NOT MSVC)
  set_source_files_properties(${ZEROIDLE_REF_SOURCES} PROPERTIES COMPILE_OPTIONS "-ffp-contract=off")
endif()
