# Corpus specification, part A: documents 01-08.
# Each document: text, model ('ce', 'ls' label smoothing, 'T' temperature),
# chains (quantifier, [(line locator, python expr, flags)]), slips.
# A line locator is a substring that must occur in exactly one line of the file,
# or (substring, n) for the n-th (0-based) line containing it.
# Flags: 'S' = this link (previous item = this item) needs sum_j y_j = 1.
DOCS = {}

DOCS["01_article.tex"] = dict(model="ce", text=r"""
\documentclass{article}
\usepackage{amsmath}
\begin{document}
\section*{The gradient of softmax cross-entropy}
A classifier with $K$ classes outputs logits $z_k$, which the softmax maps to
probabilities
\begin{equation}
  p_i = \frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}}. \label{eq:softmax}
\end{equation}
The label vector $y$ is one-hot, so $\sum_{k=1}^{K} y_k = 1$, and the loss is
\begin{equation}
  L = -\sum_{k=1}^{K} y_k \log p_k. \label{eq:loss}
\end{equation}
First the softmax itself. For $j = i$ the quotient rule gives
\begin{align}
  \frac{\partial p_i}{\partial z_i}
    &= \frac{e^{z_i} \sum_{k=1}^{K} e^{z_k} - e^{z_i} e^{z_i}}{\left(\sum_{k=1}^{K} e^{z_k}\right)^2} \nonumber \\
    &= p_i - p_i^2 = p_i (1 - p_i), \label{eq:diag}
\end{align}
and for $j \neq i$ only the denominator depends on $z_i$:
\begin{align}
  \frac{\partial p_j}{\partial z_i}
    &= -\frac{e^{z_j} e^{z_i}}{\left(\sum_{k=1}^{K} e^{z_k}\right)^2} \nonumber \\
    &= -p_i p_j. \label{eq:offdiag}
\end{align}
Since $\partial L / \partial p_j = -y_j / p_j$, the chain rule and a split of the sum
into the term $j = i$ and the rest give
\begin{align}
  \frac{\partial L}{\partial z_i}
    &= -\sum_{j=1}^{K} \frac{y_j}{p_j} \frac{\partial p_j}{\partial z_i} \nonumber \\
    &= -\frac{y_i}{p_i} p_i (1 - p_i) - \sum_{j \neq i} \frac{y_j}{p_j} \left(-p_i p_j\right) \nonumber \\
    &= -y_i + y_i p_i + p_i \sum_{j \neq i} y_j \nonumber \\
    &= p_i \sum_{j=1}^{K} y_j - y_i \nonumber \\
    &= p_i - y_i. \label{eq:grad}
\end{align}
The last step uses $\sum_{j=1}^{K} y_j = 1$.
\end{document}
""",
chains=[
  ("eq", [(r"\frac{\partial p_i}{\partial z_i}", "dp(i,i)"),
          (r"e^{z_i} e^{z_i}}{", "(ez(i)*E - ez(i)*ez(i))/E**2"),
          (r"&= p_i - p_i^2", "p(i) - p(i)**2"),
          (r"&= p_i - p_i^2", "p(i)*(1-p(i))")]),
  ("ne", [((r"\frac{\partial p_j}{\partial z_i}", 0), "dp(j,i)"),
          (r"&= -\frac{e^{z_j} e^{z_i}}", "-(ez(j)*ez(i))/E**2"),
          (r"&= -p_i p_j.", "-p(i)*p(j)")]),
  ("ij", [(r"Since $\partial L / \partial p_j", "dLdp(j)"),
          (r"Since $\partial L / \partial p_j", "-y(j)/p(j)")]),
  ("i",  [(r"\frac{\partial L}{\partial z_i}", "dL(i)"),
          (r"&= -\sum_{j=1}^{K} \frac{y_j}{p_j}", "-S(lambda j: y(j)/p(j)*dp(j,i))"),
          (r"&= -\frac{y_i}{p_i} p_i (1 - p_i)", "-y(i)/p(i)*p(i)*(1-p(i)) - Sne(lambda j: y(j)/p(j)*(-p(i)*p(j)))"),
          (r"&= -y_i + y_i p_i", "-y(i) + y(i)*p(i) + p(i)*Sne(y)"),
          (r"&= p_i \sum_{j=1}^{K} y_j - y_i", "p(i)*S(y) - y(i)"),
          (r"&= p_i - y_i.", "p(i) - y(i)", "S")]),
],
other={r"p_i = \frac{e^{z_i}}": "def", r"L = -\sum_{k=1}^{K}": "def",
       r"so $\sum_{k=1}^{K} y_k = 1$": "assume", r"For $j = i$": "cond",
       r"The last step uses": "assume", r"into the term $j = i$": "cond"},
slips=[
  dict(suffix="sign", kind="sign error: final result written as y_i - p_i",
       line=r"&= p_i - y_i.", old=r"p_i - y_i", new=r"y_i - p_i", chain=3, pos=5, expr="y(i) - p(i)"),
  dict(suffix="exponent", kind="wrong exponent: p_i(1-p_i)^2 instead of p_i(1-p_i)",
       line=r"&= p_i - p_i^2", old=r"p_i (1 - p_i)", new=r"p_i (1 - p_i)^2", chain=0, pos=3, expr="p(i)*(1-p(i))**2"),
])

