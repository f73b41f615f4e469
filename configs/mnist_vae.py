r"""VAE / beta-VAE on real MNIST digits: MLP or conv encoder and decoder, Gaussian or echo-noise encoder.

Command (from the repository root):

  python -m launch.train --config configs/mnist_vae.py --workdir runs/mnist_vae

Expected: about 2 minutes on a 2-core CPU for 6,000 steps at batch 128
(~59 steps/s; 4,500 training digits of `mnist_subset`); eval.json gives the
test-set ELBO, recon_nll and kl (nats per digit), the active units of 16 and
the mutual information I(x; z). Measured values over a beta grid: the
`python -m launch.reproduce beta_vae` report.

Variants (override with --config.<key>=<value>):
  model.latent_dim=2                       2-D latents to plot
  method.kl_weight=4.0                     a beta-VAE (Higgins et al., 2017)
  model.encoder=echo                       echo noise (Brekelmans et al., 2019), exact rate
  model.architecture=conv                  conv encoder and transposed-conv decoder
  method.kl_schedule.kind=cyclical         KL annealing (see configs/drums_hvae.py for all kinds)
  method.free_bits=0.25                    free bits, nats per dimension (Kingma et al., 2016)
The rate-distortion curve over a beta grid (one sweep program) is
`python -m launch.reproduce beta_vae --workdir runs/beta_vae`.
`get_config("smoke")` runs in seconds.
"""

import ml_collections

from configs import base


def get_config(arg: str = "") -> ml_collections.ConfigDict:
  """The config; `arg="smoke"` shrinks it to a seconds-long run for tests."""
  c = ml_collections.ConfigDict()
  c.seed = 0
  c.data = ml_collections.ConfigDict(dict(name="mnist_subset", data_dir=""))

  c.model = ml_collections.ConfigDict()
  c.model.architecture = "mlp"  # mlp | conv
  c.model.latent_dim = 16
  c.model.encoder = "gaussian"  # gaussian | echo
  c.model.echo_clip = 0.727  # S(x) = clip * sigmoid(.): (2^-23)^(1/echo_d_max), the authors' choice for |f| <= 1.
  # Terms past echo_d_max then sum to < 2^-23 / (1 - clip): the truncated rate is exact in float32.
  c.model.echo_d_max = 50  # Echo noise terms (other examples of the batch) before truncation.

  c.method = base.vae_method(batch_size=128)
  c.method.name = "vae"

  c.optimizer = ml_collections.ConfigDict(dict(learning_rate=1e-3, b1=0.9, b2=0.999))

  c.train = ml_collections.ConfigDict(dict(
      steps=6000, steps_per_call=100, log_every=100, checkpoint_every=2000, figure_every=2000,
      keep_checkpoints=2,
      xla_cpu_ynnpack=False))  # XLA's own reductions and products: 180-182 steps/s, YNNPACK's 147-152 (2 cores).
  c.eval = ml_collections.ConfigDict(dict(num_samples=500))  # Test digits and samples for eval.json.

  if arg == "smoke":
    base.shrink_to_smoke(c)
    c.model.echo_d_max = 8
  elif arg:
    raise ValueError(f"unknown config argument {arg!r}; use '' or 'smoke'")
  return c
