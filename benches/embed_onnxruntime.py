#!/usr/bin/env python3
"""Plain Python onnxruntime on the same int8 model and paragraphs as
embed_throughput (same batch size and threads): the side-by-side baseline.

Usage: embed_onnxruntime.py PARAGRAPHS.txt MODEL_DIR MODEL_FILE BATCH THREADS RUNS [SESSIONS=1]
SESSIONS=1 is plain onnxruntime (one session using THREADS); SESSIONS>1 runs
that many sessions side by side in Python threads (onnxruntime releases the
GIL), sharing THREADS, as Rhizome does.
"""
import json
import sys
import threading
import time

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

path, model_dir, model_file, batch, threads, runs = sys.argv[1:7]
batch, threads, runs = int(batch), int(threads), int(runs)
sessions = int(sys.argv[7]) if len(sys.argv) > 7 else 1
paras = [l.rstrip("\n") for l in open(path, encoding="utf-8") if l.strip()]
tok = Tokenizer.from_file(f"{model_dir}/tokenizer.json")
tok.enable_truncation(512)
opts = ort.SessionOptions()
opts.intra_op_num_threads = max(1, threads // sessions)
pool = [ort.InferenceSession(f"{model_dir}/{model_file}", opts, providers=["CPUExecutionProvider"])
        for _ in range(sessions)]


def embed(texts, sess=pool[0]):
    encs = [e.ids for e in tok.encode_batch(["passage: " + t for t in texts])]
    L = max(len(e) for e in encs)
    ids = np.ones((len(encs), L), dtype=np.int64)
    am = np.zeros_like(ids)
    for i, e in enumerate(encs):
        ids[i, : len(e)] = e
        am[i, : len(e)] = 1
    h = sess.run(None, {"input_ids": ids, "attention_mask": am})[0]
    v = (h * am[..., None]).sum(1) / am.sum(1, keepdims=True)
    return v / np.linalg.norm(v, axis=1, keepdims=True), int(am.sum())


order = sorted(range(len(paras)), key=lambda i: len(paras[i]))
batches = [order[i : i + batch] for i in range(0, len(order), batch)]
for s in pool:
    embed(paras[:8], s)


def share(worker, counts):
    counts[worker] = sum(embed([paras[j] for j in b], pool[worker])[1] for b in batches[worker::sessions])


rates, tokens = [], 0
for _ in range(runs):
    t = time.time()
    counts = [0] * sessions
    workers = [threading.Thread(target=share, args=(w, counts)) for w in range(sessions)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    tokens = sum(counts)
    rates.append(len(paras) / (time.time() - t))
rates.sort()
med = rates[len(rates) // 2]
print(json.dumps({"engine": "python onnxruntime " + ort.__version__, "paragraphs": len(paras), "tokens": tokens,
                  "batch_size": batch, "threads": threads, "sessions": sessions, "runs": rates, "paragraphs_per_s_median": med,
                  "tokens_per_s_median": med * tokens / len(paras)}))