DOCS["02_blog.md"] = dict(model="ce", text=r"""
# Why the softmax cross-entropy gradient is so simple

Every classification tutorial ends with the same line of code, `grad = probs - labels`.
Here is where it comes from. The network produces one score $f_k$ per class, and the
softmax turns the scores into predicted probabilities:

$$\hat{y}_i = \frac{e^{f_i}}{\sum_k e^{f_k}}$$

The true label $y$ is a one-hot vector (its entries sum to $1$), and the loss is

$$L = -\sum_k y_k \log \hat{y}_k$$

**Step 1: the softmax Jacobian.** With $\delta_{ij}$ the Kronecker delta,

$$\frac{\partial \hat{y}_j}{\partial f_i} = \hat{y}_j \left(\delta_{ij} - \hat{y}_i\right)$$

**Step 2: the chain rule.** Since $\partial L / \partial \hat{y}_j = -y_j / \hat{y}_j$,

$$\frac{\partial L}{\partial f_i} = -\sum_j \frac{y_j}{\hat{y}_j} \hat{y}_j \left(\delta_{ij} - \hat{y}_i\right) = -\sum_j y_j \delta_{ij} + \hat{y}_i \sum_j y_j$$

The delta picks out the term $j = i$, so $\sum_j y_j \delta_{ij} = y_i$, and with
$\sum_j y_j = 1$:

$$\frac{\partial L}{\partial f_i} = \hat{y}_i - y_i$$

That is the whole story: predicted minus true.
""",
chains=[
  ("ij", [(r"$$\frac{\partial \hat{y}_j}{\partial f_i}", "dp(j,i)"),
          (r"$$\frac{\partial \hat{y}_j}{\partial f_i}", "p(j)*(d(i,j)-p(i))")]),
  ("ij", [(r"Since $\partial L / \partial \hat{y}_j", "dLdp(j)"),
          (r"Since $\partial L / \partial \hat{y}_j", "-y(j)/p(j)")]),
  ("i",  [(r"-\sum_j y_j \delta_{ij} +", "dL(i)"),
          (r"-\sum_j y_j \delta_{ij} +", "-S(lambda j: y(j)/p(j)*p(j)*(d(i,j)-p(i)))"),
          (r"-\sum_j y_j \delta_{ij} +", "-S(lambda j: y(j)*d(i,j)) + p(i)*S(y)")]),
  ("i",  [(r"so $\sum_j y_j \delta_{ij} = y_i$", "S(lambda j: y(j)*d(i,j))"),
          (r"so $\sum_j y_j \delta_{ij} = y_i$", "y(i)")]),
  ("i",  [(r"= \hat{y}_i - y_i$$", "dL(i)"),
          (r"= \hat{y}_i - y_i$$", "p(i) - y(i)", "S")]),
],
other={r"`grad = probs - labels`": "code", r"$$\hat{y}_i = \frac": "def", r"$$L = -\sum_k": "def",
       r"$\sum_j y_j = 1$:": "assume"},
slips=[
  dict(suffix="sign", kind="sign error: + p_i sum_j y_j became - p_i sum_j y_j",
       line=r"-\sum_j y_j \delta_{ij} +", old=r"+ \hat{y}_i \sum_j y_j", new=r"- \hat{y}_i \sum_j y_j",
       chain=2, pos=2, expr="-S(lambda j: y(j)*d(i,j)) - p(i)*S(y)"),
  dict(suffix="label-for-prob", kind="y_i instead of p_i (hat dropped) in the Jacobian",
       line=r"$$\frac{\partial \hat{y}_j}{\partial f_i}", old=r"\left(\delta_{ij} - \hat{y}_i\right)",
       new=r"\left(\delta_{ij} - y_i\right)", chain=0, pos=1, expr="p(j)*(d(i,j)-y(i))"),
])

