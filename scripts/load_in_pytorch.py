#!/usr/bin/env python3
"""Loads a model folder written by `keel train` into PyTorch and runs it.

    python3 scripts/load_in_pytorch.py MODEL_DIR            # prints the module and a check forward
    python3 scripts/load_in_pytorch.py MODEL_DIR DATA.csv   # prints keel predict's CSV, computed in PyTorch
    python3 scripts/load_in_pytorch.py MODEL_DIR DATA.ts    # the same for a model trained on --data ts:FILE
                                                            # (a .ts file, or UCR's .tsv/.txt)

keel writes model.safetensors with PyTorch's state-dict keys and model.json with the architecture
(what model.toJSON() gives). This rebuilds the same torch.nn.Sequential from model.json, loads the
weights with load_state_dict(strict=True) and prints the eval output for a fixed input, so the numbers
can be compared with keel's. Given a CSV file, it does what `keel predict --model MODEL_DIR --data
csv:DATA.csv` does instead — read the file as model.json says, standardise, cut windows (a RUL model),
take rows (a table model) or group rows into sequences by the unit column and cut each into windows
(a model of labelled sequences: one row per sequence, the mean of its windows' probabilities or
outputs), run the model, scale the output — and prints the same CSV
(docs/model-folder.md is the recipe). Given a .ts or UCR file for a model trained on one (model.json's
data format "ts"), each case is a sequence — unit id its 1-based position, channel dim_d its dimension
d — and the rest goes as for a CSV file's sequences: it prints `keel predict --data ts:DATA.ts`'s CSV.
It reads the safetensors file itself (an 8-byte header length, a JSON header, raw little-endian
arrays), so only PyTorch and NumPy are needed.
"""
import csv
import json
import re
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


def is_number(field):
    """keel's strict decimal literal (src/data/csv/table.ts)."""
    return re.fullmatch(r'[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?', field) is not None


def js_number(v):
    """A float as JavaScript's String(v) writes it: 31 for 31.0."""
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def read_rows(path, delimiter, header):
    """The file's records as lists of strings: comma-like delimiters through the csv module, 'whitespace' as runs of blanks.
    delimiter/header None: detected as keel does (from the first line: a semicolon if it has more of them than commas, else a comma
    if it has one, else whitespace; the header rule is columns_of's)."""
    lines = [line for line in open(path, encoding='utf-8-sig').read().splitlines() if line.strip()]
    if delimiter is None:
        first = lines[0]
        delimiter = ';' if first.count(';') > first.count(',') else ',' if ',' in first else 'whitespace'
    rows = [line.split() for line in lines] if delimiter == 'whitespace' else [[f.strip() for f in r] for r in csv.reader(lines, delimiter=delimiter)]
    return rows, delimiter


