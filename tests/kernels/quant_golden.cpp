#include "quant_golden.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace zeroidle::testing {
namespace {

using kernels::QType;

std::vector<uint8_t> read_exact(const std::filesystem::path& p, size_t expected_bytes) {
  std::ifstream f(p, std::ios::binary);
  if (!f) throw std::runtime_error(p.string() + ": cannot open");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (bytes.size() != expected_bytes) {
    throw std::runtime_error(p.string() + ": " + std::to_string(bytes.size()) + " bytes, expected " +
                             std::to_string(expected_bytes));
  }
  return bytes;
}

std::vector<float> read_floats(const std::filesystem::path& p, size_t count) {
  const std::vector<uint8_t> bytes = read_exact(p, count * sizeof(float));
  std::vector<float> out(count);
  std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

GoldenType load_type(const nlohmann::json& j, const std::filesystem::path& dir, const GoldenSet& set) {
  GoldenType t;
  t.name = j.at("type").get<std::string>();
  t.type = qtype_from_name(t.name);
  t.vec_dot_type = qtype_from_name(j.at("vec_dot_type").get<std::string>());
  t.row_bytes = j.at("row_bytes").get<size_t>();
  t.act_row_bytes = j.at("act_row_bytes").get<size_t>();
  const kernels::TypeTraits tr = kernels::type_traits(t.type);
  const std::string where = "manifest.json type " + t.name + ": ";
  if (j.at("block_size").get<int>() != tr.block_size) throw std::runtime_error(where + "block_size differs");
  if (t.vec_dot_type != tr.vec_dot_type) throw std::runtime_error(where + "vec_dot_type differs");
  if (t.row_bytes != kernels::row_bytes(t.type, set.k)) throw std::runtime_error(where + "row_bytes differs");
  if (t.act_row_bytes != kernels::row_bytes(t.vec_dot_type, set.k)) {
    throw std::runtime_error(where + "act_row_bytes differs");
  }
  const size_t rows = static_cast<size_t>(set.rows), acts = static_cast<size_t>(set.acts);
  const size_t k = static_cast<size_t>(set.k);
  t.quant = read_exact(dir / j.at("quant").get<std::string>(), rows * t.row_bytes);
  t.dequant = read_floats(dir / j.at("dequant").get<std::string>(), rows * k);
  t.acts_quant = read_exact(dir / j.at("acts_quant").get<std::string>(), acts * t.act_row_bytes);
  t.acts_dequant = read_floats(dir / j.at("acts_dequant").get<std::string>(), acts * k);
  t.dot = read_floats(dir / j.at("dot").get<std::string>(), rows * acts);
  return t;
}

}  // namespace

const GoldenType* GoldenSet::find(const std::string& name) const {
  for (const GoldenType& t : types) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

QType qtype_from_name(const std::string& name) {
  static const std::pair<const char*, QType> kNames[] = {
      {"f32", QType::F32},   {"f16", QType::F16},   {"bf16", QType::BF16}, {"q4_0", QType::Q4_0},
      {"q5_0", QType::Q5_0}, {"q8_0", QType::Q8_0}, {"q4_K", QType::Q4_K}, {"q5_K", QType::Q5_K},
      {"q6_K", QType::Q6_K}, {"q8_K", QType::Q8_K},
  };
  for (const auto& [n, t] : kNames) {
    if (name == n) return t;
  }
  throw std::runtime_error("unknown ggml type name '" + name + "'");
}

const std::vector<std::string>& golden_type_names() {
  static const std::vector<std::string> kTypes = {"f16",  "bf16", "q4_0", "q5_0",
                                                  "q8_0", "q4_K", "q5_K", "q6_K"};
  return kTypes;
}

GoldenSet load_quant_golden(const std::filesystem::path& dir) {
  std::ifstream f(dir / "manifest.json");
  if (!f) throw std::runtime_error((dir / "manifest.json").string() + ": cannot open");
  const nlohmann::json m = nlohmann::json::parse(f);
  GoldenSet set;
  set.rows = m.at("rows").get<int>();
  set.acts = m.at("acts").get<int>();
  set.k = m.at("k").get<int64_t>();
  const size_t k = static_cast<size_t>(set.k);
  set.weights = read_floats(dir / m.at("weights").get<std::string>(), static_cast<size_t>(set.rows) * k);
  set.activations =
      read_floats(dir / m.at("activations").get<std::string>(), static_cast<size_t>(set.acts) * k);
  for (const nlohmann::json& t : m.at("types")) set.types.push_back(load_type(t, dir, set));
  return set;
}

}  // namespace zeroidle::testing