DOCS["03_notebook.ipynb"] = dict(model="ce", cells=[
  ("markdown", [
    r"# Softmax + cross-entropy: the gradient by hand",
    r"",
    r"Logits $z_1$ to $z_C$ for $C$ classes, softmax probabilities",
    r"$$p_j = \frac{e^{z_j}}{\sum_{k=1}^{C} e^{z_k}},$$",
    r"and a one-hot target $y$, so $\sum_{k=1}^{C} y_k = 1$. The loss is",
    r"$$L = -\sum_{k=1}^{C} y_k \log p_k.$$"]),
  ("markdown", [
    r"## Derivative of the softmax",
    r"With the indicator $\mathbb{1}[i=j]$ (it is $1$ if $i = j$ and $0$ otherwise):",
    r"$$",
    r"\frac{\partial p_j}{\partial z_i}",
    r"= \frac{\mathbb{1}[i=j]\, e^{z_j}}{\sum_{k=1}^{C} e^{z_k}} - \frac{e^{z_j} e^{z_i}}{\left(\sum_{k=1}^{C} e^{z_k}\right)^2}",
    r"= p_j \left(\mathbb{1}[i=j] - p_i\right)",
    r"$$"]),
  ("markdown", [
    r"## Chain rule",
    r"Since $\partial L / \partial p_j = -y_j / p_j$:",
    r"$$",
    r"\frac{\partial L}{\partial z_i}",
    r"= -\sum_{j=1}^{C} \frac{y_j}{p_j} \frac{\partial p_j}{\partial z_i}",
    r"= -\sum_{j=1}^{C} y_j \left(\mathbb{1}[i=j] - p_i\right)",
    r"= p_i \sum_{j=1}^{C} y_j - y_i",
    r"$$",
    r"The target is one-hot, so $\sum_{j=1}^{C} y_j = 1$ and $\partial L / \partial z_i = p_i - y_i$."]),
  ("code", [
    r"import numpy as np",
    r"z = np.random.randn(5)",
    r"y = np.eye(5)[2]",
    r"p = np.exp(z) / np.exp(z).sum()",
    r"grad = p - y  # what autograd returns for this loss"]),
  ("markdown", [
    r"The code cell computes the same formula, $p - y$, with NumPy."]),
],
chains=[
  ("ij", [((r"\frac{\partial p_j}{\partial z_i}", 0), "dp(j,i)"),
          (r"= \frac{\mathbb{1}[i=j]\, e^{z_j}}", "d(i,j)*ez(j)/E - ez(j)*ez(i)/E**2"),
          (r"= p_j \left(\mathbb{1}[i=j] - p_i\right)", "p(j)*(d(i,j)-p(i))")]),
  ("ij", [(r"Since $\partial L / \partial p_j", "dLdp(j)"),
          (r"Since $\partial L / \partial p_j", "-y(j)/p(j)")]),
  ("i",  [(r"\frac{\partial L}{\partial z_i}", "dL(i)"),
          (r"= -\sum_{j=1}^{C} \frac{y_j}{p_j}", "-S(lambda j: y(j)/p(j)*dp(j,i))"),
          (r"= -\sum_{j=1}^{C} y_j \left(", "-S(lambda j: y(j)*(d(i,j)-p(i)))"),
          (r"= p_i \sum_{j=1}^{C} y_j - y_i", "p(i)*S(y) - y(i)")]),
  ("i",  [(r"$\partial L / \partial z_i = p_i - y_i$", "dL(i)"),
          (r"$\partial L / \partial z_i = p_i - y_i$", "p(i) - y(i)", "S")]),
],
other={r"$$p_j = \frac{e^{z_j}}": "def", r"$$L = -\sum_{k=1}^{C}": "def",
       r"so $\sum_{k=1}^{C} y_k = 1$": "assume", r"(it is $1$ if $i = j$": "cond",
       r"z = np.random.randn(5)": "code", r"y = np.eye(5)[2]": "code",
       r"p = np.exp(z)": "code", r"grad = p - y": "code"},
slips=[
  dict(suffix="factor", kind="missing factor p_j in the softmax Jacobian",
       line=r"= p_j \left(\mathbb{1}[i=j] - p_i\right)", old=r"= p_j \left(", new=r"= \left(",
       chain=0, pos=2, expr="(d(i,j)-p(i))"),
  dict(suffix="sign", kind="sign error: - y_i became + y_i",
       line=r"= p_i \sum_{j=1}^{C} y_j - y_i", old=r"y_j - y_i", new=r"y_j + y_i",
       chain=2, pos=3, expr="p(i)*S(y) + y(i)"),
])

