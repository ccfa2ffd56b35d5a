"""PyTorch's fp32 matmul on the GPU for the shapes llm.gpu.GpuCheck times: the peer for the TornadoVM tiled kernel.

TF32 is off, so both sides do fp32 products. x (M, K) @ w (N, K)^T, best of 10 after a warm-up, CUDA events.
Run on the GPU machine: python3 benchmarks/torch_matmul.py
"""
import torch

torch.backends.cuda.matmul.allow_tf32 = False
shapes = [(1024, 2304, 768), (1024, 768, 768), (1024, 3072, 768), (1024, 768, 3072), (1024, 50257, 768), (4096, 4096, 4096)]
print("torch", torch.__version__, torch.cuda.get_device_name(0))
for m, n, k in shapes:
    a = torch.randn(m, k, device="cuda")
    b = torch.randn(n, k, device="cuda")
    a @ b.T
    torch.cuda.synchronize()
    best = float("inf")
    for _ in range(10):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        a @ b.T
        end.record()
        torch.cuda.synchronize()
        best = min(best, start.elapsed_time(end))
    print(f"torch matmul ({m}, {k}) x ({n}, {k})^T: best of 10 {best:.3f} ms = {2 * m * n * k / best / 1e6:.1f} GFLOP/s")
