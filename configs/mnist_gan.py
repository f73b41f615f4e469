r"""Non-saturating GAN, MLP generator and discriminator, on real MNIST digits.

Command (from the repository root):

  python -m launch.train --config configs/mnist_gan.py --workdir runs/mnist_gan

Expected: about 3.5 minutes on a 2-core CPU (measured: 200 s, ~53 steps/s)
for 10,000 steps at batch 64. Samples in runs/mnist_gan/figures/samples.png are
digit-shaped by step 2,000; at the end eval.json reports a pixel-space Fréchet
distance to the test digits of ~41 (an untrained generator: several hundred)
and `classes_covered` = 10 (nearest-neighbour labels of 1,000 samples).

Variants: `--config.method.objective=minimax` for the original saturating
game (Goodfellow et al., 2014, Eq. 1), which learns more slowly at the start;
`--config.data.name=mnist` for the full TFDS MNIST when it is prepared.
`get_config("smoke")` (`--config configs/mnist_gan.py:smoke`) runs in seconds.
"""

import ml_collections


def get_config(arg: str = "") -> ml_collections.ConfigDict:
  """The config; `arg="smoke"` shrinks it to a seconds-long run for tests."""
  c = ml_collections.ConfigDict()
  c.seed = 0

  c.data = ml_collections.ConfigDict()
  c.data.name = "mnist_subset"  # Offline: 4,500 train / 500 test real digits. Or "mnist".
  c.data.data_dir = ""  # TFDS data dir; "" = $TFDS_DATA_DIR or ~/tensorflow_datasets.

  c.model = ml_collections.ConfigDict()
  c.model.architecture = "mlp"  # mlp | dcgan
  c.model.latent_dim = 100
  c.model.generator_widths = (128, 256, 512, 1024)  # mlp only.
  c.model.critic_widths = (512, 256)  # mlp only.
  c.model.generator_features = 128  # dcgan only: channels after the projection of z (the next layer has half).
  c.model.critic_features = (64, 128)  # dcgan only: channels of the stride-2 convolutions.
  c.model.minibatch_kernels = 0  # Minibatch discrimination kernels (Salimans et al., 2016); 0 = off.
  c.model.minibatch_kernel_dim = 5

  c.method = ml_collections.ConfigDict()
  c.method.name = "gan"
  c.method.objective = "non_saturating"  # minimax | non_saturating | wgan_gp
  c.method.batch_size = 64
  c.method.n_critic = 1  # Critic (discriminator) updates per generator update.
  c.method.gradient_penalty = 10.0  # lambda; used by wgan_gp only.
  c.method.unroll_steps = 0  # Unrolled GAN lookahead (Metz et al., 2017); 0 = plain GAN.
  c.method.num_generators = 1  # MAD-GAN generators (Ghosh et al., 2018); 1 = plain GAN.
  c.method.pack = 1  # PacGAN packing degree (Lin et al., 2018); 1 = plain GAN.
  c.method.feature_matching = False  # Feature-matching generator loss (Salimans et al., 2016).

  c.optimizer = ml_collections.ConfigDict()
  # decay_steps > 0: cosine decay of the learning rate to 1% over that many updates; 0 = constant.
  c.optimizer.generator = ml_collections.ConfigDict(dict(learning_rate=2e-4, b1=0.5, b2=0.999, decay_steps=0))
  c.optimizer.critic = ml_collections.ConfigDict(dict(learning_rate=2e-4, b1=0.5, b2=0.999, decay_steps=0))

  c.train = ml_collections.ConfigDict()
  c.train.steps = 10_000  # Generator updates.
  c.train.steps_per_call = 100  # K steps fused into one jitted lax.scan.
  c.train.log_every = 100
  c.train.checkpoint_every = 1000
  c.train.figure_every = 1000
  c.train.keep_checkpoints = 3

  c.eval = ml_collections.ConfigDict()
  c.eval.num_samples = 1000  # Generated images scored into eval.json at the end.

  if arg == "smoke":
    shrink_to_smoke(c)
  elif arg:
    raise ValueError(f"unknown config argument {arg!r}; use '' or 'smoke'")
  return c


def shrink_to_smoke(c: ml_collections.ConfigDict) -> None:
  """Shrinks any config to a run of seconds (tests, CI): tiny batch, few steps."""
  c.method.batch_size = 16
  c.train.steps = 20
  c.train.steps_per_call = 5
  c.train.log_every = 5
  c.train.checkpoint_every = 10
  c.train.figure_every = 10
  c.eval.num_samples = 100
