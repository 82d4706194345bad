#!/usr/bin/env python3
"""Generates tokenizer/unicode_tables.cpp: the code point classes the Llama 3 pre-tokenizer needs.

Classes (the only distinctions the pre-tokenizer regex makes):
  letter     \\p{L}   general categories Lu Ll Lt Lm Lo
  number     \\p{N}   general categories Nd Nl No
  whitespace \\s      the Unicode White_Space property (PropList.txt)
Everything else is "other". No code point is in two classes.

Unicode version: llama.cpp's src/unicode-data.cpp (which defines what "compatible" means here) was generated
from UCD 15.1. Debian 12 ships UCD 15.0 (`apt-get install unicode-data`: /usr/share/unicode); Python 3.11's
unicodedata is 14.0. The only letter/number change between 15.0 and 15.1 is CJK Unified Ideographs
Extension I (U+2EBF0..U+2EE5D, Lo), which this script adds when the input lacks it, so the output equals
UCD 15.1 for these classes. With only Python's unicodedata (no UCD files) the output is UCD 14.0 + Ext I
and the script says so.

Usage: python3 tokenizer/tools/gen_unicode_tables.py [--ucd /usr/share/unicode] > tokenizer/unicode_tables.cpp
"""
import argparse
import os
import sys

LETTER, NUMBER, WHITESPACE = 1, 2, 3
CLASS_NAMES = {LETTER: "kLetter", NUMBER: "kNumber", WHITESPACE: "kWhitespace"}
MAX_CPT = 0x110000
CJK_EXT_I = (0x2EBF0, 0x2EE5D)  # added in Unicode 15.1
# White_Space in every UCD since 6.3 (U+180E left it then); used when PropList.txt is unavailable.
WHITE_SPACE_FALLBACK = [(0x09, 0x0D), (0x20, 0x20), (0x85, 0x85), (0xA0, 0xA0), (0x1680, 0x1680),
                        (0x2000, 0x200A), (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F),
                        (0x3000, 0x3000)]


def class_of_category(cat):
    if cat.startswith("L"):
        return LETTER
    if cat.startswith("N"):
        return NUMBER
    return 0


def classes_from_unicode_data(path):
    """General categories from UnicodeData.txt, expanding <..., First>/<..., Last> ranges."""
    classes = bytearray(MAX_CPT)
    range_start = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.split(";")
            cpt, name, cat = int(fields[0], 16), fields[1], fields[2]
            if name.endswith(", First>"):
                range_start = cpt
                continue
            first = range_start if name.endswith(", Last>") else cpt
            range_start = None
            for c in range(first, cpt + 1):
                classes[c] = class_of_category(cat)
    return classes


def classes_from_python():
    import unicodedata
    classes = bytearray(MAX_CPT)
    for c in range(MAX_CPT):
        classes[c] = class_of_category(unicodedata.category(chr(c)))
    return classes


def white_space_from_proplist(path):
    ranges = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            body = line.split("#")[0].strip()
            if not body:
                continue
            cpts, prop = [s.strip() for s in body.split(";")]
            if prop != "White_Space":
                continue
            lo, _, hi = cpts.partition("..")
            ranges.append((int(lo, 16), int(hi or lo, 16)))
    return ranges


def ucd_version(proplist_path):
    """'15.0.0' from PropList.txt's first line ('# PropList-15.0.0.txt'), else 'unknown version'."""
    try:
        with open(proplist_path, encoding="utf-8") as f:
            first = f.readline()
        return first.split("-", 1)[1].rsplit(".txt", 1)[0]
    except (OSError, IndexError):
        return "unknown version"


def load(ucd_dir):
    data = os.path.join(ucd_dir, "UnicodeData.txt") if ucd_dir else None
    props = os.path.join(ucd_dir, "PropList.txt") if ucd_dir else None
    if data and os.path.exists(data):
        classes, source = classes_from_unicode_data(data), "UCD %s" % ucd_version(props)
    else:
        import unicodedata
        classes, source = classes_from_python(), "Python unicodedata %s" % unicodedata.unidata_version
        print("warning: %s not found; using %s" % (data, source), file=sys.stderr)
    if classes[0x11F04] != LETTER:  # U+11F04 KAWI LETTER A: first assigned in UCD 15.0
        print("warning: the input predates UCD 15.0; tables will differ from llama.cpp's", file=sys.stderr)
    if classes[CJK_EXT_I[0]] == 0:
        for c in range(CJK_EXT_I[0], CJK_EXT_I[1] + 1):
            classes[c] = LETTER
        source += " + CJK Extension I (UCD 15.1)"
    white = white_space_from_proplist(props) if props and os.path.exists(props) else WHITE_SPACE_FALLBACK
    for lo, hi in white:
        for c in range(lo, hi + 1):
            assert classes[c] == 0, "White_Space overlaps L/N at U+%04X" % c
            classes[c] = WHITESPACE
    return classes, source


def ranges_of(classes):
    out, c = [], 0
    while c < MAX_CPT:
        cls = classes[c]
        start = c
        while c < MAX_CPT and classes[c] == cls:
            c += 1
        if cls:
            out.append((start, c - 1, cls))
    return out


def emit(ranges, source):
    lines = [
        "// Generated by tokenizer/tools/gen_unicode_tables.py from %s." % source,
        "// Do not edit: change the script and run it again.",
        "// Code point ranges of the classes the Llama 3 pre-tokenizer distinguishes; sorted, disjoint,",
        "// inclusive. Code points in no range are CharClass::kOther.",
        '#include "tokenizer/unicode.h"',
        "",
        "// clang-format off",
        "namespace zeroidle::tokenizer::detail {",
        "",
        "const CharClassRange kCharClassRanges[] = {",
    ]
    for lo, hi, cls in ranges:
        lines.append("    {0x%06X, 0x%06X, CharClass::%s}," % (lo, hi, CLASS_NAMES[cls]))
    lines += [
        "};",
        "// clang-format on",
        "const size_t kCharClassRangeCount = sizeof(kCharClassRanges) / sizeof(kCharClassRanges[0]);",
        "",
        "}  // namespace zeroidle::tokenizer::detail",
        "",
    ]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ucd", default="/usr/share/unicode",
                    help="folder with UnicodeData.txt and PropList.txt")
    args = ap.parse_args()
    classes, source = load(args.ucd)
    sys.stdout.write(emit(ranges_of(classes), source))


if __name__ == "__main__":
    main()
