"""Languages: the English prose is the key (as in gettext), each language a catalogue.

Titles, justifications, line notes, assumptions and the fixed words of the output
are translated; the mathematics is the same in every language, and the technical
`method` notes stay in English. Chinese follows the seed document's own phrasing
(e.g. 根据复合函数求导原则, "by the chain rule").
"""

from __future__ import annotations

LANGS = ("en", "zh")

ZH: dict[str, str] = {
    # softmax-ce: titles
    "Softmax": "Softmax 激活",
    "Cross-entropy loss": "交叉熵损失",
    "Chain rule over a new index $j$": "复合函数求导：引入新下标 $j$",
    "Derivative of one loss term": "对 $@p_j$ 求导",
    "Both cases at once: the softmax derivative": "两种情况合写：softmax 的导数",
    "Case $j = i$: quotient rule": "$j = i$ 时：商的求导法则",
    "Case $j ≠ i$": "$j ≠ i$ 时",
    "Combine the two cases": "把两部分加起来",
    "Labels sum to one": "标签之和为 1",
    "Claim": "结论",
    # softmax-ce: justifications
    "Definition: the softmax turns the logits $@f_0 … @f_{@C-1}$ into probabilities that sum to one.": "定义：模型最后一层的输出 $@f_0 … @f_{@C-1}$ 经过 softmax 激活之后记为 $@p_0 … @p_{@C-1}$，其和为 1。",
    "Definition, with log the natural logarithm; $L_j = -@y_j log @p_j$ is the term of class $j$.": "定义，其中 log 的底是 e，即 log 为 ln；$L_j = -@y_j log @p_j$ 是第 $j$ 类的那一项。",
    "Every $@p_j$ depends on every $@f_i$ (the softmax denominator holds them all) and $L_j$ holds only "
    "$@p_j$, so the chain rule sums over a new index $j$.": "根据复合函数求导原则：softmax 的分母中包含了每个神经元的输出，所有的 $@p_j$ 对任意的 $@f_i$ "
    "求偏导都不为 0，而 $L$ 中又包含了所有的 $@p_j$，所以需要引入一个新的下标 $j$。",
    "log is the natural logarithm, so $∂ log @p / ∂@p = 1/@p$.": "log 的底是 e，所以 $∂ log @p / ∂@p = 1/@p$。",
    "The quotient rule with $∂e^{@f_j}/∂@f_i = δ_{ij} e^{@f_j}$ and $∂(Σ_k e^{@f_k})/∂@f_i = e^{@f_i}$; "
    "the Kronecker delta $δ_{ij}$ is 1 when $j = i$ and 0 otherwise.": "商的求导法则，其中 $∂e^{@f_j}/∂@f_i = δ_{ij} e^{@f_j}$，$∂(Σ_k e^{@f_k})/∂@f_i = e^{@f_i}$；"
    "$j = i$ 时 $δ_{ij} = 1$，否则为 0。",
    "The quotient rule $(u/v)′ = (u′v - uv′)/v²$, with $(e^{@f_i})′ = e^{@f_i}$ and $(Σ_k e^{@f_k})′ = e^{@f_i}$.": "商的求导法则 $(u/v)′ = (u′v - uv′)/v²$，其中 $(e^{@f_i})′ = e^{@f_i}$，$(Σ_k e^{@f_k})′ = e^{@f_i}$。",
    "The quotient rule again; now $e^{@f_j}$ does not depend on $@f_i$, so its derivative is 0.": "仍用商的求导法则；此时 $e^{@f_j}$ 不含 $@f_i$，其导数为 0。",
    "Split the chain-rule sum into its $j = i$ term and the rest, then insert steps 4, 6 and 7.": "对于最后的偏导数，需要把 $j = i$ 与 $j ≠ i$ 两个部分加起来，并代入第 4、6、7 步。",
    "The labels are a probability vector (one-hot or not), so $Σ_j @y_j = 1$.": "标签是一个概率向量（例如 one-hot），所以 $Σ_j @y_j = 1$。",
    "The claimed closed form, checked directly against the definitions, independently of the steps above.": "所声称的结果，直接按定义验证，与上面的步骤无关。",
    # softmax-ce: line notes
    "definition": "定义",
    "the numerators add up to the denominator": "各分子之和即分母",
    "rename the summation index; $L_j = -@y_j log @p_j$": "换求和下标；$L_j = -@y_j log @p_j$",
    "chain rule": "复合函数求导",
    "definition of $L_j$": "$L_j$ 的定义",
    "$∂ log @p / ∂@p = 1/@p$": "$∂ log @p / ∂@p = 1/@p$",
    "definition of $@p_j$": "$@p_j$ 的定义",
    "quotient rule": "商的求导法则",
    "both derivatives": "两个导数",
    "definition of $@p_i$ and $@p_j$": "$@p_i$ 与 $@p_j$ 的定义",
    "definition of $@p_i$": "$@p_i$ 的定义",
    "both derivatives equal $e^{@f_i}$": "两个导数都等于 $e^{@f_i}$",
    "split the fraction": "拆开分式",
    "factor": "提取公因式",
    "the general form with $j = i$": "一般形式取 $j = i$",
    "$δ_{ii} = 1$": "$δ_{ii} = 1$",
    "$(e^{@f_j})′ = 0$ and $(Σ_k e^{@f_k})′ = e^{@f_i}$": "$(e^{@f_j})′ = 0$，$(Σ_k e^{@f_k})′ = e^{@f_i}$",
    "the general form": "一般形式",
    "$δ_{ij} = 0$ for $j ≠ i$": "$j ≠ i$ 时 $δ_{ij} = 0$",
    "For $@C = 1$ there is no $j ≠ i$: this case is empty.": "$@C = 1$ 时不存在 $j ≠ i$：这种情况为空。",
    "chain rule (step 3)": "复合函数求导（第 3 步）",
    "split off the term $j = i$": "分出 $j = i$ 的一项",
    "steps 4, 6 and 7": "第 4、6、7 步",
    "cancel $@p_i$ and $@p_j$": "约去 $@p_i$ 与 $@p_j$",
    "multiply out": "展开",
    "the sum over $j ≠ i$ lacked exactly the term $j = i$, $@p_i @y_i$": "$j ≠ i$ 的求和中刚好缺了 $j = i$ 的一项 $@p_i @y_i$",
    "$@p_i$ does not depend on $j$": "$@p_i$ 与 $j$ 无关",
    "$Σ_j @y_j = 1$": "$Σ_j @y_j = 1$",
    "claim": "结论",
    "It would hold if $Σ_j @y_j = 1$, which --labels soft does not assume (use --labels onehot).": "若 $Σ_j @y_j = 1$ 则成立，但 --labels soft 不作此假设（请用 --labels onehot）。",
    # assumptions
    "log is the natural logarithm (base e)": "log 的底是 e，即 log 为 ln",
    "$@f_0 … @f_{@C-1}$ are real": "$@f_0 … @f_{@C-1}$ 为实数",
    "$0 ≤ i, j ≤ @C-1$": "$0 ≤ i, j ≤ @C-1$",
    "$@C ≥ 1$": "$@C ≥ 1$",
    "$Σ_j @y_j = 1$ (the labels are a probability vector, e.g. one-hot)": "$Σ_j @y_j = 1$（标签是概率向量，例如 one-hot）",
}

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "assumptions": "Assumptions",
        "result": "Result",
        "method": "method",
        "proved": "proved for every $@C$",
        "verified": "verified for $@C = {classes}$",
        "checked": "checked for listed $@C$ only",
        "failed": "failed",
        "pending": "not checked",
        "sum-failed": "✗ Verification failed: {count} of {total} steps failed ({names}).",
        "sum-incomplete": "~ Proof incomplete: {count} of {total} steps are only checked for listed values of $@C$ "
        "({names}); the others are proved for every $@C$.",
        "sum-proved": "✓ Proved for every $@C ≥ 1$ and every index: all {total} steps hold symbolically.",
        "sum-verified": "✓ Verified exactly for $@C = {classes}$ and every index: all {total} steps hold.",
        "every-c": "every $@C$",
        "title": "Gradient of {loss}",
        "counterexample": "counterexample",
        "left": "left side",
        "right": "right side",
    },
    "zh": {
        "assumptions": "假设",
        "result": "结果",
        "method": "验证方法",
        "proved": "对所有 $@C$ 已证明",
        "verified": "对 $@C = {classes}$ 已验证",
        "checked": "仅对所列的 $@C$ 检查过",
        "failed": "验证失败",
        "pending": "未检查",
        "sum-failed": "✗ 验证失败：{total} 步中有 {count} 步失败（{names}）。",
        "sum-incomplete": "~ 证明不完整：{total} 步中有 {count} 步仅对所列的 $@C$ 检查过（{names}），"
        "其余对所有 $@C$ 已证明。",
        "sum-proved": "✓ 对所有 $@C ≥ 1$ 与所有下标已证明：全部 {total} 步符号成立。",
        "sum-verified": "✓ 对 $@C = {classes}$ 与所有下标已精确验证：全部 {total} 步成立。",
        "every-c": "所有 $@C$",
        "title": "{loss} 的梯度",
        "counterexample": "反例",
        "left": "左边",
        "right": "右边",
    },
}


def tr(text: str, lang: str) -> str:
    """`text` in `lang`; English (the key itself) where the catalogue has no entry."""
    return ZH.get(text, text) if lang == "zh" else text


def word(key: str, lang: str, **values: object) -> str:
    """A fixed phrase of the output, with its placeholders filled."""
    return WORDS[lang][key].format(**values)
