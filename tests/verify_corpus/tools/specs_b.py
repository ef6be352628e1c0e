# Corpus specification, part B: documents 09-16.
DOCS = {}

DOCS["09_label_smoothing_blog.md"] = dict(model="ls", text=r"""
# Label smoothing changes the target, not the gradient formula

Setup: $N$ classes, logits $x_k$, softmax $p_k = e^{x_k} / \sum_m e^{x_m}$, and a one-hot
target $t$ (so $\sum_k t_k = 1$). The smoothed target and the loss are

$$\tilde{t}_k = (1-\varepsilon)\, t_k + \frac{\varepsilon}{N}$$

$$\mathcal{L} = -\sum_k \tilde{t}_k \log p_k$$

Differentiating through the softmax exactly as for hard labels,

$$\frac{\partial \mathcal{L}}{\partial x_i} = -\sum_k \tilde{t}_k \left(\delta_{ik} - p_i\right) = p_i \sum_k \tilde{t}_k - \tilde{t}_i$$

Now expand $\tilde{t}$. Only the sum $\sum_k \tilde{t}_k$ needs $\sum_k t_k = 1$:

$$p_i \sum_k \tilde{t}_k - \tilde{t}_i = p_i \left((1-\varepsilon) \sum_k t_k + \varepsilon\right) - (1-\varepsilon)\, t_i - \frac{\varepsilon}{N} = p_i - (1-\varepsilon)\, t_i - \frac{\varepsilon}{N}$$

So the correct class is pulled towards $1 - \varepsilon + \varepsilon / N$ instead of $1$, and every
other class towards $\varepsilon / N$ instead of $0$.
""",
chains=[
  ("i", [(r"$$\frac{\partial \mathcal{L}}{\partial x_i}", "dL(i)"),
         (r"$$\frac{\partial \mathcal{L}}{\partial x_i}", "-S(lambda k: q(k)*(d(i,k)-p(i)))"),
         (r"$$\frac{\partial \mathcal{L}}{\partial x_i}", "p(i)*S(q) - q(i)")]),
  ("i", [(r"$$p_i \sum_k \tilde{t}_k - \tilde{t}_i =", "p(i)*S(q) - q(i)"),
         (r"$$p_i \sum_k \tilde{t}_k - \tilde{t}_i =", "p(i)*((1-eps)*S(y) + eps) - (1-eps)*y(i) - eps/C"),
         (r"$$p_i \sum_k \tilde{t}_k - \tilde{t}_i =", "p(i) - (1-eps)*y(i) - eps/C", "S")]),
],
other={r"softmax $p_k = e^{x_k}": "def", r"target $t$ (so $\sum_k t_k = 1$)": "assume",
       r"$$\tilde{t}_k =": "def", r"$$\mathcal{L} = -\sum_k": "def", r"needs $\sum_k t_k = 1$": "assume"},
slips=[
  dict(suffix="sign", kind="sign error: - eps/N became + eps/N in the expanded gradient",
       line=r"$$p_i \sum_k \tilde{t}_k - \tilde{t}_i =", old=r"t_i - \frac{\varepsilon}{N}$$", new=r"t_i + \frac{\varepsilon}{N}$$",
       chain=1, pos=2, expr="p(i) - (1-eps)*y(i) + eps/C"),
  dict(suffix="factor", kind="missing factor p_i in front of the sum of smoothed targets",
       line=r"$$\frac{\partial \mathcal{L}}{\partial x_i}", old=r"= p_i \sum_k \tilde{t}_k - \tilde{t}_i$$",
       new=r"= \sum_k \tilde{t}_k - \tilde{t}_i$$", chain=0, pos=2, expr="S(q) - q(i)"),
])

