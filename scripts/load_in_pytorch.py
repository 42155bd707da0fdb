#!/usr/bin/env python3
"""Loads a model folder written by `keel train` into PyTorch and runs it.

    python3 scripts/load_in_pytorch.py MODEL_DIR            # prints the module and a check forward

keel writes model.safetensors with PyTorch's state-dict keys and model.json with the architecture
(what model.toJSON() gives). This rebuilds the same torch.nn.Sequential from model.json, loads the
weights with load_state_dict(strict=True) and prints the eval output for a fixed input, so the numbers
can be compared with keel's. It reads the safetensors file itself (an 8-byte header length, a JSON
header, raw little-endian arrays), so only PyTorch and NumPy are needed.
"""
import json
import struct
import sys

import numpy as np
import torch
from torch import nn

DTYPES = {'F32': np.float32, 'F64': np.float64, 'I64': np.int64}


def read_safetensors(path):
    raw = open(path, 'rb').read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    base = 8 + n
    return {
        key: torch.from_numpy(np.frombuffer(raw[base + t['data_offsets'][0]:base + t['data_offsets'][1]], dtype=DTYPES[t['dtype']]).reshape(t['shape']).copy())
        for key, t in header.items() if key != '__metadata__'
    }


def build(spec):
    kind, o = spec['type'], spec.get('options', {})
    if kind == 'Sequential':
        return nn.Sequential(*[build(child) for child in spec['children']])
    if kind == 'Conv1d':
        return nn.Conv1d(o['inChannels'], o['outChannels'], o['kernelSize'], stride=o['stride'], padding=o['padding'],
                         dilation=o['dilation'], groups=o['groups'], bias=o['bias'], padding_mode=o['paddingMode'])
    if kind == 'BatchNorm1d':
        return nn.BatchNorm1d(o['numFeatures'], eps=o['eps'], momentum=o['momentum'], affine=o['affine'], track_running_stats=o['trackRunningStats'])
    if kind == 'Linear':
        return nn.Linear(o['inFeatures'], o['outFeatures'], bias=o['bias'])
    if kind == 'Dropout':
        return nn.Dropout(o['p'])
    if kind == 'ReLU':
        return nn.ReLU()
    if kind == 'Flatten':
        return nn.Flatten(o.get('startDim', 1), o.get('endDim', -1))
    if kind == 'Dropout1d':
        return nn.Dropout1d(o['p'])
    if kind == 'LeakyReLU':
        return nn.LeakyReLU(o['negativeSlope'])
    if kind == 'GELU':
        return nn.GELU(approximate=o['approximate'])
    if kind == 'LayerNorm':
        return nn.LayerNorm(o['normalizedShape'], eps=o['eps'], elementwise_affine=o['elementwiseAffine'])
    if kind == 'MaxPool1d':
        return nn.MaxPool1d(o['kernelSize'], stride=o['stride'], padding=o['padding'], dilation=o['dilation'], ceil_mode=o['ceilMode'])
    if kind == 'AvgPool1d':
        return nn.AvgPool1d(o['kernelSize'], stride=o['stride'], padding=o['padding'], ceil_mode=o['ceilMode'], count_include_pad=o['countIncludePad'])
    if kind == 'AdaptiveAvgPool1d':
        return nn.AdaptiveAvgPool1d(o['outputSize'])
    raise SystemExit(f'load_in_pytorch: no PyTorch mapping for a {kind} layer in this script')


def input_shape(saved, n):
    """The shape keel feeds the model: (n, channels, window) for RUL; (n, features) for a table; (n, 784) or (n, 28, 28) for images."""
    if 'window' in saved:
        return (n, len(saved['channels']), saved['window'])
    if 'features' in saved:
        return (n, len(saved['features']))
    return (n, 28, 28) if saved.get('layout') == 'sequence' else (n, 784)


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    folder = sys.argv[1]
    saved = json.load(open(f'{folder}/model.json'))
    model = build(saved['architecture'])
    model.load_state_dict(read_safetensors(f'{folder}/model.safetensors'), strict=True)
    model.eval()
    print(model)
    shape = input_shape(saved, 2)
    count = int(np.prod(shape))
    x = torch.arange(count, dtype=torch.float32).reshape(shape) / count - 0.5
    with torch.no_grad():
        print('output for x = arange(n)/n - 0.5:', model(x).numpy().ravel().tolist())


if __name__ == '__main__':
    main()
