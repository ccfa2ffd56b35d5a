"""The peer for GptBench: the book's GPTModel shape (chapter 4) in PyTorch, GPT-2 124M, forward pass at batch
4 x 256 without gradients, on a given number of threads.

    python3 benchmarks/torch_gpt.py 1     # or 2
Needs torch (this machine ships a CPU wheel in /opt/wheels); the project's tests never need Python.
"""
import math
import statistics
import sys
import time

import torch
import torch.nn as nn


class Attention(nn.Module):
    def __init__(self, dim, heads, context):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.W_query = nn.Linear(dim, dim, bias=False)
        self.W_key = nn.Linear(dim, dim, bias=False)
        self.W_value = nn.Linear(dim, dim, bias=False)
        self.out_proj = nn.Linear(dim, dim)
        self.register_buffer("mask", torch.triu(torch.ones(context, context), diagonal=1))

    def forward(self, x):
        b, t, c = x.shape
        split = lambda z: z.view(b, t, self.heads, self.head_dim).transpose(1, 2)
        q, k, v = split(self.W_query(x)), split(self.W_key(x)), split(self.W_value(x))
        scores = (q @ k.transpose(2, 3)).masked_fill(self.mask.bool()[:t, :t], -torch.inf)
        weights = torch.softmax(scores / math.sqrt(self.head_dim), dim=-1)
        return self.out_proj((weights @ v).transpose(1, 2).contiguous().view(b, t, c))


class Block(nn.Module):
    def __init__(self, dim, heads, context):
        super().__init__()
        self.att = Attention(dim, heads, context)
        self.ff = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(approximate="tanh"), nn.Linear(4 * dim, dim))
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)

    def forward(self, x):
        x = x + self.att(self.norm1(x))
        return x + self.ff(self.norm2(x))


class GPT(nn.Module):
    def __init__(self, vocab=50257, context=1024, dim=768, heads=12, layers=12):
        super().__init__()
        self.tok_emb, self.pos_emb = nn.Embedding(vocab, dim), nn.Embedding(context, dim)
        self.trf_blocks = nn.Sequential(*[Block(dim, heads, context) for _ in range(layers)])
        self.final_norm = nn.LayerNorm(dim)
        self.out_head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx):
        t = idx.shape[1]
        x = self.tok_emb(idx) + self.pos_emb(torch.arange(t))
        return self.out_head(self.final_norm(self.trf_blocks(x)))


def main(threads):
    torch.set_num_threads(threads)
    torch.manual_seed(123)
    model = GPT().eval()
    idx = (torch.arange(4 * 256) * 7919 % 50257).view(4, 256)
    with torch.no_grad():
        model(idx)
        model(idx)
        times = []
        for _ in range(5):
            start = time.perf_counter()
            model(idx)
            times.append(time.perf_counter() - start)
    med = statistics.median(times)
    print(f"torch {torch.__version__}, threads {threads}: forward 4 x 256 median {med:.3f} s ({1024 / med:.0f} tokens/s), runs {[round(x, 3) for x in times]}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
