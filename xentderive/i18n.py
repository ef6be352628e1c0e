"""Languages: the English prose is the key (as in gettext), each language a catalogue.

Titles, justifications, line notes, assumptions and the fixed words of the output
are translated; the mathematics is the same in every language, and the technical
`method` notes stay in English. Chinese follows the seed document's own phrasing
(e.g. 根据复合函数求导原则, "by the chain rule").
"""

from __future__ import annotations

import re

LANGS = ("en", "zh")

ZH: dict[str, str] = {
    "restates the result: SymPy expands entry i of the vector expression to the index form the steps proved": "重述结果：SymPy 把向量表达式的第 i 个分量展开，得到上面各步证明的下标形式",
    "restates the result: SymPy expands entry (i, j) of the matrix expression to the index form the steps proved": "重述结果：SymPy 把矩阵表达式的 (i, j) 元展开，得到上面各步证明的下标形式",
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
    "$Σ_j @y_j = 1$ and $@y_j ≥ 0$ (the labels are a probability vector, e.g. one-hot)": "$Σ_j @y_j = 1$ 且 $@y_j ≥ 0$（标签是概率向量，例如 one-hot）",
    "Stated for $@C ≥ 2$, where $0 < @p_j < 1$: at $@C = 1$, $1 - @p_0 = 0$, the loss is identically 0 and the "
    "closed form has $0^{γ - 1}$, which has no value for $γ < 1$.": "对 $@C ≥ 2$ 陈述，此时 $0 < @p_j < 1$：$@C = 1$ 时 "
    "$1 - @p_0 = 0$，损失恒为 0，而闭式中出现 $0^{γ - 1}$，当 $γ < 1$ 时没有定义。",
    "$@C ≥ 2$": "$@C ≥ 2$",
    # the catalogue (xentderive list): titles, justifications, notes, conventions, in output order
    "PyTorch: nll_loss(log_softmax(f), y) with reduction='sum' is this $L$ for one-hot $@y$; cross_entropy fuses the two and has the same gradient.": "PyTorch：nll_loss(log_softmax(f), y)（reduction='sum'）对 one-hot 的 $@y$ 就是这里的 $L$；cross_entropy 把两者合在一起，梯度相同。",
    "Log-softmax": "Log-softmax",
    "Definition: $s_j = log @p_j$, computed as $@f_j - log Σ_k e^{@f_k}$ without forming $@p$.": "定义：$s_j = log @p_j$，按 $@f_j - log Σ_k e^{@f_k}$ 计算，不必先求 $@p$。",
    "log of a quotient": "商的对数",
    "so $s_j = log @p_j$": "所以 $s_j = log @p_j$",
    "Negative log-likelihood": "负对数似然",
    "Definition: the loss is minus the label-weighted log-probabilities.": "定义：损失是以标签为权重的对数概率之和取负。",
    "Derivative of the log-softmax": "log-softmax 的导数",
    "$∂@f_j/∂@f_i = δ_{ij}$ and $∂ log(Σ_k e^{@f_k})/∂@f_i = e^{@f_i}/Σ_k e^{@f_k}$.": "$∂@f_j/∂@f_i = δ_{ij}$，$∂ log(Σ_k e^{@f_k})/∂@f_i = e^{@f_i}/Σ_k e^{@f_k}$。",
    "definition of $s_j$": "$s_j$ 的定义",
    "chain rule for log": "log 的复合函数求导",
    "$(Σ_k e^{@f_k})′ = e^{@f_i}$": "$(Σ_k e^{@f_k})′ = e^{@f_i}$",
    "Chain rule": "复合函数求导",
    "$L$ is linear in the $s_j$; the Kronecker delta picks out $j = i$.": "$L$ 关于各 $s_j$ 是线性的；Kronecker delta 取出 $j = i$ 的一项。",
    "linearity": "线性",
    "step 3": "第 3 步",
    "$Σ_j @y_j δ_{ij} = @y_i$": "$Σ_j @y_j δ_{ij} = @y_i$",
    "$0 ≤ eps ≤ 1$": "$0 ≤ eps ≤ 1$",
    "In PyTorch, cross_entropy with label_smoothing = eps gives every class $eps/@C$, the true class included; so the target is $(1 - eps) @y_j + eps/@C$, not $eps/(@C - 1)$ spread over the other classes.": "在 PyTorch 中，cross_entropy 取 label_smoothing = eps 时，每一类（包括真实类别）都分到 $eps/@C$，所以目标为 $(1 - eps) @y_j + eps/@C$，而不是把 $eps/(@C - 1)$ 分给其余各类。",
    "Smoothed labels": "平滑后的标签",
    "Definition: a share $eps$ of the label mass is spread evenly over all $@C$ classes.": "定义：把标签总量中的 $eps$ 平均分给全部 $@C$ 类。",
    "$Σ_j 1 = @C$": "$Σ_j 1 = @C$",
    "Cross-entropy against the smoothed labels": "对平滑标签的交叉熵",
    "Definition: the cross-entropy with $t$ in place of $@y$.": "定义：用 $t$ 代替 $@y$ 的交叉熵。",
    "Gradient": "梯度",
    "The seed's derivation holds for any labels, not only one-hot ones: here they are $t$.": "原文的推导对任意标签成立，不限于 one-hot：这里标签为 $t$。",
    "the seed with labels $t$": "原文推导，标签取 $t$",
    "step 1": "第 1 步",
    "The labels are a probability vector, so $Σ_j @y_j = 1$ and then $Σ_j t_j = 1$ too.": "标签是概率向量，所以 $Σ_j @y_j = 1$，从而 $Σ_j t_j = 1$。",
    "definition of $t_i$": "$t_i$ 的定义",
    "$T > 0$": "$T > 0$",
    "The logits are divided by $T$ before the softmax (as in knowledge distillation); the gradient is taken with respect to the raw logits $@f$, hence the factor $1/T$. Distillation losses often multiply by $T^2$ to undo it; that factor is not included here.": "logits 在 softmax 之前先除以 $T$（如知识蒸馏）；梯度是对原始 logits $@f$ 求的，所以多出因子 $1/T$。蒸馏损失常再乘以 $T^2$ 抵消它；这里不含该因子。",
    "Softmax with temperature": "带温度的 softmax",
    "Definition: the logits are divided by the temperature $T$ before the softmax.": "定义：logits 先除以温度 $T$，再做 softmax。",
    "The softmax derivative, with temperature": "带温度的 softmax 导数",
    "The quotient rule with $∂e^{@f_j/T}/∂@f_i = δ_{ij} e^{@f_j/T}/T$ and $∂(Σ_k e^{@f_k/T})/∂@f_i = e^{@f_i/T}/T$.": "商的求导法则，其中 $∂e^{@f_j/T}/∂@f_i = δ_{ij} e^{@f_j/T}/T$，$∂(Σ_k e^{@f_k/T})/∂@f_i = e^{@f_i/T}/T$。",
    "Combine": "合并",
    "Insert steps 4 and 5 into the chain rule; the Kronecker delta picks out $j = i$.": "把第 4、5 步代入复合函数求导的式子；Kronecker delta 取出 $j = i$ 的一项。",
    "steps 4 and 5": "第 4、5 步",
    "cancel $@p_j$": "约去 $@p_j$",
    "$w_m ≥ 0$": "$w_m ≥ 0$",
    "PyTorch's cross_entropy(..., weight=w, reduction='sum'): the term of class $j$ is scaled by $w_j$. With reduction='mean' and class-index targets PyTorch also divides by the summed weights of the targets, which is not included here.": "PyTorch 的 cross_entropy(..., weight=w, reduction='sum')：第 $j$ 类的那一项乘以 $w_j$。若 reduction='mean' 且目标为类别下标，PyTorch 还会除以各目标类别权重之和，这里不含这一步。",
    "Weights without a given value stay unknowns, so the proof holds for every weight vector.": "未给定数值的权重保持为未知量，所以证明对任意权重向量成立。",
    "Weighted cross-entropy": "加权交叉熵",
    "Definition: class $j$'s term $L_j = -w_j @y_j log @p_j$ carries the weight $w_j$.": "定义：第 $j$ 类的一项 $L_j = -w_j @y_j log @p_j$ 带有权重 $w_j$。",
    "$L_j = -w_j @y_j log @p_j$": "$L_j = -w_j @y_j log @p_j$",
    "The weight is a constant factor; $∂ log @p/∂@p = 1/@p$.": "权重是常数因子；$∂ log @p/∂@p = 1/@p$。",
    "$Σ_j w_j @y_j δ_{ij} = w_i @y_i$": "$Σ_j w_j @y_j δ_{ij} = w_i @y_i$",
    "PyTorch's binary_cross_entropy_with_logits(..., reduction='sum'): each output has its own logit and $@p_i = σ(@f_i) = 1/(1 + e^{-@f_i})$, with no softmax across outputs; $@C = 1$ is the textbook case of one logit $x$. The labels are each in $[0, 1]$ (multi-label); the gradient needs no $Σ_j @y_j = 1$.": "PyTorch 的 binary_cross_entropy_with_logits(..., reduction='sum')：每个输出有自己的 logit，$@p_i = σ(@f_i) = 1/(1 + e^{-@f_i})$，各输出之间没有 softmax；$@C = 1$ 即教科书中只有一个 logit $x$ 的情形。每个标签都在 $[0, 1]$ 内（多标签）；梯度不需要 $Σ_j @y_j = 1$。",
    "Sigmoid": "Sigmoid",
    "Definition: the logistic sigmoid maps each logit to a probability on its own.": "定义：logistic sigmoid 把每个 logit 各自映射为一个概率。",
    "common denominator": "通分",
    "Binary cross-entropy": "二元交叉熵",
    "Definition, with log the natural logarithm; $L_j$ is the term of output $j$.": "定义，其中 log 的底是 e；$L_j$ 是第 $j$ 个输出的那一项。",
    "$L_j = -(@y_j log @p_j + (1 - @y_j) log(1 - @p_j))$": "$L_j = -(@y_j log @p_j + (1 - @y_j) log(1 - @p_j))$",
    "The chain rule sums over $j$, but $@p_j$ holds $@f_j$ alone, so only the term $j = i$ remains.": "复合函数求导要对 $j$ 求和，但 $@p_j$ 只含 $@f_j$，所以只剩 $j = i$ 的一项。",
    "$∂@p_j/∂@f_i = 0$ for $j ≠ i$": "$j ≠ i$ 时 $∂@p_j/∂@f_i = 0$",
    "$∂ log @p/∂@p = 1/@p$ and $∂ log(1 - @p)/∂@p = -1/(1 - @p)$.": "$∂ log @p/∂@p = 1/@p$，$∂ log(1 - @p)/∂@p = -1/(1 - @p)$。",
    "definition of $L_i$": "$L_i$ 的定义",
    "derivative of log": "log 的导数",
    "Derivative of the sigmoid": "sigmoid 的导数",
    "The chain rule on $1/(1 + e^{-@f_i})$, then the fraction split into the two factors of step 1.": "对 $1/(1 + e^{-@f_i})$ 用复合函数求导，再把分式拆成第 1 步中的两个因子。",
    "Insert steps 4 and 5 into step 3; $@p_i (1 - @p_i)$ cancels.": "把第 4、5 步代入第 3 步；约去 $@p_i (1 - @p_i)$。",
    "cancel $@p_i (1 - @p_i)$": "约去 $@p_i (1 - @p_i)$",
    "$0 ≤ gamma ≤ 10$": "$0 ≤ gamma ≤ 10$",
    "The focal loss of Lin et al. (2017) over softmax probabilities, $L = -Σ_j @y_j (1 - @p_j)^γ log @p_j$, without the class weights $α$ (see weighted-ce for those); $γ = 0$ gives back the cross-entropy.": "Lin 等人（2017）的 focal loss，作用于 softmax 概率：$L = -Σ_j @y_j (1 - @p_j)^γ log @p_j$，不含类别权重 $α$（见 weighted-ce）；$γ = 0$ 时即为交叉熵。",
    "$g_j = @y_j (1 - @p_j)^{γ - 1} (1 - @p_j - γ @p_j log @p_j)$ is a name for this printout only: every line is checked with its definition inserted.": "$g_j = @y_j (1 - @p_j)^{γ - 1} (1 - @p_j - γ @p_j log @p_j)$ 只是本输出中的记号：每一行都代入其定义后验证。",
    "Focal loss": "Focal 损失",
    "Definition: the factor $(1 - @p_j)^γ$ shrinks the loss of classes already predicted well.": "定义：因子 $(1 - @p_j)^γ$ 减小已经预测得好的类别的损失。",
    "$L_j = -@y_j (1 - @p_j)^γ log @p_j$": "$L_j = -@y_j (1 - @p_j)^γ log @p_j$",
    "The product rule on $(1 - @p_j)^γ · log @p_j$, then the common factor $(1 - @p_j)^{γ - 1}$ taken out; $g_j$ names what remains.": "对 $(1 - @p_j)^γ · log @p_j$ 用乘积的求导法则，再提出公因式 $(1 - @p_j)^{γ - 1}$；剩下的部分记为 $g_j$。",
    "product rule": "乘积的求导法则",
    "factor out $(1 - @p_j)^{γ - 1}/@p_j$": "提出 $(1 - @p_j)^{γ - 1}/@p_j$",
    "$g_j = @y_j (1 - @p_j)^{γ - 1} (1 - @p_j - γ @p_j log @p_j)$": "$g_j = @y_j (1 - @p_j)^{γ - 1} (1 - @p_j - γ @p_j log @p_j)$",
    "$Σ_j g_j δ_{ij} = g_i$": "$Σ_j g_j δ_{ij} = g_i$",
    "Row $i$, column $j$ is $∂@p_j/∂@f_i$; the matrix is symmetric, so the other convention gives the same.": "第 $i$ 行第 $j$ 列是 $∂@p_j/∂@f_i$；矩阵是对称的，另一种约定结果相同。",
    "$@y_j ≥ 0$ (the labels are nonnegative)": "$@y_j ≥ 0$（标签非负）",
    "$H_{ij} = ∂²L/∂@f_i∂@f_j$. The positive semidefinite step holds for any direction $x$ and labels $@y_j ≥ 0$; it is what makes cross-entropy convex in the logits.": "$H_{ij} = ∂²L/∂@f_i∂@f_j$。半正定这一步对任意方向 $x$ 和标签 $@y_j ≥ 0$ 成立；交叉熵关于 logits 是凸函数正是因为它。",
    "The gradient": "梯度",
    "Derived step by step by softmax-ce (for any labels); checked again here against the definitions.": "softmax-ce 已逐步推导（对任意标签）；这里再按定义验证一次。",
    "softmax-ce": "softmax-ce",
    "Second derivatives": "二阶导数",
    "Differentiate the gradient with respect to $@f_j$: only $@p_i$ depends on it.": "把梯度对 $@f_j$ 求导：只有 $@p_i$ 与它有关。",
    "the labels do not depend on $@f$": "标签与 $@f$ 无关",
    "the softmax derivative, $i$ and $j$ swapped": "softmax 的导数，$i$ 与 $j$ 互换",
    "$Σ_k @y_k = 1$": "$Σ_k @y_k = 1$",
    "Symmetric": "对称",
    "$δ_{ij}$ is symmetric, and where it is 1, $i = j$; so $H_{ij} = H_{ji}$.": "$δ_{ij}$ 是对称的，且它为 1 时 $i = j$；所以 $H_{ij} = H_{ji}$。",
    "step 4": "第 4 步",
    "$δ_{ij} @p_i = δ_{ij} @p_j$": "$δ_{ij} @p_i = δ_{ij} @p_j$",
    "step 4 with $i$ and $j$ swapped": "第 4 步，$i$ 与 $j$ 互换",
    "Rows sum to zero": "每行之和为零",
    "Adding the same number to every logit leaves the softmax unchanged, so the gradient does not move along $(1, …, 1)$: $H$ maps it to zero.": "每个 logit 加上同一个数，softmax 不变，所以梯度沿 $(1, …, 1)$ 方向不变：$H$ 把它映为零。",
    "$δ_{ij}$ picks $j = i$": "$δ_{ij}$ 取出 $j = i$",
    "$Σ_j @p_j = 1$ (step 1)": "$Σ_j @p_j = 1$（第 1 步）",
    "Positive semidefinite": "半正定",
    "For any direction $x$, $xᵀHx$ is $Σ_k @y_k$ times the variance of $x$ under $@p$: a sum of squares.": "对任意方向 $x$，$xᵀHx$ 等于 $Σ_k @y_k$ 乘以 $x$ 在 $@p$ 下的方差：一个平方和。",
    "$δ_{ij}$ picks $j = i$; the rest factors": "$δ_{ij}$ 取出 $j = i$；其余部分因式分解",
    "expand the square": "展开平方",
    "$@p_i > 0$, squares $≥ 0$ and $@y_k ≥ 0$": "$@p_i > 0$，平方 $≥ 0$，且 $@y_k ≥ 0$",
    # the engine (losses written as expressions) and the catalogue entries built on it
    "The loss": "损失函数",
    "Definition, with log the natural logarithm.": "定义，其中 log 为自然对数 ln。",
    "Every $@p_j$ depends on every $@f_i$ through the softmax sum; $L$ also names the logits themselves, so a direct "
    "term $(∂L/∂@f_i)_{@p}$, with $@p$ held fixed, joins the sum.": "softmax 的分母中包含了每个 $@f_i$，所以每个 $@p_j$ "
    "都依赖于 $@f_i$；$L$ 中还直接出现了 $@f$，所以再加上固定 $@p$ 时的直接项 $(∂L/∂@f_i)_{@p}$。",
    "Every $@p_j$ depends on every $@f_i$ through the softmax sum.": "softmax 的分母中包含了每个 $@f_i$，所以每个 $@p_j$ "
    "都依赖于 $@f_i$。",
    "Derivative with respect to one probability": "对 $@p_j$ 求导",
    "Differentiate the definition of $L$ with the logits held fixed: a sum over the classes contributes the "
    "derivative of its term at class $j$.": "固定 $@f$，对 $L$ 的定义求导：对各类求和的每个和式只贡献其第 $j$ 项的导数。",
    "definition of $L$, term by term": "$L$ 的定义，逐项求导",
    "each sum's term at class $j$ holds $@p_j$; the other classes' do not": "每个和式中只有第 $j$ 项含 $@p_j$",
    "The direct dependence on the logits": "对 $@f$ 的直接依赖",
    "The terms of $L$ that name the logits themselves, differentiated with the probabilities held fixed.": "$L$ 中直接"
    "含 $@f$ 的各项，固定 $@p$ 求导。",
    "each sum's term at class $i$, $@p$ fixed": "每个和式的第 $i$ 项，固定 $@p$",
    "Insert the derivatives into the chain rule and simplify.": "把各导数代入复合函数求导式并化简。",
    "the steps above, inserted into the chain rule": "代入上面各步",
    "the Kronecker delta picks out $j = i$": "Kronecker δ 只留下 $j = i$ 一项",
    "multiply out; factors free of $j$ out of the sum; $Σ_j @p_j = 1$ (step 1)": "展开；与 $j$ 无关的因子提到求和号外；"
    "$Σ_j @p_j = 1$（第 1 步）",
    "Softmax of transformed logits": "变换后的 logits 的 softmax",
    "Definition: each logit $@f_i$ becomes $u_i$ before the softmax.": "定义：每个 $@f_i$ 先变换为 $u_i$，再做 softmax。",
    "definition of the transform": "变换的定义",
    "The softmax derivative, through the transform": "经过变换的 softmax 导数",
    "The quotient rule, with $∂e^{u_j}/∂@f_i = δ_{ij} e^{u_j} u′(@f_i)$ and $∂(Σ_k e^{u_k})/∂@f_i = e^{u_i} "
    "u′(@f_i)$.": "商的求导法则，其中 $∂e^{u_j}/∂@f_i = δ_{ij} e^{u_j} u′(@f_i)$，"
    "$∂(Σ_k e^{u_k})/∂@f_i = e^{u_i} u′(@f_i)$。",
    "The steps are derived mechanically from the definition of $L$, by the engine that differentiates "
    "any loss of the probabilities, labels and logits.": "这些步骤由 $L$ 的定义机械地推出："
    "所用引擎可对任意由概率、标签与 logits 写成的损失求导。",
    "The steps are derived mechanically from the definition of $L$, by the engine that differentiates "
    "any loss of the probabilities, labels and logits, the logits transformed first.": "这些步骤由 $L$ 的定义机械地推出："
    "所用引擎可对任意由概率、标签与 logits 写成的损失求导，logits 先经变换。",
    "$z ≥ 0$": "$z ≥ 0$",
    "$c > 0$": "$c > 0$",
    "$-1 ≤ eps ≤ 10$": "$-1 ≤ eps ≤ 10$",
    "PaLM's auxiliary loss (Chowdhery et al., 2022): $L = -Σ_j @y_j log @p_j + z (log Σ_k e^{@f_k})^2$, with "
    "$z = 10^{-4}$ there; it pulls the log-partition $log Σ_k e^{@f_k}$ towards 0.": "PaLM 的辅助损失（Chowdhery 等，"
    "2022）：$L = -Σ_j @y_j log @p_j + z (log Σ_k e^{@f_k})^2$，其中取 $z = 10^{-4}$；它使配分函数的对数 "
    "$log Σ_k e^{@f_k}$ 趋近于 0。",
    "Gemma 2 (2024) caps the final logits as $u_j = c · tanh(@f_j / c)$ with $c = 30$, then applies the softmax; $@p$ "
    "is the softmax of the capped logits and the gradient is with respect to the raw $@f$.": "Gemma 2（2024）把最后的 "
    "logits 软截断为 $u_j = c · tanh(@f_j / c)$（取 $c = 30$），再做 softmax；$@p$ 是截断后 logits 的 softmax，"
    "梯度对原始的 $@f$ 求。",
    "Poly-1 of Leng et al. (2022): $L = -Σ_j @y_j log @p_j + ε Σ_j @y_j (1 - @p_j)$; with one-hot labels the added "
    "term is $ε (1 - @p_t)$. The paper's range starts at $ε = -1$.": "Leng 等（2022）的 Poly-1：$L = -Σ_j @y_j log "
    "@p_j + ε Σ_j @y_j (1 - @p_j)$；one-hot 标签时附加项为 $ε (1 - @p_t)$。论文中的取值范围从 $ε = -1$ 开始。",
    # batch-mean
    "$0 ≤ n ≤ N-1$: the component is $∂L/∂@f_{n,i}$, of sample $n$": "$0 ≤ n ≤ N-1$：所求分量为第 $n$ 个样本的 "
    "$∂L/∂@f_{n,i}$",
    "$kept_m ≥ 0$ (1 for a kept sample, 0 for an ignored one) and $Σ_m kept_m > 0$ (at least one kept)": "$kept_m ≥ 0$"
    "（保留的样本为 1，被忽略的为 0），且 $Σ_m kept_m > 0$（至少保留一个样本）",
    "$N ≥ 1$": "$N ≥ 1$",
    "A batch of $N$ samples, each with $@C$ logits $@f_{m,k}$ and labels $@y_{m,k}$; $kept_m = 1$ for a sample that "
    "counts and 0 for one whose target is PyTorch's ignore_index (any $kept_m ≥ 0$ is covered), with at least one "
    'sample kept. $L = Σ_m kept_m L_m / Σ_m kept_m$ is PyTorch\'s reduction="mean": it divides by the number of '
    "kept samples, not by $N$.": "一批 $N$ 个样本，每个样本有 $@C$ 个 logits $@f_{m,k}$ 与标签 $@y_{m,k}$；计入的样本 "
    "$kept_m = 1$，目标为 PyTorch 的 ignore_index 的样本 $kept_m = 0$（任意 $kept_m ≥ 0$ 都成立），且至少保留一个样本。"
    '$L = Σ_m kept_m L_m / Σ_m kept_m$ 即 PyTorch 的 reduction="mean"：除以保留的样本数，而不是 $N$。',
    "In a claim, $p_i$, $y_i$ and $f_i$ are sample $n$'s, $kept_n$ is its flag and $K$ is $Σ_m kept_m$. For a number "
    "of classes or of samples, each step is verified by its proof for every $N$ and $@C$.": "结论中的 $p_i$、$y_i$、"
    "$f_i$ 指第 $n$ 个样本的量，$kept_n$ 是它的标记，$K$ 即 $Σ_m kept_m$。给定类别数或样本数时，每一步由其对所有 "
    "$N$ 与 $@C$ 的证明来验证。",
    "Softmax of each sample": "每个样本的 softmax",
    "Definition: each sample's logits $@f_{n,0} … @f_{n,@C-1}$ become its own probabilities.": "定义：每个样本的 "
    "logits $@f_{n,0} … @f_{n,@C-1}$ 变为它自己的概率。",
    "Mean over the kept samples": "对保留样本取平均",
    "Definition: each sample's cross-entropy, weighted by its keep flag, over the number of kept samples.": "定义："
    "每个样本的交叉熵乘以其保留标记，再除以保留的样本数。",
    "definition of $L_n$": "$L_n$ 的定义",
    "Only sample $n$ holds $@f_{n,i}$": "只有第 $n$ 个样本含 $@f_{n,i}$",
    "The other samples' terms do not depend on $@f_{n,i}$, nor does the count $Σ_m kept_m$.": "其他样本的项不含 "
    "$@f_{n,i}$，计数 $Σ_m kept_m$ 也不含。",
    "sample $n$'s term": "第 $n$ 个样本的项",
    "One sample's gradient": "单个样本的梯度",
    "The seed's result (softmax-ce) for sample $n$.": "对第 $n$ 个样本应用原文的结果（softmax-ce）。",
    "softmax-ce, steps 3 to 8": "softmax-ce 第 3 至 8 步",
    "Insert step 4 into step 3.": "把第 4 步代入第 3 步。",
    "step 4 in step 3": "第 4 步代入第 3 步",
}

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "assumptions": "Assumptions",
        "convention": "Convention",
        "parameters": "Parameters",
        "result": "Result",
        "method": "method",
        "proved": "proved for every $@C$",
        "verified": "verified for $@C = {classes}$",
        "checked": "not proved: checked for listed $@C$ only",
        "unproved": "not proved",
        "failed": "failed",
        "pending": "not checked",
        "sum-failed": "✗ Verification failed: {count} of {total} steps failed ({names}).",
        "sum-incomplete": "~ Not proved: {count} of {total} steps are not proved ({names}); "
        "each says what was and was not established.",
        "sum-proved": "✓ Proved for every $@C ≥ {low}$ and every index: all {total} steps hold symbolically.",
        "sum-verified": "✓ Verified exactly for $@C = {classes}$ and every index: all {total} steps hold.",
        "every-c": "every $@C$",
        "title": "Gradient of {loss}",
        "vector-form": "Vector form",
        "counterexample": "counterexample",
        "left": "left side",
        "right": "right side",
        "colon": ": ",
        "stop": ".",
        "sep": "; ",
    },
    "zh": {
        "assumptions": "假设",
        "convention": "约定",
        "parameters": "参数",
        "result": "结果",
        "method": "验证方法",
        "proved": "对所有 $@C$ 已证明",
        "verified": "对 $@C = {classes}$ 已验证",
        "checked": "未证明：仅对所列的 $@C$ 检查过",
        "unproved": "未证明",
        "failed": "验证失败",
        "pending": "未检查",
        "sum-failed": "✗ 验证失败：{total} 步中有 {count} 步失败（{names}）。",
        "sum-incomplete": "~ 未证明：{total} 步中有 {count} 步未证明（{names}）；每步说明已确立与未确立的内容。",
        "sum-proved": "✓ 对所有 $@C ≥ {low}$ 与所有下标已证明：全部 {total} 步符号成立。",
        "sum-verified": "✓ 对 $@C = {classes}$ 与所有下标已精确验证：全部 {total} 步成立。",
        "every-c": "所有 $@C$",
        "title": "{loss} 的梯度",
        "vector-form": "向量形式",
        "counterexample": "反例",
        "left": "左边",
        "right": "右边",
        "colon": "：",  # full-width, as Chinese prose punctuates
        "stop": "。",
        "sep": "；",
    },
}


