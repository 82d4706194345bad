#include "tokenizer/tokenizer.h"

namespace zeroidle::tokenizer {
namespace {

// Bytes a well-formed sequence starting with `lead` has; 0 when `lead` cannot start one.
size_t sequence_length(uint8_t lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

bool is_continuation(char c) {
  return (static_cast<uint8_t>(c) & 0xC0) == 0x80;
}

// Length of the prefix of `s` that can be emitted: everything but a trailing lead byte (with the
// continuation bytes after it) that still waits for more continuation bytes.
size_t emittable_prefix(const std::string& s) {
  const size_t n = s.size();
  for (size_t back = 1; back <= 4 && back <= n; ++back) {
    const char c = s[n - back];
    if (is_continuation(c)) continue;
    const size_t need = sequence_length(static_cast<uint8_t>(c));
    return need > back ? n - back : n;
  }
  return n;  // only continuation bytes at the end: none of them can still complete
}

}  // namespace

StreamDecoder::StreamDecoder(const Tokenizer& tokenizer, bool special)
    : tokenizer_(&tokenizer), special_(special) {}

std::string StreamDecoder::push(int32_t id) {
  pending_ += tokenizer_->token_to_piece(id, special_);
  const size_t ready = emittable_prefix(pending_);
  std::string out = pending_.substr(0, ready);
  pending_.erase(0, ready);
  return out;
}

std::string StreamDecoder::flush() {
  std::string out;
  out.swap(pending_);
  return out;
}

}  // namespace zeroidle::tokenizer
