"""The peer for llm.gpu.GpuBench on the same GPU, in the same run: GPT-2 124M (the book's model without dropout,
untied head, AdamW lr 4e-4 with weight decay 0.1 on every parameter, fp32, TF32 off) training steps at 4 x 256
tokens, and greedy generation of 64 tokens with a KV cache (the model's own loop: one token through all blocks at a
time, keys and values appended), both timed with CUDA synchronisation.

    python3 benchmarks/torch_gpu_gpt2.py          # on the GPU machine
The project's tests never need Python.
"""
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_gpt import GPT

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False


def sync():
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def timed(fn, reps):
    fn()
    sync()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2], times[0], times[-1]


def main():
    dev = sys.argv[1] if len(sys.argv) > 1 else "cuda"       # "cpu" only to check the script itself
    torch.manual_seed(123)
    model = GPT().to(dev)
    b, t = 4, 256
    opt = torch.optim.AdamW(model.parameters(), lr=4e-4, weight_decay=0.1)
    x = torch.randint(0, 50257, (b, t), device=dev)
    y = torch.randint(0, 50257, (b, t), device=dev)

    def step():
        opt.zero_grad(set_to_none=False)
        h = model.tok_emb(x) + model.pos_emb(torch.arange(t, device=dev))
        loss = F.cross_entropy(model.out_head(model.final_norm(model.trf_blocks(h))).flatten(0, 1), y.flatten())
        loss.backward()
        opt.step()

    med, lo, hi = timed(step, 10)
    print(f"torch {torch.__version__} {torch.cuda.get_device_name(0) if dev == 'cuda' else dev}")
    print(f"torch training step GPT-2 124M 4x256 fp32: median {med * 1e3:.1f} ms ({lo * 1e3:.1f}-{hi * 1e3:.1f}) = {b * t / med:,.0f} tokens/s")

    model.eval()
    blocks = model.trf_blocks

    @torch.no_grad()
    def generate(n=64):
        ids = torch.tensor([[15496, 11, 314, 716]], device=dev)
        caches = [None] * len(blocks)
        pos = 0
        for i in range(ids.shape[1] + n - 1):
            tok = ids[:, i:i + 1] if i < ids.shape[1] else nxt
            h = model.tok_emb(tok) + model.pos_emb(torch.tensor([pos], device=dev))
            for j, blk in enumerate(blocks):
                a = blk.att
                z = blk.norm1(h)
                q, k, v = a.W_query(z), a.W_key(z), a.W_value(z)
                if caches[j] is not None:
                    k, v = torch.cat([caches[j][0], k], 1), torch.cat([caches[j][1], v], 1)
                caches[j] = (k, v)
                hs = q.shape[-1] // a.heads
                qh = q.view(1, 1, a.heads, hs).transpose(1, 2)
                kh = k.view(1, -1, a.heads, hs).transpose(1, 2)
                vh = v.view(1, -1, a.heads, hs).transpose(1, 2)
                o = F.scaled_dot_product_attention(qh, kh, vh).transpose(1, 2).reshape(1, 1, -1)
                h = h + a.out_proj(o)
                h = h + blk.ff(blk.norm2(h))
            logits = model.out_head(model.final_norm(h))
            nxt = logits[:, -1].argmax(-1, keepdim=True)
            pos += 1

    med, lo, hi = timed(generate, 5)
    print(f"torch generation GPT-2 124M, fp32 weights, 4 prompt + 64 new tokens, batch 1, KV cache: median {med:.3f} s ({lo:.3f}-{hi:.3f}) = {67 / med:,.1f} tokens/s")
    if dev == "cuda":                  # the peer of GpuBench's fp16 weights: the whole model in half precision
        model.half()
        med, lo, hi = timed(generate, 5)
        print(f"torch generation GPT-2 124M, fp16 weights, 4 prompt + 64 new tokens, batch 1, KV cache: median {med:.3f} s ({lo:.3f}-{hi:.3f}) = {67 / med:,.1f} tokens/s")


if __name__ == "__main__":
    main()
