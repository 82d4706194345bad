// Hash tables for the tokenizers (internal to tokenizer/).
//
// StringTable interns byte strings: each distinct string gets a dense id 0, 1, 2, ... in insertion order,
// and lookups take a string_view (no allocation). PairTable maps a pair of ids to a value. Both use open
// addressing with linear probing at a load factor <= 1/2. Thread-compatible: const lookups are safe
// from many threads.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace zeroidle::tokenizer::detail {

// The n <= 8 bytes at p as a little-endian integer (zero above them), without a variable-length memcpy:
// two overlapping fixed-size loads.
inline uint64_t load_up_to_8(const char* p, size_t n) {
  if (n >= 4) {
    uint32_t lo;
    uint32_t hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + n - 4, 4);
    return lo | (uint64_t{hi} << (8 * (n - 4)));
  }
  if (n == 0) return 0;
  const auto b = [&](size_t i) { return uint64_t{static_cast<uint8_t>(p[i])}; };
  return b(0) | (b(n / 2) << (8 * (n / 2))) | (b(n - 1) << (8 * (n - 1)));
}

class StringTable {
 public:
  // Capacity hints; the table grows as needed either way.
  void reserve(size_t n_strings, size_t n_bytes);

  static uint64_t hash(std::string_view s);
  // Starts loading the slot a lookup of a string with hash `h` reads first (for batched lookups).
  void prefetch(uint64_t h) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[h & mask_]);
  }
  int32_t find(std::string_view s) const { return find(s, hash(s)); }  // id, or -1 if absent
  int32_t find(std::string_view s, uint64_t h) const;                  // h == hash(s)
  int32_t intern(std::string_view s) { return intern(s, hash(s)); }    // id of s, added if new
  int32_t intern(std::string_view s, uint64_t h);                      // h == hash(s)
  // ids[i] = intern(strings[i]) for all i, in order, overlapping the lookups' cache misses.
  void intern_all(std::span<const std::string_view> strings, std::span<int32_t> ids);
  std::string_view at(int32_t id) const {
    return {bytes_.data() + begin_[id], static_cast<size_t>(begin_[id + 1] - begin_[id])};
  }
  int32_t size() const { return static_cast<int32_t>(begin_.size() - 1); }

 private:
  // A slot holds the string's first 8 bytes and size, so most lookups compare without leaving the slot.
  struct Slot {
    uint64_t head = 0;      // first min(size, 8) bytes, zero-padded
    uint32_t id_plus1 = 0;  // 0 = empty
    uint32_t size = 0;
  };
  static uint64_t head_of(std::string_view s) { return load_up_to_8(s.data(), s.size() < 8 ? s.size() : 8); }
  bool matches(const Slot& slot, std::string_view s, uint64_t head) const {
    if (slot.size != s.size() || slot.head != head) return false;
    return s.size() <= 8 ||
           std::memcmp(bytes_.data() + begin_[slot.id_plus1 - 1] + 8, s.data() + 8, s.size() - 8) == 0;
  }
  void rehash(size_t n_slots);
  void place(std::string_view s, uint64_t h, int32_t id);

  std::string bytes_;                  // all strings back to back
  std::vector<uint32_t> begin_ = {0};  // begin_[id] .. begin_[id + 1] is string `id` in bytes_
  std::vector<Slot> slots_;
  uint64_t mask_ = 0;
};

inline uint64_t StringTable::hash(std::string_view s) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  uint64_t h = (s.size() + 1) * kMul;
  const char* p = s.data();
  size_t n = s.size();
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    h = (h ^ v) * kMul;
    h ^= h >> 29;
  }
  if (n > 0) {
    h = (h ^ load_up_to_8(p, n)) * kMul;
    h ^= h >> 29;
  }
  h *= 0xD6E8FEB86659FD93ull;
  return h ^ (h >> 32);
}

inline int32_t StringTable::find(std::string_view s, uint64_t h) const {
  if (slots_.empty()) return -1;
  const uint64_t head = head_of(s);
  for (uint64_t i = h & mask_;; i = (i + 1) & mask_) {
    const Slot& slot = slots_[i];
    if (slot.id_plus1 == 0) return -1;
    if (matches(slot, s, head)) return static_cast<int32_t>(slot.id_plus1 - 1);
  }
}

