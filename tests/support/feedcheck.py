#!/usr/bin/env python3
"""Reads a feed the way a real feed reader does (feedparser) and checks what feedparser forgives.

    feedcheck.py FEED [--version rss20|atom10] [--entries N] [--forbid TEXT]...
    feedcheck.py --self-test

FEED is a file path or an http:// URL. The feed passes when feedparser reports no error
(bozo == 0), the version is the expected one, there are exactly N entries (when --entries is
given, at least one otherwise), every entry has a title, a link, a unique id and a parseable
date, and no --forbid text appears anywhere in the raw document (for example the name of an
anonymous panelist). A JSON summary goes to standard output; failures go to standard error,
one per line, and the exit status is 1. Needs `feedparser` (scripts/test installs it).
"""

import argparse
import json
import os
import sys
import tempfile
import urllib.request

import feedparser


def check(source, version=None, entries=None, forbid=()):
    """Returns (summary, problems) for the feed at `source` (a path or a URL)."""
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=30) as response:
            raw = response.read()
    else:
        with open(source, "rb") as f:
            raw = f.read()
    feed = feedparser.parse(raw)
    problems = []
    if feed.bozo:
        problems.append(f"feedparser cannot read it cleanly: {feed.get('bozo_exception')}")
    if not feed.version:
        problems.append("feedparser does not recognise the format")
    elif version and feed.version != version:
        problems.append(f"version is {feed.version}, expected {version}")
    if not feed.feed.get("title"):
        problems.append("the feed has no title")
    if entries is not None and len(feed.entries) != entries:
        problems.append(f"{len(feed.entries)} entries, expected {entries}")
    if entries is None and not feed.entries:
        problems.append("the feed has no entries")
    seen = set()
    for i, entry in enumerate(feed.entries, start=1):
        label = f"entry {i} ({entry.get('title', 'untitled')!r})"
        if not entry.get("title"):
            problems.append(f"{label} has no title")
        if not entry.get("link"):
            problems.append(f"{label} has no link")
        entry_id = entry.get("id")
        if not entry_id:
            problems.append(f"{label} has no id")
        elif entry_id in seen:
            problems.append(f"{label} repeats the id {entry_id}")
        seen.add(entry_id)
        if not (entry.get("published_parsed") or entry.get("updated_parsed")):
            problems.append(f"{label} has no date a reader can parse")
    text = raw.decode("utf-8", errors="replace")
    for word in forbid:
        if word in text:
            problems.append(f"the feed contains {word!r}")
    summary = {
        "version": feed.version,
        "title": feed.feed.get("title"),
        "entries": len(feed.entries),
        "ids": [entry.get("id") for entry in feed.entries],
    }
    return summary, problems


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>The Hiring Shelf</title><link>http://example.test/</link><description>d</description>
<item><title>One</title><link>http://example.test/1/</link><guid>http://example.test/1/</guid>
<pubDate>Mon, 06 May 2024 09:00:00 +0000</pubDate><description>Anonymous said so.</description></item>
<item><title>Two</title><link>http://example.test/2/</link><guid>http://example.test/2/</guid>
<pubDate>Tue, 07 May 2024 09:00:00 +0000</pubDate><description>x</description></item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>The Hiring Shelf</title>
<id>urn:x:feed</id><updated>2024-05-07T09:00:00Z</updated>
<entry><title>One</title><link href="http://example.test/1/"/><id>urn:x:1</id>
<updated>2024-05-06T09:00:00Z</updated><author><name>Dana Smith</name></author></entry>
<entry><title>One again</title><link href="http://example.test/1/"/><id>urn:x:1</id>
<updated>2024-05-06T09:00:00Z</updated></entry>
</feed>
"""

BROKEN = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Broken &amp unescaped</title><item><title>x</title>
</channel></rss>
"""


def self_test():
    """Checks the checker on feeds it writes itself: a good one and two it must reject."""
    failures = []
    with tempfile.TemporaryDirectory() as folder:

        def write(name, body):
            path = os.path.join(folder, name)
            with open(path, "w", encoding="utf-8") as f:
                f.write(body)
            return path

        summary, problems = check(write("good.xml", RSS), version="rss20", entries=2)
        if problems or summary["ids"] != ["http://example.test/1/", "http://example.test/2/"]:
            failures.append(f"a good RSS feed was rejected: {problems} {summary}")
        _, problems = check(write("good.xml", RSS), forbid=["Anonymous"])
        if not any("contains 'Anonymous'" in p for p in problems):
            failures.append(f"a forbidden word went unnoticed: {problems}")
        _, problems = check(write("atom.xml", ATOM), version="atom10", entries=2)
        if not any("repeats the id" in p for p in problems):
            failures.append(f"a repeated id went unnoticed: {problems}")
        _, problems = check(write("atom.xml", ATOM), version="rss20")
        if not any("expected rss20" in p for p in problems):
            failures.append(f"a wrong version went unnoticed: {problems}")
        _, problems = check(write("broken.xml", BROKEN))
        if not any("cannot read it cleanly" in p for p in problems):
            failures.append(f"a malformed feed was accepted: {problems}")
    for failure in failures:
        print(failure, file=sys.stderr)
    print("feedcheck self-test:", "failed" if failures else "ok")
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("feed", nargs="?", help="a file path or an http:// URL")
    parser.add_argument("--version", help="expected feedparser version, e.g. rss20 or atom10")
    parser.add_argument("--entries", type=int, help="expected number of entries")
    parser.add_argument("--forbid", action="append", default=[], help="text that must not appear")
    parser.add_argument("--self-test", action="store_true", help="check the checker and exit")
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    if not args.feed:
        parser.error("give a FEED, or --self-test")
    summary, problems = check(args.feed, args.version, args.entries, args.forbid)
    print(json.dumps(summary, indent=2))
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
