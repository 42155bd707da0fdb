#!/usr/bin/env python3
"""The PyTorch side of examples/load-pytorch-weights.ts: a small DESIGN.md §1 Conv1d backbone,
trained for a few steps in PyTorch (so BatchNorm's running statistics and num_batches_tracked are
not their initial values), saved as safetensors with its eval-mode output on a fixed input.

    /usr/bin/python3 examples/data/make_pytorch_weights.py     (from the repository root; commit both files)

writes, next to this script:
  pytorch-backbone.safetensors     model.state_dict(), exactly as PyTorch names it ("0.weight",
                                   "1.running_mean", "1.num_batches_tracked" as int64, ...)
  pytorch-backbone-io.safetensors  "input" (8, 4, 16) and "output" (8, 1): the model's eval output

With the `safetensors` pip package the save is one line,
    safetensors.torch.save_file(model.state_dict(), "pytorch-backbone.safetensors")
Debian's python3-torch 1.13 has no such package, so save_file below writes the same format with
struct + json (8-byte little-endian header length, the JSON header padded with spaces to a multiple
of 8, then the raw little-endian tensor bytes in header order). Seeded: reruns give the same files.
"""
import json
import os
import struct

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = {torch.float32: "F32", torch.int64: "I64"}


def save_file(tensors, path, metadata=None):
    """safetensors.torch.save_file for float32/int64 tensors."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        data = t.detach().contiguous().cpu().numpy().tobytes()  # x86-64 and arm64 are little-endian
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    print(f"wrote {os.path.relpath(path)}: {len(tensors)} tensors, {os.path.getsize(path)} bytes")


def backbone(in_channels=4, window=16, widths=(8, 8), kernel_size=3, dropout=0.15, head_hidden=16,
             head_dropout=0.5, outputs=1):
    """DESIGN.md §1's network as a PyTorch user writes it (keel: nn.conv1dBackbone with the same options)."""
    layers, c = [], in_channels
    for w in widths:
        layers += [nn.Conv1d(c, w, kernel_size, padding=(kernel_size - 1) // 2, bias=False), nn.BatchNorm1d(w),
                   nn.ReLU(), nn.Dropout(dropout)]
        c = w
    layers += [nn.Flatten(), nn.Linear(c * window, head_hidden), nn.ReLU(), nn.Dropout(head_dropout),
               nn.Linear(head_hidden, outputs)]
    return nn.Sequential(*layers)


def main():
    torch.manual_seed(0)
    model = backbone()
    # A few training steps on a made-up regression target, so the file holds trained weights and
    # running statistics far from their initial zeros and ones.
    x = torch.randn(64, 4, 16) * 2 + 0.5
    y = x[:, 0, -4:].mean(dim=1, keepdim=True)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    for _ in range(20):
        opt.zero_grad()
        nn.functional.mse_loss(model(x), y).backward()
        opt.step()

    model.eval()
    inputs = torch.randn(8, 4, 16) * 2 + 0.5
    with torch.no_grad():
        outputs = model(inputs)
    save_file(model.state_dict(), os.path.join(HERE, "pytorch-backbone.safetensors"),
              metadata={"format": "pt", "torch": torch.__version__})
    save_file({"input": inputs, "output": outputs}, os.path.join(HERE, "pytorch-backbone-io.safetensors"))


if __name__ == "__main__":
    main()
