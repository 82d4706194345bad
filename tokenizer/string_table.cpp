#include "tokenizer/string_table.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace zeroidle::tokenizer::detail {

void StringTable::reserve(size_t n_strings, size_t n_bytes) {
  bytes_.reserve(n_bytes);
  begin_.reserve(n_strings + 1);
  size_t n_slots = 16;
  while (n_slots < 2 * n_strings) n_slots *= 2;
  if (n_slots > slots_.size()) rehash(n_slots);
}

int32_t StringTable::intern(std::string_view s, uint64_t h) {
  if (const int32_t id = find(s, h); id >= 0) return id;
  if (bytes_.size() + s.size() > UINT32_MAX) throw std::length_error("StringTable: more than 4 GiB of text");
  if (2 * begin_.size() > slots_.size()) rehash(slots_.empty() ? 16 : 2 * slots_.size());
  const int32_t id = size();
  bytes_.append(s);
  begin_.push_back(static_cast<uint32_t>(bytes_.size()));
  place(s, h, id);
  return id;
}

void StringTable::intern_all(std::span<const std::string_view> strings, std::span<int32_t> ids) {
  constexpr size_t kBatch = 32;
  uint64_t hashes[kBatch];
  for (size_t first = 0; first < strings.size(); first += kBatch) {
    const size_t count = std::min(kBatch, strings.size() - first);
    for (size_t j = 0; j < count; ++j) {
      hashes[j] = hash(strings[first + j]);
      prefetch(hashes[j]);
    }
    for (size_t j = 0; j < count; ++j) ids[first + j] = intern(strings[first + j], hashes[j]);
  }
}

void StringTable::place(std::string_view s, uint64_t h, int32_t id) {
  uint64_t i = h & mask_;
  while (slots_[i].id_plus1 != 0) i = (i + 1) & mask_;
  slots_[i] = Slot{head_of(s), static_cast<uint32_t>(id) + 1, static_cast<uint32_t>(s.size())};
}

void StringTable::rehash(size_t n_slots) {
  slots_.assign(n_slots, Slot{});
  mask_ = n_slots - 1;
  for (int32_t id = 0; id < size(); ++id) place(at(id), hash(at(id)), id);
}

}  // namespace zeroidle::tokenizer::detail
