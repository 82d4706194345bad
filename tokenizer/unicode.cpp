#include "tokenizer/unicode.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <vector>

namespace zeroidle::tokenizer::detail {
namespace {

constexpr uint32_t kMaxCpt = 0x110000;
constexpr uint32_t kBlockBits = 7;  // 128 code points per block
constexpr uint32_t kBlockSize = 1u << kBlockBits;
constexpr uint32_t kBlockCount = kMaxCpt / kBlockSize;

// Two-level lookup: block index per 128 code points, then the deduplicated blocks (most are all-other or
// all-letter, so a few hundred distinct blocks cover the whole range).
struct ClassTable {
  std::vector<uint16_t> block_of;  // [kBlockCount]
  std::vector<CharClass> blocks;   // [n_distinct * kBlockSize]
};

ClassTable build_class_table() {
  ClassTable t;
  t.block_of.resize(kBlockCount);
  std::map<std::array<CharClass, kBlockSize>, uint16_t> seen;
  size_t r = 0;  // first range that may still overlap the current block
  for (uint32_t b = 0; b < kBlockCount; ++b) {
    std::array<CharClass, kBlockSize> block{};
    const uint32_t lo = b * kBlockSize;
    const uint32_t hi = lo + kBlockSize - 1;
    while (r < kCharClassRangeCount && kCharClassRanges[r].last < lo) ++r;
    for (size_t i = r; i < kCharClassRangeCount && kCharClassRanges[i].first <= hi; ++i) {
      const uint32_t first = std::max(kCharClassRanges[i].first, lo);
      const uint32_t last = std::min(kCharClassRanges[i].last, hi);
      for (uint32_t c = first; c <= last; ++c) block[c - lo] = kCharClassRanges[i].cls;
    }
    auto [it, inserted] = seen.try_emplace(block, static_cast<uint16_t>(seen.size()));
    if (inserted) t.blocks.insert(t.blocks.end(), block.begin(), block.end());
    t.block_of[b] = it->second;
  }
  return t;
}

bool is_continuation(char c) {
  return (static_cast<uint8_t>(c) & 0xC0) == 0x80;
}

// GPT-2's printable bytes, which map to themselves: '!'..'~', '¡'..'¬', '®'..'ÿ'.
bool is_printable_latin1(int b) {
  return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
}

struct ByteLevelMaps {
  std::array<uint32_t, 256> cpt_of_byte{};
  std::array<int16_t, 0x144> byte_of_cpt{};  // every mapped code point is below U+0144
};

ByteLevelMaps build_byte_level_maps() {
  ByteLevelMaps m;
  m.byte_of_cpt.fill(-1);
  uint32_t next = 0x100;
  for (int b = 0; b < 256; ++b) {
    m.cpt_of_byte[b] = is_printable_latin1(b) ? static_cast<uint32_t>(b) : next++;
    m.byte_of_cpt[m.cpt_of_byte[b]] = static_cast<int16_t>(b);
  }
  return m;
}

const ByteLevelMaps& byte_level_maps() {
  static const ByteLevelMaps maps = build_byte_level_maps();
  return maps;
}

}  // namespace

CharClass char_class(uint32_t cpt) {
  static const ClassTable table = build_class_table();
  if (cpt >= kMaxCpt) return CharClass::kOther;
  return table.blocks[(size_t{table.block_of[cpt >> kBlockBits]} << kBlockBits) | (cpt & (kBlockSize - 1))];
}

DecodedCpt decode_utf8(const char* p, size_t n) {
  const auto b0 = static_cast<uint8_t>(p[0]);
  constexpr DecodedCpt kInvalid = {kReplacementChar, 1, false};
  if (b0 < 0x80) return {b0, 1, true};
  if (b0 < 0xC0 || b0 >= 0xF8) return kInvalid;
  const uint32_t len = b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
  if (n < len) return kInvalid;
  uint32_t cpt = b0 & (0x7F >> len);
  for (uint32_t i = 1; i < len; ++i) {
    if (!is_continuation(p[i])) return kInvalid;
    cpt = (cpt << 6) | (static_cast<uint8_t>(p[i]) & 0x3F);
  }
  if (cpt >= kMaxCpt) return kInvalid;
  return {cpt, len, true};
}

void append_utf8(std::string& out, uint32_t cpt) {
  if (cpt < 0x80) {
    out.push_back(static_cast<char>(cpt));
  } else if (cpt < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cpt >> 6)));
    out.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  } else if (cpt < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cpt >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cpt >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cpt >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cpt >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cpt >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  }
}

namespace {

size_t utf8_encoded_length(uint32_t cpt) {
  return cpt < 0x80 ? 1 : cpt < 0x800 ? 2 : cpt < 0x10000 ? 3 : 4;
}

// Offset of the first byte that sanitize_utf8 would change, or text.size().
size_t first_unclean(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    if (static_cast<uint8_t>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const DecodedCpt d = decode_utf8(text.data() + i, text.size() - i);
    if (!d.valid || utf8_encoded_length(d.cpt) != d.len) return i;
    i += d.len;
  }
  return i;
}

}  // namespace

std::string_view sanitize_utf8(std::string_view text, std::string& storage) {
  size_t i = first_unclean(text);
  if (i == text.size()) return text;
  storage.assign(text.substr(0, i));
  while (i < text.size()) {
    const DecodedCpt d = decode_utf8(text.data() + i, text.size() - i);
    append_utf8(storage, d.cpt);
    i += d.len;
  }
  return storage;
}

uint32_t byte_level_cpt(uint8_t byte) {
  return byte_level_maps().cpt_of_byte[byte];
}

int byte_of_level_cpt(uint32_t cpt) {
  const auto& m = byte_level_maps();
  return cpt < m.byte_of_cpt.size() ? m.byte_of_cpt[cpt] : -1;
}

bool byte_level_decode(std::string_view text, std::string& out) {
  const auto& byte_of_cpt = byte_level_maps().byte_of_cpt;
  const size_t old_size = out.size();
  out.resize(old_size + text.size());  // at most one byte per input byte
  char* dst = out.data() + old_size;
  for (size_t i = 0; i < text.size();) {
    // Every byte-level code point is below U+0144: one UTF-8 byte, or two with a C2..C5 lead.
    const auto b0 = static_cast<uint8_t>(text[i]);
    uint32_t cpt = b0;
    if (b0 >= 0x80) {
      if (b0 < 0xC2 || b0 > 0xC5 || i + 1 >= text.size() || !is_continuation(text[i + 1])) return false;
      cpt = ((b0 & 0x1Fu) << 6) | (static_cast<uint8_t>(text[i + 1]) & 0x3Fu);
      if (cpt >= byte_of_cpt.size()) return false;
    }
    if (byte_of_cpt[cpt] < 0) return false;
    *dst++ = static_cast<char>(byte_of_cpt[cpt]);
    i += b0 < 0x80 ? 1 : 2;
  }
  out.resize(static_cast<size_t>(dst - out.data()));
  return true;
}

std::string byte_level_encode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) append_utf8(out, byte_level_cpt(static_cast<uint8_t>(c)));
  return out;
}

}  // namespace zeroidle::tokenizer::detail
