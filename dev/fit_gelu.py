#!/usr/bin/env python3
"""fit_gelu.py -- the piecewise polynomials of the fast GELU (src/kernels/simd_gelu.h).

    R(t) = erfcx(t/sqrt2)/2          (Q(t) = 1 - Phi(t) = exp(-t^2/2) R(t))
    F(t) = R(t) - t/sqrt(2 pi)       (its one zero t0 = 0.75179...: gelu'(-t0) = 0)

15 intervals of width W = 5/8 centred on m_j = t0 + (j - 1) W, j = 0..14 (t in
[0, 9]); on each, f(m + v) = c0 + v (c1 + c2 v + ... + c7 v^6), |v| <= W/2:
c0 = f(m) as a float pair (F's c0 = 0 on interval 1, centred on t0), c1..c7
by least squares on 60 Chebyshev nodes, weighted for relative error, rounded
to float. Prints the C rows of sw_gelu_tab (entry 15 repeats entry 14) and
the error of each interval with the float coefficients, on 400 points.

    /usr/bin/python3 dev/fit_gelu.py > /tmp/rows.txt    # numpy, mpmath; ~5 s
"""
import struct
import sys

import mpmath as mp
import numpy as np

mp.mp.dps = 40
W = 0.625
DEG = 7
NJ = 15


def R(t):
    return 0.5 * mp.exp(t * t / 2) * mp.erfc(t / mp.sqrt(2))


def F(t):
    return R(t) - t / mp.sqrt(2 * mp.pi)


def f32(x):
    return struct.unpack('f', struct.pack('f', float(x)))[0]


def hexf(x):
    """a float as a C hex literal (exact: the value is a float)"""
    if x == 0:
        return '0x0.000000p+0f'
    s = float(x).hex()
    sign = '-' if s.startswith('-') else ''
    mant, exp = s.lstrip('-').split('p')
    ip, fp = mant[2:].split('.')
    return f"{sign}0x{ip}.{fp.rstrip('0')[:6].ljust(6, '0')}p{exp}f"


def fit(fn, mm, lo, hi, zero_c0):
    """c0 pair and float c1..c7 of fn(mm + v) on [lo, hi], and the max relative error"""
    c0 = mp.mpf(0) if zero_c0 else fn(mm)
    c0h = f32(c0)
    c0l = f32(c0 - c0h)
    vs = [(lo + hi) / 2 + (hi - lo) / 2 * np.cos(np.pi * (k + 0.5) / 60) for k in range(60)]
    A = np.array([[v ** k / float(fn(mm + v)) for k in range(1, DEG + 1)] for v in vs])
    b = np.array([float((fn(mm + v) - c0) / fn(mm + v)) for v in vs])
    c = [f32(x) for x in np.linalg.lstsq(A, b, rcond=None)[0]]
    err = 0.0
    for v in np.linspace(lo, hi, 400):
        v = mp.mpf(v)
        val = mp.mpf(c0h) + mp.mpf(c0l) + sum(c[k - 1] * v ** k for k in range(1, DEG + 1))
        ex = fn(mm + v)
        err = max(err, abs(float((val - ex) / ex)))
    return c0h, c0l, c, err


def main():
    t0 = mp.findroot(F, 0.75)
    rows = {k: [] for k in ('mh', 'ml')}
    fits = {'R': [], 'F': []}
    for j in range(NJ):
        m = t0 + (j - 1) * W
        mh = f32(m)
        ml = f32(m - mh)
        mm = mp.mpf(mh) + mp.mpf(ml)
        lo, hi = max(-float(mm), -W / 2 * 1.002), W / 2 * 1.002  # t >= 0; a margin for the rounded index
        rows['mh'].append(mh)
        rows['ml'].append(ml)
        for name, fn in (('R', R), ('F', F)):
            fits[name].append(fit(fn, mm, lo, hi, name == 'F' and j == 1))
        print(f"interval {j:2d}: m = {float(m):.6f}  R {fits['R'][-1][3]:.2e}  F {fits['F'][-1][3]:.2e}",
              file=sys.stderr)

    def row(vals, what):
        vals = list(vals) + [vals[-1]] * (16 - len(vals))
        print('    {' + ', '.join(hexf(v) for v in vals) + '}, /* ' + what + ' */')

    print(f'/* t0 = {float(t0)!r} */')
    row(rows['mh'], 'm_hi')
    row(rows['ml'], 'm_lo')
    for name in ('R', 'F'):
        row([f[0] for f in fits[name]], name + ' c0 hi')
        row([f[1] for f in fits[name]], name + ' c0 lo')
        for k in range(DEG):
            row([f[2][k] for f in fits[name]], f'{name} c{k + 1}')
    print(f"max relative error: R {max(f[3] for f in fits['R']):.2e}, F {max(f[3] for f in fits['F']):.2e}",
          file=sys.stderr)


main()
