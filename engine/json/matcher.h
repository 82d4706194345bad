// Byte-level matcher: a pushdown automaton that accepts exactly the byte strings that are prefixes of
// documents the Schema emits (see schema.h for what that language is).
//
// The state is a small set of threads (alternatives of an anyOf still alive), each a persistent stack of
// frames; beyond 1024 live alternatives the later ones are dropped (still sound). A rejected byte leaves
// the state unchanged. Copying is cheap (a deep copy of a few dozen
// frames). Not thread-safe; copy it per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/json/frame.h"
#include "engine/json/schema.h"

namespace zeroidle::engine::json {

class Matcher {
 public:
  explicit Matcher(const Schema& schema);
  Matcher(const Matcher& other);
  Matcher& operator=(const Matcher& other);
  Matcher(Matcher&&) noexcept = default;
  Matcher& operator=(Matcher&&) noexcept = default;
  ~Matcher() = default;

  // Feeds one byte; false (state unchanged) when no schema-conforming document continues with it.
  bool advance(uint8_t byte);
  // Feeds bytes; all or nothing.
  bool advance(std::string_view bytes);
  // Whether `byte` / all of `bytes` would be accepted (the state is unchanged; no allocation).
  bool accepts(uint8_t byte) const;
  bool accepts(std::string_view bytes) const;

  // The document is complete (it may still continue, e.g. a top-level number).
  bool is_accepting() const;
  // Some byte is still accepted.
  bool can_continue() const;
  // Fewest bytes that complete the document (0 when accepting).
  int min_bytes_to_close() const;
  // Those bytes: appended to the output they always give a valid document.
  std::string shortest_completion() const;
  // The only byte that may follow, when exactly one may and the document cannot end here.
  std::optional<uint8_t> forced_byte() const;
  // The longest run of forced bytes (at most `max_bytes`).
  std::string forced_bytes(size_t max_bytes = 4096) const;

  // Which top-level field the next byte belongs to: for an object document the index of the property
  // whose value is being written (key bytes and punctuation belong to no field: -1); for an array
  // document the item index; -1 otherwise.
  int field_index() const;
  // The same as a JSON pointer ("/vendor", "/3"), "" when field_index() is -1.
  std::string field_path() const;

  // Internals for TokenConstraint.
  const detail::Grammar& grammar() const { return *g_; }
  const std::vector<const detail::StackNode*>& threads() const { return threads_; }

 private:
  void adopt(const std::vector<const detail::StackNode*>& threads);
  std::shared_ptr<const detail::Grammar> g_;
  std::unique_ptr<detail::Arena> arena_;
  std::vector<const detail::StackNode*> threads_;
  mutable std::vector<const detail::StackNode*> scratch_;
  mutable std::vector<const detail::StackNode*> scratch2_;
};

}  // namespace zeroidle::engine::json