DOCS["10_case_split.md"] = dict(model="ce", text=r"""
# Deriving dL/dz by cases

Notation: $C$ classes, logits $z_j$, softmax probabilities $p_j = e^{z_j} / \sum_{k=1}^{C} e^{z_k}$,
one-hot labels $y_j$ (exactly one of them is $1$, so they sum to $1$), and the loss
$L = -\sum_{j=1}^{C} y_j \log p_j$.

The softmax derivative splits into two cases:

$$\frac{\partial p_j}{\partial z_i} = p_i (1 - p_i) \quad \text{for } j = i,$$

$$\frac{\partial p_j}{\partial z_i} = -p_i p_j \quad (j \neq i).$$

Write the chain-rule sum and pull out the $j = i$ term:

$$\begin{aligned}
\frac{\partial L}{\partial z_i} &= -\sum_{j=1}^{C} \frac{y_j}{p_j} \frac{\partial p_j}{\partial z_i} \\
&= -\frac{y_i}{p_i} \frac{\partial p_i}{\partial z_i} - \sum_{j \neq i} \frac{y_j}{p_j} \frac{\partial p_j}{\partial z_i}
\end{aligned}$$

Now substitute the two cases:

$$\begin{aligned}
\frac{\partial L}{\partial z_i} &= -\frac{y_i}{p_i} \, p_i (1 - p_i) - \sum_{j \neq i} \frac{y_j}{p_j} (-p_i p_j) \\
&= -y_i + y_i p_i + p_i \sum_{j \neq i} y_j \\
&= p_i \left( y_i + \sum_{j \neq i} y_j \right) - y_i \\
&= p_i - y_i .
\end{aligned}$$

The bracket is the sum of all labels, which is $1$.
""",
chains=[
  ("eq", [(r"\quad \text{for } j = i,$$", "dp(i,i)"), (r"\quad \text{for } j = i,$$", "p(i)*(1-p(i))")]),
  ("ne", [(r"\quad (j \neq i).$$", "dp(j,i)"), (r"\quad (j \neq i).$$", "-p(i)*p(j)")]),
  ("i",  [(r"\frac{\partial L}{\partial z_i} &= -\sum_{j=1}^{C}", "dL(i)"),
          (r"\frac{\partial L}{\partial z_i} &= -\sum_{j=1}^{C}", "-S(lambda j: y(j)/p(j)*dp(j,i))"),
          (r"&= -\frac{y_i}{p_i} \frac{\partial p_i}{\partial z_i}", "-y(i)/p(i)*dp(i,i) - Sne(lambda j: y(j)/p(j)*dp(j,i))")]),
  ("i",  [(r"\frac{\partial L}{\partial z_i} &= -\frac{y_i}{p_i} \, p_i", "dL(i)"),
          (r"\frac{\partial L}{\partial z_i} &= -\frac{y_i}{p_i} \, p_i", "-y(i)/p(i)*p(i)*(1-p(i)) - Sne(lambda j: y(j)/p(j)*(-p(i)*p(j)))"),
          (r"&= -y_i + y_i p_i + p_i \sum_{j \neq i} y_j", "-y(i) + y(i)*p(i) + p(i)*Sne(y)"),
          (r"&= p_i \left( y_i + \sum_{j \neq i} y_j \right) - y_i", "p(i)*(y(i) + Sne(y)) - y(i)"),
          (r"&= p_i - y_i .", "p(i) - y(i)", "S")]),
],
other={r"softmax probabilities $p_j = e^{z_j}": "def", r"$L = -\sum_{j=1}^{C} y_j \log p_j$.": "def",
       r"pull out the $j = i$ term": "cond"},
slips=[
  dict(suffix="sum", kind="sum over all j where sum over j != i was meant (j = i term counted twice)",
       line=r"&= -\frac{y_i}{p_i} \frac{\partial p_i}{\partial z_i}", old=r"- \sum_{j \neq i} \frac{y_j}{p_j}",
       new=r"- \sum_j \frac{y_j}{p_j}", chain=2, pos=2,
       expr="-y(i)/p(i)*dp(i,i) - S(lambda j: y(j)/p(j)*dp(j,i))"),
  dict(suffix="case", kind="wrong case: -p_i p_j written for j = i",
       line=r"\quad \text{for } j = i,$$", old=r"= p_i (1 - p_i) \quad", new=r"= -p_i p_j \quad",
       chain=0, pos=1, expr="-p(i)*p(j)"),
])

