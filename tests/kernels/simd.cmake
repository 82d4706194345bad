# The SIMD kernel test matrix (issue 3): every format x every kernel level the host runs x edge
# shapes against the scalar reference and ggml's golden dots; ZEROIDLE_ISA forcing; the thread pool.
# Included from tests/kernels/CMakeLists.txt (kernels_test_support is defined there).
zeroidle_test(simd_matmul_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/simd_matmul_test.cpp
  LIBS kernels_test_support kernels)

# x86: the AVX-512 kernels' logic on any CPU, through SIMDe (Debian: libsimde-dev). The kernel files
# are compiled a second time into this test only, with the SIMDe shim force-included and AVX2 flags;
# the executable's own definitions take precedence over the kernels library's real AVX-512 objects.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  find_path(ZEROIDLE_SIMDE_INCLUDE simde/x86/avx512.h)
  if(ZEROIDLE_SIMDE_INCLUDE)
    set(_avx512_emulated
      ${PROJECT_SOURCE_DIR}/kernels/x86/avx512_q4k.cpp
      ${PROJECT_SOURCE_DIR}/kernels/x86/avx512_q6k.cpp
      ${PROJECT_SOURCE_DIR}/kernels/x86/avx512_legacy.cpp
      ${PROJECT_SOURCE_DIR}/kernels/x86/avx512_float.cpp)
    zeroidle_test(simd_avx512_emulated_test
      SOURCES ${CMAKE_CURRENT_LIST_DIR}/simd_avx512_emulated_test.cpp ${_avx512_emulated}
      LIBS kernels_test_support kernels)
    set_source_files_properties(${_avx512_emulated} TARGET_DIRECTORY simd_avx512_emulated_test PROPERTIES
      COMPILE_OPTIONS "-mavx2;-mfma;-mf16c;-include;${CMAKE_CURRENT_LIST_DIR}/simde_avx512_shim.h;-Wno-unused-function")
  else()
    message(STATUS "simd_avx512_emulated_test: not built (no simde/x86/avx512.h; apt-get install libsimde-dev)")
  endif()
endif()
