// zeroidle tokenize: print a text's token ids as a JSON array ("-" reads stdin).
#include <cstdio>
#include <iostream>
#include <iterator>

#include "gguf/gguf.h"
#include "tokenizer/tokenizer.h"
#include "tools/args.h"

namespace zeroidle::tools {

int cmd_tokenize(const Args& args) {
  const ParsedArgs a(args, "tokenize", {{"model", "m"}, {"special", "", false}, {"no-bos", "", false}});
  if (a.positionals().size() != 1) throw std::runtime_error("'zeroidle tokenize' takes one TEXT (or - for stdin)");
  std::string text = a.positionals()[0];
  if (text == "-") text.assign(std::istreambuf_iterator<char>(std::cin), {});
  const gguf::File file = gguf::File::open(a.required("model"));
  const tokenizer::Tokenizer tok = tokenizer::Tokenizer::from_gguf(file);
  const std::vector<int32_t> ids = tok.encode(text, !a.has("no-bos") && tok.add_bos_default(), a.has("special"));
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? ", " : "") + std::to_string(ids[i]);
  std::printf("%s]\n", out.c_str());
  return 0;
}

}  // namespace zeroidle::tools