# What a document about each derivation is called: a Hessian or a Jacobian is not a gradient.
TITLES = {
    "softmax-ce": ("Gradient of softmax cross-entropy", "softmax 交叉熵的梯度"),
    "log-softmax-nll": ("Gradient of the negative log-likelihood of log-softmax", "log-softmax 负对数似然的梯度"),
    "label-smoothing": ("Gradient of cross-entropy with label smoothing", "标签平滑交叉熵的梯度"),
    "temperature": ("Gradient of cross-entropy with a softmax temperature", "带温度 softmax 交叉熵的梯度"),
    "weighted-ce": ("Gradient of class-weighted cross-entropy", "类别加权交叉熵的梯度"),
    "sigmoid-bce": ("Gradient of sigmoid binary cross-entropy", "sigmoid 二元交叉熵的梯度"),
    "focal": ("Gradient of the focal loss", "focal 损失的梯度"),
    "softmax-jacobian": ("Jacobian of the softmax", "softmax 的雅可比矩阵"),
    "ce-hessian": ("Hessian of softmax cross-entropy", "softmax 交叉熵的黑塞矩阵"),
    "z-loss": ("Gradient of cross-entropy with z-loss", "带 z-loss 的交叉熵的梯度"),
    "softcap": ("Gradient of soft-capped cross-entropy", "软上限（soft-cap）交叉熵的梯度"),
    "poly1": ("Gradient of the Poly-1 loss", "Poly-1 损失的梯度"),
    "batch-mean": ("Gradient of the batch-mean cross-entropy", "批平均交叉熵的梯度"),
    "custom": ("Gradient of a user-defined loss", "自定义损失的梯度"),  # --loss-expr
}


def title(loss: str, lang: str) -> str:
    """The human title of a derivation: "Hessian of softmax cross-entropy", not "Gradient of ce-hessian"."""
    if loss in TITLES:
        return TITLES[loss][lang == "zh"]
    return word("title", lang, loss=loss)


# Prose built around values (a parameter's given value): translated by its pattern.
ZH_PATTERNS = [(re.compile(r"^(\$[^$]*\$) \(a fixed value\)$"), r"\1（固定取值）")]


def tr(text: str, lang: str) -> str:
    """`text` in `lang`; English (the key itself) where the catalogue has no entry."""
    if lang != "zh":
        return text
    if text in ZH:
        return ZH[text]
    for pattern, replacement in ZH_PATTERNS:
        if pattern.match(text):
            return pattern.sub(replacement, text)
    return text


def word(key: str, lang: str, **values: object) -> str:
    """A fixed phrase of the output, with its placeholders filled."""
    return WORDS[lang][key].format(**values)
