"""keel's bench cases in PyTorch: the same names, shapes and median timer as bench/cases.ts and
bench/timing.ts, one JSON object per line: {"case", "impl": "torch-<version>", "ms", "runs", "threads"},
after a first line that says which BLAS PyTorch's matrix products run on (see blas()):
{"case": "blas", "impl": "torch-<version>", "blas": PATH-OR-NAME, "optimised": true|false|null, "hint"?: TEXT}.
When OpenBLAS has fallen back to its pre-AVX kernels on a CPU it does not know, the script runs itself
again with OPENBLAS_CORETYPE set (use_known_core()), and the BLAS line says so.

    /usr/bin/python3 bench/torch_cases.py [threads] [case-substring] [--exact] [--onnx PATH]

threads defaults to 2 (torch.set_num_threads); case-substring keeps the cases whose name contains it
(with --exact: the case with that name).
--onnx PATH also exports the eval backbone (the backbone.eval.fwd model, batch dimension dynamic) to
PATH with torch.onnx.export, for the onnxruntime-node comparison of bench/compare.ts; it is written
after the timings, so it does not change them. Run by `npm run bench:compare`; usable on its own.
Importing it runs nothing: bench/e2e_torch.py takes blas_line() and backbone() from here."""
import ctypes
import json
import os
import re
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

OPTIMISED = re.compile(r"openblas|mkl|blis|accelerate", re.I)
# OpenBLAS chooses its kernels by CPU model when it loads, and a release older than the CPU falls back
# to one of these pre-AVX sets: Debian's 0.3.21 on an Intel Xeon of lscpu family 6 model 207 runs
# "Prescott" (SSE3), whose GEMMs took 4.6x as long as its SkylakeX ones there (Linear 1920 -> 128,
# batch 256, 2 threads), which would flatter every ratio with a Linear in it.
FALLBACK_CORES = {"Prescott", "Katmai", "Coppermine", "Northwood", "Banias", "Core2", "Penryn", "Dunnington",
                  "Nehalem", "Atom", "Athlon", "Opteron", "Opteron_SSE3", "Barcelona"}


def blas_libraries():
    """The BLAS libraries mapped into this process, after a product has loaded them."""
    a = torch.randn(64, 64)
    a @ a  # loads the BLAS if it is loaded lazily
    try:
        with open("/proc/self/maps") as f:
            return sorted({line.split()[-1] for line in f if re.search(r"/lib[^/]*blas[^/]*\.so", line)})
    except OSError:
        return None


def openblas_core(libs):
    """The kernel set OpenBLAS runs (openblas_get_corename), or None when no OpenBLAS is mapped."""
    for path in libs or []:
        if "openblas" in os.path.realpath(path):
            try:
                lib = ctypes.CDLL(path)
                lib.openblas_get_corename.restype = ctypes.c_char_p
                return lib.openblas_get_corename().decode()
            except (OSError, AttributeError):
                continue
    return None


