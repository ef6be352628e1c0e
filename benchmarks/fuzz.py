"""Fuzz the real command: many generated inputs, each run as `xentderive …` in its own process.

    python benchmarks/fuzz.py --count 20000 --seed 1 --jobs 2
    python benchmarks/fuzz.py --count 100000 --jobs 2 --report /tmp/fuzz.txt   # about half an hour

A fork server: this process imports xentderive.cli (and SymPy) once, then, for each input,
forks a child that runs `main(args, prog_name="xentderive")` exactly as `python -m xentderive`
would after start-up: its own process group, standard input from /dev/null, standard output and
error redirected to files, an address-space limit (RLIMIT_AS), in a fresh directory that holds
the input's files (configs, FIFOs, symlinks, directories for -o). The script kills a child (and
its worker) at a hard wall-clock cap set above the tool's own limit: such a kill is a runaway.

Inputs: random and crafted `--target` strings (huge exponents, nesting, long numbers, unicode,
invalid UTF-8 as surrogateescape), hostile values for every option (-C, --index, --timeout,
--memory, --param, --notation, --lang, -f, -o paths: directories, /dev/null, FIFOs, symlinks,
missing directories), TOML configuration files for `check`, and documents for `verify` (a real
derivation with random LaTeX spliced in, random bytes, broken notebooks, deep nesting, long
rows). Most are refused at parse time in milliseconds; inputs that do real SymPy work are mixed
in at --work-rate.

It prints a table of outcomes (exit codes, tracebacks, limit hits, runaways, max wall time, max
RSS) and writes the first few offending inputs of each bad category, with a command line that
reproduces it, to --report.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import io
import json
import os
import random
import resource
import shlex
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from hostile_values import OPTION_VALUES

BAD = (
    "traceback",
    "exit-70",
    "exit-other",
    "escaped-main",
    "exit2-not-one-line",
    "exit2-raw-control-chars",
    "exit2-with-stdout",
    "runaway",
    "orphan-process",
    "leftover-temp-file",
    "output-on-failure",
    "killed-by-signal",
)
REAL_WORK_KINDS = ("derive-work", "check-work")

# --- the pools ---------------------------------------------------------------------------------

LOSSES = [
    "softmax-ce",
    "log-softmax-nll",
    "label-smoothing",
    "temperature",
    "weighted-ce",
    "sigmoid-bce",
    "focal",
    "softmax-jacobian",
    "ce-hessian",
]
PARAM_NAMES = ["eps", "T", "w", "w0", "w1", "w2", "w9", "w99999999999", "gamma", "x", "", "T0", "eps1"]
NUMBERS = [
    "0",
    "1",
    "2",
    "0.1",
    "1/3",
    "-1",
    "1/0",
    "0/0",
    "nan",
    "inf",
    "-inf",
    "oo",
    "zoo",
    "I",
    "E",
    "pi",
    "1e999",
    "1e-999",
    "1e999999999",
    "1e-999999999",
    "5e10000000",
    "1" * 40,
    "1" * 41,
    "1/" + "9" * 38,
    "10",
    "11",
    "0.5",
    " 2 ",
    "2 ",
    "1_000",
    "0x10",
    "1e3",
    "٣",
    "²",
    "½",
    "2**3",
    "--1",
    "1e",
    ".",
    "",
]
HOSTILE = [
    *OPTION_VALUES,
    "\udc80\udcc3",
    "a\tb",
    "\x1b[2J",
    "x" * 5000,
    "\u2028",
    "\x85",
    "\x0b",
    "🙂",
    "中文",
    "NaN",
    "None",
    "null",
    "true",
    "${HOME}",
    "$(id)",
    "'",
    '"',
]
TARGET_CRAFTED = [
    "p_i - y_i",
    "p_i - 2*y_i",
    "2^((((10^12)^100)^100)^100)",
    "2^(((((10^12)^100)^100)^100)^100)",
    "exp(((10^12)^100)^100)",
    "exp((((10^12)^100)^100)^100)",
    "(((10^12)^100)^100)^100 * 0 + p_i - y_i",
    "((((10^12)^100)^100)^100)^100",
    "p_i^(((10^12)^100)^100)",
    "p_i - y_i + 0^-1",
    "log(0)",
    "(-1)^0.5 + p_i - y_i",
    "0.0^0",
    "p_i^(1/3)^100",
    "exp(exp(6.9))",
    "exp(exp(exp(f_i)))",
    "exp(exp(exp(exp(f_i))))",
    "2^0.5^100",
    "p_i^100 * y_i^-100",
    "(p_i - y_i)^16",
    "(p_i - y_i)^17",
    "C^-100",
    "C^100",
    "(p_i + y_i + f_i + C)^16",
    "sum_j(p_j)^16 * sum_j(y_j)^0",
    "sum_j(sum_j(p_j))",
    "sum_j(p_j + sum_j(y_j))",
    "p_j",
    "delta_ij",
    "sum_j(delta_ij * p_j) - y_i",
    "p_i - y_i + 0*f_i^100",
    "1e12 * p_i - 1e12 * p_i + p_i - y_i",
    "1e-300 + p_i - y_i",
    "999999999999 * p_i",
    "9999999999999",
    "1" * 499,
    "(" * 200 + "p_i" + ")" * 200,
    "(" * 120 + "p_i" + ")" * 120,
    "-" * 450 + "p_i",
    "+" * 45 + "p_i",
    "p_i" + "^1" * 150,
    "p_i" + "+p_i" * 120,
    "p_i" + "*p_i" * 15,
    "log(" * 3 + "p_i" + ")" * 3,
    "log(" * 4 + "p_i" + ")" * 4,
    "exp(log(exp(p_i)))",
    "ｐ_i - ｙ_i",
    "p_і - y_i",
    "p_i\u200b - y_i",
    "p_i - y_i # comment",
    "p_i - y_i\n",
    "p_i;y_i",
    "(p_i, y_i)",
    "p_i if y_i else 0",
    "lambda: 0",
    "__import__('os').system('true')",
    "().__class__",
    "p_i.conjugate()",
    "exp(p_i, y_i)",
    "exp()",
    "exp(x=1)",
    "p_i - y_i\udcff",
    "\udcff",
    "p_i \\\n - y_i",
    "p_i -\x00 y_i",
    "q_i - t_i",
    "z_i",
    "eps * p_i",
    "T^2",
    "gamma^gamma",
    "p_i^gamma",
    "p_i^(gamma - 1)",
    "p_i^exp(gamma)",
    "w_i * p_i",
    "x_i",
    "1/(p_i - p_i)",
    "1/(1 - 1)",
    "1/0",
    "1/0.0",
    "0.1 + 0.2 - 0.3",
    "1e-400",
    "123456789012.5",
    "1_000_000",
    "0b1010",
    "0o777",
    "1j",
    "...",
    "'p_i'",
    "f'{p_i}'",
    "p_i @ y_i",
    "p_i % 2",
    "p_i // 2",
    "~p_i",
    "not p_i",
    "p_i == y_i",
    "[p_i]",
    "{p_i}",
]
FREE = ["p_i", "y_i", "f_i", "C"]
BOUND = ["p_j", "y_j", "f_j"]
NOTATIONS = [
    "logits=z,probs=q,labels=t,classes=K",
    "logits=z",
    "probs=p",
    "logits=p",
    "logits=L",
    "logits=i",
    "logits=exp",
    "logits=eps",
    "logits=T",
    "logits=w",
    "logits=gamma",
    "logits=x",
    "logits=abcdefghijklm",
    "logits=abcdefghijkl",
    "logits=z,logits=q",
    "logits=z,probs=z",
    "logits=",
    "=z",
    "logits",
    ",",
    "",
    "logits=z,",
    "logits = z , probs = q",
    "logits=ｚ",
    "logits=\udcff",
    "logits=z\n",
    "classes=N",
    "classes=E",
    "classes=I",
    "classes=S",
    "classes=pi",
    "classes=oo",
    "labels=delta",
    "probs=sum",
    "probs=Sum",
    "labels=lambda",
]
MEMORY = [
    "512M",
    "2G",
    "256M",
    "4096",
    "255M",
    "0",
    "1e3G",
    "-1G",
    "2T",
    "nanG",
    "999999999999G",
    "1.5.5G",
    "²G",
    "٣G",
    "",
    "G",
    "1kib",
    "300000k",
    "256m",
    "1gb",
    "0.25G",
    "0.1G",
    "16384",
    " 512 M ",
]
FORMATS = ["text", "latex", "markdown", "json"]
FORMATS_RARE = ["png", "svg"]
CHECK_FORMATS = ["text", "json", "junit", "github"]

# paths that the child's directory holds (made by `prepare`) or that exist on every machine
OUTPUT_PATHS = [
    "out.txt",
    "old.txt",
    "dir",
    "dir/x.json",
    "/dev/null",
    "/dev/full",
    "fifo",
    "dangling",
    "to-dir",
    "loop",
    "to-fifo",
    "to-old",
    "missing/out",
    "-",
    "",
    " ",
    "/proc/self/fd/1",
    "/dev/stdout",
    "/dev/stderr",
    "/",
    ".",
    "..",
    "x" * 300,
    "dir/../",
    "out\udcff.txt",
    "fifo/x",
    "/sys/x",
    "old.txt/x",
    "ro/out.txt",
    "deep/" * 3 + "o",
    "a" * 250 + "/b",
    "./out.txt",
    "~/out.txt",
    "out.txt\x00",
]


@dataclass
class Input:
    kind: str
    args: list[str]
    files: dict[str, bytes] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    tool_limit: float = 60.0  # seconds the tool itself may legitimately take


# --- generation --------------------------------------------------------------------------------


def rand_text(rng: random.Random, n: int | None = None) -> str:
    n = rng.randint(0, 12) if n is None else n
    pools = [
        "abcxyzCpfyij_0123456789()+-*/^ ",
        "".join(map(chr, range(32, 127))),
        "ΣπλαβγδεΩ中文字²³½١٢٣…—–‐\u00a0\u200b\u2028\u202e\ufeff🙂",
        "\t\n\r\x0b\x0c\x1b\x7f\x85",
        "".join(map(chr, range(0xDC80, 0xDD00))),
    ]
    weights = [5, 5, 2, 1, 1]
    return "".join(rng.choice(rng.choices(pools, weights)[0]) for _ in range(n))


def rand_number(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.4:
        return rng.choice(NUMBERS)
    if r < 0.6:
        return str(rng.randint(-3, 12))
    if r < 0.75:
        power = rng.choice([rng.randint(-400, 400), rng.randint(-(10**10), 10**10)])
        return f"{rng.choice(['1', '9', '0.5', '-2'])}e{power}"
    if r < 0.85:
        return f"{rng.randint(-20, 20)}/{rng.randint(-5, 20)}"
    if r < 0.95:
        return repr(rng.uniform(-1e3, 1e3))
    return rand_text(rng, rng.randint(0, 8))


def rand_expr(rng: random.Random, depth: int = 0, in_sum: bool = False) -> str:
    """A random expression over the claim vocabulary: well-formed, but with no promise of truth."""
    if depth > rng.choice([1, 2, 3, 4]) or rng.random() < 0.25:
        r = rng.random()
        if r < 0.6:
            return rng.choice(FREE + (BOUND if in_sum else []))
        if r < 0.9:
            return str(rng.randint(0, 12))
        return rng.choice(["0.5", "1e-3", "2.5", "1e12", "10^12", "1000", "100", "0.0"])
    r = rng.random()
    a = rand_expr(rng, depth + 1, in_sum)
    if r < 0.55:
        b = rand_expr(rng, depth + 1, in_sum)
        op = rng.choice("+-*/^")
        if op == "^" and rng.random() < 0.7:
            b = str(rng.choice([0, 1, 2, 3, -1, -2, 16, 17, 100, 101]))
        return f"({a}) {op} ({b})" if rng.random() < 0.6 else f"{a} {op} {b}"
    if r < 0.65:
        return f"-({a})"
    if r < 0.85:
        return f"{rng.choice(['log', 'exp'])}({a})"
    if not in_sum:
        return f"sum_j({rand_expr(rng, depth + 1, True)})"
    return f"exp({a})"


def rand_target(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.35:
        return rng.choice(TARGET_CRAFTED)
    if r < 0.75:
        return rand_expr(rng)
    if r < 0.85:  # a well-formed one damaged in one place
        text = rand_expr(rng)
        at = rng.randint(0, len(text))
        return text[:at] + rand_text(rng, rng.randint(1, 3)) + text[at:]
    if r < 0.92:
        x = rand_expr(rng)
        return f"({x}) - ({x}) + p_i - y_i"
    return rand_text(rng)


def rand_work_target(rng: random.Random) -> str:
    """A claim the parser accepts (most of the time), so that the verifier does its work on it."""
    r = rng.random()
    if r < 0.4:
        x = rand_expr(rng)
        return f"({x}) - ({x}) + p_i - y_i"
    if r < 0.6:
        return rng.choice(["p_i - y_i", "p_i - 2*y_i", "p_i*sum_j(y_j) - y_i", "exp(log(p_i)) - y_i", "y_i - p_i"])
    return rand_expr(rng)


def hostile(rng: random.Random) -> str:
    return rng.choice(HOSTILE) if rng.random() < 0.7 else rand_text(rng)


def rand_param(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.85:
        name = rng.choice(PARAM_NAMES) if rng.random() < 0.9 else rand_text(rng, rng.randint(0, 4))
        sep = "=" if rng.random() < 0.95 else rng.choice(["", "==", ":", " = "])
        return f"{name}{sep}{rand_number(rng)}"
    return hostile(rng)


def rand_classes(rng: random.Random, cheap: bool) -> str:
    if cheap or rng.random() < 0.6:
        return rng.choice(["1", "2", "3", "C", "2", "C"])
    return (
        rng.choice(["0", "-1", "10001", "1000000000", "abc", "²", "٣", "1e3", "3.0", " 3 ", "C,", "C C", ""])
        if rng.random() < 0.8
        else hostile(rng)
    )


def rand_timeout(rng: random.Random, high: float) -> tuple[str, float]:
    """A --timeout value and the limit the tool then keeps (60 when the value is refused)."""
    r = rng.random()
    if r < 0.8:
        value = rng.choice([high, high, 2.0, 0.5, 0.01, 1e-9])
        return f"{value:g}", value
    bad = rng.choice(
        [
            "0",
            "-1",
            "nan",
            "inf",
            "-inf",
            "1e999",
            "86401",
            "abc",
            "",
            " ",
            "1e-400",
            "0x10",
            "²",
            "1_0",
            "٣",
            "5s",
            "NaN",
        ]
    )
    return bad, high if bad in ("1_0", "٣") else 60.0


VALID_OUTPUTS = ["out.txt", "old.txt", "dir/x.json", "to-old", "-", "./out.txt"]


def valid_options(rng: random.Random, command: str) -> list[list[str]]:
    """Options that a real user would give: the input goes on to do real work."""
    out: list[list[str]] = []
    for _ in range(rng.choice([0, 1, 2, 3])):
        if command == "derive":
            out.append(
                rng.choice(
                    [
                        lambda: ["--index", rng.choice(["0", "1"])],
                        lambda: ["--labels", rng.choice(["onehot", "soft"])],
                        lambda: ["-f", rng.choice(FORMATS + (FORMATS_RARE if rng.random() < 0.03 else []))],
                        lambda: ["--lang", rng.choice(["en", "zh"])],
                        lambda: ["--notation", rng.choice(NOTATIONS[:3] + NOTATIONS[7:12])],
                        lambda: ["-o", rng.choice(VALID_OUTPUTS)],
                        lambda: ["--memory", rng.choice(["512M", "2G", "256M", "1gb"])],
                        lambda: [rng.choice(["--standalone", "--allow-unproved"])],
                        lambda: ["--param", rand_param(rng)],
                    ]
                )()
            )
        else:
            out.append(
                rng.choice(
                    [
                        lambda: ["--labels", rng.choice(["onehot", "soft"])],
                        lambda: ["--seed", rng.choice(["0", "1", "-1", str(2**64), "99" * 20])],
                        lambda: ["-f", rng.choice(CHECK_FORMATS)],
                        lambda: ["-o", rng.choice(VALID_OUTPUTS)],
                        lambda: ["--memory", rng.choice(["512M", "2G"])],
                        lambda: [rng.choice(["--allow-unproved", "--numeric"])],
                        lambda: ["--param", rand_param(rng)],
                    ]
                )()
            )
    return out


def option_list(rng: random.Random, command: str, cheap: bool) -> list[list[str]]:
    """A few options for `command`, each [flag, value] or [flag]."""
    if not cheap:
        return valid_options(rng, command)
    out: list[list[str]] = []
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4])):
        r = rng.random()
        if command == "derive":
            table = [
                (
                    0.12,
                    lambda: [
                        "--index",
                        rng.choice(["0", "1", "2", "5", "-1", "10" * 12]) if rng.random() < 0.8 else hostile(rng),
                    ],
                ),
                (0.22, lambda: ["--labels", rng.choice(["onehot", "soft"]) if rng.random() < 0.8 else hostile(rng)]),
                (0.34, lambda: ["--param", rand_param(rng)]),
                (
                    0.46,
                    lambda: [
                        "-f",
                        rng.choice(FORMATS + (FORMATS_RARE if rng.random() < 0.05 else []))
                        if rng.random() < 0.85
                        else hostile(rng),
                    ],
                ),
                (0.54, lambda: ["--lang", rng.choice(["en", "zh"]) if rng.random() < 0.8 else hostile(rng)]),
                (0.66, lambda: ["--notation", rng.choice(NOTATIONS) if rng.random() < 0.8 else hostile(rng)]),
                (0.78, lambda: ["-o", rng.choice(OUTPUT_PATHS)]),
                (0.86, lambda: ["--memory", rng.choice(MEMORY)]),
                (0.90, lambda: [rng.choice(["--standalone", "--allow-unproved"])]),
                (0.95, lambda: ["--loss", rng.choice(LOSSES) if rng.random() < 0.7 else hostile(rng)]),
                (1.00, lambda: [rng.choice(["--bogus", "extra", "--index", "-C", "--target", "-h", "--", "-o"])]),
            ]
        else:
            table = [
                (0.15, lambda: ["--param", rand_param(rng)]),
                (0.27, lambda: ["--labels", rng.choice(["onehot", "soft"]) if rng.random() < 0.8 else hostile(rng)]),
                (
                    0.40,
                    lambda: [
                        "--seed",
                        rng.choice(["0", "1", "-1", str(2**64), str(2**63), "1e3", "99" * 20])
                        if rng.random() < 0.8
                        else hostile(rng),
                    ],
                ),
                (0.55, lambda: ["-f", rng.choice(CHECK_FORMATS) if rng.random() < 0.85 else hostile(rng)]),
                (0.70, lambda: ["-o", rng.choice(OUTPUT_PATHS)]),
                (0.80, lambda: ["--memory", rng.choice(MEMORY)]),
                (0.88, lambda: [rng.choice(["--allow-unproved", "--numeric"])]),
                (1.00, lambda: [rng.choice(["--bogus", "extra", "--seed", "-C", "--config", "--", "-o"])]),
            ]
        for bound, make in table:
            if r < bound:
                out.append(make())
                break
    return out


def toml_string(rng: random.Random, text: str) -> str:
    text = "".join(c for c in text if not 0xD800 <= ord(c) <= 0xDFFF)
    return json.dumps(text, ensure_ascii=rng.random() < 0.5)


def rand_toml_value(rng: random.Random, depth: int = 0) -> str:
    r = rng.random()
    if depth < 3 and r < 0.15:
        return "[" + ", ".join(rand_toml_value(rng, depth + 1) for _ in range(rng.randint(0, 3))) + "]"
    if depth < 3 and r < 0.25:
        keys = [rng.choice(["T", "eps", "w0", "gamma", "x", "loss", "a.b"]) for _ in range(rng.randint(0, 2))]
        return (
            "{" + ", ".join(f"{json.dumps(k)} = {rand_toml_value(rng, depth + 1)}" for k in dict.fromkeys(keys)) + "}"
        )
    choices = [
        lambda: rng.choice(["true", "false"]),
        lambda: str(rng.choice([0, 1, 2, 3, -1, 10_000, 10_001, 2**63, -(2**63) - 1, 10**30, 2**64])),
        lambda: rng.choice(["inf", "-inf", "nan", "1e999", "0.5", "1.5", "-0.0", "1e-400", "60.0", "86400.5"]),
        lambda: toml_string(
            rng,
            rng.choice(
                [
                    "C",
                    "2,3,C",
                    "softmax-ce",
                    "soft",
                    "onehot",
                    "p_i - y_i",
                    "2G",
                    "auto",
                    "1e999999999",
                    "",
                    " ",
                    "512M",
                    "255M",
                    "1/3",
                    "0.1",
                ]
            ),
        ),
        lambda: toml_string(rng, rand_text(rng)),
        lambda: "1" + "0" * rng.choice([20, 4300, 5000]),
        lambda: "1979-05-27T07:32:00Z",
    ]
    return rng.choice(choices)()


def rand_config(rng: random.Random, with_claims: bool) -> bytes:
    """A TOML configuration: mostly plausible, sometimes damaged."""
    header = rng.choice(["[tool.xentderive]", "[tool.xentderive]", "", "[tool]", "[tool.other]"])
    prefix = "tool.xentderive." if header == "[tool.xentderive]" else ""
    lines = [header] if header else []
    keys = [
        "classes",
        "numeric",
        "timeout",
        "seed",
        "memory",
        "allow-unproved",
        "jobs",
        "claims",
        "bogus",
        "a.b",
        '"quoted\\u001b"',
        "Classes",
    ]
    for key in dict.fromkeys(rng.choice(keys) for _ in range(rng.randint(0, 4))):
        if key == "claims" and with_claims:
            continue
        if key == "classes" and rng.random() < 0.7:
            value = (
                "["
                + ", ".join(
                    rng.choice(["1", "2", '"C"', "3", "0", '"x"', "25", "10001"]) for _ in range(rng.randint(0, 2))
                )
                + "]"
            )
        elif key == "timeout" and rng.random() < 0.6:
            value = rng.choice(["2", "2.5", "0", "-1", "inf", "nan", "86401", '"2"'])
        else:
            value = rand_toml_value(rng)
        lines.append(f"{key} = {value}")
    if with_claims:
        for _ in range(rng.randint(1, 2)):
            lines.append(f"[[{prefix}claims]]")
            lines.append(f"loss = {toml_string(rng, rng.choice(LOSSES) if rng.random() < 0.85 else hostile(rng))}")
            if rng.random() < 0.5:
                lines.append(f"labels = {toml_string(rng, rng.choice(['onehot', 'soft', 'hard', '']))}")
            if rng.random() < 0.5:
                lines.append(f"target = {toml_string(rng, rand_target(rng))}")
            if rng.random() < 0.4:
                sizes = ", ".join(rng.choice(["1", "2", '"C"', "0", "25", '"2"']) for _ in range(rng.randint(0, 2)))
                lines.append(f"classes = [{sizes}]")
            if rng.random() < 0.35:
                name = rng.choice(PARAM_NAMES)
                value = rng.choice([toml_string(rng, rand_number(rng)), rand_toml_value(rng)])
                lines.append(f"params = {{ {json.dumps(name)} = {value} }}")
            if rng.random() < 0.1:
                lines.append(f"{rng.choice(['bogus', 'Loss', 'target.x'])} = 1")
    raw = "\n".join(lines).encode("utf-8")
    r = rng.random()
    if r < 0.06:
        at = rng.randint(0, len(raw))
        raw = raw[:at] + rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x00", b"\r"]) + raw[at:]
    elif r < 0.1:
        raw = raw[: rng.randint(0, len(raw))]
    elif r < 0.12:
        depth = rng.choice([50, 1000, 100_000])
        raw += b"\nclasses = " + b"[" * depth + b"1" + b"]" * depth + b"\n"
    elif r < 0.13:
        raw = b"\xef\xbb\xbf" + raw
    elif r < 0.14:
        raw = bytes(rng.randrange(256) for _ in range(rng.randint(0, 200)))
    return raw


def generate(rng: random.Random, work_rate: float, high: float) -> Input:
    """One input: cheap and hostile most of the time, real SymPy work at `work_rate`."""
    r = rng.random()
    if r < work_rate * 0.7:
        return gen_derive(rng, work=True, high=high)
    if r < work_rate:
        return gen_check(rng, work=True, high=high)
    r = rng.random()
    if r < 0.52:
        return gen_derive(rng, work=False, high=high)
    if r < 0.80:
        return gen_check(rng, work=False, high=high)
    if r < 0.95:
        return gen_verify(rng, high)
    return gen_misc(rng)


VERIFY_PIECES = [
    "$",
    "$$",
    "\\[",
    "\\]",
    "\\(",
    "\\)",
    "\\begin{align}",
    "\\end{align}",
    "\\begin{aligned}",
    "&=",
    "\\\\",
    "\\frac{",
    "}{",
    "}",
    "{",
    "(",
    ")",
    "[",
    "]",
    "\\sum_",
    "\\sum_{k=1}^{K}",
    "\\sum_{j \\neq i}",
    "_",
    "^",
    "p_i",
    "p_j",
    "z_i",
    "z_k",
    "y_k",
    "y_i",
    "L",
    "e^{",
    "\\log",
    "\\ln",
    "\\exp",
    "\\partial",
    "=",
    "-",
    "+",
    "\\cdot",
    "\\delta_{ij}",
    "[i=j]",
    "\\mathbb{1}",
    "\\quad",
    "\\text{for }",
    "j \\neq i",
    "\\left(",
    "\\right)",
    "'",
    "2",
    "10^{300}",
    "\\varepsilon",
    "T",
    "%",
    "<!--",
    "-->",
    "\n",
    " ",
    "\\hat{y}_i",
    "\\mathcal{L}",
    "\\nabla_{z_i}",
    "\\operatorname{softmax}(z)_i",
    "\\le",
    "\\approx",
    "x^{x^{x^{x}}}",
    "\\tag{1}",
    "log",
]
VERIFY_START = (
    "$$p_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$$\n$$L = -\\sum_k y_k \\log p_k$$\n"
    "$$\\frac{\\partial L}{\\partial z_i} = p_i - y_i$$\n"
)


def gen_verify(rng: random.Random, high: float) -> Input:
    """`verify FILE`: a real derivation with random pieces spliced in, a file of random bytes, a
    notebook that is not one, deep nesting, very long rows, or hostile options."""
    suffix = rng.choice([".md", ".tex", ".txt", ".ipynb", ".markdown"])
    r = rng.random()
    if r < 0.55:
        text = VERIFY_START + "".join(rng.choice(VERIFY_PIECES) for _ in range(rng.randint(0, 80)))
        data = text.encode()
    elif r < 0.65:
        data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 400)))
    elif r < 0.75:
        depth = rng.choice([30, 61, 500, 20_000])
        data = ("$$" + "{" * depth + "p_i" + "}" * depth + " = 1$$\n").encode()
    elif r < 0.85:
        data = ("$$" + " + ".join(["p_i"] * rng.choice([10, 2000, 50_000])) + " = 1$$\n").encode()
    elif r < 0.92:
        data = json.dumps({"cells": [{"cell_type": "markdown", "source": [VERIFY_START]}] * rng.randint(0, 3)}).encode()
        if rng.random() < 0.5:
            data = data[: rng.randint(0, len(data))]
    else:
        data = (VERIFY_START * rng.choice([1, 50, 400])).encode()
    name = "doc" + suffix
    args = ["verify", rng.choice([name, name, "-", "missing.md", "dir"])]
    if rng.random() < 0.3:
        args += rng.choice(
            [
                ["-C", rand_classes(rng, cheap=True)],
                ["--labels", "soft"],
                ["--format", "json"],
                ["--format", "github"],
                ["--format", "junit"],
                ["-o", rng.choice(OUTPUT_PATHS[2:])],
            ]
        )
    timeout, limit = rand_timeout(rng, high)
    args += ["--timeout", timeout]
    return Input("verify", args, {name: data}, tool_limit=limit + 10)


def gen_derive(rng: random.Random, work: bool, high: float) -> Input:
    timeout, limit = rand_timeout(rng, high)
    args = ["derive", "-C", rand_classes(rng, cheap=work)]
    if rng.random() < 0.85:
        args += ["--target", rand_target(rng) if not work or rng.random() < 0.3 else rand_work_target(rng)]
    for option in option_list(rng, "derive", not work):
        args += option
    if "--loss" not in args and rng.random() < 0.25:
        args += ["--loss", rng.choice(LOSSES) if rng.random() < 0.8 else hostile(rng)]
    if rng.random() < 0.97:
        args += ["--timeout", timeout]
    else:
        limit = 60.0
    if not work:
        # cheap: one hostile value the parser must refuse, so the run ends at parse time
        spot = rng.choice(
            [
                "-C",
                "--timeout",
                "--memory",
                "--notation",
                "--index",
                "--labels",
                "--lang",
                "-f",
                "--target",
                "--param",
                "-o",
            ]
        )
        value = {
            "-C": lambda: rand_classes(rng, cheap=False),
            "--timeout": lambda: rng.choice(["0", "-1", "nan", "inf", "1e999", "86401", "abc", "", "²", "5s"]),
            "--memory": lambda: rng.choice(["255M", "0", "-1G", "2T", "nanG", "1.5.5G", "²G", "", "G"]),
            "--notation": lambda: rng.choice(NOTATIONS[13:]),
            "--index": lambda: rng.choice(["-1", "5", "10" * 12, "x", "²"]),
            "--labels": lambda: hostile(rng),
            "--lang": lambda: hostile(rng),
            "-f": lambda: hostile(rng),
            "--target": lambda: rng.choice(TARGET_CRAFTED[35:]) if rng.random() < 0.5 else rand_text(rng),
            "--param": lambda: rand_param(rng),
            "-o": lambda: rng.choice(OUTPUT_PATHS[2:]),
        }[spot]()
        args += [spot, value]
    return Input("derive-work" if work else "derive-cheap", args, tool_limit=limit)


def gen_check(rng: random.Random, work: bool, high: float) -> Input:
    timeout, limit = rand_timeout(rng, min(high, 5.0))
    args = ["check"]
    files: dict[str, bytes] = {}
    use_config = rng.random() < (0.5 if work else 0.35)
    with_claims = use_config and rng.random() < 0.6
    cases = 2
    if use_config:
        where = rng.choice(["suite.toml", "pyproject.toml", "pyproject.toml"])
        files[where] = rand_config(rng, with_claims)
        if where == "suite.toml" or rng.random() < 0.3:
            args += ["--config", where]
        if with_claims:
            cases = 2 * 3  # two claims, each at most the classes it names (≤ 2) or the file's (≤ 2)
    elif rng.random() < 0.1:
        args += [
            "--config",
            rng.choice(
                [
                    "missing.toml",
                    "dir",
                    "fifo",
                    "/dev/null",
                    "/dev/zero",
                    "dangling",
                    "loop",
                    "/proc/self/stat",
                    "",
                    "\udcff.toml",
                ]
            ),
        ]
    used = "--config" in args or files.get("pyproject.toml", b"").startswith(b"[tool.xentderive]")
    if not (with_claims and used) or rng.random() < 0.3:  # never the default suite (90 cases)
        args += ["--loss", rng.choice(LOSSES) if rng.random() < 0.75 else hostile(rng)]
    if rng.random() < 0.5:
        args += ["--target", rand_target(rng) if not work or rng.random() < 0.3 else rand_work_target(rng)]
    if rng.random() < 0.85:
        args += [
            "-C",
            rng.choice(["2", "1", "C", "1,2", "2,C"])
            if (work or rng.random() < 0.6)
            else rng.choice(["0", "10001", ",", "2,", "abc", "1," * 1001, "²", "٣", ""]),
        ]
    for option in option_list(rng, "check", not work):
        args += option
    if "--numeric" not in args:
        args.append("--no-numeric")
    if rng.random() < 0.97:
        args += ["--timeout", timeout]
    else:
        limit = 60.0
    env = {}
    if "github" in args and rng.random() < 0.7:
        env["GITHUB_STEP_SUMMARY"] = rng.choice(
            ["summary.md", "dir", "/dev/full", "", "missing/s.md", "old.txt", "/proc/self/fd/1", "to-dir", "\udcff"]
        )
    if not work:
        spot = rng.choice(["-C", "--timeout", "--memory", "--seed", "-f", "--labels", "--param", "-o", "--target"])
        value = {
            "-C": lambda: rng.choice(["0", "10001", ",", "2,", "abc", "1," * 1001, "²", ""]),
            "--timeout": lambda: rng.choice(["0", "-1", "nan", "inf", "1e999", "86401", "abc", ""]),
            "--memory": lambda: rng.choice(["255M", "0", "-1G", "2T", "nanG", "", "G"]),
            "--seed": lambda: rng.choice(["x", "1.5", "", "²", "1e3"]),
            "-f": lambda: hostile(rng),
            "--labels": lambda: hostile(rng),
            "--param": lambda: rand_param(rng),
            "-o": lambda: rng.choice(OUTPUT_PATHS[2:]),
            "--target": lambda: rng.choice(TARGET_CRAFTED[35:]) if rng.random() < 0.5 else rand_text(rng),
        }[spot]()
        args += [spot, value]
    return Input("check-work" if work else "check-cheap", args, files, env, tool_limit=limit * cases + 10)


def gen_misc(rng: random.Random) -> Input:
    r = rng.random()
    if r < 0.4:
        args = ["list", *(hostile(rng) for _ in range(rng.randint(0, 2)))]
    elif r < 0.6:
        args = [rng.choice(["--version", "-V", "--help", "-h", "--debug", "derive", "check"]), "--help"]
    elif r < 0.8:
        args = [hostile(rng) for _ in range(rng.randint(0, 3))]
    else:
        args = ["--debug", rng.choice(["derive", "check", "list"]), rng.choice(["--bogus", "-C", "x"])]
    return Input("misc", args, tool_limit=5.0)


# --- running one input -------------------------------------------------------------------------


def prepare(folder: str, inp: Input) -> None:
    """The child's directory: the files the input names, the odd kinds of path -o may meet."""
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    os.mkdir(os.path.join(folder, "dir"))
    os.mkfifo(os.path.join(folder, "fifo"))
    with open(os.path.join(folder, "old.txt"), "wb") as handle:
        handle.write(b"OLD CONTENT\n")
    for link, to in (
        ("dangling", "missing/target"),
        ("to-dir", "dir"),
        ("loop", "loop"),
        ("to-fifo", "fifo"),
        ("to-old", "old.txt"),
    ):
        os.symlink(to, os.path.join(folder, link))
    ro = os.path.join(folder, "ro")
    os.mkdir(ro)
    os.chmod(ro, 0o555)
    for name, data in inp.files.items():
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(data)


