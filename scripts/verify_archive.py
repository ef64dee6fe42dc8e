#!/usr/bin/env python3
"""Verify a 一户一档 archive ZIP offline, with the Python standard library only.

    python3 scripts/verify_archive.py 企业档案.zip

Every file the manifest (manifest.json) lists must be in the ZIP with the SHA-256 the manifest gives, and
the ZIP must hold no file the manifest does not list. Prints one line per problem; exit status 0 when the
archive verifies, 1 when it does not, 2 when it cannot be read.
"""
import hashlib
import json
import sys
import zipfile

MANIFEST = "manifest.json"


def problems(path: str) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        if MANIFEST not in names:
            return [f"缺少清单文件 {MANIFEST}"]
        manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
        found = []
        listed = set()
        for entry in manifest["files"]:
            name = entry["file"]
            listed.add(name)
            if name not in names:
                found.append(f"缺少文件：{name}")
            elif hashlib.sha256(archive.read(name)).hexdigest() != entry["sha256"]:
                found.append(f"哈希不符（文件被改动）：{name}")
        found += [f"清单未列出的文件：{name}" for name in sorted(names - listed - {MANIFEST})]
        return found


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        found = problems(argv[1])
    except (OSError, zipfile.BadZipFile, ValueError, KeyError) as exc:
        print(f"无法读取档案：{exc}", file=sys.stderr)
        return 2
    for line in found:
        print(line)
    if found:
        print(f"校验失败：{len(found)} 处问题")
        return 1
    print("校验通过：所有文件与清单中的 SHA-256 一致")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
