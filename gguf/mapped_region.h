// A read-only memory mapping of a whole file. Private to gguf/.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace zeroidle::gguf::detail {

class MappedRegion {
 public:
  MappedRegion() = default;
  // Maps the regular file at `path` read-only (an empty file maps to an empty span).
  // Throws gguf::Error "<path>: cannot open: <reason>" on failure.
  static MappedRegion map_read_only(const std::string& path);

  MappedRegion(MappedRegion&& other) noexcept;
  MappedRegion& operator=(MappedRegion&& other) noexcept;
  MappedRegion(const MappedRegion&) = delete;
  MappedRegion& operator=(const MappedRegion&) = delete;
  ~MappedRegion();

  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  // Asks the kernel to start reading [offset, end) in the background (madvise WILLNEED; no-op if empty).
  void advise_willneed(uint64_t offset) const;

 private:
  void unmap();
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace zeroidle::gguf::detail
