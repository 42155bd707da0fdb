"""The PyTorch side of bench/e2e.ts: whole training epochs of the seed MLP or of DESIGN.md §1's backbone
on the exact data keel trained on, with the same loop, shapes, optimiser and thread count.

    /usr/bin/python3 bench/e2e_torch.py DATA_DIR

DATA_DIR (written by bench/e2e.ts) holds meta.json — {"case", "model": "mlp" | "backbone", "threads",
"epochs", "batch", "x": shape, "y": shape, "seed"} — and x.f32, y.f32: the inputs and targets as raw
little-endian float32, row-major. The loop is DESIGN's anchors/e2e_torch.py's (a new random order of
the samples every epoch, every full batch once: zero_grad, forward, loss, backward, step), plus the
batch loss read back as a float, as keel's fit does for its logs. Output, one JSON object per line:

    {"case": "blas", "impl": "torch-<version>", "blas": PATH-OR-NAME, "optimised": true|false|null, "hint"?: TEXT}
    {"case": CASE, "impl": "torch-<version>", "epoch": 1, "s": 3.21, "loss": 0.61, "threads": 2}

"optimised" says whether PyTorch's matrix products run on an optimised BLAS (torch_cases.py's blas(),
shared with bench:compare; null: it cannot be told). Like torch_cases.py, the script runs itself again
with OPENBLAS_CORETYPE set when OpenBLAS fell back to pre-AVX kernels (use_known_core()).
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_cases import backbone, blas_line, use_known_core  # bench/ is sys.path[0] when this script runs


def mlp():
    """The seed-002 MLP: 784 -> 512 -> 256 -> 10, Linear (no bias) -> BatchNorm1d -> ReLU -> Dropout(0.5)."""
    def block(i, o):
        return [nn.Linear(i, o, bias=False), nn.BatchNorm1d(o), nn.ReLU(), nn.Dropout(0.5)]
    return nn.Sequential(*block(784, 512), *block(512, 256), nn.Linear(256, 10))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: e2e_torch.py DATA_DIR")
    use_known_core()
    d = sys.argv[1]
    with open(os.path.join(d, "meta.json")) as f:
        meta = json.load(f)
    torch.set_num_threads(meta["threads"])
    torch.manual_seed(meta["seed"])
    impl = "torch-%s" % torch.__version__
    print(blas_line(impl), flush=True)

    x = torch.from_numpy(np.fromfile(os.path.join(d, "x.f32"), dtype="<f4").reshape(meta["x"]))
    y = torch.from_numpy(np.fromfile(os.path.join(d, "y.f32"), dtype="<f4").reshape(meta["y"]))
    if meta["model"] == "mlp":
        # keel's MLP: AdamW(lr 1e-3, weight_decay 1e-2) on every parameter; cross-entropy on class indices.
        m = mlp()
        opt = torch.optim.AdamW(m.parameters(), lr=1e-3, weight_decay=1e-2)
        y = y.long()
        loss_fn = F.cross_entropy
    else:
        # The study's recipe: AdamW(lr 1e-3) with decay 0.1 on conv/linear weights only
        # (keel's optim.weightDecayGroups: biases and BatchNorm parameters are not decayed).
        m = backbone()
        decay = [p for p in m.parameters() if p.dim() > 1]
        rest = [p for p in m.parameters() if p.dim() <= 1]
        opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}], lr=1e-3)
        loss_fn = F.mse_loss
    n, B = x.shape[0], meta["batch"]
    m.train()
    for e in range(meta["epochs"]):
        t0 = time.perf_counter()
        perm = torch.randperm(n)
        total = 0.0
        for i in range(0, n - B + 1, B):
            ix = perm[i:i + B]
            opt.zero_grad()
            loss = loss_fn(m(x[ix]), y[ix])
            loss.backward()
            opt.step()
            total += loss.item() * B
        s = time.perf_counter() - t0
        print(json.dumps({"case": meta["case"], "impl": impl, "epoch": e + 1, "s": round(s, 4),
                          "loss": round(total / (n // B * B), 5), "threads": meta["threads"]}), flush=True)


main()
