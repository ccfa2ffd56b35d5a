"""Generates the small GPT-2 checkpoints that the Java tests load (gpt/src/test/resources/llm/weights/).

    python3 gpt/src/test/python/make_gpt2_fixtures.py          # needs torch; the Java tests never need Python

A tiny GPT-2 (vocabulary 97, context 24, width 32, 4 heads, 2 layers, qkv_bias true, tied head) with random
weights is written three ways:
  tiny-gpt2/model.safetensors    the Hugging Face openai-community/gpt2 layout (wte, h.N.attn.c_attn as Conv1D
                                 weights, (in, out)), written by hand from the safetensors spec
  tiny-gpt2/config.json          the Hugging Face config fields the loader reads
  tiny-gpt2-hf.bin               the same tensors as GPT2LMHeadModel's state_dict (prefix transformer., lm_head),
                                 saved with torch.save (zip + pickle)
  tiny-gpt2-book.pth             the book's GPTModel state_dict (tok_emb, trf_blocks.N.att.W_query, ..., and the causal
                                 mask trf_blocks.N.att.mask, a persistent buffer in the book), torch.save
and expected.json holds token ids, the logits of the model on them and 8 greedy tokens, computed here in PyTorch.

With `--check FILE.safetensors` it instead loads a file exported by the Java side (Hugging Face layout) into
the same PyTorch model and prints the largest logit difference against expected.json.
"""
import json
import math
import os
import struct
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "resources", "llm", "weights")
VOCAB, CONTEXT, DIM, HEADS, LAYERS = 97, 24, 32, 4, 2


class LayerNorm(nn.Module):            # the book's LayerNorm: scale and shift, eps 1e-5, biased variance
    def __init__(self, dim):
        super().__init__()
        self.eps = 1e-5
        self.scale = nn.Parameter(torch.ones(dim))
        self.shift = nn.Parameter(torch.zeros(dim))

    def forward(self, x):
        mean = x.mean(dim=-1, keepdim=True)
        var = x.var(dim=-1, keepdim=True, unbiased=False)
        return self.scale * (x - mean) / torch.sqrt(var + self.eps) + self.shift


class GELU(nn.Module):
    def forward(self, x):
        return 0.5 * x * (1 + torch.tanh(torch.sqrt(torch.tensor(2.0 / torch.pi)) * (x + 0.044715 * torch.pow(x, 3))))


class MultiHeadAttention(nn.Module):
    def __init__(self, dim, heads, context, qkv_bias):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.W_query = nn.Linear(dim, dim, bias=qkv_bias)
        self.W_key = nn.Linear(dim, dim, bias=qkv_bias)
        self.W_value = nn.Linear(dim, dim, bias=qkv_bias)
        self.out_proj = nn.Linear(dim, dim)
        self.register_buffer("mask", torch.triu(torch.ones(context, context), diagonal=1))   # persistent, as the book

    def forward(self, x):
        b, t, c = x.shape
        split = lambda z: z.view(b, t, self.heads, self.head_dim).transpose(1, 2)
        q, k, v = split(self.W_query(x)), split(self.W_key(x)), split(self.W_value(x))
        scores = (q @ k.transpose(2, 3)).masked_fill(self.mask.bool()[:t, :t], -torch.inf)
        weights = torch.softmax(scores / k.shape[-1] ** 0.5, dim=-1)
        return self.out_proj((weights @ v).transpose(1, 2).contiguous().view(b, t, c))


class TransformerBlock(nn.Module):
    def __init__(self, dim, heads, context):
        super().__init__()
        self.att = MultiHeadAttention(dim, heads, context, True)
        self.ff = nn.Module()
        self.ff.layers = nn.Sequential(nn.Linear(dim, 4 * dim), GELU(), nn.Linear(4 * dim, dim))
        self.norm1, self.norm2 = LayerNorm(dim), LayerNorm(dim)

    def forward(self, x):
        x = x + self.att(self.norm1(x))
        return x + self.ff.layers(self.norm2(x))


class GPTModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok_emb, self.pos_emb = nn.Embedding(VOCAB, DIM), nn.Embedding(CONTEXT, DIM)
        self.trf_blocks = nn.Sequential(*[TransformerBlock(DIM, HEADS, CONTEXT) for _ in range(LAYERS)])
        self.final_norm = LayerNorm(DIM)
        self.out_head = nn.Linear(DIM, VOCAB, bias=False)
        self.out_head.weight = self.tok_emb.weight          # tied, as GPT-2

    def forward(self, idx):
        x = self.tok_emb(idx) + self.pos_emb(torch.arange(idx.shape[1]))
        return self.out_head(self.final_norm(self.trf_blocks(x)))


def hf_state(model):
    """The book's names to the Hugging Face GPT-2 names; Conv1D weights are stored (in, out), so transposed."""
    sd, out = model.state_dict(), {}
    out["wte.weight"], out["wpe.weight"] = sd["tok_emb.weight"], sd["pos_emb.weight"]
    for i in range(LAYERS):
        p, h = f"trf_blocks.{i}.", f"h.{i}."
        out[h + "ln_1.weight"], out[h + "ln_1.bias"] = sd[p + "norm1.scale"], sd[p + "norm1.shift"]
        out[h + "attn.c_attn.weight"] = torch.cat([sd[p + f"att.W_{n}.weight"] for n in ("query", "key", "value")], 0).t()
        out[h + "attn.c_attn.bias"] = torch.cat([sd[p + f"att.W_{n}.bias"] for n in ("query", "key", "value")], 0)
        out[h + "attn.c_proj.weight"], out[h + "attn.c_proj.bias"] = sd[p + "att.out_proj.weight"].t(), sd[p + "att.out_proj.bias"]
        out[h + "ln_2.weight"], out[h + "ln_2.bias"] = sd[p + "norm2.scale"], sd[p + "norm2.shift"]
        out[h + "mlp.c_fc.weight"], out[h + "mlp.c_fc.bias"] = sd[p + "ff.layers.0.weight"].t(), sd[p + "ff.layers.0.bias"]
        out[h + "mlp.c_proj.weight"], out[h + "mlp.c_proj.bias"] = sd[p + "ff.layers.2.weight"].t(), sd[p + "ff.layers.2.bias"]
    out["ln_f.weight"], out["ln_f.bias"] = sd["final_norm.scale"], sd["final_norm.shift"]
    return {k: v.contiguous() for k, v in out.items()}


def book_state_from_hf(hf):
    """The inverse of hf_state, for checking a file the Java side exported."""
    sd = {"tok_emb.weight": hf["wte.weight"], "pos_emb.weight": hf["wpe.weight"]}
    for i in range(LAYERS):
        p, h = f"trf_blocks.{i}.", f"h.{i}."
        sd[p + "norm1.scale"], sd[p + "norm1.shift"] = hf[h + "ln_1.weight"], hf[h + "ln_1.bias"]
        q, k, v = hf[h + "attn.c_attn.weight"].t().split(DIM, 0)
        qb, kb, vb = hf[h + "attn.c_attn.bias"].split(DIM, 0)
        for n, w, bias in (("query", q, qb), ("key", k, kb), ("value", v, vb)):
            sd[p + f"att.W_{n}.weight"], sd[p + f"att.W_{n}.bias"] = w, bias
        sd[p + "att.out_proj.weight"], sd[p + "att.out_proj.bias"] = hf[h + "attn.c_proj.weight"].t(), hf[h + "attn.c_proj.bias"]
        sd[p + "norm2.scale"], sd[p + "norm2.shift"] = hf[h + "ln_2.weight"], hf[h + "ln_2.bias"]
        sd[p + "ff.layers.0.weight"], sd[p + "ff.layers.0.bias"] = hf[h + "mlp.c_fc.weight"].t(), hf[h + "mlp.c_fc.bias"]
        sd[p + "ff.layers.2.weight"], sd[p + "ff.layers.2.bias"] = hf[h + "mlp.c_proj.weight"].t(), hf[h + "mlp.c_proj.bias"]
    sd["final_norm.scale"], sd["final_norm.shift"] = hf["ln_f.weight"], hf["ln_f.bias"]
    sd["out_head.weight"] = hf.get("lm_head.weight", hf["wte.weight"])
    return sd


