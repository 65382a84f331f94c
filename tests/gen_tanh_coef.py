# Fits the rational tanh of src/nn/layers.c: tanh(x) ~ x P(x^2) / Q(x^2) on [0, 9], P of degree
# NP, Q of degree NQ with Q(0) = 1, minimizing the max relative error (linearized weighted least
# squares with Lawson reweighting against mpmath's tanh). Prints the float coefficients of P and
# Q in powers of s = x^2, lowest first. Usage: /usr/bin/python3 gen_tanh_coef.py 6 3
import numpy as np, mpmath, sys
mpmath.mp.dps = 40
C = 9.0
npd, nqd = int(sys.argv[1]), int(sys.argv[2])
# dense grid in x (more points near 0 and everywhere)
x = np.concatenate([np.linspace(1e-4, C, 20000), np.geomspace(1e-4, 1, 2000)])
x = np.unique(x)
f = np.array([float(mpmath.tanh(mpmath.mpf(v))) for v in x])
t = x*x/(C*C)
w = np.ones_like(x)
qprev = np.ones_like(x)
for it in range(200):
    # unknowns: p0..p_npd, q1..q_nqd (q0 = 1); residual x P(t) - f Q(t), relative: / (f qprev)
    cols = [x * t**k for k in range(npd+1)] + [-f * t**k for k in range(1, nqd+1)]
    A = np.stack(cols, 1) / (f*qprev)[:, None]
    b = f / (f*qprev)
    sw = np.sqrt(w)
    sol, *_ = np.linalg.lstsq(A*sw[:,None], b*sw, rcond=None)
    p = sol[:npd+1]; q = np.concatenate([[1.0], sol[npd+1:]])
    P = sum(p[k]*t**k for k in range(npd+1)); Q = sum(q[k]*t**k for k in range(nqd+1))
    err = (x*P/Q - f)/f
    qprev = Q
    w = w*np.abs(err); w /= w.sum()
    if it % 50 == 49: print(it, np.abs(err).max(), file=sys.stderr)
# convert to coefficients in s = x^2: coef_k / C^(2k)
ps = [p[k]/C**(2*k) for k in range(npd+1)]
qs = [q[k]/C**(2*k) for k in range(nqd+1)]
print(" ".join(repr(float(np.float32(v))) for v in ps))
print(" ".join(repr(float(np.float32(v))) for v in qs))
