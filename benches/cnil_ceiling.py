#!/usr/bin/env python3
"""How far the shipped model can go on the CNIL FAQ (issue 12, acceptance 1
asks hybrid nDCG@10 >= 0.78): every signal Rhizome has, and two it does not,
fused with weights tuned on CNIL itself. Tuning on the test set is what the
project never does; here it only gives an optimistic ceiling.

Signals, all from the same int8 multilingual-e5-small as the engine:
  dense-N    best passage of a text, passages packed from its lines up to N chars
  whole      the whole text as one passage (first 512 tokens)
  maxsim     late interaction: each query token's best document token
             (cosine of e5's token vectors), averaged (ColBERT's MaxSim)
  bm25       BM25 over whole texts, French stemming and stop words
Fusion: weighted sum of per-query z-scores, every weight in 0, 0.25, ..., 1.

Usage (quiet cores, a few minutes):
  models/venv/bin/pip install snowballstemmer
  models/venv/bin/python benches/cnil_ceiling.py [MODEL_DIR=models/multilingual-e5-small]
"""
import itertools
import json
import math
import re
import sys
import unicodedata
from collections import Counter

import numpy as np
import onnxruntime as ort
import snowballstemmer
from tokenizers import Tokenizer

MODEL = sys.argv[1] if len(sys.argv) > 1 else "models/multilingual-e5-small"
SET = "../shared/eval/cnil-faq"
docs = [json.loads(l) for l in open(f"{SET}/corpus.jsonl", encoding="utf-8")]
queries = [json.loads(l) for l in open(f"{SET}/queries.jsonl", encoding="utf-8")]
qrels = {}
for line in open(f"{SET}/qrels/dev.tsv", encoding="utf-8").read().splitlines()[1:]:
    q, d, s = line.split("\t")
    qrels.setdefault(q, {})[d] = float(s)
doc_ids = [d["_id"] for d in docs]

tok = Tokenizer.from_file(f"{MODEL}/tokenizer.json")
tok.enable_truncation(512)
opts = ort.SessionOptions()
opts.intra_op_num_threads = 2
session = ort.InferenceSession(f"{MODEL}/model_int8.onnx", opts, providers=["CPUExecutionProvider"])


def hidden(texts):
    """Token vectors of each text (unit length), batch size 1 as the engine embeds."""
    out = []
    for t in texts:
        ids = np.array([tok.encode(t).ids], np.int64)
        h = session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0][0]
        out.append(h)
    return out


def pooled(hs):
    v = np.stack([h.mean(0) for h in hs])
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def ndcg10(scores):
    total = 0.0
    for qi, q in enumerate(queries):
        rel = qrels.get(q["_id"], {})
        top = np.argsort(-scores[qi])[:10]
        dcg = sum(rel.get(doc_ids[j], 0) / math.log2(r + 2) for r, j in enumerate(top))
        ideal = sum(v / math.log2(r + 2) for r, v in enumerate(sorted(rel.values(), reverse=True)[:10]))
        total += dcg / ideal if ideal else 0.0
    return total / len(queries)


def passages(text, limit):
    out, cur = [], ""
    for line in (l for l in text.split("\n") if l.strip()):
        if cur and len(cur) + 1 + len(line) > limit:
            out.append(cur)
            cur = line
        else:
            cur = f"{cur}\n{line}" if cur else line
    return out + ([cur] if cur else [])


def best_passage(qv, limit):
    texts, owner = [], []
    for i, d in enumerate(docs):
        for p in passages(d["text"], limit):
            texts.append("passage: " + p)
            owner.append(i)
    sims = qv @ pooled(hidden(texts)).T
    owner = np.array(owner)
    return np.stack([sims[:, owner == i].max(1) for i in range(len(docs))], axis=1)


def maxsim(q_tokens, d_tokens):
    unit = lambda h: (h / np.linalg.norm(h, axis=1, keepdims=True))[1:-1]  # no <s>, </s>
    q_tokens, d_tokens = [unit(h) for h in q_tokens], [unit(h) for h in d_tokens]
    bounds = np.cumsum([0] + [len(d) for d in d_tokens])
    all_docs = np.concatenate(d_tokens)
    out = np.zeros((len(q_tokens), len(d_tokens)))
    for qi, q in enumerate(q_tokens):
        s = q @ all_docs.T
        out[qi] = [s[:, bounds[j]:bounds[j + 1]].max(1).mean() for j in range(len(d_tokens))]
    return out


STOP = set(
    "l d j m n s t c qu jusqu lorsqu puisqu quoiqu presqu quelqu au aux avec ce ces dans de des du elle "
    "en et eux il ils je la le les leur lui ma mais me même mes moi mon ne nos notre nous on ou par pas "
    "pour que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous y à a été étée étés étant "
    "suis es est sommes êtes sont serai sera serons seront étais était étions étaient fut ai as avons "
    "avez ont aurai aura avais avait avaient eu ayant cet cette cela ça ceci celle celui ceux dont où si "
    "ni donc or car aussi plus très tout tous toute toutes sans sous entre vers chez comme quand alors "
    "là ici faire fait".split()
)
stem = snowballstemmer.stemmer("french").stemWord


def words(text):
    fold = lambda w: "".join(c for c in unicodedata.normalize("NFD", w) if unicodedata.category(c) != "Mn")
    return [fold(stem(w)) for w in re.split(r"\W+", text.lower()) if w and w not in STOP]


def bm25(k1=1.2, b=0.75):
    dt = [words(d["text"]) for d in docs]
    df = Counter(t for d in dt for t in set(d))
    avg = sum(map(len, dt)) / len(dt)
    tfs = [Counter(d) for d in dt]
    out = np.zeros((len(queries), len(docs)))
    for qi, q in enumerate(queries):
        for t in set(words(q["text"])):
            if t not in df:
                continue
            idf = math.log(1 + (len(dt) - df[t] + 0.5) / (df[t] + 0.5))
            for j, tf in enumerate(tfs):
                f = tf.get(t, 0)
                if f:
                    out[qi, j] += idf * f * (k1 + 1) / (f + k1 * (1 - b + b * len(dt[j]) / avg))
    return out


def z(s):
    return (s - s.mean(1, keepdims=True)) / (s.std(1, keepdims=True) + 1e-9)


q_tokens = hidden(["query: " + q["text"] for q in queries])
qv = pooled(q_tokens)
signals = {
    "dense-600": best_passage(qv, 600),
    "dense-1200": best_passage(qv, 1200),
    "whole": best_passage(qv, 10**9),
    "maxsim": maxsim(q_tokens, hidden(["passage: " + d["text"] for d in docs])),
    "bm25": bm25(),
}
for name, s in signals.items():
    print(f"{name:>10}: nDCG@10 {ndcg10(s):.3f}")
names = list(signals)
zs = {n: z(s) for n, s in signals.items()}
best = (0.0, None)
grid = [0.0, 0.25, 0.5, 0.75, 1.0]
for weights in itertools.product(grid, repeat=len(names)):
    if sum(weights) == 0 or max(weights) < 1:  # scale-free: the largest weight is 1
        continue
    score = ndcg10(sum(w * zs[n] for w, n in zip(weights, names) if w))
    if score > best[0]:
        best = (score, dict(zip(names, weights)))
print(f"best fusion, weights tuned on CNIL itself: nDCG@10 {best[0]:.3f} with {best[1]}")
