// The BLAS line of the PyTorch scripts (bench/torch_cases.py, bench/e2e_torch.py) and the verdict the
// benches print from it (bench/torch.ts): an optimised BLAS passes quietly; otherwise the warning
// says what to do — the script's own hint when it has one (OpenBLAS on its pre-AVX kernels: set
// OPENBLAS_CORETYPE), else how to install OpenBLAS.
import { describe, expect, it } from 'vitest';
import { blasVerdict, parseTorchOutput } from '../../bench/torch.js';

const LIB = '/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so';
const line = (o: object) => JSON.stringify({ case: 'blas', impl: 'torch-1.13.0', ...o });

describe('the BLAS verdict of the PyTorch side', () => {
  it('is quiet for an optimised BLAS, whose kernel set the text names', () => {
    const { blas } = parseTorchOutput(line({ blas: `${LIB}, kernels SkylakeX`, optimised: true }));
    expect(blas).toEqual({ lib: `${LIB}, kernels SkylakeX`, optimised: true });
    expect(blasVerdict(blas!)).toEqual({ text: `BLAS ${LIB}, kernels SkylakeX (optimised)` });
  });

  it("passes on the script's hint for OpenBLAS's pre-AVX kernels", () => {
    const hint = 'OpenBLAS runs its pre-AVX Prescott kernels on this CPU; set OPENBLAS_CORETYPE=SkylakeX (or unset it: the bench then picks one)';
    const { blas } = parseTorchOutput(`${line({ blas: `${LIB}, kernels Prescott`, optimised: false, hint })}\nnot json\n`);
    expect(blas).toEqual({ lib: `${LIB}, kernels Prescott`, optimised: false, hint });
    const { text, warning } = blasVerdict(blas!);
    expect(text).toBe(`BLAS ${LIB}, kernels Prescott (NOT optimised: ratios flattered)`);
    expect(warning).toContain(hint);
    expect(warning).not.toContain('apt-get');
  });

  it('says how to install OpenBLAS when the BLAS is the reference one', () => {
    const { blas } = parseTorchOutput(line({ blas: '/usr/lib/x86_64-linux-gnu/blas/libblas.so.3', optimised: false }));
    expect(blasVerdict(blas!).warning).toContain('sudo apt-get install libopenblas0-pthread');
  });

  it('warns when it cannot tell', () => {
    const { blas } = parseTorchOutput(line({ blas: 'BLAS_INFO=unknown', optimised: null }));
    expect(blasVerdict(blas!).text).toBe('BLAS BLAS_INFO=unknown (unknown whether optimised)');
    expect(blasVerdict(blas!).warning).toBeDefined();
  });
});