def run_child(folder: str, inp: Input, memory_cap: int) -> None:  # pragma: no cover - the child
    """In the forked child: never returns."""
    code = 99
    try:
        os.setpgid(0, 0)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.chdir(folder)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        out = os.open("stdout.bin", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        err = os.open("stderr.bin", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out, 1)
        os.dup2(err, 2)
        for fd in (null, out, err):
            os.close(fd)
        # fresh streams, as a new interpreter would have them (stdout strict, stderr backslashreplace)
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
        sys.stdout = io.TextIOWrapper(
            io.FileIO(1, "w", closefd=False), encoding="utf-8", errors="strict", line_buffering=False
        )
        sys.stderr = io.TextIOWrapper(
            io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace", line_buffering=True
        )
        hard = memory_cap + _vsize()
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
        for key, value in inp.env.items():
            os.environ[key] = value
        from xentderive.cli import main

        try:
            main(inp.args, prog_name="xentderive")
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        except BaseException:
            sys.stderr.write("ESCAPED main():\n" + traceback.format_exc())
            code = 99
        with contextlib.suppress(Exception):
            sys.stdout.flush()
        with contextlib.suppress(Exception):
            sys.stderr.flush()
    except BaseException:
        with contextlib.suppress(Exception):
            os.write(2, ("fuzz harness: " + traceback.format_exc()).encode(errors="replace"))
        code = 98
    finally:
        os._exit(code & 0xFF if isinstance(code, int) else 1)


def _vsize() -> int:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


@dataclass
class Running:
    number: int
    inp: Input
    folder: str
    pid: int
    start: float
    cap: float
    killed: bool = False


@dataclass
class Outcome:
    number: int
    inp: Input
    code: int | None  # None: killed by a signal
    signal: int | None
    seconds: float
    rss: int  # bytes, the child and its reaped worker
    stdout: bytes
    stderr: bytes
    runaway: bool
    orphan: bool
    leftovers: list[str]
    output_on_failure: str | None


def finish(run: Running, status: int, usage: resource.struct_rusage, limit_seconds: float) -> Outcome:
    seconds = time.monotonic() - run.start
    orphan = False
    try:
        os.killpg(run.pid, 0)
        orphan = not run.killed  # something of the child's group outlived a child that ended by itself
        os.killpg(run.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    code = os.waitstatus_to_exitcode(status)
    sig = -code if code < 0 else None
    read = lambda name: _read(os.path.join(run.folder, name))  # noqa: E731
    leftovers = []
    for root, _dirs, names in os.walk(run.folder):
        for name in names:
            if name.endswith((".tmp", ".probe")) and name.startswith("."):
                leftovers.append(os.path.relpath(os.path.join(root, name), run.folder))
    output_on_failure = None
    failed = (2, 3, 70, 130) if run.inp.args[:1] == ["derive"] else (2, 70, 130)  # check: a report on 1, 3, 4
    if code in failed and not run.killed:
        if os.path.exists(os.path.join(run.folder, "out.txt")):
            output_on_failure = "out.txt was written although the run failed"
        elif _read(os.path.join(run.folder, "old.txt")) != b"OLD CONTENT\n":
            output_on_failure = "old.txt was changed although the run failed"
    return Outcome(
        run.number,
        run.inp,
        None if sig else code,
        sig,
        seconds,
        usage.ru_maxrss * 1024,
        read("stdout.bin"),
        read("stderr.bin"),
        run.killed,
        orphan,
        leftovers,
        output_on_failure,
    )


def _read(path: str, limit: int = 1 << 20) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(limit)
    except OSError:
        return b""


def signature(category: str, o: Outcome) -> str:
    """What makes two failures of a category the same: the first line of stderr, numbers and paths blurred."""
    import re

    if category in ("runaway", "orphan-process", "leftover-temp-file", "output-on-failure", "killed-by-signal"):
        flags = sorted({a for a in o.inp.args if a.startswith("--") and a[2:].isalpha()})
        return f"{o.inp.args[0] if o.inp.args else ''} {' '.join(flags)}"
    err = o.stderr.decode("utf-8", "replace")
    if category == "traceback":
        last = [line for line in err.splitlines() if line and not line.startswith(" ")]
        return last[-1][:120] if last else ""
    first = err.split("\n", 1)[0]
    first = re.sub(r"/tmp/\S+", "PATH", first)
    first = re.sub(r"'[^']*'|\"[^\"]*\"|\([^)]*\)", "…", first)
    return re.sub(r"\d+", "N", first)[:100]


def categories(o: Outcome) -> list[str]:
    bad = []
    err = o.stderr.decode("utf-8", "replace")
    if b"Traceback" in o.stderr or b"Traceback" in o.stdout:
        bad.append("traceback")
    if o.runaway:
        bad.append("runaway")
    elif o.signal is not None:
        bad.append("killed-by-signal")
    elif o.code == 70:
        bad.append("exit-70")
    elif o.code in (98, 99):
        bad.append("escaped-main")
    elif o.code not in (0, 1, 2, 3, 4):
        bad.append("exit-other")
    if o.code == 2:
        lines = err.split("\n")[:-1]
        if len(lines) != 1 or not lines[0].startswith("xentderive: error:") or not err.endswith("\n"):
            bad.append("exit2-not-one-line")
        elif len(err.splitlines()) != 1 or any(c in err for c in "\x1b\x0b\x0c\r\x7f"):
            bad.append("exit2-raw-control-chars")
        if o.stdout and o.inp.args[:1] != ["--help"]:
            bad.append("exit2-with-stdout")
    if o.orphan:
        bad.append("orphan-process")
    if o.leftovers:
        bad.append("leftover-temp-file")
    if o.output_on_failure:
        bad.append("output-on-failure")
    return bad


# --- reporting ---------------------------------------------------------------------------------


def shell_word(arg: str) -> str:
    raw = arg.encode("utf-8", "surrogateescape")
    if raw and all(32 <= b < 127 for b in raw):
        return shlex.quote(arg)
    if not raw:
        return "''"
    out = []
    for b in raw:
        if 32 <= b < 127 and chr(b) not in "'\\":
            out.append(chr(b))
        else:
            out.append(f"\\x{b:02x}")
    return "$'" + "".join(out) + "'"


def command_line(inp: Input) -> str:
    env = " ".join(f"{k}={shell_word(v)}" for k, v in inp.env.items())
    words = " ".join(shell_word(a) for a in inp.args)
    return (env + " " if env else "") + "xentderive " + words


class Tally:
    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.total = 0
        self.by_kind: Counter[str] = Counter()
        self.codes: Counter[str] = Counter()
        self.codes_by_kind: dict[str, Counter[str]] = defaultdict(Counter)
        self.bad: Counter[str] = Counter()
        self.examples: dict[str, list[Outcome]] = defaultdict(list)
        self.signatures: dict[str, Counter[str]] = defaultdict(Counter)
        self.max_seconds: dict[str, float] = defaultdict(float)
        self.max_rss = 0
        self.slowest: list[tuple[float, Outcome]] = []
        self.seconds_sum: dict[str, float] = defaultdict(float)

    def add(self, o: Outcome) -> list[str]:
        self.total += 1
        kind = o.inp.kind
        self.by_kind[kind] += 1
        label = "runaway" if o.runaway else (f"signal {o.signal}" if o.signal else f"exit {o.code}")
        self.codes[label] += 1
        self.codes_by_kind[kind][label] += 1
        self.max_seconds[kind] = max(self.max_seconds[kind], o.seconds)
        self.seconds_sum[kind] += o.seconds
        self.max_rss = max(self.max_rss, o.rss)
        bad = categories(o)
        for name in bad:
            self.bad[name] += 1
            sign = signature(name, o)
            if sign not in self.signatures[name] and len(self.signatures[name]) < self.keep:
                self.examples[name].append(o)
            self.signatures[name][sign] += 1
        self.slowest.append((o.seconds, o))
        self.slowest.sort(key=lambda t: -t[0])
        del self.slowest[10:]
        return bad

    def table(self, wall: float, jobs: int) -> str:
        rows = [
            f"xentderive fuzz: {self.total} inputs in {wall:.1f} s with {jobs} jobs "
            f"({self.total / max(wall, 1e-9):.1f} inputs/s)",
            "",
        ]
        kinds = sorted(self.by_kind)
        labels = sorted(self.codes, key=lambda s: (not s.startswith("exit"), len(s), s))
        head = f"{'outcome':<22}" + "".join(f"{k:>14}" for k in kinds) + f"{'total':>10}"
        rows += [head, "-" * len(head)]
        for label in labels:
            rows.append(
                f"{label:<22}"
                + "".join(f"{self.codes_by_kind[k][label]:>14}" for k in kinds)
                + f"{self.codes[label]:>10}"
            )
        rows.append(f"{'max wall s':<22}" + "".join(f"{self.max_seconds[k]:>14.2f}" for k in kinds))
        rows.append(
            f"{'mean wall ms':<22}"
            + "".join(f"{1000 * self.seconds_sum[k] / max(self.by_kind[k], 1):>14.1f}" for k in kinds)
        )
        rows += [
            "",
            f"max RSS (child + its worker): {self.max_rss / 1024**2:.0f} MiB",
            "",
            "bad outcomes (0 is the contract):",
        ]
        for name in BAD:
            rows.append(f"  {name:<22}{self.bad[name]:>8}")
        rows.append(f"  {'limit hits (exit 3)':<22}{self.codes['exit 3']:>8}   (allowed)")
        return "\n".join(rows)

    def report(self, path: str, table: str) -> None:
        lines = [
            table,
            "",
            "Offending inputs (the first few per category); run each in a directory prepared as",
            "benchmarks/fuzz.py does (dir/, fifo, old.txt, symlinks dangling to-dir loop to-fifo to-old, ro/).",
            "",
        ]
        for name in BAD:
            if self.signatures.get(name):
                lines.append(f"== {name}: {len(self.signatures[name])} distinct (by signature, count each):")
                lines += [f"   {n:>6}  {sign}" for sign, n in self.signatures[name].most_common()]
                lines.append("")
            for o in self.examples.get(name, []):
                lines.append(
                    f"[{name}] input #{o.number} ({o.inp.kind}), exit {o.code}, signal {o.signal}, "
                    f"{o.seconds:.2f} s, RSS {o.rss / 1024**2:.0f} MiB"
                )
                lines.append("  $ " + command_line(o.inp))
                for fname, data in o.inp.files.items():
                    lines.append(f"  file {fname}: {data[:600]!r}")
                if o.leftovers:
                    lines.append(f"  leftovers: {o.leftovers}")
                if o.output_on_failure:
                    lines.append(f"  {o.output_on_failure}")
                err = o.stderr.decode("utf-8", "replace")
                lines.append("  stderr: " + repr(err[-1500:] if "Traceback" in err else err[:600]))
                lines.append("")
        lines.append("Slowest inputs:")
        for seconds, o in self.slowest:
            lines.append(f"  {seconds:7.2f} s exit {o.code} ({o.inp.kind}): {command_line(o.inp)[:300]}")
        with open(path, "w", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write("\n".join(lines) + "\n")


# --- the loop ----------------------------------------------------------------------------------


def become_subreaper() -> None:
    """Orphaned workers are re-parented to us (and reaped), not to init."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="how many inputs (default 2000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generator (default 0)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="children at a time (default: cores)")
    parser.add_argument(
        "--per-input-timeout",
        type=float,
        default=40.0,
        help="hard cap in seconds per input, raised where the tool's own limit is higher (default 40)",
    )
    parser.add_argument(
        "--tool-timeout",
        type=float,
        default=10.0,
        help="the --timeout most inputs give the tool (default 10; below the cap)",
    )
    parser.add_argument(
        "--work-rate", type=float, default=0.02, help="share of inputs that do real SymPy work (default 0.02)"
    )
    parser.add_argument("--memory-cap", default="6G", help="RLIMIT_AS of each child above its start (default 6G)")
    parser.add_argument("--keep", type=int, default=8, help="distinct offending inputs kept per category (default 8)")
    parser.add_argument("--report", default="fuzz-report.txt", help="where the offending inputs go")
    parser.add_argument("--progress", type=float, default=30.0, help="seconds between progress lines on stderr")
    opts = parser.parse_args()

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import sympy  # noqa: F401  - warm: every child starts with these imported

    import xentderive.api
    import xentderive.cli
    import xentderive.printing
    import xentderive.reports
    import xentderive.suite  # noqa: F401
    from xentderive.limits import parse_memory

    memory_cap = parse_memory(opts.memory_cap)
    become_subreaper()
    rng = random.Random(opts.seed)
    base = tempfile.mkdtemp(prefix="xentderive-fuzz-")
    slots = [os.path.join(base, f"slot{n}") for n in range(opts.jobs)]
    free = list(range(opts.jobs))
    running: dict[int, tuple[int, Running]] = {}
    tally = Tally(opts.keep)
    made = 0
    start = last = time.monotonic()
    interrupted = False
    try:
        while made < opts.count or running:
            while free and made < opts.count:
                slot = free.pop()
                inp = generate(rng, opts.work_rate, opts.tool_timeout)
                made += 1
                folder = slots[slot]
                prepare(folder, inp)
                cap = max(opts.per_input_timeout, inp.tool_limit * 1.25 + 10)
                sys.stdout.flush()
                sys.stderr.flush()
                pid = os.fork()
                if pid == 0:
                    run_child(folder, inp, memory_cap)
                running[pid] = (slot, Running(made, inp, folder, pid, time.monotonic(), cap))
            pid, status, usage = os.wait4(-1, os.WNOHANG)
            if pid == 0:
                now = time.monotonic()
                for _slot, run in running.values():
                    if not run.killed and now - run.start > run.cap:
                        run.killed = True
                        with contextlib.suppress(ProcessLookupError):
                            os.killpg(run.pid, signal.SIGKILL)
                if now - last > opts.progress:
                    last = now
                    bad = sum(tally.bad.values())
                    print(f"[{now - start:7.1f} s] {tally.total}/{opts.count} done, {bad} bad", file=sys.stderr)
                time.sleep(0.001)
                continue
            if pid not in running:
                continue  # an orphaned worker, re-parented to us and now reaped
            slot, run = running.pop(pid)
            outcome = finish(run, status, usage, opts.tool_timeout)
            tally.add(outcome)
            free.append(slot)
    except KeyboardInterrupt:
        interrupted = True
        for _slot, run in running.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(run.pid, signal.SIGKILL)
    finally:
        for folder in slots:
            with contextlib.suppress(OSError):
                os.chmod(os.path.join(folder, "ro"), 0o755)
        shutil.rmtree(base, ignore_errors=True)
    table = tally.table(time.monotonic() - start, opts.jobs)
    tally.report(opts.report, table)
    print(table)
    print(f"\noffending inputs: {opts.report}" + (" (interrupted)" if interrupted else ""))
    return 1 if any(tally.bad.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