DOCS["11_seed_style.tex"] = dict(model="ce", text=r"""
\documentclass{article}
\usepackage{amsmath}
\begin{document}
The last layer outputs $f_0$ to $f_{C-1}$ for $C$ classes. After the softmax,
\[ p_i = \frac{e^{f_i}}{\sum_{k=0}^{C-1} e^{f_k}} . \]
The labels $y_0$ to $y_{C-1}$ are one-hot, and $\log$ is the natural logarithm. Let
\[ L_j = -y_j \log p_j , \]
and let the loss be $L = \sum_{j=0}^{C-1} L_j$.
By the chain rule, with $\partial L_j / \partial p_j = -y_j / p_j$,
\begin{align*}
\frac{\partial L}{\partial f_i}
  &= \sum_{j=0}^{C-1} \frac{\partial L_j}{\partial p_j} \frac{\partial p_j}{\partial f_i} \\
  &= -\frac{y_i}{p_i} \frac{\partial p_i}{\partial f_i} - \sum_{j \neq i} \frac{y_j}{p_j} \frac{\partial p_j}{\partial f_i} .
\end{align*}
For $j = i$ the quotient rule gives
\[ \frac{\partial p_i}{\partial f_i} = \frac{e^{f_i} \sum_{k=0}^{C-1} e^{f_k} - \left(e^{f_i}\right)^2}{\left(\sum_{k=0}^{C-1} e^{f_k}\right)^2} = p_i - p_i^2 , \]
and for $j \neq i$
\[ \frac{\partial p_j}{\partial f_i} = \frac{0 - e^{f_j} e^{f_i}}{\left(\sum_{k=0}^{C-1} e^{f_k}\right)^2} = -p_i p_j . \]
Putting the two cases together,
\begin{align*}
\frac{\partial L}{\partial f_i}
  &= -\frac{y_i}{p_i} \, p_i (1 - p_i) + \sum_{j \neq i} \frac{y_j}{p_j} \, p_i p_j \\
  &= -y_i (1 - p_i) + \sum_{j \neq i} p_i y_j \\
  &= y_i p_i - y_i + \sum_{j \neq i} p_i y_j \\
  &= \sum_{j=0}^{C-1} p_i y_j - y_i \\
  &= p_i \sum_{j=0}^{C-1} y_j - y_i = p_i - y_i ,
\end{align*}
where the last step uses $\sum_{j=0}^{C-1} y_j = 1$.
\end{document}
""",
chains=[
  ("ij", [(r"with $\partial L_j / \partial p_j", "dLjdp(j)"), (r"with $\partial L_j / \partial p_j", "-y(j)/p(j)")]),
  ("i",  [((r"\frac{\partial L}{\partial f_i}", 0), "dL(i)"),
          (r"&= \sum_{j=0}^{C-1} \frac{\partial L_j}{\partial p_j}", "S(lambda j: dLjdp(j)*dp(j,i))"),
          (r"&= -\frac{y_i}{p_i} \frac{\partial p_i}{\partial f_i}", "-y(i)/p(i)*dp(i,i) - Sne(lambda j: y(j)/p(j)*dp(j,i))")]),
  ("eq", [(r"\[ \frac{\partial p_i}{\partial f_i} =", "dp(i,i)"),
          (r"\[ \frac{\partial p_i}{\partial f_i} =", "(ez(i)*E - ez(i)**2)/E**2"),
          (r"\[ \frac{\partial p_i}{\partial f_i} =", "p(i) - p(i)**2")]),
  ("ne", [(r"\[ \frac{\partial p_j}{\partial f_i} =", "dp(j,i)"),
          (r"\[ \frac{\partial p_j}{\partial f_i} =", "(0 - ez(j)*ez(i))/E**2"),
          (r"\[ \frac{\partial p_j}{\partial f_i} =", "-p(i)*p(j)")]),
  ("i",  [((r"\frac{\partial L}{\partial f_i}", 1), "dL(i)"),
          (r"&= -\frac{y_i}{p_i} \, p_i (1 - p_i)", "-y(i)/p(i)*p(i)*(1-p(i)) + Sne(lambda j: y(j)/p(j)*p(i)*p(j))"),
          (r"&= -y_i (1 - p_i) +", "-y(i)*(1-p(i)) + Sne(lambda j: p(i)*y(j))"),
          (r"&= y_i p_i - y_i +", "y(i)*p(i) - y(i) + Sne(lambda j: p(i)*y(j))"),
          (r"&= \sum_{j=0}^{C-1} p_i y_j - y_i", "S(lambda j: p(i)*y(j)) - y(i)"),
          (r"&= p_i \sum_{j=0}^{C-1} y_j - y_i =", "p(i)*S(y) - y(i)"),
          (r"&= p_i \sum_{j=0}^{C-1} y_j - y_i =", "p(i) - y(i)", "S")]),
],
other={r"\[ p_i = \frac{e^{f_i}}": "def", r"\[ L_j = -y_j \log p_j": "def", r"let the loss be $L =": "def",
       r"For $j = i$ the quotient": "cond", r"where the last step uses": "assume"},
slips=[
  dict(suffix="twoclass", kind="true only at C = 2: -p_i p_j replaced by -p_i(1 - p_i) for j != i", c2=True,
       line=r"\[ \frac{\partial p_j}{\partial f_i} =", old=r"= -p_i p_j . \]", new=r"= -p_i (1 - p_i) . \]",
       chain=3, pos=2, expr="-p(i)*(1-p(i))"),
  dict(suffix="sign", kind="sign error: dL_j/dp_j = +y_j/p_j",
       line=r"with $\partial L_j / \partial p_j", old=r"= -y_j / p_j", new=r"= y_j / p_j",
       chain=0, pos=1, expr="y(j)/p(j)"),
])

