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
  return base.vae("mnist_subset", arg)
