// The byte transition of the pushdown automaton, and what is derived from a single thread: acceptance,
// the cost to close, the next byte of the shortest completion. Internal to engine/json.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/json/frame.h"
#include "engine/json/grammar.h"

namespace zeroidle::engine::json::detail {

using Threads = std::vector<const StackNode*>;

// The string automaton alone (a DFA): the state after `byte` in string state `state`, kStrClose for the
// closing quote, kStrStateCount when the byte is refused. *starts_char: the byte begins a character
// (counted against minLength/maxLength).
inline constexpr uint8_t kStrClose = kStrStateCount + 1;
uint8_t string_transition(uint8_t state, uint8_t byte, bool* starts_char);

// The first frame of a value of `node` (a union frame forks on its first byte).
Frame initial_frame(const Grammar& g, uint32_t node);
// A fresh document: the root frame with the schema's value pushed on it.
const StackNode* start_thread(const Grammar& g, Arena& arena);
// A thread for a frame on top of a sentinel standing for the (unknown) rest of the stack; the frame
// sits at `depth`. Used to compute what a frame accepts independently of its context.
const StackNode* sentinel_thread(const Frame& f, uint32_t depth, Arena& arena);

// Feeds `byte` to the thread whose top is `top`; appends every resulting top (none when rejected).
// A result whose top is a kSentinel frame means the frame above the sentinel finished on this byte
// (kSentinelPopped: the byte was its last; kSentinelForwarded: the byte belongs to the context).
void step(const Grammar& g, const StackNode* top, uint8_t byte, Arena& arena, Threads& out);

// A parent frame once its active child has finished.
Frame parent_after_child(Frame f);
// The stack after the top frame finishes and its parent takes note (no byte consumed).
const StackNode* pop_finished(const StackNode* top, Arena& arena);

// Whether the document may end here.
bool is_accepting(const Grammar& g, const StackNode* top);
// Whether the top frame could finish without another byte (a number or literal that may end here).
bool may_end_here(const Grammar& g, const Frame& f);
// Fewest bytes that close the document from this thread.
uint32_t closing_cost(const Grammar& g, const StackNode* top);
// The next byte of a shortest completion; only for a thread that is not accepting.
uint8_t closing_byte(const Grammar& g, const StackNode* top);

// Dedups `threads[from..]` in place (same stacks), keeping the first of each.
void dedup_threads(Threads& threads, size_t from);

}  // namespace zeroidle::engine::json::detail