def known_core():
    """The OpenBLAS kernel set this CPU can run best of those 0.3.x knows: SkylakeX with AVX-512 F/BW/DQ/VL,
    Haswell with AVX2 and FMA, else None."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((set(line.split(":", 1)[1].split()) for line in f if line.startswith("flags")), set())
    except OSError:
        return None
    if {"avx512f", "avx512bw", "avx512dq", "avx512vl"} <= flags:
        return "SkylakeX"
    if {"avx2", "fma"} <= flags:
        return "Haswell"
    return None


def use_known_core():
    """Runs this script again with OPENBLAS_CORETYPE set when OpenBLAS fell back to pre-AVX kernels on a
    CPU that has AVX2 or AVX-512 (unless OPENBLAS_CORETYPE is set already: then that is what is measured)."""
    if os.environ.get("OPENBLAS_CORETYPE"):
        return
    core, want = openblas_core(blas_libraries()), known_core()
    if core in FALLBACK_CORES and want:
        env = dict(os.environ, OPENBLAS_CORETYPE=want, KEEL_BENCH_OPENBLAS_FALLBACK=core)
        sys.stdout.flush()
        os.execve(sys.executable, [sys.executable] + sys.argv, env)


def blas():
    """(what PyTorch's GEMMs run on, whether it is an optimised BLAS or None when unknown, a hint or None):
    MKL/OpenBLAS named by torch's build configuration (pip wheels link MKL statically), else the BLAS
    libraries mapped into this process after a product (Debian's python3-torch links the system
    libblas.so.3, which the alternatives system points at OpenBLAS only when libopenblas0-pthread is
    installed; without it, the reference BLAS makes Linear ~10x slower), with OpenBLAS's kernel set."""
    libs = blas_libraries()
    m = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    info = m.group(1) if m else "unknown"
    if OPTIMISED.search(info):
        return info, True, None
    if libs is None:
        return "BLAS_INFO=%s" % info, None, None
    if not libs:
        return "BLAS_INFO=%s, no BLAS library mapped" % info, None, None
    text, ok = ", ".join(libs), any(OPTIMISED.search(os.path.realpath(p)) for p in libs)
    core = openblas_core(libs)
    if core is None:
        return text, ok, None
    fallback = os.environ.get("KEEL_BENCH_OPENBLAS_FALLBACK")
    if fallback:
        text += ", kernels %s (OPENBLAS_CORETYPE set by the bench: OpenBLAS chose %s, its fallback for a CPU it does not know)" % (core, fallback)
    else:
        text += ", kernels %s" % core
    want = known_core()
    if core in FALLBACK_CORES and want:  # on a CPU without AVX2, a pre-AVX set is the right one
        return text, False, ("OpenBLAS runs its pre-AVX %s kernels on this CPU; set OPENBLAS_CORETYPE=%s "
                             "(or unset it: the bench then picks one)" % (core, want))
    return text, ok, None


def blas_line(impl):
    """blas() as the JSON line both scripts print first."""
    lib, ok, hint = blas()
    line = {"case": "blas", "impl": impl, "blas": lib, "optimised": ok}
    if hint:
        line["hint"] = hint
    return json.dumps(line)


def median_ms(fn, min_runs=7, min_s=0.6):
    """2 warm-up runs, then timed runs until >= min_runs and >= min_s seconds (at most 201);
    the upper median. bench/timing.ts's NATIVE_POLICY is the same."""
    fn(); fn()
    ts, t_all = [], time.perf_counter()
    while len(ts) < min_runs or time.perf_counter() - t_all < min_s:
        t0 = time.perf_counter(); fn(); ts.append((time.perf_counter() - t0) * 1e3)
        if len(ts) > 200: break
    ts.sort()
    return ts[len(ts) // 2], len(ts)


def backbone():
    """DESIGN.md §1 backbone = keel's nn.conv1dBackbone() defaults: 14 channels, window 30, 1 output."""
    layers, c = [], 14
    for _ in range(3):
        layers += [nn.Conv1d(c, 64, 3, padding=1, bias=False), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.15)]
        c = 64
    layers += [nn.Flatten(), nn.Linear(64 * 30, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 1)]
    return nn.Sequential(*layers)


def cases():
    # BatchNorm1d(128) and Dropout(0.15), x (64, 128, 1024)
    x = torch.randn(64, 128, 1024)
    g = torch.randn_like(x)
    bn = nn.BatchNorm1d(128).train()
    yield "bn1d.train.fwd", lambda: bn(x)
    xg = x.clone().requires_grad_(True)
    def bn_fb():
        xg.grad = None; bn.zero_grad(); bn(xg).backward(g)
    yield "bn1d.train.fwdbwd", bn_fb
    bne = nn.BatchNorm1d(128).eval()
    def bn_e():
        with torch.no_grad(): bne(x)
    yield "bn1d.eval.fwd", bn_e
    d = nn.Dropout(0.15).train()
    yield "dropout.fwd", lambda: d(x)
    def d_fb():
        xg.grad = None; d(xg).backward(g)
    yield "dropout.fwdbwd", d_fb
    # Conv1d(128 -> 128, k=3, padding=1, no bias), x (32, 128, 512)
    xc = torch.randn(32, 128, 512)
    conv = nn.Conv1d(128, 128, 3, padding=1, bias=False)
    def c_f():
        with torch.no_grad(): conv(xc)
    yield "conv1d.fwd", c_f
    xcg = xc.clone().requires_grad_(True); gc = torch.randn(32, 128, 512)
    def c_fb():
        xcg.grad = None; conv.zero_grad(); conv(xcg).backward(gc)
    yield "conv1d.fwdbwd", c_fb
    # Conv1d -> BatchNorm1d -> ReLU -> Dropout(0.15), training, x (32, 128, 512)
    block = nn.Sequential(nn.Conv1d(128, 128, 3, padding=1, bias=False), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.15)).train()
    def b_fb():
        xcg.grad = None; block.zero_grad(); block(xcg).backward(gc)
    yield "block.train.fwdbwd", b_fb
    # the backbone, batch 256: one Adam training step; eval forward under no_grad
    net = backbone().train()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, weight_decay=1e-5)
    xb, yb = torch.randn(256, 14, 30), torch.randn(256, 1)
    def step():
        opt.zero_grad(); F.mse_loss(net(xb), yb).backward(); opt.step()
    yield "backbone.train.step", step
    neval = backbone().eval()
    def ev():
        with torch.no_grad(): neval(xb)
    yield "backbone.eval.fwd", ev
    # Linear(1920 -> 128), x (256, 1920)
    lin = nn.Linear(1920, 128)
    xl = torch.randn(256, 1920, requires_grad=True); gl = torch.randn(256, 128)
    def l_fb():
        xl.grad = None; lin.zero_grad(); lin(xl).backward(gl)
    yield "linear.fwdbwd", l_fb
    # optimiser updates of one parameter tensor of 2^22 values (single-tensor implementations)
    pa = torch.rand(1 << 22) * 2 - 1
    pa.grad = (torch.rand(1 << 22) * 2 - 1) * 1e-2
    adam = torch.optim.Adam([pa], lr=1e-3, weight_decay=1e-5, foreach=False)
    yield "optim.adam", adam.step
    ps = torch.rand(1 << 22) * 2 - 1
    ps.grad = (torch.rand(1 << 22) * 2 - 1) * 1e-2
    sgd = torch.optim.SGD([ps], lr=1e-2, momentum=0.9, weight_decay=1e-5, foreach=False)
    yield "optim.sgd", sgd.step


def main():
    use_known_core()
    args = sys.argv[1:]
    exact = "--exact" in args
    if exact:
        args.remove("--exact")
    onnx_path = None
    if "--onnx" in args:
        i = args.index("--onnx")
        if i + 1 >= len(args):
            sys.exit("torch_cases.py: --onnx needs a path")
        onnx_path = args[i + 1]
        del args[i:i + 2]
    threads = int(args[0]) if len(args) > 0 else 2
    only = args[1] if len(args) > 1 else ""
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    impl = "torch-%s" % torch.__version__
    print(blas_line(impl), flush=True)

    for name, fn in cases():
        if only and (only != name if exact else only not in name):
            continue
        ms, n = median_ms(fn)
        print(json.dumps({"case": name, "impl": impl, "ms": round(ms, 4), "runs": n, "threads": threads}), flush=True)

    if onnx_path:
        model = backbone().eval()
        with torch.no_grad():
            torch.onnx.export(model, torch.randn(256, 14, 30), onnx_path, input_names=["x"], output_names=["y"],
                              dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, opset_version=13)
        print("torch_cases.py: exported the eval backbone to %s" % onnx_path, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
