"""Writes tests/fixtures/conv_torch.txt: a two-layer CNN (Conv2d 2->3, k 3, stride 1, pad 1;
tanh; Conv2d 3->4, k 3, stride 2, pad 1; tanh) in PyTorch float32 on a (2, 2, 7, 5) input:
input, weights (PyTorch's (Co, Ci, k, k) = acrl's layout), output, and the gradients of
L = sum(out * g) for a fixed g; and tests/fixtures/conv_pool_torch.txt, the same records
for Conv2d 2->3 (k 3, pad 1), tanh, MaxPool2d(2), Conv2d 3->4 (k 3, pad 1), tanh,
MaxPool2d(3) on a (2, 2, 9, 8) input (odd sizes: the rows and columns that fill no window
are dropped). Run from the repository root with Debian's python:

    /usr/bin/python3 tests/gen_conv_torch.py

Records: "name count" followed by count floats (%.9g)."""
import torch

torch.manual_seed(7)
net = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3, stride=1, padding=1), torch.nn.Tanh(),
                          torch.nn.Conv2d(3, 4, 3, stride=2, padding=1), torch.nn.Tanh())
x = torch.randn(2, 2, 7, 5, requires_grad=True)
y = net(x)
g = torch.randn_like(y)
(y * g).sum().backward()
recs = [("x", x), ("w0", net[0].weight), ("b0", net[0].bias), ("w1", net[2].weight), ("b1", net[2].bias),
        ("y", y), ("g", g), ("dx", x.grad), ("dw0", net[0].weight.grad), ("db0", net[0].bias.grad),
        ("dw1", net[2].weight.grad), ("db1", net[2].bias.grad)]


def write(path, recs):
    with open(path, "w") as f:
        for name, t in recs:
            v = t.detach().reshape(-1).tolist()
            f.write("%s %d\n" % (name, len(v)))
            f.write(" ".join("%.9g" % a for a in v) + "\n")


write("tests/fixtures/conv_torch.txt", recs)

net = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3, stride=1, padding=1), torch.nn.Tanh(), torch.nn.MaxPool2d(2),
                          torch.nn.Conv2d(3, 4, 3, stride=1, padding=1), torch.nn.Tanh(), torch.nn.MaxPool2d(3))
x = torch.randn(2, 2, 9, 8, requires_grad=True)
y = net(x)
g = torch.randn_like(y)
(y * g).sum().backward()
write("tests/fixtures/conv_pool_torch.txt",
      [("x", x), ("w0", net[0].weight), ("b0", net[0].bias), ("w1", net[3].weight), ("b1", net[3].bias),
       ("y", y), ("g", g), ("dx", x.grad), ("dw0", net[0].weight.grad), ("db0", net[0].bias.grad),
       ("dw1", net[3].weight.grad), ("db1", net[3].bias.grad)])
