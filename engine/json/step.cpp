// The byte transition, one function per frame kind.
#include "engine/json/step.h"

#include <algorithm>

namespace zeroidle::engine::json::detail {
namespace {

const StackNode* make(Arena& arena, const StackNode* parent, const Frame& f, uint32_t depth) {
  StackNode* n = arena.alloc();
  n->f = f;
  n->parent = parent;
  n->depth = depth;
  return n;
}

const StackNode* replace(Arena& arena, const StackNode* top, const Frame& f) {
  return make(arena, top->parent, f, top->depth);
}

const StackNode* push(Arena& arena, const StackNode* parent, const Frame& f) {
  return make(arena, parent, f, parent->depth + 1);
}

}  // namespace

Frame parent_after_child(Frame f) {
  switch (f.kind) {
    case FrameKind::kRoot:
      f.state = kRootDone;
      break;
    case FrameKind::kObject:
      f.state = kObjAfter;
      break;
    case FrameKind::kArray:
      f.state = kArrAfter;
      break;
    case FrameKind::kSentinel:
      f.state = kSentinelPopped;
      break;
    default:
      break;
  }
  return f;
}

namespace {

NumState num_state(const Frame& f) {
  return {static_cast<NumPhase>(f.state), f.sub != 0, f.a, f.b, f.x, f.y};
}

Frame num_frame(Frame f, const NumState& s) {
  f.state = static_cast<uint8_t>(s.phase);
  f.sub = s.neg ? 1 : 0;
  f.a = s.int_count;
  f.b = s.frac_count;
  f.x = s.ip;
  f.y = s.fq;
  return f;
}

void finish(const StackNode* top, Arena& arena, Threads& out) {
  out.push_back(pop_finished(top, arena));
}

// Whether a value's parent could take `byte` right after the value: only ',', '}' or ']' follow a value
// in compact JSON (a sentinel stands for any context).
bool may_follow_value(const StackNode* top, uint8_t byte) {
  return byte == ',' || byte == '}' || byte == ']' || top->parent->f.kind == FrameKind::kSentinel;
}

void finish_forward(const Grammar& g, const StackNode* top, uint8_t byte, Arena& arena, Threads& out) {
  if (may_follow_value(top, byte)) step(g, pop_finished(top, arena), byte, arena, out);
}

bool is_hex(uint8_t b) {
  return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
}

// Starts a character in a string frame: counts it against the bounds.
bool count_char(Frame& f) {
  if (f.b == 0) return false;
  --f.b;
  if (f.a > 0) --f.a;
  return true;
}

// The string state after a raw byte in kStrBody, or kStrStateCount when the byte cannot start a character.
uint8_t body_byte_state(uint8_t b) {
  if (b < 0x20 || b == '"' || b == '\\') return kStrStateCount;
  if (b < 0x80) return kStrBody;
  if (b >= 0xC2 && b <= 0xDF) return kStrC1;
  if (b == 0xE0) return kStrC2E0;
  if (b == 0xED) return kStrC2ED;
  if (b >= 0xE1 && b <= 0xEF) return kStrC2;
  if (b == 0xF0) return kStrC3F0;
  if (b >= 0xF1 && b <= 0xF3) return kStrC3;
  if (b == 0xF4) return kStrC3F4;
  return kStrStateCount;
}

// The state after a byte inside an escape or a multi-byte character; kStrStateCount when invalid.
uint8_t pending_byte_state(uint8_t state, uint8_t b) {
  const bool cont = b >= 0x80 && b <= 0xBF;
  switch (state) {
    case kStrEsc:
      if (b == 'u') return kStrU0;
      return (b == '"' || b == '\\' || b == '/' || b == 'b' || b == 'f' || b == 'n' || b == 'r' || b == 't')
                 ? kStrBody
                 : kStrStateCount;
    case kStrU0:
      if (b == 'd' || b == 'D') return kStrU1D;  // D800..DFFF (surrogates) are refused below
      return is_hex(b) ? kStrU1 : kStrStateCount;
    case kStrU1D:
      return b >= '0' && b <= '7' ? kStrU2 : kStrStateCount;
    case kStrU1:
      return is_hex(b) ? kStrU2 : kStrStateCount;
    case kStrU2:
      return is_hex(b) ? kStrU3 : kStrStateCount;
    case kStrU3:
      return is_hex(b) ? kStrBody : kStrStateCount;
    case kStrC1:
      return cont ? kStrBody : kStrStateCount;
    case kStrC2:
      return cont ? kStrC1 : kStrStateCount;
    case kStrC2E0:
      return b >= 0xA0 && b <= 0xBF ? kStrC1 : kStrStateCount;
    case kStrC2ED:
      return b >= 0x80 && b <= 0x9F ? kStrC1 : kStrStateCount;
    case kStrC3:
      return cont ? kStrC2 : kStrStateCount;
    case kStrC3F0:
      return b >= 0x90 && b <= 0xBF ? kStrC2 : kStrStateCount;
    case kStrC3F4:
      return b >= 0x80 && b <= 0x8F ? kStrC2 : kStrStateCount;
    default:
      return kStrStateCount;
  }
}

void step_string(const StackNode* top, uint8_t byte, Arena& arena, Threads& out) {
  Frame f = top->f;
  bool starts_char = false;
  const uint8_t next = string_transition(f.state, byte, &starts_char);
  if (next == kStrStateCount) return;
  if (next == kStrClose) {
    if (f.a == 0) finish(top, arena, out);
    return;
  }
  if (starts_char && !count_char(f)) return;
  f.state = next;
  out.push_back(replace(arena, top, f));
}

void step_number(const Grammar& g, const StackNode* top, uint8_t byte, Arena& arena, Threads& out) {
  const NumberSpec& spec = g.nodes[top->f.node].num;
  const NumState s = num_state(top->f);
  if (is_number_byte(byte)) {
    if (auto n = num_step(spec, s, byte)) out.push_back(replace(arena, top, num_frame(top->f, *n)));
    return;
  }
  if (may_follow_value(top, byte) && num_accepting(spec, s)) finish_forward(g, top, byte, arena, out);
}

void step_literals(const Grammar& g, const StackNode* top, uint8_t byte, Arena& arena, Threads& out) {
  const ByteTrie& trie = g.nodes[top->f.node].literals;
  const uint32_t c = trie.child(top->f.a, byte);
  if (c != ByteTrie::kNone) {
    if (trie.terminal(c) && !trie.has_children(c)) {
      finish(top, arena, out);
    } else {
      Frame f = top->f;
      f.a = c;
      out.push_back(replace(arena, top, f));
    }
  } else if (trie.terminal(top->f.a)) {
    finish_forward(g, top, byte, arena, out);
  }
}

// Whether some property reachable through key-trie position `pos` may come next.
bool key_viable(const Grammar& g, const Node& n, const StackNode* top, uint32_t pos) {
  const uint32_t last = n.next_required[top->f.a];
  const auto& below = n.keys.values_below(pos);
  for (auto it = std::lower_bound(below.begin(), below.end(), top->f.a); it != below.end() && *it <= last;
       ++it) {
    if (g.fits(n.props[*it].node, top->depth + 1)) return true;
  }
  return false;
}

void step_key(const Grammar& g, const Node& n, const StackNode* top, uint32_t pos, uint8_t byte, Arena& arena,
              Threads& out) {
  const uint32_t c = n.keys.child(pos, byte);
  if (c == ByteTrie::kNone || !key_viable(g, n, top, c)) return;
  Frame f = top->f;
  if (n.keys.terminal(c)) {
    const uint32_t j = n.keys.value(c);
    f.state = kObjValue;
    f.a = j + 1;
    f.b = 0;
    out.push_back(push(arena, replace(arena, top, f), initial_frame(g, n.props[j].node)));
  } else {
    f.state = kObjKey;
    f.b = c;
    out.push_back(replace(arena, top, f));
  }
}

void step_object(const Grammar& g, const StackNode* top, uint8_t byte, Arena& arena, Threads& out) {
  const Node& n = g.nodes[top->f.node];
  const bool may_close = n.next_required[top->f.a] == n.props.size();
  Frame f = top->f;
  switch (f.state) {
    case kObjOpen:
      if (byte != '{') return;
      f.state = kObjFirst;
      out.push_back(replace(arena, top, f));
      return;
    case kObjFirst:
      if (byte == '}') {
        if (may_close) finish(top, arena, out);
        return;
      }
      step_key(g, n, top, ByteTrie::kRoot, byte, arena, out);
      return;
    case kObjAfter:
      if (byte == '}' && may_close) finish(top, arena, out);
      if (byte == ',' && key_viable(g, n, top, ByteTrie::kRoot)) {
        f.state = kObjKey;
        f.b = ByteTrie::kRoot;
        out.push_back(replace(arena, top, f));
      }
      return;
    case kObjKey:
      step_key(g, n, top, f.b, byte, arena, out);
      return;
    default:
      return;
  }
}

// Counts one more item and pushes its first frame.
const StackNode* push_item(const Grammar& g, const Node& n, const StackNode* top, Arena& arena) {
  if (top->f.b == 0 || !g.fits(n.items, top->depth + 1)) return nullptr;
  Frame f = top->f;
  f.state = kArrValue;
  if (f.a > 0) --f.a;
  --f.b;
  return push(arena, replace(arena, top, f), initial_frame(g, n.items));
}

void step_array(const Grammar& g, const StackNode* top, uint8_t byte, Arena& arena, Threads& out) {
  const Node& n = g.nodes[top->f.node];
  Frame f = top->f;
  switch (f.state) {
    case kArrOpen:
      if (byte != '[') return;
      f.state = kArrFirst;
      out.push_back(replace(arena, top, f));
      return;
    case kArrFirst:
      if (byte == ']') {
        if (f.a == 0) finish(top, arena, out);
        return;
      }
      if (const StackNode* item = push_item(g, n, top, arena)) step(g, item, byte, arena, out);
      return;
    case kArrAfter:
      if (byte == ']' && f.a == 0) finish(top, arena, out);
      if (byte == ',') {
        if (const StackNode* item = push_item(g, n, top, arena)) out.push_back(item);
      }
      return;
    default:
      return;
  }
}

void step_union(const Grammar& g, const StackNode* top, uint8_t byte, Arena& arena, Threads& out) {
  for (uint32_t alt : g.nodes[top->f.node].alts) {
    if (g.fits(alt, top->depth)) step(g, replace(arena, top, initial_frame(g, alt)), byte, arena, out);
  }
}

void step_sentinel(const StackNode* top, Arena& arena, Threads& out) {
  if (top->f.state != kSentinelPopped) return;
  Frame f = top->f;
  f.state = kSentinelForwarded;
  out.push_back(replace(arena, top, f));
}

}  // namespace

uint8_t string_transition(uint8_t state, uint8_t byte, bool* starts_char) {
  *starts_char = false;
  if (state == kStrOpen) return byte == '"' ? uint8_t{kStrBody} : uint8_t{kStrStateCount};
  if (state != kStrBody) return pending_byte_state(state, byte);
  if (byte == '"') return kStrClose;
  const uint8_t next = byte == '\\' ? uint8_t{kStrEsc} : body_byte_state(byte);
  *starts_char = next != kStrStateCount;
  return next;
}

Frame initial_frame(const Grammar& g, uint32_t node) {
  const Node& n = g.nodes[node];
  Frame f;
  f.node = node;
  switch (n.kind) {
    case NodeKind::kObject:
      f.kind = FrameKind::kObject;
      f.state = kObjOpen;
      break;
    case NodeKind::kArray:
      f.kind = FrameKind::kArray;
      f.state = kArrOpen;
      f.a = n.min_items;
      f.b = n.max_items;
      break;
    case NodeKind::kString:
      f.kind = FrameKind::kString;
      f.state = kStrOpen;
      f.a = n.min_len;
      f.b = n.max_len;
      break;
    case NodeKind::kNumber:
      f.kind = FrameKind::kNumber;
      break;
    case NodeKind::kLiterals:
      f.kind = FrameKind::kLiterals;
      f.a = ByteTrie::kRoot;
      break;
    default:
      f.kind = FrameKind::kUnion;
      break;
  }
  return f;
}

const StackNode* start_thread(const Grammar& g, Arena& arena) {
  Frame root;
  root.kind = FrameKind::kRoot;
  root.state = kRootWait;
  return push(arena, make(arena, nullptr, root, 0), initial_frame(g, g.root));
}

const StackNode* sentinel_thread(const Frame& f, uint32_t depth, Arena& arena) {
  Frame s;
  s.kind = FrameKind::kSentinel;
  s.state = kSentinelWait;
  return make(arena, make(arena, nullptr, s, depth - 1), f, depth);
}

const StackNode* pop_finished(const StackNode* top, Arena& arena) {
  const StackNode* p = top->parent;
  return replace(arena, p, parent_after_child(p->f));
}

void step(const Grammar& g, const StackNode* top, uint8_t byte, Arena& arena, Threads& out) {
  switch (top->f.kind) {
    case FrameKind::kString:
      step_string(top, byte, arena, out);
      return;
    case FrameKind::kObject:
      step_object(g, top, byte, arena, out);
      return;
    case FrameKind::kArray:
      step_array(g, top, byte, arena, out);
      return;
    case FrameKind::kNumber:
      step_number(g, top, byte, arena, out);
      return;
    case FrameKind::kLiterals:
      step_literals(g, top, byte, arena, out);
      return;
    case FrameKind::kUnion:
      step_union(g, top, byte, arena, out);
      return;
    case FrameKind::kSentinel:
      step_sentinel(top, arena, out);
      return;
    case FrameKind::kRoot:
      return;  // a finished document takes no more bytes
  }
}

bool may_end_here(const Grammar& g, const Frame& f) {
  if (f.kind == FrameKind::kNumber) return num_accepting(g.nodes[f.node].num, num_state(f));
  if (f.kind == FrameKind::kLiterals) return g.nodes[f.node].literals.terminal(f.a);
  return false;
}

bool is_accepting(const Grammar& g, const StackNode* top) {
  if (top->f.kind == FrameKind::kRoot) return top->f.state == kRootDone;
  return top->parent && top->parent->f.kind == FrameKind::kRoot && may_end_here(g, top->f);
}

void dedup_threads(Threads& threads, size_t from) {
  size_t kept = from;
  for (size_t i = from; i < threads.size(); ++i) {
    bool dup = false;
    for (size_t j = from; j < kept && !dup; ++j) dup = same_stack(threads[i], threads[j]);
    if (!dup) threads[kept++] = threads[i];
  }
  threads.resize(kept);
}

}  // namespace zeroidle::engine::json::detail