DOCS["04_zh_post.md"] = dict(model="ce", text=r"""
# Softmax 交叉熵损失的梯度推导

设网络最后一层输出 $C$ 个 logits，记为 $z_0$ 到 $z_{C-1}$，经过 softmax 得到概率

$$p_i = \frac{e^{z_i}}{\sum_{k=0}^{C-1} e^{z_k}}$$

标签 $y$ 为 one-hot 向量，满足 $\sum_{k=0}^{C-1} y_k = 1$。交叉熵损失为

$$L = -\sum_{k=0}^{C-1} y_k \ln p_k$$

其中 $\ln$ 是自然对数。先求 softmax 的偏导，分两种情况讨论。

当 $j = i$ 时：

$$\frac{\partial p_j}{\partial z_i} = \frac{e^{z_i} \sum_{k=0}^{C-1} e^{z_k} - \left(e^{z_i}\right)^2}{\left(\sum_{k=0}^{C-1} e^{z_k}\right)^2} = p_i - p_i^2 = p_i(1 - p_i)$$

当 $j \neq i$ 时：

$$\frac{\partial p_j}{\partial z_i} = \frac{-e^{z_j} e^{z_i}}{\left(\sum_{k=0}^{C-1} e^{z_k}\right)^2} = -p_i p_j$$

又因为 $\frac{\partial L}{\partial p_j} = -\frac{y_j}{p_j}$，由链式法则，把 $j = i$ 的一项单独拿出来：

$$\frac{\partial L}{\partial z_i} = -\frac{y_i}{p_i} p_i (1 - p_i) + \sum_{j \neq i} \left(-\frac{y_j}{p_j}\right)\left(-p_i p_j\right) = -y_i + p_i y_i + \sum_{j \neq i} p_i y_j$$

后两项合并为对所有 $j$ 的求和：

$$\frac{\partial L}{\partial z_i} = p_i \sum_{j=0}^{C-1} y_j - y_i = p_i - y_i$$

最后一步用到了 $\sum_{j=0}^{C-1} y_j = 1$。
""",
chains=[
  ("eq", [(r"- \left(e^{z_i}\right)^2}", "dp(i,i)"),
          (r"- \left(e^{z_i}\right)^2}", "(ez(i)*E - ez(i)**2)/E**2"),
          (r"- \left(e^{z_i}\right)^2}", "p(i) - p(i)**2"),
          (r"- \left(e^{z_i}\right)^2}", "p(i)*(1-p(i))")]),
  ("ne", [(r"{\partial z_i} = \frac{-e^{z_j} e^{z_i}}", "dp(j,i)"),
          (r"{\partial z_i} = \frac{-e^{z_j} e^{z_i}}", "-ez(j)*ez(i)/E**2"),
          (r"{\partial z_i} = \frac{-e^{z_j} e^{z_i}}", "-p(i)*p(j)")]),
  ("ij", [(r"又因为", "dLdp(j)"), (r"又因为", "-y(j)/p(j)")]),
  ("i",  [(r"= -y_i + p_i y_i +", "dL(i)"),
          (r"= -y_i + p_i y_i +", "-y(i)/p(i)*p(i)*(1-p(i)) + Sne(lambda j: (-y(j)/p(j))*(-p(i)*p(j)))"),
          (r"= -y_i + p_i y_i +", "-y(i) + p(i)*y(i) + Sne(lambda j: p(i)*y(j))")]),
  ("i",  [(r"y_j - y_i = p_i - y_i$$", "dL(i)"),
          (r"y_j - y_i = p_i - y_i$$", "p(i)*S(y) - y(i)"),
          (r"y_j - y_i = p_i - y_i$$", "p(i) - y(i)", "S")]),
],
other={r"$$p_i = \frac": "def", r"$$L = -\sum": "def", r"满足 $\sum_{k=0}^{C-1} y_k = 1$": "assume",
       r"当 $j = i$ 时": "cond", r"把 $j = i$ 的一项": "cond", r"最后一步用到了": "assume"},
slips=[
  dict(suffix="case", kind="wrong case: -p_i p_j written for j = i",
       line=r"- \left(e^{z_i}\right)^2}", old=r"= p_i(1 - p_i)$$", new=r"= -p_i p_j$$",
       chain=0, pos=3, expr="-p(i)*p(j)"),
  dict(suffix="sum", kind="sum over all j where sum over j != i was meant (j = i term counted twice)",
       line=r"= -y_i + p_i y_i +", old=r"\sum_{j \neq i} p_i y_j$$", new=r"\sum_{j=0}^{C-1} p_i y_j$$",
       chain=3, pos=2, expr="-y(i) + p(i)*y(i) + S(lambda j: p(i)*y(j))"),
])

