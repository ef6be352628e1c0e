#!/usr/bin/env python3
"""Numerically check every link of every correct derivation and every slip link.

Each derivation's chains are transcribed by hand (tools/specs_*.py) as Python
expressions; derivatives (dp_j/dz_i, dL/dz_i, d log p_j/dz_i, dL/dp_j, ...) are
computed by numerical differentiation (mpmath.diff, 30 digits) of the document's
own definitions, so a link is checked against the definitions and not against the
known answer.

Samples: C = 2, 3, 5 classes; random logits; labels one-hot, normalized random
(sum 1) and unnormalized random (sum != 1); random temperature T (away from 1)
and smoothing eps where the document uses them; every i (and every j, or j != i,
or j = i, as the link's case says).

Verdicts: TRUE (holds for all labels), NEEDS_SUM (holds when sum_j y_j = 1 but not
otherwise), FALSE.  Also checks manifest.json: line numbers, needs_label_sum,
and that each slip file differs from its base in exactly the manifest line.
"""
import json
import os
import random
import sys

import mpmath as mp

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "tools"))
from corpus import DOCS, find_line, esc  # noqa: E402

mp.mp.dps = 30
TOL = mp.mpf("1e-15")
CS = (2, 3, 5)
MODES = ("onehot", "norm", "unnorm")
NSAMP = 3


class Sample:
    def __init__(self, C, mode, model, rng):
        self.C = C
        self.z = [mp.mpf(rng.uniform(-2, 2)) for _ in range(C)]
        if mode == "onehot":
            c = rng.randrange(C)
            self.y = [mp.mpf(int(k == c)) for k in range(C)]
        else:
            w = [mp.mpf(rng.uniform(0.05, 1)) for _ in range(C)]
            s = sum(w) / (mp.mpf(rng.choice([0.5, 1.7])) if mode == "unnorm" else 1)
            self.y = [x / s for x in w]
        self.T = mp.mpf(rng.choice([rng.uniform(0.4, 0.8), rng.uniform(1.5, 3)])) if model == "T" else mp.mpf(1)
        self.eps = mp.mpf(rng.uniform(0.05, 0.3)) if model == "ls" else mp.mpf(0)
        self.q = [(1 - self.eps) * yk + self.eps / C for yk in self.y]
        self.w = self.q if model == "ls" else self.y
        self.p = self.softmax(self.z)
        self.memo = {}

    def softmax(self, Z):
        e = [mp.exp(x / self.T) for x in Z]
        s = sum(e)
        return [x / s for x in e]

    def loss(self, Z):
        P = self.softmax(Z)
        return -sum(wk * mp.log(pk) for wk, pk in zip(self.w, P))

    def dz(self, key, fun, i):
        """d fun(Z) / d z_i at z."""
        if key not in self.memo:
            def g(t):
                Z = list(self.z)
                Z[i] = t
                return fun(Z)
            self.memo[key] = mp.diff(g, self.z[i])
        return self.memo[key]

    def env(self):
        C, z, y, p = self.C, self.z, self.y, self.p
        E = sum(mp.exp(x) for x in z)
        ET = sum(mp.exp(x / self.T) for x in z)
        env = {"mpf": mp.mpf, "log": mp.log, "exp": mp.exp, "C": C, "T": self.T, "eps": self.eps,
               "z": lambda k: z[k], "y": lambda k: y[k], "p": lambda k: p[k], "q": lambda k: self.q[k],
               "ez": lambda k: mp.exp(z[k]), "eT": lambda k: mp.exp(z[k] / self.T), "E": E, "ET": ET,
               "d": lambda a, b: mp.mpf(int(a == b)),
               "S": lambda f: sum(f(k) for k in range(C)),
               "Lval": self.loss(z)}
        env["Sne"] = lambda f: sum(f(k) for k in range(C) if k != env["i"])
        env["dp"] = lambda j, i: self.dz(("dp", j, i), lambda Z: self.softmax(Z)[j], i)
        env["dlogp"] = lambda j, i: self.dz(("dlogp", j, i), lambda Z: mp.log(self.softmax(Z)[j]), i)
        env["dL"] = lambda i: self.dz(("dL", i), self.loss, i)
        env["dLSE"] = lambda i: self.dz(("dLSE", i), lambda Z: mp.log(sum(mp.exp(x) for x in Z)), i)

        def dLdp(j):  # L as a function of the probabilities: -sum_k w_k log p_k
            return mp.diff(lambda t: -sum(self.w[k] * mp.log(t if k == j else p[k]) for k in range(C)), p[j])

        env["dLdp"] = dLdp
        env["dLjdp"] = lambda j: mp.diff(lambda t: -self.w[j] * mp.log(t), p[j])
        env["dlog"] = lambda j: mp.diff(mp.log, p[j])
        return env


def index_pairs(q, C):
    if q == "none":
        return [(0, 0)]
    if q == "i":
        return [(i, 0) for i in range(C)]
    if q == "eq":
        return [(i, i) for i in range(C)]
    if q == "ij":
        return [(i, j) for i in range(C) for j in range(C)]
    if q == "ne":
        return [(i, j) for i in range(C) for j in range(C) if i != j]
    raise ValueError(q)


def make_samples(model, seed):
    rng = random.Random(seed)
    return {(C, m): [Sample(C, m, model, rng) for _ in range(NSAMP)] for C in CS for m in MODES}


