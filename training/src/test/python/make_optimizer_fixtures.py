"""Reference trajectories of torch.optim.AdamW and torch.optim.SGD for the Java optimiser tests.

    python3 training/src/test/python/make_optimizer_fixtures.py     # needs torch; the Java tests do not

Two parameters (a 3x4 matrix and a 4-vector) start from fixed values and receive, at each of 6 steps, fixed
pseudo-random gradients; the parameters after every step are recorded for several optimiser settings.
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "llm", "optim", "reference.json")
STEPS = 6


def run(make):
    g = torch.Generator().manual_seed(7)
    w = torch.nn.Parameter(torch.randn(3, 4, generator=g))
    b = torch.nn.Parameter(torch.randn(4, generator=g))
    start = {"w": w.detach().flatten().tolist(), "b": b.detach().flatten().tolist()}
    grads = [{"w": torch.randn(3, 4, generator=g) * 0.5, "b": torch.randn(4, generator=g) * 0.5} for _ in range(STEPS)]
    opt = make([w, b])
    history = []
    for step in range(STEPS):
        w.grad, b.grad = grads[step]["w"].clone(), grads[step]["b"].clone()
        opt.step()
        history.append({"w": w.detach().flatten().tolist(), "b": b.detach().flatten().tolist()})
    return {"start": start, "grads": [{k: v.flatten().tolist() for k, v in gr.items()} for gr in grads], "after": history}


def main():
    cases = {
        "adamw_book": run(lambda p: torch.optim.AdamW(p, lr=4e-4, weight_decay=0.1)),
        "adamw_large_lr": run(lambda p: torch.optim.AdamW(p, lr=0.05, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.5)),
        "adamw_matrices_only": run(lambda p: torch.optim.AdamW([{"params": [p[0]], "weight_decay": 0.5},
                                                                 {"params": [p[1]], "weight_decay": 0.0}], lr=0.05)),
        "sgd_plain": run(lambda p: torch.optim.SGD(p, lr=0.1)),
        "sgd_momentum": run(lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01)),
        "sgd_nesterov": run(lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True)),
    }
    cases["torch"] = torch.__version__
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(cases, f)
    print("wrote", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
