#!/usr/bin/env python3
"""Counts the public symbols of a module that carry their own DocC comment.

Usage: doc_coverage.py SYMBOL_GRAPH_DIR MODULE [--require-all]

Reads MODULE.symbols.json and MODULE@*.symbols.json (what swift-docc-plugin
or `swift package dump-symbol-graph` extracts). Symbols the compiler makes
(synthesized conformances) and documentation inherited from another module's
protocol (a `description` that only repeats CustomStringConvertible's) are
told apart: the first are not counted, the second count as undocumented,
since they tell a reader nothing about bpkit. Prints the figures for types
and members and every undocumented symbol; with --require-all, exits 1 when
there is one.
"""
import glob
import json
import os
import sys

TYPE_KINDS = {"struct", "enum", "class", "protocol", "typealias"}



def symbols(directory, module):
    paths = [os.path.join(directory, f"{module}.symbols.json")]
    paths += glob.glob(os.path.join(directory, f"{module}@*.symbols.json"))
    found = {}
    for path in paths:
        with open(path) as file:
            graph = json.load(file)
        for symbol in graph["symbols"]:
            identifier = symbol["identifier"]["precise"]
            path_components = symbol["pathComponents"]
            if symbol.get("accessLevel") not in ("public", "open"):
                continue
            # Compiler-made members (Equatable's !=, a raw-value enum's
            # init(rawValue:)) have no place in the sources, and an extension
            # of another module's type is documented by its members.
            kind = symbol["kind"]["identifier"].split(".")[-1]
            if "::SYNTHESIZED::" in identifier or "location" not in symbol or kind == "extension":
                continue
            if any(p.startswith("_") for p in path_components):
                continue
            comment = symbol.get("docComment", {})
            own = bool(comment.get("lines")) and comment.get("module", module) == module
            found[identifier] = (kind, ".".join(path_components), own)
    return list(found.values())


def main():
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(arguments) != 2:
        sys.exit(__doc__)
    directory, module = arguments
    every = symbols(directory, module)
    types = [s for s in every if s[0] in TYPE_KINDS]
    members = [s for s in every if s[0] not in TYPE_KINDS]

    def figure(group):
        documented = sum(1 for s in group if s[2])
        return f"{documented}/{len(group)} ({100 * documented / max(1, len(group)):.1f}%)"

    print(f"{module}: types {figure(types)}, members {figure(members)} documented")
    missing = sorted(s[1] for s in every if not s[2])
    for name in missing:
        print(f"  undocumented: {name}")
    if missing and "--require-all" in sys.argv:
        sys.exit(1)


main()
