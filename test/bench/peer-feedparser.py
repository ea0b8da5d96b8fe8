# A peer for the backfill rows: Python's Universal Feed Parser reading the
# same feed file, as a Python user would (feedparser.parse, its defaults:
# HTML sanitized, relative links resolved). Prints the items, its own time
# and its peak RSS as JSON; the bench times the whole process from outside.
#
#   /usr/bin/python3 test/bench/peer-feedparser.py FEED...
import json
import resource
import sys
import time

import feedparser

started = time.perf_counter()
items = 0
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        items += len(feedparser.parse(f.read()).entries)
print(json.dumps({
    "items": items,
    "ms": (time.perf_counter() - started) * 1000,
    "maxRssKb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "version": feedparser.__version__,
}))
