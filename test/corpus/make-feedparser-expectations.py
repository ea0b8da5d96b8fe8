#!/usr/bin/python3
"""Writes test/fixtures/corpus/feedparser-expected.json: what Universal Feed
Parser (the reference reader, Debian python3-feedparser) recovers from each
corpus file's bytes. The corpus test compares our entry counts and titles
against it. Run: /usr/bin/python3 test/corpus/make-feedparser-expectations.py
"""
import json
import os
import sys

import feedparser

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "fixtures", "corpus")


def main() -> int:
    out = {"generator": f"feedparser {feedparser.__version__}", "files": {}}
    for name in sorted(os.listdir(CORPUS)):
        if name.endswith((".md", ".json")):
            continue
        with open(os.path.join(CORPUS, name), "rb") as f:
            data = f.read()
        d = feedparser.parse(data)
        titles = [e.get("title", "") for e in d.entries[:3]]
        out["files"][name] = {
            "entries": len(d.entries),
            "titles": titles,
            "feedTitle": d.feed.get("title", ""),
            "encoding": d.get("encoding", ""),
            "bozo": bool(d.bozo),
            **({"bozoException": type(d.bozo_exception).__name__} if d.bozo else {}),
        }
    path = os.path.join(CORPUS, "feedparser-expected.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(out['files'])} files to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
