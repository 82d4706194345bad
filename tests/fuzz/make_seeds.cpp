// gguf_fuzz_seeds DIR: writes a small seed corpus for gguf_fuzz into DIR — valid files made by the
// Writer that between them use every value type, nested arrays, several tensor types, a custom
// alignment and a GGUF v2 header. Generated at run time so no model file is copied into the repo.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "gguf/gguf.h"

namespace {

using namespace zeroidle::gguf;

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(seed + i * 37);
  return out;
}

Value array_of(ValueType type, std::vector<Value> items) {
  return Value{Array{type, std::move(items)}};
}

Writer scalars() {
  Writer w;
  w.set("general.architecture", Value{std::string("llama")});
  w.set("u8", Value{uint8_t{1}});
  w.set("i8", Value{int8_t{-1}});
  w.set("u16", Value{uint16_t{2}});
  w.set("i16", Value{int16_t{-2}});
  w.set("u32", Value{uint32_t{3}});
  w.set("i32", Value{int32_t{-3}});
  w.set("f32", Value{0.5f});
  w.set("bool", Value{true});
  w.set("u64", Value{uint64_t{4}});
  w.set("i64", Value{int64_t{-4}});
  w.set("f64", Value{0.25});
  return w;
}

Writer arrays() {
  Writer w;
  w.set("tokenizer.ggml.tokens",
        array_of(ValueType::STRING, {{std::string("<s>")}, {std::string("a")}, {std::string("")}}));
  w.set("tokenizer.ggml.scores", array_of(ValueType::FLOAT32, {{0.0f}, {-1.0f}, {2.5f}}));
  w.set("tokenizer.ggml.token_type", array_of(ValueType::INT32, {{int32_t{1}}, {int32_t{2}}, {int32_t{3}}}));
  w.set("flags", array_of(ValueType::BOOL, {{true}, {false}}));
  w.set("nested",
        array_of(ValueType::ARRAY, {array_of(ValueType::UINT8, {{uint8_t{7}}}),
                                    array_of(ValueType::ARRAY, {array_of(ValueType::STRING, {})})}));
  w.set("empty", array_of(ValueType::UINT64, {}));
  return w;
}

Writer tensors(uint64_t alignment) {
  Writer w(alignment);
  w.set("general.name", Value{std::string("seed")});
  w.add_tensor("token_embd.weight", 0, {4, 2}, pattern(32, 1));     // f32
  w.add_tensor("blk.0.attn_q.weight", 8, {32, 2}, pattern(68, 2));  // q8_0
  w.add_tensor("blk.0.ffn_up.weight", 12, {256}, pattern(144, 3));  // q4_K
  w.add_tensor("output_norm.weight", 30, {8}, pattern(16, 4));      // bf16
  w.add_tensor("scalar", 1, {}, pattern(2, 5));                     // f16, n_dims 0
  w.add_tensor("four", 24, {1, 2, 3, 4}, pattern(24, 6));           // i8
  return w;
}

bool write(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  return std::fclose(f) == 0 && ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: gguf_fuzz_seeds DIR\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  std::vector<std::pair<std::string, std::vector<uint8_t>>> seeds = {
      {"empty.gguf", Writer().bytes()},
      {"scalars.gguf", scalars().bytes()},
      {"arrays.gguf", arrays().bytes()},
      {"tensors.gguf", tensors(32).bytes()},
      {"tensors_align8.gguf", tensors(8).bytes()},
      {"tensors_align64.gguf", tensors(64).bytes()},
  };
  std::vector<uint8_t> v2 = scalars().bytes();
  v2[4] = 2;  // the version field: v2 and v3 share the little-endian layout
  seeds.emplace_back("scalars_v2.gguf", std::move(v2));
  for (const auto& [name, bytes] : seeds) {
    if (!write(dir / name, bytes)) {
      std::fprintf(stderr, "error: cannot write %s\n", (dir / name).c_str());
      return 1;
    }
  }
  std::printf("%zu seeds in %s\n", seeds.size(), dir.c_str());
  return 0;
}