DOCS["12_log_softmax.tex"] = dict(model="ce", text=r"""
\documentclass{article}
\usepackage{amsmath}
\begin{document}
\subsection*{Gradient via log-softmax}
For $K$ classes with logits $z_k$ the softmax is $p_i = e^{z_i} / \sum_{k=1}^{K} e^{z_k}$,
the target $y$ is one-hot (so $\sum_{j=1}^{K} y_j = 1$), and
$L = -\sum_{j=1}^{K} y_j \log p_j$. Working with $\log p$ avoids the quotient rule:
\begin{equation*}
  \log p_i = z_i - \log \sum_{k=1}^{K} e^{z_k} .
\end{equation*}
The derivative of the log-partition term is
\begin{equation*}
  \frac{\partial}{\partial z_i} \log \sum_{k=1}^{K} e^{z_k} = \frac{1}{\sum_{k=1}^{K} e^{z_k}} \cdot e^{z_i} = p_i ,
\end{equation*}
and therefore, for every pair of indices,
\begin{equation}
  \frac{\partial \log p_j}{\partial z_i} = \delta_{ij} - p_i . \label{eq:dlogp}
\end{equation}
The gradient of the loss follows in one line:
\begin{align*}
  \frac{\partial L}{\partial z_i}
    &= -\sum_{j=1}^{K} y_j \frac{\partial \log p_j}{\partial z_i}
     = -\sum_{j=1}^{K} y_j \left( \delta_{ij} - p_i \right) \\
    &= -y_i + p_i \sum_{j=1}^{K} y_j
     = p_i - y_i .
\end{align*}
\end{document}
""",
chains=[
  ("i",  [(r"\log p_i = z_i - \log", "log(p(i))"), (r"\log p_i = z_i - \log", "z(i) - log(E)")]),
  ("i",  [(r"\frac{\partial}{\partial z_i} \log", "dLSE(i)"), (r"\frac{\partial}{\partial z_i} \log", "1/E*ez(i)"),
          (r"\frac{\partial}{\partial z_i} \log", "p(i)")]),
  ("ij", [(r"\label{eq:dlogp}", "dlogp(j,i)"), (r"\label{eq:dlogp}", "d(i,j) - p(i)")]),
  ("i",  [(r"\frac{\partial L}{\partial z_i}", "dL(i)"),
          (r"&= -\sum_{j=1}^{K} y_j \frac{\partial \log p_j}", "-S(lambda j: y(j)*dlogp(j,i))"),
          (r"= -\sum_{j=1}^{K} y_j \left( \delta_{ij}", "-S(lambda j: y(j)*(d(i,j)-p(i)))"),
          (r"&= -y_i + p_i \sum_{j=1}^{K} y_j", "-y(i) + p(i)*S(y)"),
          (r"= p_i - y_i .", "p(i) - y(i)", "S")]),
],
other={r"the softmax is $p_i = e^{z_i}": "def", r"(so $\sum_{j=1}^{K} y_j = 1$)": "assume",
       r"$L = -\sum_{j=1}^{K} y_j \log p_j$.": "def"},
slips=[
  dict(suffix="sign", kind="sign error in the log-softmax: z_i + log-sum-exp",
       line=r"\log p_i = z_i - \log", old=r"z_i - \log", new=r"z_i + \log", chain=0, pos=1, expr="z(i) + log(E)"),
  dict(suffix="factor", kind="extra factor p_j: softmax Jacobian written for the log-softmax derivative",
       line=r"\label{eq:dlogp}", old=r"= \delta_{ij} - p_i .", new=r"= p_j \left( \delta_{ij} - p_i \right) .",
       chain=2, pos=1, expr="p(j)*(d(i,j) - p(i))"),
  dict(suffix="label-for-prob", kind="y_i instead of p_i in the log-softmax derivative",
       line=r"\label{eq:dlogp}", old=r"- p_i .", new=r"- y_i .", chain=2, pos=1, expr="d(i,j) - y(i)"),
])

