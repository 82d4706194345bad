# x86-64 kernels: one file per ISA per kernel family, each compiled with exactly its ISA's flags
# (never -march=native: one binary runs on every x86 host; dispatch.cpp picks the set at run time).
set(ZEROIDLE_X86_AVX2_FLAGS -mavx2 -mfma -mf16c)
set(ZEROIDLE_X86_AVX512_FLAGS -mavx512f -mavx512bw -mavx512vl -mavx512vnni -mavx512dq -mfma -mf16c)
# GCC 12's AVX-512 headers trip -W(maybe-)uninitialized on their own _mm512_undefined_*() (GCC bug 105593).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  list(APPEND ZEROIDLE_X86_AVX512_FLAGS -Wno-uninitialized -Wno-maybe-uninitialized)
endif()

set(ZEROIDLE_X86_AVX2_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/avx2_q4k.cpp
  ${CMAKE_CURRENT_LIST_DIR}/avx2_q6k.cpp
  ${CMAKE_CURRENT_LIST_DIR}/avx2_legacy.cpp
  ${CMAKE_CURRENT_LIST_DIR}/avx2_float.cpp
  ${CMAKE_CURRENT_LIST_DIR}/avx2_quantize.cpp)
set(ZEROIDLE_X86_AVX512_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/avx512_q4k.cpp
  ${CMAKE_CURRENT_LIST_DIR}/avx512_q6k.cpp
  ${CMAKE_CURRENT_LIST_DIR}/avx512_legacy.cpp
  ${CMAKE_CURRENT_LIST_DIR}/avx512_float.cpp)

# avx2_set.cpp / avx512_set.cpp only store pointers: baseline flags, safe on any x86-64.
target_sources(kernels PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/avx2_set.cpp
  ${CMAKE_CURRENT_LIST_DIR}/avx512_set.cpp
  ${ZEROIDLE_X86_AVX2_SOURCES}
  ${ZEROIDLE_X86_AVX512_SOURCES})
set_source_files_properties(${ZEROIDLE_X86_AVX2_SOURCES} PROPERTIES COMPILE_OPTIONS "${ZEROIDLE_X86_AVX2_FLAGS}")
set_source_files_properties(${ZEROIDLE_X86_AVX512_SOURCES} PROPERTIES COMPILE_OPTIONS "${ZEROIDLE_X86_AVX512_FLAGS}")
