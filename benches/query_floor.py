#!/usr/bin/env python3
"""The compute floor of a new search query (issue 15, acceptance 3).

Embeds the CNIL FAQ's questions as e5 queries with plain onnxruntime on the
shipped int8 model, one intra-op thread (what one of the server's two
sessions has), alone and in batches of 2, 4 and 8, and prints the model
time per query. If the time per query does not fall with the batch, the
model is compute-bound and no batching or scheduling gives more than
`cores / time_per_query` new queries a second; with 4 connections kept
busy on 2 cores, each query then waits for about one other, so the median
latency cannot fall below about 2 x the time per query.

Usage: benches/query_floor.py [MODEL_DIR=models/multilingual-e5-small] [QUERIES=200]
(run on quiet cores, with models/venv/bin/python).
"""
import json
import statistics
import sys
import time

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

model_dir = sys.argv[1] if len(sys.argv) > 1 else "models/multilingual-e5-small"
count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
queries = [json.loads(l)["text"] for l in open("../shared/eval/cnil-faq/queries.jsonl", encoding="utf-8")]
queries = queries[:count]
tok = Tokenizer.from_file(f"{model_dir}/tokenizer.json")
opts = ort.SessionOptions()
opts.intra_op_num_threads = 1
session = ort.InferenceSession(f"{model_dir}/model_int8.onnx", opts, providers=["CPUExecutionProvider"])
encoded = [tok.encode("query: " + q).ids for q in queries]
print(f"{len(queries)} queries, {statistics.median(map(len, encoded)):.0f} tokens median (prefix included)")


def run(batch):
    longest = max(map(len, batch))
    ids = np.ones((len(batch), longest), np.int64)  # <pad> is 1
    mask = np.zeros((len(batch), longest), np.int64)
    for row, e in enumerate(batch):
        ids[row, : len(e)] = e
        mask[row, : len(e)] = 1
    start = time.perf_counter()
    session.run(None, {"input_ids": ids, "attention_mask": mask})
    return time.perf_counter() - start


run(encoded[:1])  # warm-up
for size in (1, 2, 4, 8):
    times = [run(encoded[i : i + size]) for i in range(0, len(encoded) - size + 1, size)]
    per_query = statistics.median(times) / size * 1000
    print(f"batch {size}: {per_query:.2f} ms of one core per query "
          f"(2 cores: at most {2000 / per_query:.0f} new queries/s; "
          f"4 busy connections: median latency >= {2 * per_query:.1f} ms)")