// An immutable map (uint32 left, uint32 right) -> Value (trivially copyable), built at once. A blocked
// Bloom filter (16 bits per pair, small enough to stay in cache) answers most lookups of absent pairs --
// most lookups during BPE merging -- without touching the table.
template <typename Value>
class PairTable {
 public:
  struct Entry {
    uint32_t left, right;
    Value value;
  };

  PairTable() = default;
  // For a pair listed more than once the first entry wins. Entries are inserted in the order of their home
  // slots, so building sweeps through memory instead of jumping around it.
  explicit PairTable(std::span<const Entry> entries) {
    size_t n_slots = 16;
    while (n_slots < 2 * entries.size()) n_slots *= 2;
    slots_.assign(n_slots, Slot{});
    mask_ = n_slots - 1;
    size_t n_words = 1;
    while (n_words * 64 < 16 * entries.size() && n_words < n_slots) n_words *= 2;
    filter_.assign(n_words, 0);
    while ((n_slots >> filter_shift_) > n_words) ++filter_shift_;
    for (uint32_t i : order_by_home_slot(entries)) insert(entries[i]);
  }

  const Value* find(uint32_t left, uint32_t right) const {
    if (slots_.empty()) return nullptr;
    const uint64_t key = make_key(left, right);
    const uint64_t h = mix(key);
    const uint64_t bits = filter_bits(h);
    if ((filter_[(h & mask_) >> filter_shift_] & bits) != bits) return nullptr;
    for (uint64_t i = h & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return &slots_[i].value;
      if (slots_[i].key == kEmpty) return nullptr;
    }
  }
  size_t size() const { return size_; }

 private:
  static constexpr uint64_t kEmpty = ~uint64_t{0};
  struct Slot {
    uint64_t key = kEmpty;
    Value value{};
  };
  static uint64_t make_key(uint32_t left, uint32_t right) { return (uint64_t{left} << 32) | right; }
  static uint64_t mix(uint64_t k) {
    k *= 0x9E3779B97F4A7C15ull;
    return k ^ (k >> 29);
  }
  // The filter word follows the home slot (low hash bits); the two bits in it come from high hash bits.
  static uint64_t filter_bits(uint64_t h) {
    return (uint64_t{1} << ((h >> 40) & 63)) | (uint64_t{1} << ((h >> 46) & 63));
  }

  // Entry indices stably sorted by the top bits of their home slot (a counting sort).
  std::vector<uint32_t> order_by_home_slot(std::span<const Entry> entries) const {
    size_t shift = 0;
    while ((slots_.size() >> shift) > 4096) ++shift;
    std::vector<uint32_t> start((slots_.size() >> shift) + 1, 0);
    for (const Entry& e : entries) ++start[((mix(make_key(e.left, e.right)) & mask_) >> shift) + 1];
    for (size_t b = 1; b < start.size(); ++b) start[b] += start[b - 1];
    std::vector<uint32_t> order(entries.size());
    for (size_t i = 0; i < entries.size(); ++i) {
      const size_t bucket = (mix(make_key(entries[i].left, entries[i].right)) & mask_) >> shift;
      order[start[bucket]++] = static_cast<uint32_t>(i);
    }
    return order;
  }

  void insert(const Entry& e) {
    const uint64_t key = make_key(e.left, e.right);
    const uint64_t h = mix(key);
    for (uint64_t i = h & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return;  // a later duplicate
      if (slots_[i].key == kEmpty) {
        slots_[i] = Slot{key, e.value};
        ++size_;
        filter_[(h & mask_) >> filter_shift_] |= filter_bits(h);
        return;
      }
    }
  }

  std::vector<Slot> slots_;
  uint64_t mask_ = 0;
  size_t size_ = 0;
  std::vector<uint64_t> filter_;  // one word per 2^filter_shift_ slots
  uint32_t filter_shift_ = 0;
};

}  // namespace zeroidle::tokenizer::detail
