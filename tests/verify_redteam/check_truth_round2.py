# Independent truth checks (mpmath), random logits / labels, C = 2, 3, 5.
import mpmath as mp, random
mp.mp.dps = 30
random.seed(1)
def sm(z): s = mp.fsum(mp.e**x for x in z); return [mp.e**x / s for x in z]
def L(z, y): return -mp.fsum(a * mp.log(b) for a, b in zip(y, sm(z)))
def grad(f, z, i): return mp.diff(lambda t: f(z[:i] + [t] + z[i+1:]), z[i])
for C in (2, 3, 5):
    z = [mp.mpf(random.uniform(-2, 2)) for _ in range(C)]
    w = [random.random() for _ in range(C)]; y = [mp.mpf(a) / sum(w) for a in w]
    onehot_last = [0] * (C - 1) + [1]
    p = sm(z); i, j = 0, 1
    g = grad(lambda zz: L(zz, y), z, i)
    print(f"C={C}")
    print("  fp01 dL/dz_i = p_i - y_i + 2 z_i ?", mp.nstr(g - (p[i] - y[i] + 2 * z[i]), 6), "(0 = true)")
    print("  fp02/03 dL/dz_i = y_i - p_i ?", mp.nstr(g - (y[i] - p[i]), 6))
    dpj = mp.diff(lambda t: sm([t] + z[1:])[j], z[0])
    print("  fp04 dp_j/dz_i = p_j(1-p_i) at j != i ?", mp.nstr(dpj - p[j] * (1 - p[i]), 6))
    print("  fp06 sum_{k=1}^{K-1} y_k = 1 for one-hot y=e_K ?", sum(onehot_last[:-1]), "vs 1")
    print("  fw01 dL/dz_i = -y_i + p_i y_i + p_i sum_{j!=i} y_j = p_i - y_i ?",
          mp.nstr(g - (-y[i] + p[i]*y[i] + p[i]*mp.fsum(y[1:])), 6), mp.nstr(g - (p[i]-y[i]), 6))
# fp05: e^{z_i}/sum_k e^{z_k} IS p_i (the document's own definition), so d/dp_i of it is d p_i/d p_i = 1, not 0
print("fp05: identical functions, derivatives 0 vs 1 reported both proved -> one is false")