DOCS["13_copied_page.txt"] = dict(model="ce", text=r"""
Home > Machine Learning > Loss Functions
Softmax Cross-Entropy Gradient Derivation
Posted by admin | 2019-08-14 | 3,214 views
For a classifier with K classes, the logits z_k are turned into probabilities by the softmax:
p_i = \frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}}
The label y is one-hot, so its entries sum to 1. The cross-entropy loss is:
L = -\sum_{k=1}^{K} y_k \log p_k
Step 1. Derivative of the softmax. When j = i:
\frac{\partial p_i}{\partial z_i} = \frac{e^{z_i}\sum_{k=1}^{K} e^{z_k} - e^{z_i}e^{z_i}}{(\sum_{k=1}^{K} e^{z_k})^2} = p_i(1-p_i)
When j ≠ i:
\frac{\partial p_j}{\partial z_i} = \frac{-e^{z_j}e^{z_i}}{(\sum_{k=1}^{K} e^{z_k})^2} = -p_i p_j
Step 2. Chain rule. The derivative of the loss with respect to p_j is
\frac{\partial L}{\partial p_j} = -\frac{y_j}{p_j}
so
\frac{\partial L}{\partial z_i} = -\frac{y_i}{p_i} p_i(1-p_i) + \sum_{j \neq i} \frac{y_j}{p_j} p_i p_j = -y_i + y_i p_i + p_i \sum_{j \neq i} y_j
Since y_i + \sum_{j \neq i} y_j = 1, this simplifies to
\frac{\partial L}{\partial z_i} = p_i - y_i
Share this: Twitter | Facebook | Email
Related posts: Binary cross-entropy derivation | Why softmax?
""",
chains=[
  ("eq", [(r"\frac{\partial p_i}{\partial z_i} =", "dp(i,i)"),
          (r"\frac{\partial p_i}{\partial z_i} =", "(ez(i)*E - ez(i)*ez(i))/E**2"),
          (r"\frac{\partial p_i}{\partial z_i} =", "p(i)*(1-p(i))")]),
  ("ne", [(r"\frac{\partial p_j}{\partial z_i} =", "dp(j,i)"),
          (r"\frac{\partial p_j}{\partial z_i} =", "-ez(j)*ez(i)/E**2"),
          (r"\frac{\partial p_j}{\partial z_i} =", "-p(i)*p(j)")]),
  ("ij", [(r"\frac{\partial L}{\partial p_j} =", "dLdp(j)"), (r"\frac{\partial L}{\partial p_j} =", "-y(j)/p(j)")]),
  ("i",  [(r"\frac{\partial L}{\partial z_i} = -\frac{y_i}", "dL(i)"),
          (r"\frac{\partial L}{\partial z_i} = -\frac{y_i}", "-y(i)/p(i)*p(i)*(1-p(i)) + Sne(lambda j: y(j)/p(j)*p(i)*p(j))"),
          (r"\frac{\partial L}{\partial z_i} = -\frac{y_i}", "-y(i) + y(i)*p(i) + p(i)*Sne(y)")]),
  ("i",  [(r"\frac{\partial L}{\partial z_i} = p_i - y_i", "dL(i)"),
          (r"\frac{\partial L}{\partial z_i} = p_i - y_i", "p(i) - y(i)", "S")]),
],
other={r"p_i = \frac{e^{z_i}}{": "def", r"L = -\sum_{k=1}^{K} y_k": "def", r"When j = i:": "cond",
       r"Since y_i + \sum_{j \neq i} y_j = 1": "assume"},
slips=[
  dict(suffix="sum", kind="sum over all j where sum over j != i was meant (j = i term counted twice)",
       line=r"\frac{\partial L}{\partial z_i} = -\frac{y_i}", old=r"p_i \sum_{j \neq i} y_j", new=r"p_i \sum_{j} y_j",
       chain=3, pos=2, expr="-y(i) + y(i)*p(i) + p(i)*S(y)"),
  dict(suffix="factor", kind="missing factor p_i: dp_i/dz_i written as (1 - p_i)",
       line=r"\frac{\partial p_i}{\partial z_i} =", old=r"= p_i(1-p_i)", new=r"= (1-p_i)",
       chain=0, pos=2, expr="(1-p(i))"),
  dict(suffix="twoclass", kind="true only at C = 2: sum over j != i of y_j replaced by y_j of the (single) other class j",
       c2=True, q="ne",
       line=r"\frac{\partial L}{\partial z_i} = -\frac{y_i}", old=r"p_i \sum_{j \neq i} y_j", new=r"p_i y_j",
       chain=3, pos=2, expr="-y(i) + y(i)*p(i) + p(i)*y(j)"),
])

