"""Write the correct documents, their single-slip copies and manifest.json."""
import json
import os

from corpus import DOCS, ROOT, render, apply_slip, slip_name, find_line, is_nb, nb_position

SEED_SRC = "/work/shared/seed/000_f99374e0678ef1a1.txt"
# (line, what) -- checked against the seed's text below
SEED_SLIPS = [
    (68, r"log^{p_{i}}"),
    (184, r"log^{p_{j}}"),
    (186, r"log^{p_{j}}"),
    (193, r"(p{i})^2"),
    (245, r"\sum_{j=i}^{C-1}"),
]


def main():
    manifest = []
    for name, doc in sorted(DOCS.items()):
        text = render(name, doc)
        lines = text.split("\n")
        n_lines = len(text.rstrip("\n").split("\n"))
        with open(os.path.join(ROOT, name), "w", encoding="utf-8") as f:
            f.write(text)
        needs = []
        for q, items in doc["chains"]:
            for it in items[1:]:
                if len(it) > 2 and "S" in it[2]:
                    needs.append(find_line(name, lines, it[0]))
        entry = {"file": name, "expect": "pass", "lines_total": n_lines}
        if needs:
            entry["needs_label_sum"] = sorted(set(needs))
        manifest.append(entry)
        for sl in doc["slips"]:
            st, ln = apply_slip(name, text, sl)
            items = doc["chains"][sl["chain"]][1]
            assert sl["pos"] in (0, len(items) - 1), (name, sl["suffix"])
            rhs_line = find_line(name, lines, items[1][0] if sl["pos"] == 0 else items[sl["pos"]][0])
            assert rhs_line == ln, (name, sl["suffix"], rhs_line, ln)
            sn = slip_name(name, sl["suffix"])
            with open(os.path.join(ROOT, sn), "w", encoding="utf-8") as f:
                f.write(st)
            e = {"file": sn, "expect": "wrong", "line": ln, "slip": sl["kind"], "base": name}
            if sl.get("c2"):
                e["true_only_at_two_classes"] = True
            if is_nb(name):
                ci, cl = nb_position(st, ln)
                e["cell"], e["cell_line"] = ci, cl
                e["line_note"] = "line counts lines of the .ipynb JSON file; cell is 0-based, cell_line 1-based"
            manifest.append(e)
    # seed
    seed = open(SEED_SRC, encoding="utf-8").read()
    with open(os.path.join(ROOT, "seed.txt"), "w", encoding="utf-8") as f:
        f.write(seed)
    sl = seed.split("\n")
    for ln, what in SEED_SLIPS:
        assert what in sl[ln - 1], (ln, what)
    manifest.append({
        "file": "seed.txt", "expect": "wrong-or-not-understood",
        "lines": [ln for ln, _ in SEED_SLIPS],
        "slips": {str(ln): w for ln, w in [
            (68, "log^{p_{i}} written for \\log p_i"),
            (184, "log^{p_{j}} written for \\log p_j"),
            (186, "log^{p_{j}} written for \\log p_j (the derivative -y_j/p_j itself is right)"),
            (193, "p{i} typed for p_{i} in (p{i})^2"),
            (245, "the single j = i term written as a sum \\sum_{j=i}^{C-1} (literally a sum over j = i..C-1)")]},
        "flattened_text_artifacts": [246, 282, 306, 328],
        "artifact_note": "rendered-text copies where the j\u2260i under the sum was flattened to 'j=i'",
        "needs_label_sum": [409],
    })
    with open(os.path.join(ROOT, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("wrote %d manifest entries" % len(manifest))


if __name__ == "__main__":
    main()
