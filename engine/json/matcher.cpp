#include "engine/json/matcher.h"

#include <algorithm>
#include <stdexcept>

#include "engine/json/schema_compiler.h"
#include "engine/json/step.h"

namespace zeroidle::engine::json {
namespace {

using detail::Arena;
using detail::StackNode;

// Alternatives alive at once; beyond this the later ones are dropped (still sound: each survivor can
// complete a valid document). Real schemas stay far below it.
constexpr size_t kMaxThreads = 1024;
// Garbage nodes tolerated before the live stacks are copied into a fresh arena.
constexpr size_t kCompactAfter = 1 << 15;

const StackNode* copy_stack(const StackNode* top, Arena& arena) {
  std::vector<const StackNode*> chain;
  for (const StackNode* n = top; n; n = n->parent) chain.push_back(n);
  const StackNode* parent = nullptr;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    StackNode* n = arena.alloc();
    *n = **it;
    n->parent = parent;
    parent = n;
  }
  return parent;
}

const StackNode* depth_one(const StackNode* top) {
  const StackNode* n = top;
  while (n && n->depth > 1) n = n->parent;
  return n && n->depth == 1 ? n : nullptr;
}

}  // namespace

Matcher::Matcher(const Schema& schema) : g_(schema.shared_grammar()), arena_(std::make_unique<Arena>()) {
  threads_.push_back(detail::start_thread(*g_, *arena_));
}

Matcher::Matcher(const Matcher& other) : g_(other.g_), arena_(std::make_unique<Arena>()) {
  adopt(other.threads_);
}

Matcher& Matcher::operator=(const Matcher& other) {
  if (this != &other) {
    g_ = other.g_;
    adopt(other.threads_);
  }
  return *this;
}

void Matcher::adopt(const std::vector<const StackNode*>& threads) {
  auto fresh = std::make_unique<Arena>();
  std::vector<const StackNode*> copied;
  copied.reserve(threads.size());
  for (const StackNode* t : threads) copied.push_back(copy_stack(t, *fresh));
  arena_ = std::move(fresh);
  threads_ = std::move(copied);
}

bool Matcher::advance(uint8_t byte) {
  const Arena::Mark mark = arena_->mark();
  scratch_.clear();
  for (const StackNode* t : threads_) detail::step(*g_, t, byte, *arena_, scratch_);
  if (scratch_.empty()) {
    arena_->release(mark);
    return false;
  }
  if (scratch_.size() > 1) detail::dedup_threads(scratch_, 0);
  if (scratch_.size() > kMaxThreads) scratch_.resize(kMaxThreads);
  threads_.swap(scratch_);
  if (arena_->allocated() > kCompactAfter) adopt(std::vector<const StackNode*>(threads_));
  return true;
}

bool Matcher::advance(std::string_view bytes) {
  Matcher trial(*this);
  for (char c : bytes) {
    if (!trial.advance(static_cast<uint8_t>(c))) return false;
  }
  *this = std::move(trial);
  return true;
}

bool Matcher::accepts(uint8_t byte) const {
  const Arena::Mark mark = arena_->mark();
  bool ok = false;
  for (const StackNode* t : threads_) {
    scratch_.clear();
    detail::step(*g_, t, byte, *arena_, scratch_);
    if (!scratch_.empty()) {
      ok = true;
      break;
    }
  }
  arena_->release(mark);
  return ok;
}

bool Matcher::accepts(std::string_view bytes) const {
  const Arena::Mark mark = arena_->mark();
  scratch2_.assign(threads_.begin(), threads_.end());
  bool ok = true;
  for (char c : bytes) {
    scratch_.clear();
    for (const StackNode* t : scratch2_) detail::step(*g_, t, static_cast<uint8_t>(c), *arena_, scratch_);
    if (scratch_.empty()) {
      ok = false;
      break;
    }
    if (scratch_.size() > 1) detail::dedup_threads(scratch_, 0);
    scratch_.swap(scratch2_);
  }
  arena_->release(mark);
  return ok;
}

bool Matcher::is_accepting() const {
  return std::any_of(threads_.begin(), threads_.end(),
                     [&](const StackNode* t) { return detail::is_accepting(*g_, t); });
}

bool Matcher::can_continue() const {
  for (int b = 0; b < 256; ++b) {
    if (accepts(static_cast<uint8_t>(b))) return true;
  }
  return false;
}

int Matcher::min_bytes_to_close() const {
  if (is_accepting()) return 0;
  uint32_t best = detail::kInf;
  for (const StackNode* t : threads_) best = std::min(best, detail::closing_cost(*g_, t));
  return static_cast<int>(best);
}

std::string Matcher::shortest_completion() const {
  Matcher m(*this);
  std::string out;
  const int budget = min_bytes_to_close();
  while (!m.is_accepting()) {
    const StackNode* best = m.threads_.front();
    for (const StackNode* t : m.threads_) {
      if (detail::closing_cost(*g_, t) < detail::closing_cost(*g_, best)) best = t;
    }
    const uint8_t b = detail::closing_byte(*g_, best);
    if (!m.advance(b) || static_cast<int>(out.size()) >= budget) {
      throw std::logic_error("json::Matcher: shortest completion left the automaton (internal error)");
    }
    out.push_back(static_cast<char>(b));
  }
  return out;
}

std::optional<uint8_t> Matcher::forced_byte() const {
  if (is_accepting()) return std::nullopt;
  std::optional<uint8_t> only;
  for (int b = 0; b < 256; ++b) {
    if (!accepts(static_cast<uint8_t>(b))) continue;
    if (only) return std::nullopt;
    only = static_cast<uint8_t>(b);
  }
  return only;
}

std::string Matcher::forced_bytes(size_t max_bytes) const {
  std::string out;
  Matcher m(*this);
  while (out.size() < max_bytes) {
    const auto b = m.forced_byte();
    if (!b) break;
    m.advance(*b);
    out.push_back(static_cast<char>(*b));
  }
  return out;
}

int Matcher::field_index() const {
  const StackNode* n = depth_one(threads_.front());
  if (!n) return -1;
  if (n->f.kind == detail::FrameKind::kObject && n->f.state == detail::kObjValue)
    return static_cast<int>(n->f.a) - 1;
  if (n->f.kind == detail::FrameKind::kArray && n->f.state == detail::kArrValue) {
    return static_cast<int>(g_->nodes[n->f.node].max_items - n->f.b) - 1;
  }
  return -1;
}

std::string Matcher::field_path() const {
  const int i = field_index();
  if (i < 0) return "";
  const StackNode* n = depth_one(threads_.front());
  if (n->f.kind == detail::FrameKind::kObject)
    return detail::pointer_child("", g_->nodes[n->f.node].props[i].name);
  return detail::pointer_child("", std::to_string(i));
}

}  // namespace zeroidle::engine::json