def link_holds(samples, q, lhs, rhs, C, modes):
    worst = mp.mpf(0)
    for m in modes:
        for s in samples[(C, m)]:
            base = s.env()
            for i, j in index_pairs(q, C):
                base["i"], base["j"] = i, j
                a, b = eval(lhs, base), eval(rhs, base)
                err = abs(a - b) / (1 + abs(a) + abs(b))
                worst = max(worst, err)
    return worst <= TOL, worst


def verdict(samples, q, lhs, rhs):
    norm = all(link_holds(samples, q, lhs, rhs, C, ("onehot", "norm"))[0] for C in CS)
    unnorm = all(link_holds(samples, q, lhs, rhs, C, ("unnorm",))[0] for C in CS)
    return "TRUE" if norm and unnorm else ("NEEDS_SUM" if norm else "FALSE")


def read(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        return f.read()


def main():
    manifest = {e["file"]: e for e in json.load(open(os.path.join(HERE, "manifest.json"), encoding="utf-8"))}
    problems = []
    n_links = n_slips = 0
    for fi, (name, doc) in enumerate(sorted(DOCS.items())):
        text = read(name)
        lines = text.split("\n")
        samples = make_samples(doc["model"], 1000 + fi)
        print("== %s  (model %s, %d lines)" % (name, doc["model"], len(text.rstrip("\n").split("\n"))))
        needs = set()
        covered = set()
        for ci, (q, items) in enumerate(doc["chains"]):
            covered.add(find_line(name, lines, items[0][0]))
            for k in range(1, len(items)):
                ln = find_line(name, lines, items[k][0])
                covered.add(ln)
                v = verdict(samples, q, items[k - 1][1], items[k][1])
                flagged = len(items[k]) > 2 and "S" in items[k][2]
                ok = v == "TRUE" or (v == "NEEDS_SUM" and flagged)
                if v == "NEEDS_SUM":
                    needs.add(ln)
                n_links += 1
                print("  line %3d  chain %d link %d  [%s]  %s  =  %s  -> %s%s" % (
                    ln, ci, k, q, items[k - 1][1], items[k][1], v, "" if ok else "   <-- PROBLEM"))
                if not ok:
                    problems.append("%s line %d: %s" % (name, ln, v))
        # lines with '=' in them that no chain or declared item covers (audit)
        for loc in doc.get("other", {}):
            covered.add(find_line(name, lines, loc))
        for k, l in enumerate(lines, 1):
            if name.endswith(".ipynb"):
                try:
                    if not isinstance(json.loads(l.strip().rstrip(",")), str):
                        continue
                except ValueError:
                    continue
            if "=" in l and k not in covered:
                print("  AUDIT line %d has '=' but no link: %s" % (k, l.strip()[:90]))
                problems.append("%s line %d: uncovered '='" % (name, k))
        m = manifest.get(name)
        if m is None or m["expect"] != "pass" or sorted(needs) != m.get("needs_label_sum", []):
            problems.append("%s: manifest entry mismatch (needs_label_sum computed %s)" % (name, sorted(needs)))
        print("  needs sum_j y_j = 1 at lines %s" % sorted(needs))
        for sl in doc["slips"]:
            n_slips += 1
            from corpus import slip_name
            sn = slip_name(name, sl["suffix"])
            st = read(sn).split("\n")
            diff = [k + 1 for k in range(max(len(st), len(lines)))
                    if (st[k] if k < len(st) else None) != (lines[k] if k < len(lines) else None)]
            q, items = doc["chains"][sl["chain"]]
            q = sl.get("q", q)
            pos = sl["pos"]
            if pos == 0:
                lhs, rhs, rhs_loc = sl["expr"], items[1][1], items[1][0]
            else:
                lhs, rhs, rhs_loc = items[pos - 1][1], sl["expr"], items[pos][0]
            ln = find_line(name, lines, rhs_loc)
            per_c = {C: link_holds(samples, q, lhs, rhs, C, ("onehot", "norm"))[0] for C in CS}
            if sl.get("c2"):
                good = per_c[2] and not per_c[3] and not per_c[5]
            else:
                good = not any(per_c.values())
            me = manifest.get(sn, {})
            mline = me.get("line")
            good = good and diff == [ln] and mline == ln and me.get("expect") == "wrong" and me.get("base") == name
            if not good:
                problems.append("%s: slip check failed (diff %s, link line %d, manifest %s, %s)" % (sn, diff, ln, mline, per_c))
            print("  SLIP %-42s line %3d  [%s] %s  =  %s  -> holds at C=2:%s C=3:%s C=5:%s  changed lines %s%s" % (
                sn, ln, q, lhs, rhs, per_c[2], per_c[3], per_c[5], diff, "" if good else "   <-- PROBLEM"))
    print()
    print("checked %d links in %d correct files and %d slips" % (n_links, len(DOCS), n_slips))
    if problems:
        print("PROBLEMS:")
        for p in problems:
            print("  " + p)
        sys.exit(1)
    print("all links of the correct files hold (NEEDS_SUM exactly where the manifest says);"
          " every slip makes exactly one link false (C=2-only slips hold at C=2, fail at C=3,5)")


if __name__ == "__main__":
    main()
