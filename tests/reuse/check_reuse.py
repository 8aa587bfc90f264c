"""Issue 16: Rhizome's `reuse` links against gold built without its matcher.

The gold is a plain sequence matcher (difflib) over the normalised words of
the source files (markdown link targets, images, URLs and tags removed):
every run of >= 25 shared words between *Le Livre contre-attaque* and each
blog post, and between each `debats-ia` post and each blog post.

Checks, from `links.json` (`reuse`: text pairs, span text as written):
  recall     every gold span is inside a reuse span of the same pair, give or
             take a few words at its ends;
  precision  >= 95 % of reuse spans are true reuse by the same oracle: their
             words run, nearly verbatim, through both source files.
Usage: check_reuse.py LINKS_JSON CORPUS_DIR
"""
import difflib
import glob
import json
import os
import re
import sys

MIN_WORDS = 25
SLACK = 3  # words a span may miss ("within a few words"), or 1 % of a long one


def words(text):
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", text)           # images
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)        # links: keep the anchor
    text = re.sub(r"<[^>]+>", " ", text)                        # tags, autolinks
    text = re.sub(r"(https?://|www\.)\S+", " ", text)           # bare URLs
    return re.findall(r"[^\W_]+", text.lower())


def text_id(corpus_dir, path):
    rel = os.path.relpath(path, corpus_dir)
    return os.path.splitext(rel)[0].replace(os.sep, "/")


def gold(corpus_dir):
    book = glob.glob(f"{corpus_dir}/crouzet-livre-contre-attaque/*Contre*.md")
    posts = glob.glob(f"{corpus_dir}/crouzet-blog/**/*.md", recursive=True)
    forum = glob.glob(f"{corpus_dir}/debats-ia/*.txt")
    read = {p: words(open(p, encoding="utf-8").read()) for p in book + posts + forum}
    spans = []
    for a in book + forum:
        for b in posts:
            sm = difflib.SequenceMatcher(None, read[a], read[b], autojunk=False)
            for m in sm.get_matching_blocks():
                if m.size >= MIN_WORDS:
                    pair = frozenset([text_id(corpus_dir, a), text_id(corpus_dir, b)])
                    spans.append((pair, read[a][m.a:m.a + m.size]))
    return spans, {text_id(corpus_dir, p): w for p, w in read.items()}


def covered(gold_words, found_words):
    """Gold words inside found words, in order, but for a few."""
    sm = difflib.SequenceMatcher(None, gold_words, found_words, autojunk=False)
    matched = sum(b.size for b in sm.get_matching_blocks())
    return matched >= len(gold_words) - max(SLACK, len(gold_words) // 100)


def true_reuse(span_words, source_words):
    sm = difflib.SequenceMatcher(None, span_words, source_words, autojunk=False)
    matched = sum(b.size for b in sm.get_matching_blocks())
    return matched >= 0.9 * len(span_words)


def main():
    links_path, corpus_dir = sys.argv[1], sys.argv[2]
    links = json.load(open(links_path, encoding="utf-8"))
    found = [(frozenset([r["from"], r["to"]]), words(r["text"]), r) for r in links.get("reuse", [])]
    spans, sources = gold(corpus_dir)
    missed = [
        (sorted(pair), len(g)) for pair, g in spans
        if not any(p == pair and covered(g, w) for p, w, _ in found)
    ]
    print(f"gold: {len(spans)} shared spans of >= {MIN_WORDS} words "
          f"(book and debats-ia against the blog); found {len(spans) - len(missed)}")
    for m in missed:
        print("  missed:", m)
    checked = [(w, r) for p, w, r in found if r["from"] in sources and r["to"] in sources]
    true = sum(true_reuse(w, sources[r["from"]]) and true_reuse(w, sources[r["to"]])
               for w, r in checked)
    share = true / len(checked) if checked else 1.0
    print(f"reuse links checked against both sources: {len(checked)}, true reuse {true} ({share:.0%})")
    ok = not missed and share >= 0.95 and spans
    print("ok" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
