// An in-memory ResultStore with DynamoDB's conditional-write rule and injectable failures, for unit tests.
#pragma once

#include <map>
#include <set>
#include <string>

#include "runtime/result_store.h"

namespace zeroidle::testing {

class MemoryStore : public runtime::ResultStore {
 public:
  runtime::Lookup lookup(const std::string& document_id, Clock::time_point) override {
    ++lookups;
    runtime::Lookup out;
    if (lookup_errors.count(document_id)) {
      out.status = runtime::Lookup::kError;
      out.error = "injected lookup error";
      return out;
    }
    if (auto it = items.find(document_id); it != items.end()) {
      out.existing_status = it->second.status;
      if (it->second.status != runtime::kStatusFailed) out.status = runtime::Lookup::kFinished;
    }
    return out;
  }

  runtime::WriteOutcome write(const runtime::ExtractionResult& result, Clock::time_point) override {
    ++writes;
    if (write_errors.count(result.document_id))
      return {runtime::WriteOutcome::kError, "injected write error"};
    // attribute_not_exists(document_id) OR status = failed
    if (auto it = items.find(result.document_id);
        it != items.end() && it->second.status != runtime::kStatusFailed) {
      return {runtime::WriteOutcome::kAlreadyFinished, {}};
    }
    items[result.document_id] = result;
    return {};
  }

  std::string describe() const override { return "memory"; }

  std::map<std::string, runtime::ExtractionResult> items;
  std::set<std::string> lookup_errors;
  std::set<std::string> write_errors;
  int lookups = 0;
  int writes = 0;
};

}  // namespace zeroidle::testing
