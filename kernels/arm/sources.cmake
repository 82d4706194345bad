# AArch64 kernels: one file per ISA per kernel family, each compiled with its own -march. The library
# base stays plain armv8-a; the dispatcher runs a file's code only when HWCAP reports its features.
#   neon_*  armv8.2-a+dotprod         (SDOT; HWCAP_ASIMDDP)         Graviton2+
#   i8mm_*  armv8.6-a+dotprod+i8mm    (SMMLA; + HWCAP2_I8MM)        Graviton3/4
#   sve_*   armv8.2-a+sve+dotprod     (+ HWCAP_SVE)                 Graviton3/4, any vector length
# Helpers shared between files are `static` (arm_common.h, neon_decode.h, i8mm_tile.h) so no
# out-of-line copy built with one file's flags can be picked by the linker for another file.
set(ZEROIDLE_ARM_NEON_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/neon_float.cpp      # F32 / F16 / BF16
  ${CMAKE_CURRENT_LIST_DIR}/neon_legacy.cpp     # Q4_0 / Q5_0 / Q8_0
  ${CMAKE_CURRENT_LIST_DIR}/neon_q4k.cpp        # Q4_K
  ${CMAKE_CURRENT_LIST_DIR}/neon_q6k.cpp        # Q6_K
  ${CMAKE_CURRENT_LIST_DIR}/neon_quantize.cpp   # activations: Q8_0 / Q8_K
)
set(ZEROIDLE_ARM_I8MM_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/i8mm_legacy.cpp     # Q4_0 / Q5_0 / Q8_0
  ${CMAKE_CURRENT_LIST_DIR}/i8mm_q4k.cpp        # Q4_K
  ${CMAKE_CURRENT_LIST_DIR}/i8mm_q6k.cpp        # Q6_K
)
set(ZEROIDLE_ARM_SVE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/sve_q4k.cpp         # Q4_K GEMV
  ${CMAKE_CURRENT_LIST_DIR}/sve_q8_0.cpp        # Q8_0 GEMV
)

target_sources(kernels PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/arm_sets.cpp       # fill_neon / fill_i8mm / fill_sve (base flags)
  ${ZEROIDLE_ARM_NEON_SOURCES} ${ZEROIDLE_ARM_I8MM_SOURCES} ${ZEROIDLE_ARM_SVE_SOURCES})
set_source_files_properties(${ZEROIDLE_ARM_NEON_SOURCES} PROPERTIES COMPILE_OPTIONS "-march=armv8.2-a+dotprod")
set_source_files_properties(${ZEROIDLE_ARM_I8MM_SOURCES} PROPERTIES COMPILE_OPTIONS "-march=armv8.6-a+dotprod+i8mm")
set_source_files_properties(${ZEROIDLE_ARM_SVE_SOURCES} PROPERTIES COMPILE_OPTIONS "-march=armv8.2-a+sve+dotprod")
