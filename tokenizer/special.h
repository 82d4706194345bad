// Special tokens written in text (internal to tokenizer/): splits a text into raw fragments and whole
// special tokens with the result of llama.cpp's tokenizer_st_partition: control, unknown and user-defined
// tokens are taken longest text first (then lowest id); each one claims its leftmost non-overlapping
// occurrences in the text not yet claimed. Control and unknown tokens take part only when parse_special;
// user-defined ones always. (llama.cpp's lstrip/rstrip attributes, which no Llama vocabulary sets, are not
// supported.)
//
// Instead of one pass over the text per special token, all occurrences are found in one pass with a trie
// and then resolved in priority order, which claims the same spans.
#pragma once

#include <bitset>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenizer/vocab.h"

namespace zeroidle::tokenizer::detail {

struct Fragment {
  uint32_t begin;  // byte range of raw text; unused for a token
  uint32_t size;
  int32_t token;  // -1 for raw text
};

struct SpecialScratch {
  struct Match {
    uint32_t priority;  // 0 = longest text
    uint32_t begin;
    uint32_t size;
    int32_t token;
  };
  std::vector<Match> matches;
  std::vector<uint8_t> claimed;  // per byte of the text
};

class SpecialMatcher {
 public:
  static SpecialMatcher build(const Vocab& vocab);

  // Replaces `out` with the fragments of `text` in order (raw fragments are never empty).
  void partition(std::string_view text, bool parse_special, std::vector<Fragment>& out,
                 SpecialScratch& scratch) const;

 private:
  struct Node {
    int32_t token = -1;                                 // the special token whose text ends here
    bool always = false;                                // user-defined: matched even without parse_special
    std::vector<std::pair<uint8_t, int32_t>> children;  // byte -> node index
  };

  void insert(std::string_view text, int32_t token, bool always);
  int32_t child(int32_t node, uint8_t byte) const;
  void find_matches(std::string_view text, bool parse_special, SpecialScratch& scratch) const;

  std::vector<Node> nodes_ = {Node{}};  // nodes_[0] is the root
  std::vector<uint32_t> priority_;      // token -> rank in (text length desc, id asc); only for specials
  std::bitset<256> first_bytes_[2];     // first bytes of [0] control/unknown, [1] user-defined texts
};

}  // namespace zeroidle::tokenizer::detail
