"""The peer for TrainBench: GPT-2 124M training steps in PyTorch, the book's model and configuration (dropout
0.1, no qkv bias, untied head, AdamW lr 4e-4, weight decay 0.1), at batch B x T, on a given number of threads.

    python3 benchmarks/torch_train.py 2 4 256 3      # threads, batch, tokens, timed steps
Needs torch (this machine ships a CPU wheel in /opt/wheels); the project's tests never need Python.
"""
import statistics
import sys
import time

import torch
import torch.nn as nn

from torch_gpt import GPT


def peak_rss_gb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024 / 1024
    return float("nan")


def with_dropout(model, p):
    """torch_gpt.GPT has no dropout (it measures inference); the book's training model drops with p after the
    embeddings, on the attention weights and on both shortcuts."""
    for block in model.trf_blocks:
        att, ff = block.att, block.ff
        att.dropout = nn.Dropout(p)
        original = att.forward

        def attention(x, att=att):
            import math
            b, t, c = x.shape
            split = lambda z: z.view(b, t, att.heads, att.head_dim).transpose(1, 2)
            q, k, v = split(att.W_query(x)), split(att.W_key(x)), split(att.W_value(x))
            scores = (q @ k.transpose(2, 3)).masked_fill(att.mask.bool()[:t, :t], -torch.inf)
            weights = att.dropout(torch.softmax(scores / math.sqrt(att.head_dim), dim=-1))
            return att.out_proj((weights @ v).transpose(1, 2).contiguous().view(b, t, c))

        att.forward = attention
        block.drop = nn.Dropout(p)

        def block_forward(x, block=block):
            x = x + block.drop(block.att(block.norm1(x)))
            return x + block.drop(block.ff(block.norm2(x)))

        block.forward = block_forward
    model.drop_emb = nn.Dropout(p)

    def model_forward(idx, model=model):
        t = idx.shape[1]
        x = model.drop_emb(model.tok_emb(idx) + model.pos_emb(torch.arange(t)))
        return model.out_head(model.final_norm(model.trf_blocks(x)))

    model.forward = model_forward
    return model


def main(threads, b, t, steps):
    torch.set_num_threads(threads)
    torch.manual_seed(123)
    model = with_dropout(GPT(context=max(t, 256)), 0.1).train()
    opt = torch.optim.AdamW(model.parameters(), lr=4e-4, weight_decay=0.1)
    ids = (torch.arange(b * (t + 1)) * 7919 % 50257).view(b, t + 1)
    x, y = ids[:, :-1], ids[:, 1:]
    times = []
    for s in range(steps + 1):               # one warm-up step
        start = time.perf_counter()
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x).flatten(0, 1), y.flatten())
        loss.backward()
        opt.step()
        elapsed = time.perf_counter() - start
        if s > 0:
            times.append(elapsed)
        print(f"step {s}: loss {loss.item():.4f}, {elapsed:.2f} s", flush=True)
    med = statistics.median(times)
    print(f"torch {torch.__version__}, threads {threads}, batch {b} x {t}: median step {med:.3f} s, {b * t / med:.1f} tokens/s, "
          f"steps {[round(v, 3) for v in times]}, peak RSS {peak_rss_gb():.2f} GB")


if __name__ == "__main__":
    a = [int(v) for v in sys.argv[1:]]
    main(*(a + [2, 4, 256, 3][len(a):]))