DOCS["05_zero_based.tex"] = dict(model="ce", text=r"""
\documentclass[11pt]{article}
\usepackage{amsmath}
\begin{document}
We index the $C$ classes from $0$ to $C-1$. The logits are $z_0$ to $z_{C-1}$ and
\begin{equation}
  p_j = \dfrac{\exp(z_j)}{\sum_{k=0}^{C-1} \exp(z_k)} .
\end{equation}
The target $y$ is a probability vector (its entries are nonnegative and sum to one), and
\begin{equation*}
  L = -\sum_{j=0}^{C-1} y_j \ln p_j .
\end{equation*}
For $j = i$,
\begin{equation}
\begin{split}
  \frac{\partial p_i}{\partial z_i}
  &= \dfrac{\exp(z_i) \cdot \sum_{k=0}^{C-1} \exp(z_k) - \exp(z_i) \cdot \exp(z_i)}{\left( \sum_{k=0}^{C-1} \exp(z_k) \right)^2} \\
  &= p_i \cdot \left( 1 - p_i \right),
\end{split}
\end{equation}
while for $j \neq i$,
\begin{equation}
  \frac{\partial p_j}{\partial z_i} = -\dfrac{\exp(z_j) \cdot \exp(z_i)}{\left( \sum_{k=0}^{C-1} \exp(z_k) \right)^2} = -p_j \cdot p_i .
\end{equation}
Hence, with $\partial L / \partial p_j = -y_j / p_j$,
\begin{equation}
\begin{split}
  \frac{\partial L}{\partial z_i}
  &= -\frac{y_i}{p_i} \cdot p_i \left( 1 - p_i \right) - \sum_{j \neq i} \frac{y_j}{p_j} \cdot \left( -p_j p_i \right) \\
  &= -y_i + p_i \cdot \left( y_i + \sum_{j \neq i} y_j \right) \\
  &= -y_i + p_i \sum_{j=0}^{C-1} y_j .
\end{split}
\end{equation}
Because $\sum_{j=0}^{C-1} y_j = 1$ the gradient is $\tfrac{\partial L}{\partial z_i} = p_i - y_i$.
\end{document}
""",
chains=[
  ("eq", [(r"\frac{\partial p_i}{\partial z_i}", "dp(i,i)"),
          (r"&= \dfrac{\exp(z_i) \cdot \sum", "(ez(i)*E - ez(i)*ez(i))/E**2"),
          (r"&= p_i \cdot \left( 1 - p_i \right),", "p(i)*(1-p(i))")]),
  ("ne", [(r"= -p_j \cdot p_i .", "dp(j,i)"),
          (r"= -p_j \cdot p_i .", "-(ez(j)*ez(i))/E**2"),
          (r"= -p_j \cdot p_i .", "-p(j)*p(i)")]),
  ("ij", [(r"with $\partial L / \partial p_j", "dLdp(j)"),
          (r"with $\partial L / \partial p_j", "-y(j)/p(j)")]),
  ("i",  [(r"\frac{\partial L}{\partial z_i}", "dL(i)"),
          (r"&= -\frac{y_i}{p_i} \cdot p_i", "-y(i)/p(i)*p(i)*(1-p(i)) - Sne(lambda j: y(j)/p(j)*(-p(j)*p(i)))"),
          (r"&= -y_i + p_i \cdot \left( y_i +", "-y(i) + p(i)*(y(i) + Sne(y))"),
          (r"&= -y_i + p_i \sum_{j=0}^{C-1} y_j .", "-y(i) + p(i)*S(y)")]),
  ("i",  [(r"the gradient is $\tfrac", "dL(i)"),
          (r"the gradient is $\tfrac", "p(i) - y(i)", "S")]),
],
other={r"p_j = \dfrac{\exp(z_j)}": "def", r"L = -\sum_{j=0}^{C-1} y_j \ln p_j": "def", r"For $j = i$": "cond",
       r"Because $\sum_{j=0}^{C-1} y_j = 1$": "assume"},
slips=[
  dict(suffix="twoclass", kind="true only at C = 2: -p_j p_i replaced by -p_i(1 - p_i) for j != i", c2=True,
       line=r"= -p_j \cdot p_i .", old=r"= -p_j \cdot p_i .", new=r"= -p_i \cdot \left( 1 - p_i \right) .",
       chain=1, pos=2, expr="-p(i)*(1-p(i))"),
  dict(suffix="factor", kind="missing factor p_i in front of the label sum",
       line=r"&= -y_i + p_i \sum_{j=0}^{C-1} y_j .", old=r"-y_i + p_i \sum", new=r"-y_i + \sum",
       chain=3, pos=3, expr="-y(i) + S(y)"),
])

