// Pushdown-automaton state: a thread is a persistent (immutable, shared-tail) stack of frames.
//
// Feeding a byte never changes a StackNode; it allocates new tops in an Arena, so the state before
// a byte is still valid after it. That makes trying bytes (the token-trie walk) free to undo:
// remember the old top pointer and release the arena back to a mark. Internal to engine/json.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

namespace zeroidle::engine::json::detail {

enum class FrameKind : uint8_t { kRoot, kObject, kArray, kString, kNumber, kLiterals, kUnion, kSentinel };

// Per-kind states (Frame::state).
enum RootState : uint8_t { kRootWait, kRootDone };
enum ObjectState : uint8_t { kObjOpen, kObjFirst, kObjKey, kObjValue, kObjAfter };
enum ArrayState : uint8_t { kArrOpen, kArrFirst, kArrValue, kArrAfter };
enum StringState : uint8_t {
  kStrOpen,  // before the opening quote
  kStrBody,  // between characters
  kStrEsc,   // after a backslash
  kStrU0,
  kStrU1,
  kStrU1D,
  kStrU2,
  kStrU3,  // in \uXXXX after 0..3 hex digits (U1D: first digit was D)
  kStrC1,  // one continuation byte 80..BF left
  kStrC2,
  kStrC2E0,
  kStrC2ED,  // two left; E0 needs A0..BF next, ED needs 80..9F next
  kStrC3,
  kStrC3F0,
  kStrC3F4,  // three left; F0 needs 90..BF next, F4 needs 80..8F next
  kStrStateCount,
};
enum SentinelState : uint8_t { kSentinelWait, kSentinelPopped, kSentinelForwarded };

// One stack frame; 32 bytes, no padding, compared and hashed as raw bytes.
//   kObject:   a = next property index allowed, b = key-trie position (kObjKey)
//   kArray:    a = items still required, b = items still allowed
//   kString:   a = characters still required, b = characters still allowed
//   kNumber:   sub = negative, a = integer digits, b = fraction digits, x = integer part, y = fraction
//   kLiterals: a = literal-trie position
struct Frame {
  FrameKind kind = FrameKind::kRoot;
  uint8_t state = 0;
  uint8_t sub = 0;
  uint8_t pad = 0;
  uint32_t node = 0;
  uint32_t a = 0;
  uint32_t b = 0;
  int64_t x = 0;
  int64_t y = 0;
};
static_assert(sizeof(Frame) == 32, "Frame is hashed and compared as raw bytes");

inline bool operator==(const Frame& l, const Frame& r) {
  return std::memcmp(&l, &r, sizeof(Frame)) == 0;
}

struct StackNode {
  Frame f;
  const StackNode* parent = nullptr;
  uint32_t depth = 0;  // the root frame is 0, the document's value 1
};

// Whether two threads hold the same stack (frames and depths), sharing tails or not.
inline bool same_stack(const StackNode* a, const StackNode* b) {
  while (a != b) {
    if (!a || !b || a->depth != b->depth || !(a->f == b->f)) return false;
    a = a->parent;
    b = b->parent;
  }
  return true;
}

// Bump allocator for StackNodes with marks: release(mark) frees everything allocated after it.
// Chunks grow from 64 to 4096 nodes, so a short-lived arena (a Matcher copy) stays small.
class Arena {
 public:
  struct Mark {
    size_t chunk = 0;
    size_t used = 0;
  };

  StackNode* alloc() {
    if (chunk_ < chunks_.size() && used_ == chunks_[chunk_].capacity) {
      ++chunk_;
      used_ = 0;
    }
    if (chunk_ == chunks_.size()) {
      const size_t capacity = size_t{64} << std::min<size_t>(chunks_.size(), 6);
      chunks_.push_back(
          {std::make_unique_for_overwrite<unsigned char[]>(capacity * sizeof(StackNode)), capacity});
    }
    void* slot = chunks_[chunk_].memory.get() + used_++ * sizeof(StackNode);
    return new (slot) StackNode;
  }
  Mark mark() const { return {chunk_, used_}; }
  void release(Mark m) {
    chunk_ = m.chunk;
    used_ = m.used;
  }
  void reset() { release({}); }
  size_t allocated() const {
    size_t total = used_;
    for (size_t i = 0; i < chunk_ && i < chunks_.size(); ++i) total += chunks_[i].capacity;
    return total;
  }

 private:
  struct Chunk {
    std::unique_ptr<unsigned char[]> memory;
    size_t capacity;
  };
  std::vector<Chunk> chunks_;
  size_t chunk_ = 0;
  size_t used_ = 0;
};

}  // namespace zeroidle::engine::json::detail
