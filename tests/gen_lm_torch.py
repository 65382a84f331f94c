"""Writes tests/fixtures/lm_torch.txt: a tiny character transformer evaluated by PyTorch
(float64) for tests/test_lm_torch.c. Run from the repository root with Debian's python:

    /usr/bin/python3 tests/gen_lm_torch.py

Records are "name count" then count floats (%.17g). Parameters are written in acrl's store
order and layout (linear weights (in, out) = PyTorch's nn.Linear.weight transposed). The
loss is sum(logits * R) + sum(values * S) for fixed random R, S, so the parameter gradients
are the backward of dlogits = R, dvalues = S."""
import math
import torch

torch.manual_seed(7)
V, T, C, L, H = 20, 8, 12, 2, 3
B, TT = 3, 7


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1 = torch.nn.LayerNorm(C)
        self.qkv = torch.nn.Linear(C, 3 * C)
        self.proj = torch.nn.Linear(C, C)
        self.ln2 = torch.nn.LayerNorm(C)
        self.fc = torch.nn.Linear(C, 4 * C)
        self.fc2 = torch.nn.Linear(4 * C, C)

    def attn(self, x):
        b, t, _ = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        hd = C // H
        q = q.view(b, t, H, hd).transpose(1, 2)
        k = k.view(b, t, H, hd).transpose(1, 2)
        v = v.view(b, t, H, hd).transpose(1, 2)
        s = q @ k.transpose(-2, -1) / math.sqrt(hd)
        mask = torch.tril(torch.ones(t, t, dtype=torch.bool))
        s = s.masked_fill(~mask, float("-inf"))
        y = torch.softmax(s, dim=-1) @ v
        return y.transpose(1, 2).reshape(b, t, C)

    def forward(self, x):
        y = self.attn(self.ln1(x))
        x = x + self.proj(y)
        x = x + self.fc2(torch.nn.functional.gelu(self.fc(self.ln2(x))))
        return x, y


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = torch.nn.Parameter(torch.randn(V, C) * 0.3)
        self.wpe = torch.nn.Parameter(torch.randn(T, C) * 0.3)
        self.h = torch.nn.ModuleList([Block() for _ in range(L)])
        self.lnf = torch.nn.LayerNorm(C)
        self.value = torch.nn.Linear(C, 1)

    def forward(self, idx):
        x = self.wte[idx] + self.wpe[: idx.shape[1]]
        ys = []
        for blk in self.h:
            x, y = blk(x)
            ys.append(y)
        x = self.lnf(x)
        return x @ self.wte.T, self.value(x).squeeze(-1), ys


m = Model().double()
# non-trivial LayerNorm parameters and biases
with torch.no_grad():
    for p in m.parameters():
        if p.dim() == 1:
            p.add_(0.1 * torch.randn_like(p))


def store(m):
    out = [("wte", m.wte, False), ("wpe", m.wpe, False)]
    for l, b in enumerate(m.h):
        out += [(f"h.{l}.ln1_g", b.ln1.weight, False), (f"h.{l}.ln1_b", b.ln1.bias, False),
                (f"h.{l}.qkv_w", b.qkv.weight, True), (f"h.{l}.qkv_b", b.qkv.bias, False),
                (f"h.{l}.proj_w", b.proj.weight, True), (f"h.{l}.proj_b", b.proj.bias, False),
                (f"h.{l}.ln2_g", b.ln2.weight, False), (f"h.{l}.ln2_b", b.ln2.bias, False),
                (f"h.{l}.fc_w", b.fc.weight, True), (f"h.{l}.fc_b", b.fc.bias, False),
                (f"h.{l}.fc2_w", b.fc2.weight, True), (f"h.{l}.fc2_b", b.fc2.bias, False)]
    out += [("lnf_g", m.lnf.weight, False), ("lnf_b", m.lnf.bias, False),
            ("value_w", m.value.weight, True), ("value_b", m.value.bias, False)]
    return out


idx = torch.randint(0, V, (B, TT))
R = torch.randn(B, TT, V, dtype=torch.float64)
S = torch.randn(B, TT, dtype=torch.float64)
logits, values, ys = m(idx)
(logits * R).sum().add((values * S).sum()).backward()

with open("tests/fixtures/lm_torch.txt", "w") as f:
    def rec(name, t):
        t = t.detach().reshape(-1).tolist()
        f.write(f"{name} {len(t)}\n" + " ".join("%.17g" % x for x in t) + "\n")
    rec("shape", torch.tensor([V, T, C, L, H, B, TT], dtype=torch.float64))
    rec("tokens", idx.double())
    for name, p, tr in store(m):
        rec("param." + name, p.T if tr else p)
    rec("R", R)
    rec("S", S)
    rec("logits", logits)
    rec("values", values)
    rec("atty0", ys[0])
    for name, p, tr in store(m):
        rec("grad." + name, p.grad.T if tr else p.grad)