DOCS["14_temperature.tex"] = dict(model="T", text=r"""
\documentclass{article}
\usepackage{amsmath}
\begin{document}
\section*{Softmax with temperature}
Dividing the logits $z_k$ of a $K$-class model by a temperature $T > 0$ gives
\begin{equation}
  p_i = \frac{e^{z_i/T}}{\sum_{k=1}^{K} e^{z_k/T}} ,
\end{equation}
and with a one-hot label $y$ (so $\sum_{k=1}^{K} y_k = 1$) the loss is $L = -\sum_{k=1}^{K} y_k \log p_k$.
Since $\log p_j = z_j/T - \log \sum_{k=1}^{K} e^{z_k/T}$, every derivative picks up a factor $1/T$:
\begin{equation}
  \frac{\partial \log p_j}{\partial z_i} = \frac{\delta_{ij}}{T} - \frac{1}{T} \frac{e^{z_i/T}}{\sum_{k=1}^{K} e^{z_k/T}} = \frac{1}{T} \left( \delta_{ij} - p_i \right) .
\end{equation}
Consequently
\begin{align}
  \frac{\partial L}{\partial z_i}
    &= -\frac{1}{T} \sum_{j=1}^{K} y_j \left( \delta_{ij} - p_i \right) \nonumber \\
    &= \frac{1}{T} \left( p_i \sum_{j=1}^{K} y_j - y_i \right) \nonumber \\
    &= \frac{p_i - y_i}{T} . \label{eq:temp}
\end{align}
This is why distillation losses computed at temperature $T$ are usually multiplied by $T^2$.
\end{document}
""",
chains=[
  ("ij", [(r"Since $\log p_j = z_j/T", "log(p(j))"), (r"Since $\log p_j = z_j/T", "z(j)/T - log(ET)")]),
  ("ij", [(r"\frac{\partial \log p_j}{\partial z_i} =", "dlogp(j,i)"),
          (r"\frac{\partial \log p_j}{\partial z_i} =", "d(i,j)/T - 1/T*eT(i)/ET"),
          (r"\frac{\partial \log p_j}{\partial z_i} =", "1/T*(d(i,j)-p(i))")]),
  ("i",  [(r"\frac{\partial L}{\partial z_i}", "dL(i)"),
          (r"&= -\frac{1}{T} \sum_{j=1}^{K}", "-1/T*S(lambda j: y(j)*(d(i,j)-p(i)))"),
          (r"&= \frac{1}{T} \left( p_i \sum_{j=1}^{K} y_j - y_i \right)", "1/T*(p(i)*S(y) - y(i))"),
          (r"&= \frac{p_i - y_i}{T} .", "(p(i) - y(i))/T", "S")]),
],
other={r"p_i = \frac{e^{z_i/T}}": "def", r"(so $\sum_{k=1}^{K} y_k = 1$)": "assume"},
slips=[
  dict(suffix="exponent", kind="wrong exponent: gradient divided by T^2 instead of T",
       line=r"&= \frac{p_i - y_i}{T} .", old=r"{T} . \label", new=r"{T^2} . \label",
       chain=2, pos=3, expr="(p(i) - y(i))/T**2"),
  dict(suffix="factor", kind="missing factor 1/T in the log-softmax derivative",
       line=r"\frac{\partial \log p_j}{\partial z_i} =", old=r"= \frac{1}{T} \left( \delta_{ij} - p_i \right) .",
       new=r"= \left( \delta_{ij} - p_i \right) .", chain=1, pos=2, expr="d(i,j) - p(i)"),
])