DOCS["06_ln_exp.md"] = dict(model="ce", text=r"""
## Cross-entropy on top of softmax, the short way

Notation: \(K\) classes, logits \(z_k\), and probabilities
\[ p_k = \frac{\exp(z_k)}{\sum_{m=1}^{K} \exp(z_m)} , \]
with a target distribution \(y\) whose entries sum to one (one-hot in the usual case).
The loss is \(L = -\sum_{k=1}^{K} y_k \ln p_k\). Write the log-probability out:
\[ \ln p_k = z_k - \ln\left( \sum_{m=1}^{K} \exp(z_m) \right) . \]
Substituting into the loss and using \(\sum_{k=1}^{K} y_k = 1\),
\[ L = -\sum_{k=1}^{K} y_k z_k + \left( \sum_{k=1}^{K} y_k \right) \ln\left( \sum_{m=1}^{K} \exp(z_m) \right) = -\sum_{k=1}^{K} y_k z_k + \ln\left( \sum_{m=1}^{K} \exp(z_m) \right) . \]
The derivative of the log-sum-exp term is the softmax itself:
\[ \frac{\partial}{\partial z_i} \ln\left( \sum_{m=1}^{K} \exp(z_m) \right) = \dfrac{\exp(z_i)}{\sum_{m=1}^{K} \exp(z_m)} = p_i , \]
so that
\[ \frac{\partial L}{\partial z_i} = -y_i + p_i . \]
In words: \(\tfrac{\partial L}{\partial z_i} = p_i - y_i\), the prediction minus the target.
""",
chains=[
  ("i",  [(r"\[ \ln p_k = z_k", "log(p(i))"), (r"\[ \ln p_k = z_k", "z(i) - log(E)")]),
  ("none", [(r"\[ L = -\sum_{k=1}^{K} y_k z_k", "Lval"),
            (r"\[ L = -\sum_{k=1}^{K} y_k z_k", "-S(lambda k: y(k)*z(k)) + S(y)*log(E)"),
            (r"\[ L = -\sum_{k=1}^{K} y_k z_k", "-S(lambda k: y(k)*z(k)) + log(E)", "S")]),
  ("i",  [(r"\[ \frac{\partial}{\partial z_i} \ln", "dLSE(i)"),
          (r"\[ \frac{\partial}{\partial z_i} \ln", "ez(i)/E"),
          (r"\[ \frac{\partial}{\partial z_i} \ln", "p(i)")]),
  ("i",  [(r"= -y_i + p_i . \]", "dL(i)"), (r"= -y_i + p_i . \]", "-y(i) + p(i)", "S")]),
  ("i",  [(r"In words:", "dL(i)"), (r"In words:", "p(i) - y(i)", "S")]),
],
other={r"\[ p_k = \frac": "def", r"The loss is \(L =": "def", r"using \(\sum_{k=1}^{K} y_k = 1\)": "assume"},
slips=[
  dict(suffix="sign", kind="sign error in the log-softmax: z_k + log-sum-exp",
       line=r"\[ \ln p_k = z_k", old=r"z_k - \ln\left(", new=r"z_k + \ln\left(", chain=0, pos=1, expr="z(i) + log(E)"),
  dict(suffix="exponent", kind="wrong exponent: derivative of log-sum-exp written p_i^2",
       line=r"\[ \frac{\partial}{\partial z_i} \ln", old=r"= p_i , \]", new=r"= p_i^2 , \]", chain=2, pos=2, expr="p(i)**2"),
])

