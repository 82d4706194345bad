// The golden fixtures of ../shared/reference/quants, made by ggml (see its README): weight rows,
// activation rows, and for each type ggml's quantized rows, dequantized rows, quantized and
// dequantized activations, and dot products. Shared by the reference and SIMD kernel tests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "kernels/formats.h"

namespace zeroidle::testing {

struct GoldenType {
  std::string name;  // ggml's name, e.g. "q4_K"
  kernels::QType type;
  kernels::QType vec_dot_type;
  size_t row_bytes = 0;             // bytes of one quantized weight row
  size_t act_row_bytes = 0;         // bytes of one quantized activation row
  std::vector<uint8_t> quant;       // [rows][row_bytes]   ggml's quantize_row_*_ref(weights)
  std::vector<float> dequant;       // [rows][k]           ggml's dequantize_row_*(quant)
  std::vector<uint8_t> acts_quant;  // [acts][act_row_bytes] activations in vec_dot_type
  std::vector<float> acts_dequant;  // [acts][k]           dequantized acts_quant
  std::vector<float> dot;           // [rows][acts]        ggml's vec_dot(quant row, acts row)

  const uint8_t* quant_row(int r) const { return quant.data() + r * row_bytes; }
  const uint8_t* acts_row(int a) const { return acts_quant.data() + a * act_row_bytes; }
};

struct GoldenSet {
  int rows = 0;                    // weight rows
  int acts = 0;                    // activation rows
  int64_t k = 0;                   // values per row
  std::vector<float> weights;      // [rows][k]
  std::vector<float> activations;  // [acts][k]
  std::vector<GoldenType> types;

  // The entry for ggml type name `name`, or nullptr.
  const GoldenType* find(const std::string& name) const;
};

// Reads manifest.json in `dir` and every file it names. Throws std::runtime_error naming the file
// when one is missing, has the wrong size, or the manifest disagrees with kernels/formats.h.
GoldenSet load_quant_golden(const std::filesystem::path& dir);

// QType of a ggml type name ("f16", "q4_K", "q8_K", ...); throws std::runtime_error if unknown.
kernels::QType qtype_from_name(const std::string& name);

// Every weight type the manifest must cover.
const std::vector<std::string>& golden_type_names();

}  // namespace zeroidle::testing