DOCS["15_notation_sigma.md"] = dict(model="ce", text=r"""
## Backprop through softmax + cross-entropy (my notes)

Notation for this post: $x_1$ to $x_N$ are the logits of an $N$-class classifier,
$\sigma_i = e^{x_i} / \sum_{n=1}^{N} e^{x_n}$ is the softmax output and $t$ is the target,
a one-hot vector, so $\sum_{n=1}^{N} t_n = 1$. The loss is

$$\mathcal{L} = -\sum_{n=1}^{N} t_n \log \sigma_n .$$

The softmax Jacobian is $\partial \sigma_j / \partial x_i = \sigma_j (\delta_{ij} - \sigma_i)$, and
$\partial \mathcal{L} / \partial \sigma_j = -t_j / \sigma_j$. Hence

$$
\frac{\partial \mathcal{L}}{\partial x_i}
= \sum_{j=1}^{N} \left( -\frac{t_j}{\sigma_j} \right) \sigma_j \left( \delta_{ij} - \sigma_i \right)
= -t_i + \sigma_i \sum_{j=1}^{N} t_j .
$$

With $\sum_{j=1}^{N} t_j = 1$ this is $\partial \mathcal{L} / \partial x_i = \sigma_i - t_i$.

In code: `dx = sigma - t`.
""",
chains=[
  ("ij", [(r"$\partial \sigma_j / \partial x_i", "dp(j,i)"), (r"$\partial \sigma_j / \partial x_i", "p(j)*(d(i,j)-p(i))")]),
  ("ij", [(r"$\partial \mathcal{L} / \partial \sigma_j", "dLdp(j)"), (r"$\partial \mathcal{L} / \partial \sigma_j", "-y(j)/p(j)")]),
  ("i",  [(r"\frac{\partial \mathcal{L}}{\partial x_i}", "dL(i)"),
          (r"= \sum_{j=1}^{N} \left( -\frac{t_j}{\sigma_j} \right)", "S(lambda j: (-y(j)/p(j))*p(j)*(d(i,j)-p(i)))"),
          (r"= -t_i + \sigma_i \sum_{j=1}^{N} t_j .", "-y(i) + p(i)*S(y)")]),
  ("i",  [(r"$\partial \mathcal{L} / \partial x_i", "dL(i)"), (r"$\partial \mathcal{L} / \partial x_i", "p(i) - y(i)", "S")]),
],
other={r"$\sigma_i = e^{x_i}": "def", r"so $\sum_{n=1}^{N} t_n = 1$": "assume", r"$$\mathcal{L} = -\sum": "def",
       r"`dx = sigma - t`": "code"},
slips=[
  dict(suffix="label-for-prob", kind="t_i (label) instead of sigma_i (probability) in the Jacobian",
       line=r"$\partial \sigma_j / \partial x_i", old=r"(\delta_{ij} - \sigma_i)", new=r"(\delta_{ij} - t_i)",
       chain=0, pos=1, expr="p(j)*(d(i,j)-y(i))"),
  dict(suffix="sign", kind="sign error: -t_i became +t_i",
       line=r"= -t_i + \sigma_i \sum_{j=1}^{N} t_j .", old=r"= -t_i + \sigma_i", new=r"= t_i + \sigma_i",
       chain=2, pos=2, expr="y(i) + p(i)*S(y)"),
])