DOCS["07_delta_indicator.tex"] = dict(model="ce", text=r"""
\documentclass{article}
\usepackage{amsmath,amssymb}
\begin{document}
\paragraph{Setting.} There are $K$ classes with logits $z_k$ and softmax outputs
$p_k = e^{z_k} / \sum_{m=1}^{K} e^{z_m}$. The label vector $y$ is one-hot, hence $\sum_{k=1}^{K} y_k = 1$,
and the cross-entropy is $L = -\sum_{k=1}^{K} y_k \log p_k$.

\paragraph{Jacobian.} Writing $\delta_{ij}$ for the Kronecker delta (equivalently the
Iverson bracket $[i=j]$ or the indicator $\mathbb{1}[i=j]$),
\begin{gather}
  \frac{\partial p_j}{\partial z_i} = \frac{\delta_{ij} e^{z_j}}{\sum_{m=1}^{K} e^{z_m}} - \frac{e^{z_j} e^{z_i}}{\big(\sum_{m=1}^{K} e^{z_m}\big)^2} = p_j \delta_{ij} - p_j p_i , \label{eq:jac1} \\
  \frac{\partial p_j}{\partial z_i} = p_j \left( [i=j] - p_i \right) = p_j \left( \mathbb{1}[i=j] - p_i \right) . \label{eq:jac2}
\end{gather}

\paragraph{Gradient.} Because $\partial \log p_j / \partial p_j = 1 / p_j$,
\begin{multline}
  \frac{\partial L}{\partial z_i} = -\sum_{j=1}^{K} y_j \frac{1}{p_j} \frac{\partial p_j}{\partial z_i}
  = -\sum_{j=1}^{K} y_j \left( \delta_{ij} - p_i \right) \\
  = -y_i + p_i \sum_{j=1}^{K} y_j = p_i - y_i . \tag{G}
\end{multline}
\end{document}
""",
chains=[
  ("ij", [(r"\label{eq:jac1}", "dp(j,i)"), (r"\label{eq:jac1}", "d(i,j)*ez(j)/E - ez(j)*ez(i)/E**2"),
          (r"\label{eq:jac1}", "p(j)*d(i,j) - p(j)*p(i)")]),
  ("ij", [(r"\label{eq:jac2}", "dp(j,i)"), (r"\label{eq:jac2}", "p(j)*(d(i,j)-p(i))"),
          (r"\label{eq:jac2}", "p(j)*(d(i,j)-p(i))")]),
  ("ij", [(r"Because $\partial \log p_j", "dlog(j)"), (r"Because $\partial \log p_j", "1/p(j)")]),
  ("i",  [(r"\frac{\partial L}{\partial z_i} = -\sum", "dL(i)"),
          (r"\frac{\partial L}{\partial z_i} = -\sum", "-S(lambda j: y(j)*(1/p(j))*dp(j,i))"),
          (r"= -\sum_{j=1}^{K} y_j \left( \delta_{ij}", "-S(lambda j: y(j)*(d(i,j)-p(i)))"),
          (r"\tag{G}", "-y(i) + p(i)*S(y)"),
          (r"\tag{G}", "p(i) - y(i)", "S")]),
],
other={r"$p_k = e^{z_k} /": "def", r"and the cross-entropy is $L =": "def",
       r"Iverson bracket $[i=j]$": "cond"},
slips=[
  dict(suffix="factor", kind="missing factor p_j on the delta term",
       line=r"\label{eq:jac1}", old=r"= p_j \delta_{ij} - p_j p_i", new=r"= \delta_{ij} - p_j p_i",
       chain=0, pos=2, expr="d(i,j) - p(j)*p(i)"),
  dict(suffix="exponent", kind="wrong exponent: p_j^2 in front of the indicator",
       line=r"\label{eq:jac2}", old=r"= p_j \left( \mathbb{1}[i=j]", new=r"= p_j^2 \left( \mathbb{1}[i=j]",
       chain=1, pos=2, expr="p(j)**2*(d(i,j)-p(i))"),
])

