"""Compile every .py under a directory into ``__pycache__`` for the Python that runs this script.

Run by CPython (bytecode for this machine) or by Pyodide's CPython 3.14 under Node (bytecode for the
Lambda runtime). Standard library only, so it runs unchanged in both. The pycs are unchecked-hash
(PEP 552): the interpreter loads them without comparing the source's mtime, which zip extraction
changes, nor hashing the source. The source path recorded in each pyc (for tracebacks) is the file's
path under ``--dfile-root``, e.g. ``/var/task``.

    python compile_tree.py DIRECTORY [--dfile-root /var/task]

Prints one JSON line: the interpreter's version, cache tag, magic number and the number of files compiled.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import py_compile
import sys


def compile_tree(root: str, dfile_root: str | None) -> int:
    """Compile each .py under root; raise on the first file this Python cannot compile."""
    count = 0
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(name for name in subdirectories if name != "__pycache__")
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            source = os.path.join(directory, name)
            relative = os.path.relpath(source, root)
            display = os.path.join(dfile_root, relative) if dfile_root else source
            py_compile.compile(
                source,
                cfile=importlib.util.cache_from_source(source),
                dfile=display,
                doraise=True,
                invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
            )
            count += 1
    return count


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="compile a directory tree to unchecked-hash pycs")
    parser.add_argument("root")
    parser.add_argument("--dfile-root", default=None)
    args = parser.parse_args(argv)
    compiled = compile_tree(args.root, args.dfile_root)
    report = {
        "version": list(sys.version_info[:3]),
        "cache_tag": sys.implementation.cache_tag,
        "magic": importlib.util.MAGIC_NUMBER.hex(),
        "compiled": compiled,
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
