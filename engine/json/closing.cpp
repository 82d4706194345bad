// The shortest way to close a document: the cost of each frame and the next byte toward it.
// Greedy bytes follow the cost exactly, so feeding closing_byte() repeatedly lowers closing_cost()
// by one per byte until the document is complete.
#include <algorithm>

#include "engine/json/step.h"

namespace zeroidle::engine::json::detail {
namespace {

uint32_t string_pending(uint8_t state) {
  switch (state) {
    case kStrEsc:
    case kStrU3:
    case kStrC1:
      return 1;
    case kStrU2:
    case kStrC2:
    case kStrC2E0:
    case kStrC2ED:
      return 2;
    case kStrU1:
    case kStrU1D:
    case kStrC3:
    case kStrC3F0:
    case kStrC3F4:
      return 3;
    case kStrU0:
      return 4;
    default:
      return 0;
  }
}

uint8_t string_byte(const Frame& f) {
  switch (f.state) {
    case kStrOpen:
      return '"';
    case kStrBody:
      return f.a > 0 ? ' ' : '"';
    case kStrEsc:
      return '/';
    case kStrU2:
      return '2';  // \u0020: a space rather than a control character where possible
    case kStrU0:
    case kStrU1:
    case kStrU1D:
    case kStrU3:
      return '0';
    case kStrC2E0:
      return 0xA0;
    case kStrC3F0:
      return 0x90;
    default:
      return 0x80;
  }
}

// The property a shortest completion finishes from key-trie position `pos`, and that completion's cost.
std::pair<uint32_t, uint32_t> best_key(const Grammar& g, const StackNode* top, uint32_t pos) {
  const Node& n = g.nodes[top->f.node];
  const uint32_t last = n.next_required[top->f.a];
  const uint32_t child_levels = g.levels_at(top->depth + 1);
  uint32_t best = kInf, best_j = 0;
  const auto& below = n.keys.values_below(pos);
  for (auto it = std::lower_bound(below.begin(), below.end(), top->f.a); it != below.end() && *it <= last;
       ++it) {
    const Property& p = n.props[*it];
    const uint32_t cost =
        sat_add(static_cast<uint32_t>(p.key.size()) - n.keys.depth(pos),
                sat_add(g.min_len(p.node, child_levels), g.object_tail(top->f.node, *it + 1, top->depth)));
    if (cost < best) {
      best = cost;
      best_j = *it;
    }
  }
  return {best_j, best};
}

uint32_t best_alt(const Grammar& g, uint32_t node, uint32_t depth) {
  uint32_t best = kInf, best_alt = 0;
  for (uint32_t alt : g.nodes[node].alts) {
    const uint32_t cost = g.min_len(alt, g.levels_at(depth));
    if (cost < best) {
      best = cost;
      best_alt = alt;
    }
  }
  return best_alt;
}

uint32_t item_cost(const Grammar& g, const Node& n, uint32_t depth) {
  return g.min_len(n.items, g.levels_at(depth + 1));
}

uint32_t object_cost(const Grammar& g, const StackNode* top) {
  const Frame& f = top->f;
  const Node& n = g.nodes[f.node];
  switch (f.state) {
    case kObjOpen:
      return g.min_len(f.node, g.levels_at(top->depth));
    case kObjFirst: {
      const bool any_required = n.next_required[0] < n.props.size();
      return g.object_tail(f.node, 0, top->depth) - (any_required ? 1 : 0);
    }
    case kObjKey:
      return best_key(g, top, f.b).second;
    default:
      return g.object_tail(f.node, f.a, top->depth);
  }
}

uint32_t array_cost(const Grammar& g, const StackNode* top) {
  const Frame& f = top->f;
  const uint32_t item = item_cost(g, g.nodes[f.node], top->depth);
  const uint64_t items = static_cast<uint64_t>(f.a) * sat_add(item, 1);
  const auto capped = static_cast<uint32_t>(std::min<uint64_t>(items, kInf));
  switch (f.state) {
    case kArrOpen:
      return g.min_len(f.node, g.levels_at(top->depth));
    case kArrFirst:
      return f.a > 0 ? capped : 1;
    default:
      return sat_add(capped, 1);
  }
}

// Bytes to finish the top frame alone.
uint32_t top_cost(const Grammar& g, const StackNode* top) {
  const Frame& f = top->f;
  switch (f.kind) {
    case FrameKind::kObject:
      return object_cost(g, top);
    case FrameKind::kArray:
      return array_cost(g, top);
    case FrameKind::kString:
      return f.state == kStrOpen ? 2 + f.a : string_pending(f.state) + f.a + 1;
    case FrameKind::kNumber:
      return num_min_extra(g.nodes[f.node].num,
                           {static_cast<NumPhase>(f.state), f.sub != 0, f.a, f.b, f.x, f.y});
    case FrameKind::kLiterals:
      return g.nodes[f.node].literals.distance(f.a);
    case FrameKind::kUnion: {
      uint32_t best = kInf;
      for (uint32_t alt : g.nodes[f.node].alts)
        best = std::min(best, g.min_len(alt, g.levels_at(top->depth)));
      return best;
    }
    default:
      return 0;
  }
}

// Bytes a frame needs after its active child finishes.
uint32_t after_child_cost(const Grammar& g, const StackNode* p) {
  switch (p->f.kind) {
    case FrameKind::kObject:
      return g.object_tail(p->f.node, p->f.a, p->depth);
    case FrameKind::kArray: {
      const uint32_t item = item_cost(g, g.nodes[p->f.node], p->depth);
      const uint64_t items = static_cast<uint64_t>(p->f.a) * sat_add(item, 1);
      return static_cast<uint32_t>(std::min<uint64_t>(items + 1, kInf));
    }
    default:
      return 0;
  }
}

// The next byte for frame `f` at `depth` when it is (or is about to be) the top. `top` is a real node
// holding f when available (object keys need it), else nullptr.
uint8_t frame_byte(const Grammar& g, const Frame& f, uint32_t depth, const StackNode* top);

uint8_t object_byte(const Grammar& g, const Frame& f, uint32_t depth, const StackNode* top) {
  const Node& n = g.nodes[f.node];
  switch (f.state) {
    case kObjOpen:
      return '{';
    case kObjFirst:
      return n.next_required[0] < n.props.size() ? '"' : '}';
    case kObjKey: {
      const uint32_t j = best_key(g, top, f.b).first;
      return static_cast<uint8_t>(n.props[j].key[n.keys.depth(f.b)]);
    }
    default:
      return n.next_required[f.a] < n.props.size() ? ',' : '}';
  }
}

uint8_t array_byte(const Grammar& g, const Frame& f, uint32_t depth) {
  switch (f.state) {
    case kArrOpen:
      return '[';
    case kArrFirst: {
      if (f.a == 0) return ']';
      const uint32_t items = g.nodes[f.node].items;
      return frame_byte(g, initial_frame(g, items), depth + 1, nullptr);
    }
    default:
      return f.a > 0 ? ',' : ']';
  }
}

uint8_t frame_byte(const Grammar& g, const Frame& f, uint32_t depth, const StackNode* top) {
  switch (f.kind) {
    case FrameKind::kObject:
      return object_byte(g, f, depth, top);
    case FrameKind::kArray:
      return array_byte(g, f, depth);
    case FrameKind::kString:
      return string_byte(f);
    case FrameKind::kNumber:
      return num_best_byte(g.nodes[f.node].num,
                           {static_cast<NumPhase>(f.state), f.sub != 0, f.a, f.b, f.x, f.y});
    case FrameKind::kLiterals:
      return g.nodes[f.node].literals.next_byte(f.a);
    case FrameKind::kUnion:
      return frame_byte(g, initial_frame(g, best_alt(g, f.node, depth)), depth, nullptr);
    default:
      return 0;
  }
}

}  // namespace

uint32_t closing_cost(const Grammar& g, const StackNode* top) {
  uint32_t cost = top_cost(g, top);
  for (const StackNode* p = top->parent; p; p = p->parent) cost = sat_add(cost, after_child_cost(g, p));
  return cost;
}

uint8_t closing_byte(const Grammar& g, const StackNode* top) {
  if (may_end_here(g, top->f) && top_cost(g, top) == 0) {
    // The number/literal ends here; the byte comes from its parent, which sees it after the pop.
    const StackNode* parent = top->parent;
    return frame_byte(g, parent_after_child(parent->f), parent->depth, nullptr);
  }
  return frame_byte(g, top->f, top->depth, top);
}

}  // namespace zeroidle::engine::json::detail