DOCS["08_label_smoothing.tex"] = dict(model="ls", text=r"""
\documentclass{article}
\usepackage{amsmath}
\begin{document}
\section{Label smoothing}
Let $z_k$ be the logits over $K$ classes and $p_k = \frac{e^{z_k}}{\sum_{m=1}^{K} e^{z_m}}$.
The hard label $y$ is one-hot, so $\sum_{k=1}^{K} y_k = 1$. Label smoothing with
strength $\varepsilon$ replaces it by
\begin{equation}
  q_k = (1-\varepsilon) y_k + \frac{\varepsilon}{K}, \label{eq:q}
\end{equation}
and the loss becomes $L = -\sum_{k=1}^{K} q_k \log p_k$. The smoothed target is
again a distribution:
\begin{equation}
  \sum_{k=1}^{K} q_k = (1-\varepsilon) \sum_{k=1}^{K} y_k + K \frac{\varepsilon}{K} = 1 - \varepsilon + \varepsilon = 1 .
\end{equation}
With $\partial p_k / \partial z_i = p_k (\delta_{ik} - p_i)$ we get
\begin{align}
  \frac{\partial L}{\partial z_i}
  &= -\sum_{k=1}^{K} \frac{q_k}{p_k} \, p_k (\delta_{ik} - p_i) \nonumber \\
  &= -q_i + p_i \sum_{k=1}^{K} q_k \nonumber \\
  &= p_i - q_i \label{eq:ls-grad} \\
  &= p_i - (1-\varepsilon) y_i - \frac{\varepsilon}{K} . \nonumber
\end{align}
For $\varepsilon = 0$ this is the familiar $p_i - y_i$.
\end{document}
""",
chains=[
  ("none", [(r"K \frac{\varepsilon}{K} =", "S(q)"),
            (r"K \frac{\varepsilon}{K} =", "(1-eps)*S(y) + C*eps/C"),
            (r"K \frac{\varepsilon}{K} =", "1 - eps + eps", "S"),
            (r"K \frac{\varepsilon}{K} =", "mpf(1)")]),
  ("ij", [(r"With $\partial p_k / \partial z_i", "dp(j,i)"), (r"With $\partial p_k / \partial z_i", "p(j)*(d(i,j)-p(i))")]),
  ("i",  [(r"\frac{\partial L}{\partial z_i}", "dL(i)"),
          (r"&= -\sum_{k=1}^{K} \frac{q_k}{p_k}", "-S(lambda k: q(k)/p(k)*p(k)*(d(i,k)-p(i)))"),
          (r"&= -q_i + p_i \sum_{k=1}^{K} q_k", "-q(i) + p(i)*S(q)"),
          (r"&= p_i - q_i \label{eq:ls-grad}", "p(i) - q(i)", "S"),
          (r"&= p_i - (1-\varepsilon) y_i", "p(i) - (1-eps)*y(i) - eps/C")]),
],
other={r"and $p_k = \frac{e^{z_k}}": "def", r"so $\sum_{k=1}^{K} y_k = 1$": "assume",
       r"q_k = (1-\varepsilon) y_k": "def", r"and the loss becomes $L =": "def", r"For $\varepsilon = 0$": "cond"},
slips=[
  dict(suffix="twoclass", kind="true only at K = 2: eps/K written as eps/2", c2=True,
       line=r"&= p_i - (1-\varepsilon) y_i", old=r"\frac{\varepsilon}{K} . \nonumber", new=r"\frac{\varepsilon}{2} . \nonumber",
       chain=2, pos=4, expr="p(i) - (1-eps)*y(i) - eps/2"),
  dict(suffix="sign", kind="sign error in the softmax Jacobian: delta_ik + p_i",
       line=r"With $\partial p_k / \partial z_i", old=r"(\delta_{ik} - p_i)", new=r"(\delta_{ik} + p_i)",
       chain=1, pos=1, expr="p(j)*(d(i,j)+p(i))"),
])
