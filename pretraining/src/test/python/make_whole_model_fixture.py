"""The whole-model check against PyTorch, as llm.c's test_gpt2.c: one safetensors file the Java test
(GPT2WholeModelTest) compares against, tensor by tensor.

    python3 pretraining/src/test/python/make_whole_model_fixture.py      # needs torch; the Java tests never need Python

A small GPT-2 (vocabulary 61, context 12, width 32, 4 heads, 2 layers, qkv bias, tied head, no dropout) with
random weights, one fixed batch of 2 x 12 tokens (two targets set to -100, which cross-entropy ignores), and
PyTorch's book-style model (the same classes as the book's chapter 4: LayerNorm with scale/shift, tanh GELU,
the causal mask as a persistent buffer). The file holds, by name:
  param.<name>     the starting parameters, named as the book's state_dict (the tied head once, as tok_emb.weight)
  inputs, targets  the batch (float32 holding integers)
  logits           the model's logits on the batch, (2, 12, 61)
  loss             cross-entropy, a scalar
  grad.<name>      every parameter's gradient after loss.backward()
  after.<name>     the parameters after three steps of torch.optim.AdamW (lr 1e-3, weight decay 0.1) with
                   torch.nn.utils.clip_grad_norm_(1.0) before each step, all on the same batch
  losses           the loss at each of the three steps
"""
import json
import os
import struct
import sys

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "llm", "pretraining", "gpt2-whole-model.safetensors")
VOCAB, CONTEXT, DIM, HEADS, LAYERS, BATCH = 61, 12, 32, 4, 2, 2
LR, WEIGHT_DECAY, CLIP, STEPS = 1e-3, 0.1, 1.0, 3

# the book's GPT-2 classes (LayerNorm with scale/shift, tanh GELU, the causal mask as a persistent buffer, tied
# head), shared with the GPT-2 loader fixtures; their sizes are that module's globals, set here
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "gpt", "src", "test", "python"))
import make_gpt2_fixtures as fx  # noqa: E402

fx.VOCAB, fx.CONTEXT, fx.DIM, fx.HEADS, fx.LAYERS = VOCAB, CONTEXT, DIM, HEADS, LAYERS


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():
        data = t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def main():
    torch.manual_seed(1234)
    model = fx.GPTModel()
    with torch.no_grad():                       # larger than the default init, so that every term matters
        for name, p in model.named_parameters():
            if "norm" in name:
                p.add_(torch.randn_like(p) * 0.1)
            else:
                p.normal_(0, 0.1)
    g = torch.Generator().manual_seed(7)
    inputs = torch.randint(0, VOCAB, (BATCH, CONTEXT), generator=g)
    targets = torch.randint(0, VOCAB, (BATCH, CONTEXT), generator=g)
    targets[0, 3] = targets[1, 10] = -100
    out = {f"param.{n}": p.detach().clone() for n, p in model.named_parameters()}
    out["inputs"], out["targets"] = inputs.float(), targets.float()

    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
    losses = []
    for step in range(STEPS):
        opt.zero_grad()
        logits = model(inputs)
        loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten())
        loss.backward()
        if step == 0:
            out["logits"], out["loss"] = logits.detach().clone(), loss.detach().clone()
            out.update({f"grad.{n}": p.grad.detach().clone() for n, p in model.named_parameters()})
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        opt.step()
        losses.append(loss.item())
    out.update({f"after.{n}": p.detach().clone() for n, p in model.named_parameters()})
    out["losses"] = torch.tensor(losses)
    meta = {"torch": torch.__version__, "config": json.dumps({"vocab": VOCAB, "context": CONTEXT, "dim": DIM, "heads": HEADS, "layers": LAYERS}),
            "optimizer": f"AdamW lr {LR} weight_decay {WEIGHT_DECAY}, clip_grad_norm_ {CLIP}, {STEPS} steps"}
    write_safetensors(OUT, out, meta)
    print(f"wrote {os.path.normpath(OUT)}: loss {losses[0]:.6f}, losses {losses}")


if __name__ == "__main__":
    main()
