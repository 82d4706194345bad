// libFuzzer harness for the GGUF reader and writer.
//
// Any input: File::parse either throws gguf::Error or returns a file whose guarantees hold (see
// gguf.h). An accepted file must also round-trip: Writer::from(file) writes bytes that parse again and
// re-write to the same bytes. Anything else — a crash, a sanitizer report, an exception other than
// gguf::Error, a broken guarantee — is a finding.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>
#include <vector>

#include "gguf/gguf.h"

namespace {

using zeroidle::gguf::Error;
using zeroidle::gguf::File;
using zeroidle::gguf::Writer;

void require(bool ok) {
  if (!ok) std::abort();
}

// The guarantees File::parse documents, checked independently of the parser.
void check_guarantees(const File& f, std::span<const uint8_t> bytes) {
  require(f.version() == 2 || f.version() == 3);
  require(f.alignment() != 0 && (f.alignment() & (f.alignment() - 1)) == 0);
  require(f.file_size() == bytes.size());
  for (const auto& kv : f.metadata()) require(f.find(kv.key) == &kv.value);
  for (const auto& t : f.tensors()) {
    require(f.find_tensor(t.name) == &t);
    require(t.n_dims <= zeroidle::gguf::kMaxDims);
    const auto* info = zeroidle::gguf::tensor_type_info(t.type);
    require(info != nullptr);
    require(t.ne[0] % info->block_size == 0);
    require(t.nbytes == t.n_elements() / info->block_size * info->block_bytes);
    require(t.offset % f.alignment() == 0);
    require(t.data >= bytes.data() && t.data + t.nbytes <= bytes.data() + bytes.size());
  }
}

// Exercises the typed getters on every key; each either answers or throws gguf::Error.
void exercise_getters(const File& f) {
  for (const auto& kv : f.metadata()) {
    try {
      (void)f.get_uint(kv.key);
    } catch (const Error&) {
    }
    try {
      (void)f.get_float(kv.key);
    } catch (const Error&) {
    }
    try {
      (void)f.get_string(kv.key);
    } catch (const Error&) {
    }
    try {
      (void)f.get_bool(kv.key);
    } catch (const Error&) {
    }
    try {
      (void)f.get_array(kv.key);
    } catch (const Error&) {
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  std::optional<File> file;
  try {
    file.emplace(File::parse(bytes, "fuzz.gguf"));
  } catch (const Error&) {
    return 0;  // refused cleanly
  }
  check_guarantees(*file, bytes);
  exercise_getters(*file);

  // An accepted file round-trips; the writer must not refuse what the reader accepted.
  const std::vector<uint8_t> written = Writer::from(*file).bytes();
  const File reread = File::parse(written, "rewritten.gguf");
  require(reread.metadata().size() == file->metadata().size());
  require(reread.tensors().size() == file->tensors().size());
  require(Writer::from(reread).bytes() == written);
  return 0;
}
