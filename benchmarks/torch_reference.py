r"""The same training steps in PyTorch (eager), for a side-by-side ratio with `benchmarks/steps.py`.

  pip install torch==2.13.0   # Not a jaxgen dependency; any recent CPU build does.
  python benchmarks/torch_reference.py [--only dcgan,ring_2d,mnist_wgan_gp] [--seconds 20]
  python benchmarks/steps.py --only stacked_mnist_dcgan,ring_2d,mnist_wgan_gp --seeds 0

Run the two one after the other (or interleaved, twice) and quote the ratio of
their steps/s columns: this shared machine's absolute speed drifts by tens of
percent between hours. Each case is the step the named jaxgen config trains
with, written the way a PyTorch user would (standard `nn` layers, `torch.optim.Adam`,
`autograd.grad` for the penalty), with the same layer sizes, batch, optimizer
and number of forward/backward passes:

  dcgan          `configs/stacked_mnist_dcgan.py`: one discriminator update on
                 64 real and 64 fake 28x28x3 images (each batch its own
                 forward pass), then one non-saturating generator update on
                 64 fresh samples; 5x5 stride-2 (transposed) convolutions,
                 BatchNorm in G, dropout 0.3 in D.
  ring_2d        `configs/ring_gan.py` at batch 512, latent 2, G and D 3x128
                 LeakyReLU MLPs, non-saturating loss.
  mnist_wgan_gp  `configs/mnist_wgan_gp.py`: n_critic = 5 critic updates with
                 the gradient penalty (lambda 10), then one generator update;
                 MLPs (128, 256, 512, 1024) and (512, 256), batch 64.

Real data is replaced by uniform noise of the same shape (jaxgen's sampling is
a gather from an in-memory array: a negligible share of either step).
"""

import argparse
import time

import torch
from torch import nn
import torch.nn.functional as F


def mlp(sizes, out_act=None):
  layers = []
  for a, b in zip(sizes[:-2], sizes[1:-1]):
    layers += [nn.Linear(a, b), nn.LeakyReLU(0.2)]
  layers.append(nn.Linear(sizes[-2], sizes[-1]))
  if out_act:
    layers.append(out_act)
  return nn.Sequential(*layers)


def dcgan_case():
  g = nn.Sequential(
      nn.Linear(100, 7 * 7 * 128, bias=False), nn.BatchNorm1d(7 * 7 * 128), nn.ReLU(),
      nn.Unflatten(1, (128, 7, 7)),
      nn.ConvTranspose2d(128, 64, 5, 2, padding=2, output_padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
      nn.ConvTranspose2d(64, 3, 5, 2, padding=2, output_padding=1), nn.Tanh())
  d = nn.Sequential(
      nn.Conv2d(3, 64, 5, 2, padding=2), nn.LeakyReLU(0.2), nn.Dropout(0.3),
      nn.Conv2d(64, 128, 5, 2, padding=2), nn.LeakyReLU(0.2), nn.Dropout(0.3),
      nn.Flatten(), nn.Linear(7 * 7 * 128, 1))
  return g, d, 100, (3, 28, 28), 64, dict(lr=2e-4, betas=(0.5, 0.999)), 1, 0.0


def ring_case():
  g = mlp((2, 128, 128, 128, 2))
  d = mlp((2, 128, 128, 128, 1))
  return g, d, 2, (2,), 512, dict(lr=1e-3, betas=(0.5, 0.999)), 1, 0.0


def wgan_gp_case():
  g = nn.Sequential(mlp((100, 128, 256, 512, 1024, 784), nn.Tanh()))
  d = mlp((784, 512, 256, 1))
  return g, d, 100, (784,), 64, dict(lr=1e-4, betas=(0.5, 0.9)), 5, 10.0


CASES = {"dcgan": dcgan_case, "ring_2d": ring_case, "mnist_wgan_gp": wgan_gp_case}


def make_step(g, d, latent_dim, shape, batch, adam, n_critic, gradient_penalty):
  """One generator step (after n_critic critic steps), as the jaxgen config's step computes it."""
  g_opt, d_opt = torch.optim.Adam(g.parameters(), **adam), torch.optim.Adam(d.parameters(), **adam)
  g.train()
  d.train()

  def critic_step():
    real = torch.rand(batch, *shape) * 2 - 1
    with torch.no_grad():
      fake = g(torch.randn(batch, latent_dim))
    d_real, d_fake = d(real).squeeze(-1), d(fake).squeeze(-1)
    if gradient_penalty:
      eps = torch.rand(batch, *([1] * len(shape)))
      mix = (eps * real + (1 - eps) * fake).requires_grad_(True)
      (grad,) = torch.autograd.grad(d(mix).sum(), mix, create_graph=True)
      penalty = gradient_penalty * ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()
      loss = d_fake.mean() - d_real.mean() + penalty
    else:
      loss = (F.binary_cross_entropy_with_logits(d_real, torch.ones_like(d_real))
              + F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake)))
    d_opt.zero_grad(set_to_none=True)
    loss.backward()
    d_opt.step()

  def generator_step():
    for p in d.parameters():  # Only input gradients through the critic, as jax.grad computes.
      p.requires_grad_(False)
    out = d(g(torch.randn(batch, latent_dim))).squeeze(-1)
    loss = -out.mean() if gradient_penalty else F.binary_cross_entropy_with_logits(out, torch.ones_like(out))
    g_opt.zero_grad(set_to_none=True)
    loss.backward()
    g_opt.step()
    for p in d.parameters():
      p.requires_grad_(True)

  def step():
    for _ in range(n_critic):
      critic_step()
    generator_step()

  return step


def steps_per_second(step, seconds: float) -> float:
  for _ in range(3):  # Warm-up: allocator, oneDNN primitive caches.
    step()
  n, start = 0, time.perf_counter()
  while time.perf_counter() - start < seconds:
    step()
    n += 1
  return n / (time.perf_counter() - start)


def main():
  parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
  parser.add_argument("--only", default="", help="comma-separated cases (default: all): " + ",".join(CASES))
  parser.add_argument("--seconds", type=float, default=20.0, help="timing window per case")
  args = parser.parse_args()
  names = [n for n in args.only.split(",") if n] or list(CASES)
  unknown = sorted(set(names) - set(CASES))
  if unknown:
    parser.error(f"unknown case(s) {unknown}; choose from {list(CASES)}")
  torch.manual_seed(0)
  print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
  print(f"{'case':<16}{'steps/s':>10}")
  for name in names:
    print(f"{name:<16}{steps_per_second(make_step(*CASES[name]()), args.seconds):>10.2f}", flush=True)


if __name__ == "__main__":
  main()