MISSING = {'', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', 'None', '#N/A', '?', '\\N'}


def columns_of(rows, header, unit=None):
    """(names, data rows): the header's names, or c0, c1, … without one. Detected when header is None, as keel does: a header
    has a field of text (not a number, not empty, not a missing-value marker; the unit column not counting), or an empty first
    field before names (pandas' unnamed index column)."""
    if header is None:
        first = rows[0]
        pandas_index = len(first) > 1 and first[0] == '' and all(f != '' for f in first[1:])
        header = isinstance(unit, str) or pandas_index or any(i != unit and f not in MISSING and not is_number(f) for i, f in enumerate(first))
    return (rows[0], rows[1:]) if header else ([f'c{i}' for i in range(len(rows[0]))], rows)


def standardise(values, scaler, names, conditions=None):
    """(x − mean) / scale per named column, in double, rounded to float32 (keel's Standardizer on float32 input); with a
    scaler per operating condition, row i with the statistics of its condition conditions[i] (row k of mean and scale)."""
    j = [scaler['columns'].index(c) for c in names]
    k = np.zeros(len(values), dtype=int) if conditions is None else np.array([scaler['conditions'].index(c) for c in conditions])
    mean, scale = np.array(scaler['mean'])[k][:, j], np.array(scaler['scale'])[k][:, j]
    return ((values.astype(np.float32).astype(np.float64) - mean) / scale).astype(np.float32)


def condition_of(settings, oc):
    """Each row's operating condition (model.json "conditions", docs/model-folder.md): per setting, the nearest level within
    its reach, max(its width, tolerance × the setting's range); the row's combination of levels is condition k."""
    combos = {tuple(c): k for k, c in enumerate(oc['conditions'])}
    out = []
    for row in settings.astype(np.float32).astype(np.float64):     # keel reads values as float32
        levels = []
        for v, col in zip(row, oc['levels']):
            reach, best, nearest = oc['tolerance'] * (col[-1][1] - col[0][0]), -1, np.inf
            for i, (lo, hi) in enumerate(col):
                d = lo - v if v < lo else v - hi if v > hi else 0.0
                if d < nearest and d <= max(hi - lo, reach):
                    best, nearest = i, d
            levels.append(best)
        if tuple(levels) not in combos:
            raise SystemExit(f'load_in_pytorch: settings {list(row)} match none of the model\'s operating conditions')
        out.append(combos[tuple(levels)])
    return out


def standardise_each(values):
    """Each channel by the sequence's own mean and population std, in double, rounded to float32 (keel's standardizeEach;
    a constant channel gets scale 1, so it becomes 0)."""
    x = values.astype(np.float32).astype(np.float64)
    mean = x.mean(0)
    scale = np.where(x.min(0) == x.max(0), 1.0, np.sqrt(((x - mean) ** 2).mean(0)))
    return ((x - mean) / scale).astype(np.float32)


def predict_table(model, saved, path):
    rows, _ = read_rows(path, saved['data']['delimiter'], saved['data']['header'])
    names, data = columns_of(rows, saved['data']['header'])
    picked = [names.index(c) for c in saved['features']]
    x = standardise(np.array([[float(r[i]) for i in picked] for r in data]), saved['scaler'], saved['features'])
    with torch.no_grad():
        out = model(torch.from_numpy(x)).numpy().astype(np.float64)
    t = saved['target']
    if t['name'] == 'regression':
        values = out[:, 0] * t['scale'] + t['mean']             # six significant digits, as keel predict prints
        lines = [f'index,{t["column"]}'] + [f'{n},{js_number(float(format(v, ".6g")))}' for n, v in enumerate(values)]
    else:
        p = torch.softmax(torch.from_numpy(out.astype(np.float32)), 1).numpy()
        lines = ['index,class,label,' + ','.join(t['labels'])]
        for n, row in enumerate(p):
            best = int(np.argmax(row))
            lines.append(f'{n},{best},{t["labels"][best]},' + ','.join(f'{v:.6f}' for v in row))
    return lines


def predict_rul(model, saved, path):
    d = saved['data']
    unit, time = d.get('unit', 0), d.get('time', 1)
    rows, _ = read_rows(path, d.get('delimiter'), d.get('header'))
    names, data = columns_of(rows, d.get('header'), unit)
    u, t = (names.index(c) if isinstance(c, str) else c for c in (unit, time))
    picked = [names.index(c) for c in saved['channels']]
    oc = saved.get('conditions')                                # operating conditions: their setting columns, by name
    settings = oc and [names.index(c) for c in oc['columns']]
    ids = [float(r[u]) if is_number(r[u]) else r[u] for r in data]
    W, xs, keys = saved['window'], [], []
    for uid in dict.fromkeys(ids):                              # units in order of first appearance
        mine = [r for r, i in zip(data, ids) if i == uid]
        labels = oc and condition_of(np.array([[float(r[i]) for i in settings] for r in mine]), oc)
        z = standardise(np.array([[float(r[i]) for i in picked] for r in mine]), saved['scaler'], saved['channels'], labels)
        for e in range(W - 1, len(z)):
            xs.append(z[e - W + 1:e + 1].T)                     # (C, W)
            keys.append((uid, float(mine[e][t])))
    with torch.no_grad():
        rul = model(torch.from_numpy(np.stack(xs))).numpy()[:, 0].astype(np.float64) * saved['target']['scale']
    return ['unit,time,rul'] + [f'{js_number(uid) if isinstance(uid, float) else uid},{js_number(tv)},{v:.3f}' for (uid, tv), v in zip(keys, rul)]


def predict_sequences(model, saved, path):
    """A CSV file's sequences: its rows grouped by the unit column, units in order of first appearance, rows in file order
    (keel refuses a time column that does not increase)."""
    d = saved['data']
    rows, _ = read_rows(path, d['delimiter'], d['header'])
    names, data = columns_of(rows, d['header'])
    u = names.index(d['unit']) if isinstance(d['unit'], str) else d['unit']
    picked = [names.index(c) for c in saved['channels']]
    rows_of = {}
    for r in data:
        rows_of.setdefault(float(r[u]) if is_number(r[u]) else r[u], []).append(r)
    return sequence_lines(model, saved, {uid: np.array([[float(r[i]) for i in picked] for r in mine]) for uid, mine in rows_of.items()})


def read_ts(path):
    """A .ts file's or a UCR file's cases as (T, D) arrays, in file order (labels dropped; no checks, keel made them).
    .ts: @tags up to @data, then a case a line, its dimensions split by ':', the label last when @classLabel or @targetLabel
    is true. UCR: the label first, then the values split by tabs (else commas, else blanks), trailing NaN padding dropped."""
    lines = [line.strip() for line in open(path, encoding='utf-8-sig').read().splitlines()]
    lines = [line for line in lines if line]
    if lines[0][0] in '@#%':
        tags = [line.split() for line in lines if line[0] == '@']
        labelled = any(t[0].lower() in ('@classlabel', '@targetlabel') and t[1:2] and t[1].lower() == 'true' for t in tags)
        data = next(i for i, line in enumerate(lines) if line.split()[0].lower() == '@data') + 1
        cases = [line.split(':')[:-1] if labelled else line.split(':') for line in lines[data:]]
        return [np.array([[float(v) for v in dim.split(',')] for dim in dims]).T for dims in cases]
    first = lines[0]
    sep = '\t' if '\t' in first else ',' if ',' in first else None
    cases = []
    for line in lines:
        values = np.array([float(v) if v.strip() else np.nan for v in line.split(sep)[1:]])
        T = len(values)
        while T > 0 and np.isnan(values[T - 1]):
            T -= 1
        cases.append(values[:T, None])
    return cases


def predict_ts(model, saved, path):
    """A .ts or UCR file's cases: unit n the n-th case (from 1), channel dim_d its dimension d."""
    cases = read_ts(path)
    names = [f'dim_{d}' for d in range(cases[0].shape[1])]
    picked = [names.index(c) for c in saved['channels']]
    return sequence_lines(model, saved, {n: case[:, picked] for n, case in enumerate(cases, 1)})


def sequence_lines(model, saved, sequences):
    """keel predict's CSV for {unit: (T, C) values in saved['channels'] order}: one row per sequence (unit), the mean over its
    windows of the softmax probabilities, or of the outputs."""
    t, W, S = saved['target'], saved['window'], saved['stride']
    xs, groups = [], []
    for g, values in enumerate(sequences.values()):
        own = standardise_each(values) if saved.get('standardize') == 'sequence' else values
        z = standardise(own, saved['scaler'], saved['channels'])
        # Windows end at the last row and every S rows back while a whole window fits; a short sequence gives one, row 0 repeated before it.
        for e in sorted(range(len(z) - 1, W - 2, -S)) or [len(z) - 1]:
            xs.append(z[np.maximum(0, np.arange(e - W + 1, e + 1))].T)   # (C, W)
            groups.append(g)
    with torch.no_grad():
        out = model(torch.from_numpy(np.stack(xs)))
        out = (torch.softmax(out, 1) if t['name'] == 'classification' else out).numpy().astype(np.float64)
    groups = np.array(groups)
    mean = np.stack([out[groups == g].mean(0) for g in range(len(sequences))])   # per sequence, in double
    keys = [js_number(uid) if isinstance(uid, (int, float)) else uid for uid in sequences]
    if t['name'] == 'regression':
        values = mean[:, 0] * t['scale'] + t['mean']
        return [f'unit,{t["column"]}'] + [f'{k},{js_number(float(format(v, ".6g")))}' for k, v in zip(keys, values)]
    lines = ['unit,class,label,' + ','.join(t['labels'])]
    for k, row in zip(keys, mean):
        best = int(np.argmax(row))
        lines.append(f'{k},{best},{t["labels"][best]},' + ','.join(f'{v:.6f}' for v in row))
    return lines


def main():
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    folder = sys.argv[1]
    saved = json.load(open(f'{folder}/model.json'))
    model = build(saved['architecture'])
    model.load_state_dict(read_safetensors(f'{folder}/model.safetensors'), strict=True)
    model.eval()
    if len(sys.argv) == 3:
        if 'features' not in saved and 'window' not in saved:
            raise SystemExit('load_in_pytorch: a Fashion-MNIST classifier reads IDX images, not a CSV file')
        kind = saved['data'].get('kind')
        if kind == 'sequences':
            predict = predict_ts if saved['data'].get('format') == 'ts' else predict_sequences
        else:
            predict = predict_table if 'features' in saved else predict_rul
        print('\n'.join(predict(model, saved, sys.argv[2])))
        return
    print(model)
    shape = input_shape(saved, 2)
    count = int(np.prod(shape))
    x = torch.arange(count, dtype=torch.float32).reshape(shape) / count - 0.5
    with torch.no_grad():
        print('output for x = arange(n)/n - 0.5:', model(x).numpy().ravel().tolist())


if __name__ == '__main__':
    main()