DOCS["16_notation_ell.tex"] = dict(model="ce", text=r"""
\documentclass{article}
\usepackage{amsmath}
\begin{document}
Consider $n$ classes with activations $a_k$ and softmax outputs
\[ s_k = \frac{e^{a_k}}{\sum_{m=1}^{n} e^{a_m}} . \]
The target $t$ is a probability vector: its entries are nonnegative and sum to one.
The per-example loss is
\[ \ell = -\sum_{k=1}^{n} t_k \log s_k . \]
We compute $\partial \ell / \partial a_i$. For the diagonal and off-diagonal entries of the Jacobian,
\begin{gather*}
  \frac{\partial s_i}{\partial a_i} = s_i - s_i^2 = s_i (1 - s_i) , \\
  \frac{\partial s_j}{\partial a_i} = -s_i s_j \quad \text{for } j \neq i .
\end{gather*}
Then
\begin{equation}
\begin{aligned}
  \frac{\partial \ell}{\partial a_i}
  &= -\frac{t_i}{s_i} \times s_i (1 - s_i) - \sum_{j \neq i} \frac{t_j}{s_j} \times \big( -s_i s_j \big) \\
  &= -t_i + s_i t_i + s_i \sum_{j \neq i} t_j \\
  &= -t_i + s_i \sum_{k=1}^{n} t_k \\
  &= s_i - t_i .
\end{aligned}
\end{equation}
\end{document}
""",
chains=[
  ("eq", [(r"\frac{\partial s_i}{\partial a_i} =", "dp(i,i)"), (r"\frac{\partial s_i}{\partial a_i} =", "p(i) - p(i)**2"),
          (r"\frac{\partial s_i}{\partial a_i} =", "p(i)*(1-p(i))")]),
  ("ne", [(r"\frac{\partial s_j}{\partial a_i} =", "dp(j,i)"), (r"\frac{\partial s_j}{\partial a_i} =", "-p(i)*p(j)")]),
  ("i",  [(r"\frac{\partial \ell}{\partial a_i}", "dL(i)"),
          (r"&= -\frac{t_i}{s_i} \times", "-y(i)/p(i)*p(i)*(1-p(i)) - Sne(lambda j: y(j)/p(j)*(-p(i)*p(j)))"),
          (r"&= -t_i + s_i t_i +", "-y(i) + p(i)*y(i) + p(i)*Sne(y)"),
          (r"&= -t_i + s_i \sum_{k=1}^{n} t_k", "-y(i) + p(i)*S(y)"),
          (r"&= s_i - t_i .", "p(i) - y(i)", "S")]),
],
other={r"\[ s_k = \frac": "def", r"\[ \ell = -\sum": "def"},
slips=[
  dict(suffix="twoclass", kind="true only at n = 2: s_i(1 - s_i) written as s_i s_j with j the other class", c2=True, q="ne",
       line=r"\frac{\partial s_i}{\partial a_i} =", old=r"= s_i (1 - s_i) ,", new=r"= s_i s_j ,",
       chain=0, pos=2, expr="p(i)*p(j)"),
  dict(suffix="case", kind="wrong case: diagonal formula s_i(1 - s_i) written for j != i",
       line=r"\frac{\partial s_j}{\partial a_i} =", old=r"= -s_i s_j \quad", new=r"= s_i (1 - s_i) \quad",
       chain=1, pos=1, expr="p(i)*(1-p(i))"),
])
