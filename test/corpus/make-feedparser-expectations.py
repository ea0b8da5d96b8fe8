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


def distinct_entries(entries) -> int:
    """Entries left after the policy normalize applies: an entry with no title,
    no link and no text is dropped, and an id or link seen before is the same
    story again (RFC 4287 section 4.2.6: same atom:id, same entry)."""
    ids, links, count = set(), set(), 0
    for e in entries:
        title = (e.get("title") or "").strip()
        link = (e.get("link") or "").strip()
        text = (e.get("summary") or "").strip() or any((c.get("value") or "").strip() for c in e.get("content", []))
        if not title and not link and not text:
            continue
        eid = (e.get("id") or "").strip()
        if (eid and eid in ids) or (link and link in links):
            continue
        if eid:
            ids.add(eid)
        if link:
            links.add(link)
        count += 1
    return count


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
            "distinctEntries": distinct_entries(d.entries),
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
