"""Independent truth checks (mpmath, numeric differentiation) for the findings; not the tool's code."""

import random
from mpmath import mp, mpf, exp, log, tanh, diff

mp.dps = 30
rng = random.Random(7)


def rand(C):
    z = [mpf(rng.uniform(-2, 2)) for _ in range(C)]
    w = [mpf(rng.uniform(0.1, 1)) for _ in range(C)]
    y = [v / sum(w) for v in w]
    return z, y


def grad(f, z, i):
    return diff(lambda t: f(z[:i] + [t] + z[i + 1 :]), z[i])


def report(name, pairs):
    worst = max(abs(a - b) for a, b in pairs)
    print(f"{name}: max |lhs-rhs| = {mp.nstr(worst, 6)} -> {'TRUE' if worst < 1e-15 else 'FALSE'}")


for C in (2, 3, 5):
    print(f"--- C = {C}")
    z, y = rand(C)
    i, j = 0, 1
    # a1: p_i = e^{z_i}/sum e^{-z_k}; claim dL/dz_i = p_i - y_i
    P = lambda z, m: exp(z[m]) / sum(exp(-v) for v in z)
    L = lambda z: -sum(y[k] * log(P(z, k)) for k in range(C))
    report("a1 neg-exponent softmax, dL/dz_i = p_i - y_i", [(grad(L, z, i), P(z, i) - y[i])])
    # a2: p_i = e^{z_i}/sum_{k != i} e^{z_k}
    P2 = lambda z, m: exp(z[m]) / sum(exp(z[k]) for k in range(C) if k != m)
    L2 = lambda z: -sum(y[k] * log(P2(z, k)) for k in range(C))
    report("a2 sum_{k!=i} softmax, dL/dz_i = p_i - y_i", [(grad(L2, z, i), P2(z, i) - y[i])])
    # a4: p_i = e^{z_i}/sum_k e^{z_i} = 1/C
    report("a4 p_i = 1/C, dL/dz_i = p_i - y_i", [(mpf(0), mpf(1) / C - y[i])])
    # d1: dp_j/dz_i = p_j (1 - p_i) for i != j (true softmax)
    S = lambda z, m: exp(z[m]) / sum(exp(v) for v in z)
    report("d1 dp_j/dz_i = p_j(1-p_i), i != j", [(grad(lambda t: S(t, j), z, i), S(z, j) * (1 - S(z, i)))])
    # e7: q_k = sum_j y_j p_k; claims sum_j 2 q_j = 2 (true) and = 2 K sum_m y_m p_m (false)
    p = [S(z, m) for m in range(C)]
    q = [sum(y) * p[k] for k in range(C)]
    report("e7 line 5: sum_j 2 q_j = 2", [(2 * sum(q), mpf(2))])
    report("e7 line 7: sum_j 2 q_j = 2K sum y_m p_m", [(2 * sum(q), 2 * C * sum(y[m] * p[m] for m in range(C)))])
    # h3/h4/h6: L = -log p_c (c = true class)
    c = C - 1
    Lc = lambda z: -log(S(z, c))
    report("h3 dL/dz_c = p_c - 1", [(grad(Lc, z, c), p[c] - 1)])
    report("h6 dL/dz_i = p_i - [i=y] (y=c), i=0", [(grad(Lc, z, 0), p[0] - (1 if 0 == c else 0))])
    report("h4 dL/dz_i = p_i - y_i (y any prob. vector)", [(grad(Lc, z, 0), p[0] - y[0])])
    # h5: focal L = -(1-p_c)^2 log p_c, claim dL/dz_i = p_i - y_i, even with y one-hot at c
    Lf = lambda z: -((1 - S(z, c)) ** 2) * log(S(z, c))
    onehot = [1 if k == c else 0 for k in range(C)]
    report("h5 focal: dL/dz_i = p_i - y_i (y one-hot at c)", [(grad(Lf, z, k), p[k] - onehot[k]) for k in range(C)])
    # t1: dL/dz_i = p_i - y_i + tanh z_i (standard CE)
    report("t1 dL/dz_i = p_i - y_i + tanh z_i", [(p[i] - y[i], p[i] - y[i] + tanh(z[i]))])
    # cond-align: first link dp_j/dz_i = p_j(1-p_i) stated without a condition
    # label sums (onehot: y = e_c)
    report("ls1 sum_k y_i = 1 (onehot, i=c)", [(C * mpf(onehot[c]), mpf(1))])
    report("ls2 sum_{k != i} y_k = 1 (onehot, i=c)", [(sum(onehot[k] for k in range(C) if k != c), mpf(1))])
    print("neq: p_i != p_i is", "TRUE" if p[i] != p[i] else "FALSE")
    # dmath: dL/dz_i = y_i - p_i
    report("j1 dL/dz_i = y_i - p_i", [(p[i] - y[i], y[i] - p[i])])
    # ineq: reported sides for dL/dz_i <= 0
    # (swapped-side display) left side is dL/dz_i = p_i - y_i

# fp03c: L = -sum y log p - sum z_k^2 ; claim dL/dz_i = p_i - y_i
for C in (2, 3, 5):
    z, y = rand(C)
    S = lambda z, m: exp(z[m]) / sum(exp(v) for v in z)
    Lr = lambda z: -sum(y[k] * log(S(z, k)) for k in range(C)) - sum(v**2 for v in z)
    report(f"fp03c C={C} regularised loss, dL/dz_0 = p_0 - y_0", [(grad(Lr, z, 0), S(z, 0) - y[0])])
    # fw05: e^{log p} = p and dL/dz = p - y (upright e, d are the constant e and the differential)
    p0 = S(z, 0)
    report(f"fw05 C={C} e^(log p_0) = p_0", [(exp(log(p0)), p0)])
    Lce = lambda z: -sum(y[k] * log(S(z, k)) for k in range(C))
    report(f"fw05 C={C} dL/dz_0 = p_0 - y_0 (y sums to 1)", [(grad(Lce, z, 0), p0 - y[0])])
    # fw02: dp_j/dz_i = -p_i p_j for j != i
    report(f"fw02 C={C} dp_1/dz_0 = -p_0 p_1", [(grad(lambda t: S(t, 1), z, 0), -S(z, 0) * S(z, 1))])
    # fw03: Z = sum e^{z_k} is a definition; with it p_i = e^{z_i}/Z and dL/dz_i = p_i - y_i
    report(f"fw03 C={C} dL/dz_0 = p_0 - y_0 with p = e^z/Z", [(grad(Lce, z, 0), p0 - y[0])])
    # cr01: p_1 + p_2 = 1 at C = 2 (true), false for C = 3, 5
    report(f"cr01 C={C} p_1 + p_2 = 1", [(S(z, 0) + S(z, 1), mpf(1))])