def write_safetensors(path, tensors):
    """The safetensors layout from its specification: u64 header length, JSON header, raw little-endian data."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        assert e["dtype"] == "F32", e
        b, end = e["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[b:end]), dtype=torch.float32).view(e["shape"])
    return out


def greedy(model, ids, steps):
    idx = torch.tensor([ids])
    with torch.no_grad():
        for _ in range(steps):
            nxt = model(idx[:, -CONTEXT:])[:, -1, :].argmax(-1, keepdim=True)
            idx = torch.cat([idx, nxt], 1)
    return idx[0, len(ids):].tolist()


def make():
    torch.manual_seed(2024)
    model = GPTModel().eval()
    with torch.no_grad():                   # larger than the default init, so the logits differ clearly
        for name, p in model.named_parameters():
            if "norm" not in name:
                p.normal_(0, 0.2)
            else:
                p.add_(torch.randn_like(p) * 0.1)
    os.makedirs(os.path.join(OUT, "tiny-gpt2"), exist_ok=True)
    hf = hf_state(model)
    write_safetensors(os.path.join(OUT, "tiny-gpt2", "model.safetensors"), hf)
    with open(os.path.join(OUT, "tiny-gpt2", "config.json"), "w") as f:
        json.dump({"model_type": "gpt2", "vocab_size": VOCAB, "n_positions": CONTEXT, "n_ctx": CONTEXT, "n_embd": DIM,
                   "n_head": HEADS, "n_layer": LAYERS, "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new",
                   "tie_word_embeddings": True}, f, indent=2)
    hf_bin = {"transformer." + k: v for k, v in hf.items()}
    hf_bin["lm_head.weight"] = hf["wte.weight"]          # shares the storage, as in GPT2LMHeadModel
    for i in range(LAYERS):                               # buffers old GPT-2 checkpoints carry; loaders skip them
        hf_bin[f"transformer.h.{i}.attn.bias"] = torch.tril(torch.ones(CONTEXT, CONTEXT)).view(1, 1, CONTEXT, CONTEXT)
    torch.save(hf_bin, os.path.join(OUT, "tiny-gpt2-hf.bin"))
    torch.save(model.state_dict(), os.path.join(OUT, "tiny-gpt2-book.pth"))
    ids = [(i * 37 + 11) % VOCAB for i in range(CONTEXT - 8)]
    with torch.no_grad():
        logits = model(torch.tensor([ids]))[0]
    expected = {"ids": ids, "logits": [round(x, 7) for x in logits.flatten().tolist()], "vocab": VOCAB,
                "greedy_prompt": ids[:5], "greedy": greedy(model, ids[:5], 8), "torch": torch.__version__}
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f)
    print("wrote fixtures to", os.path.normpath(OUT))


def check(path):
    with open(os.path.join(OUT, "expected.json")) as f:
        expected = json.load(f)
    model = GPTModel().eval()
    state = book_state_from_hf(read_safetensors(path))
    state.update({k: v for k, v in model.state_dict().items() if k.endswith("att.mask")})   # buffers, not weights
    model.load_state_dict(state)
    with torch.no_grad():
        logits = model(torch.tensor([expected["ids"]]))[0].flatten()
    diff = (logits - torch.tensor(expected["logits"])).abs().max().item()
    same = greedy(model, expected["greedy_prompt"], 8) == expected["greedy"]
    print(f"{path}: max |logit difference| vs expected.json = {diff:.2e}, greedy tokens identical: {same}")
    sys.exit(0 if diff < 1e-4 and same else 1)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
    else:
        make()
