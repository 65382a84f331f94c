"""Writes tests/fixtures/nn_torch_*.txt: reference values from PyTorch (float32) for
tests/test_nn_torch.c. Run from the repository root with Debian's python:

    /usr/bin/python3 tests/gen_nn_torch.py

Each fixture is a list of records "name count" followed by count floats (%.9g).
Weights are written in acrl's layout, (in, out) = PyTorch's weight transposed."""
import torch

B = 8
SIZES = [5, 16, 16, 3]


class FixedDropout(torch.nn.Module):
    """Inverted dropout with a given mask (B, width) of values in {0, 1 / (1 - p)}: what
    torch.nn.Dropout computes in training mode once its mask is drawn."""

    def __init__(self, mask):
        super().__init__()
        self.mask = mask

    def forward(self, x):
        return x * self.mask


def make(act, layernorm, masks=None):
    layers = []
    for i in range(len(SIZES) - 1):
        layers.append(torch.nn.Linear(SIZES[i], SIZES[i + 1]))
        if i < len(SIZES) - 2:
            if masks is not None:
                layers.append(FixedDropout(masks[i]))
            if layernorm:
                layers.append(torch.nn.LayerNorm(SIZES[i + 1]))
            layers.append({"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "gelu": torch.nn.GELU,
                           "elu": torch.nn.ELU}[act]())
    return torch.nn.Sequential(*layers)


def named_params(net):
    """(acrl name, tensor) in acrl's store order: per layer w, b, then ln_g, ln_b."""
    out, l = [], 0
    mods = list(net)
    i = 0
    while i < len(mods):
        lin = mods[i]
        out.append((f"mlp.{l}.w", lin.weight, True))
        out.append((f"mlp.{l}.b", lin.bias, False))
        i += 1
        if i < len(mods) and isinstance(mods[i], FixedDropout):
            i += 1
        if i < len(mods) and isinstance(mods[i], torch.nn.LayerNorm):
            out.append((f"mlp.{l}.ln_g", mods[i].weight, False))
            out.append((f"mlp.{l}.ln_b", mods[i].bias, False))
            i += 1
        if i < len(mods) and not isinstance(mods[i], torch.nn.Linear):
            i += 1
        l += 1
    return out


def write(f, name, t, transpose=False):
    t = t.detach()
    if transpose:
        t = t.t()
    vals = t.contiguous().reshape(-1).tolist()
    f.write(f"{name} {len(vals)}\n")
    f.write(" ".join("%.9g" % v for v in vals) + "\n")


def write_params(f, prefix, net):
    for name, p, tr in named_params(net):
        write(f, prefix + name, p, tr)


def write_grads(f, prefix, net):
    for name, p, tr in named_params(net):
        write(f, prefix + name, p.grad, tr)


def train(net0, x, t, opt_fn, steps=5, clip=None):
    net = make_like(net0)
    opt = opt_fn(net.parameters())
    norms = []
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(net(x), t)
        loss.backward()
        if clip is not None:
            norms.append(float(torch.nn.utils.clip_grad_norm_(net.parameters(), clip)))
        opt.step()
    return net, norms


def make_like(net0):
    import copy
    return copy.deepcopy(net0)


def case(fname, act, layernorm, seed, dropout=0.0):
    torch.manual_seed(seed)
    masks = None
    if dropout > 0:  # Linear -> Dropout (these masks) -> LayerNorm -> act, as acrl_mlp_forward_train
        masks = [(torch.rand(B, w) >= dropout).float() / (1 - dropout) for w in SIZES[1:-1]]
    net = make(act, layernorm, masks)
    if layernorm:  # non-trivial LN affine parameters
        for m in net:
            if isinstance(m, torch.nn.LayerNorm):
                with torch.no_grad():
                    m.weight.uniform_(0.5, 1.5)
                    m.bias.uniform_(-0.2, 0.2)
    x = torch.randn(B, SIZES[0])
    t = torch.randn(B, SIZES[-1])
    with open(fname, "w") as f:
        write_params(f, "init.", net)
        for l, mk in enumerate(masks or []):
            write(f, f"mask.{l}", mk)
        write(f, "x", x)
        write(f, "target", t)
        xg = x.clone().requires_grad_(True)
        y = net(xg)
        loss = torch.nn.functional.mse_loss(y, t)
        loss.backward()
        write(f, "y", y)
        write(f, "loss", loss.reshape(1))
        write(f, "dx", xg.grad)
        write_grads(f, "grad.", net)
        norm = torch.sqrt(sum((p.grad ** 2).sum() for p in net.parameters()))
        max_norm = float(norm) * 0.3
        write(f, "clip.max_norm", torch.tensor([max_norm]))
        write(f, "clip.norm", torch.nn.utils.clip_grad_norm_(net.parameters(), max_norm).reshape(1))
        write_grads(f, "clip.", net)
        net.zero_grad()
        adam, _ = train(net, x, t, lambda p: torch.optim.Adam(p, lr=1e-2))
        write_params(f, "adam.", adam)
        adamw, _ = train(net, x, t, lambda p: torch.optim.AdamW(p, lr=1e-2, weight_decay=0.1))
        write_params(f, "adamw.", adamw)
        rms, _ = train(net, x, t, lambda p: torch.optim.RMSprop(p, lr=1e-2, alpha=0.99, eps=1e-5))
        write_params(f, "rmsprop.", rms)
        adamc, norms = train(net, x, t, lambda p: torch.optim.Adam(p, lr=1e-2), clip=max_norm)
        write_params(f, "adam_clip.", adamc)
        write(f, "adam_clip.norms", torch.tensor(norms))


if __name__ == "__main__":
    torch.set_default_dtype(torch.float32)
    case("tests/fixtures/nn_torch_tanh.txt", "tanh", False, 1)
    case("tests/fixtures/nn_torch_relu.txt", "relu", False, 2)
    case("tests/fixtures/nn_torch_ln_gelu.txt", "gelu", True, 3)
    case("tests/fixtures/nn_torch_elu.txt", "elu", False, 4)
    case("tests/fixtures/nn_torch_ln_gelu_dropout.txt", "gelu", True, 5, dropout=0.25)
