"""The config families' bases: every config in configs/ starts from one of these and sets what differs.

`gan(data_name)` is the GAN family (MLP or DCGAN, every fix off), `mixture_gan`
its 2-D mixture branch, `vae(data_name)` the flat VAE family (`vae_method` its
method section, shared with the drum VAE),
`ddpm(data_name)` the diffusion family, `mesh()` the device mesh section of
every family, `shrink_to_smoke` the seconds-long run
of any config. A config derives from its family base, or from a config of the
same dataset (a variant), never from another dataset's config; it adds or
changes keys, never deletes them.
"""

import ml_collections


def gan(data_name: str) -> ml_collections.ConfigDict:
  """The GAN family on `data_name`: non-saturating MLP GAN, batch 64, Adam 2e-4 (beta1 0.5), every fix off."""
  c = ml_collections.ConfigDict()
  c.seed = 0

  c.data = ml_collections.ConfigDict()
  c.data.name = data_name
  c.data.data_dir = ""  # TFDS data dir; "" = $TFDS_DATA_DIR or ~/tensorflow_datasets.

  c.model = ml_collections.ConfigDict()
  c.model.architecture = "mlp"  # mlp | dcgan
  c.model.latent_dim = 100
  c.model.generator_widths = (128, 256, 512, 1024)  # mlp only.
  c.model.critic_widths = (512, 256)  # mlp only.
  c.model.generator_features = 128  # dcgan only: channels after the projection of z (the next layer has half).
  c.model.critic_features = (64, 128)  # dcgan only: channels of the stride-2 convolutions.
  c.model.critic_dropout = 0.3  # dcgan only: dropout after each critic convolution block in training steps.
  c.model.minibatch_kernels = 0  # Minibatch discrimination kernels (Salimans et al., 2016); 0 = off.
  c.model.minibatch_kernel_dim = 5
  c.model.spectral_norm = False  # Spectral normalization of the critic (Miyato et al., 2018).

  c.method = ml_collections.ConfigDict()
  c.method.name = "gan"
  c.method.objective = "non_saturating"  # minimax | non_saturating | wgan_gp
  c.method.batch_size = 64
  c.method.n_critic = 1  # Critic (discriminator) updates per generator update.
  c.method.gradient_penalty = 10.0  # lambda; used by wgan_gp only.
  c.method.r1_gamma = 0.0  # R1 penalty gamma/2 E||grad D(x)||^2 on real data (Mescheder et al., 2018); 0 = off.
  c.method.r2_gamma = 0.0  # R2: the same on generated samples; 0 = off.
  c.method.unroll_steps = 0  # Unrolled GAN lookahead (Metz et al., 2017); 0 = plain GAN.
  c.method.num_generators = 1  # MAD-GAN generators (Ghosh et al., 2018); 1 = plain GAN.
  c.method.pack = 1  # PacGAN packing degree (Lin et al., 2018); 1 = plain GAN.
  c.method.feature_matching = False  # Feature-matching generator loss (Salimans et al., 2016).
  c.method.ema_decay = 0.0  # Sample from an average of the generator's params (Yazici et al., 2019); 0 = off.
  c.method.path_length_weight = 0.0  # StyleGAN2 path-length penalty on the generator (Karras et al., 2020); 0 = off.
  c.method.path_length_decay = 0.01  # Its running mean's update rate.
  c.method.path_energy_weight = 0.0  # Penalty on the energy U of straight latent paths; 0 = off.

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
  c.train.xla_cpu_ynnpack = True  # XLA:CPU's YNNPACK products (engine.loop.compiler_options); no effect elsewhere.
  c.train.mesh = mesh()

  c.eval = ml_collections.ConfigDict()
  c.eval.num_samples = 1000  # Generated images scored into eval.json at the end.

  return c


def mixture_gan(data_name: str, arg: str = "") -> ml_collections.ConfigDict:
  """The 2-D mixture GANs (`ring`, `grid`): 3x128 generator, 2x128 critic, batch 128, Adam 1e-3 decayed by a
  cosine over the run, the coverage series every 250 steps, 2,500 samples scored at the end. `arg="smoke"`:
  `shrink_to_smoke` with the coverage series every 10 steps."""
  c = gan(data_name)
  c.model.latent_dim = 16
  c.model.generator_widths = (128, 128, 128)
  c.model.critic_widths = (128, 128)
  c.method.batch_size = 128
  c.train.steps = 5000
  for opt in (c.optimizer.generator, c.optimizer.critic):
    opt.learning_rate, opt.b1, opt.b2 = 1e-3, 0.5, 0.999
    opt.decay_steps = c.train.steps  # Cosine to 1e-5: sharpens the samples onto the modes.
  c.train.log_every = 250
  c.train.eval_every = 250  # The coverage time series.
  c.train.checkpoint_every = 1000
  c.train.figure_every = 1000
  # Eigen's products use both cores on these 128-wide layers, YNNPACK's one; steps/s on a 2-core CPU: 1.0x at
  # batch 128, PacGAN 1.07x, unrolled 1.11x, batch 512 1.23-1.26x (engine.loop.compiler_options).
  c.train.xla_cpu_ynnpack = False
  c.eval.num_samples = 2500  # The protocol's sample count.
  if arg == "smoke":
    shrink_to_smoke(c)
    c.train.eval_every = 10
  elif arg:
    raise ValueError(f"unknown config argument {arg!r}; use '' or 'smoke'")
  return c


def vae_method(batch_size: int) -> ml_collections.ConfigDict:
  """The `method` section shared by the VAE configs: beta 1, no annealing, no free bits, temperature 1."""
  return ml_collections.ConfigDict(dict(
      batch_size=batch_size,
      kl_weight=1.0,  # beta: the KL weight at the top of its schedule.
      # KL annealing a(t) in [0, 1] (jaxgen.schedules): constant | linear | sigmoid | cyclical.
      kl_schedule=dict(kind="constant", warmup_steps=0, midpoint=0, steepness=0.0, num_cycles=4, ratio=0.5),
      free_bits=0.0,  # lambda, nats per latent dimension; 0 = off.
      temperature=dict(start=1.0, end=1.0, decay_steps=0),  # Training temperature of the logits; 0 steps = constant.
      sample_temperature=1.0,  # Logits / T when sampling.
  ))


def vae(data_name: str, arg: str = "") -> ml_collections.ConfigDict:
  """The flat VAE family on `data_name`: Gaussian encoder, beta 1, Adam 1e-3.

  Digits (`mnist_subset`): MLP encoder and decoder, 16-D latent, Bernoulli
  pixels, batch 128, 6,000 steps. Stacked MNIST: the conv encoder and
  decoder on the 3 channels, 16-D latent, batch 64, 10,000 steps, scored as
  the DCGAN is (26,000 samples; the coverage series on 2,600). The 2-D
  mixtures (`ring`, `grid`): MLP, 2-D latent, Gaussian likelihood with a
  learned per-point scale, batch 256, 20,000 steps with the learning rate
  decayed by a cosine, the coverage series every 1,000 steps, 2,500 samples
  scored at the end. `arg="smoke"`: `shrink_to_smoke`.
  """
  mixture, stacked = data_name in ("ring", "grid"), data_name == "stacked_mnist"
  c = ml_collections.ConfigDict()
  c.seed = 0
  c.data = ml_collections.ConfigDict(dict(name=data_name, data_dir=""))

  c.model = ml_collections.ConfigDict()
  c.model.architecture = "conv" if stacked else "mlp"  # mlp | conv
  c.model.latent_dim = 2 if mixture else 16
  c.model.encoder = "gaussian"  # gaussian | echo
  c.model.echo_clip = 0.727  # S(x) = clip * sigmoid(.): (2^-23)^(1/echo_d_max), the authors' choice for |f| <= 1.
  # Terms past echo_d_max then sum to < 2^-23 / (1 - clip): the truncated rate is exact in float32.
  c.model.echo_d_max = 50  # Echo noise terms (other examples of the batch) before truncation.
  if mixture:
    c.model.likelihood = "gaussian"  # bernoulli | gaussian (absent: bernoulli).

  c.method = vae_method(batch_size=256 if mixture else 64 if stacked else 128)
  c.method.name = "vae"

  c.optimizer = ml_collections.ConfigDict(dict(learning_rate=1e-3, b1=0.9, b2=0.999))

  c.train = ml_collections.ConfigDict(dict(
      steps=6000, steps_per_call=100, log_every=100, checkpoint_every=2000, figure_every=2000,
      keep_checkpoints=2,
      xla_cpu_ynnpack=False))  # XLA's own reductions and products: 180-182 steps/s, YNNPACK's 147-152 (2 cores).
  c.train.mesh = mesh()
  c.eval = ml_collections.ConfigDict(dict(num_samples=500))  # Test digits and samples for eval.json.
  if mixture:
    c.train.steps = 20_000
    c.optimizer.decay_steps = c.train.steps  # Cosine to 1e-5, as for the mixture GANs and DDPMs.
    c.train.eval_every = 1000  # The coverage time series.
    c.eval.num_samples = 2500  # The protocol's sample count.
  if mixture or stacked:
    c.eval.held_out_samples = 10_000  # Examples drawn for the ELBO diagnostics (experiment.held_out_examples).
  if stacked:
    c.train.steps, c.train.eval_every = 10_000, 1000
    c.train.xla_cpu_ynnpack = True  # Convolutions: YNNPACK's products, as for the DCGAN.
    c.eval.num_samples = 26_000  # The protocol's sample count (final evaluation).
    c.eval.series_samples = 2600  # For the modes-vs-step time series.
  if arg == "smoke":
    shrink_to_smoke(c)
    c.model.echo_d_max = 8
    if mixture or stacked:
      c.train.eval_every = 10
      c.eval.held_out_samples = 100
    if stacked:
      c.eval.num_samples = c.eval.series_samples = 100
  elif arg:
    raise ValueError(f"unknown config argument {arg!r}; use '' or 'smoke'")
  return c


def ddpm(data_name: str, arg: str = "") -> ml_collections.ConfigDict:
  """The DDPM family on `data_name` (Ho et al., 2020): linear betas 1e-4 to 0.02 over T = 1000, epsilon
  prediction, EMA 0.999, Adam 2e-4; a small U-Net for 28x28 images, an MLP denoiser for the 2-D mixtures
  (`ring`, `grid`: batch 256, Adam 1e-3 decayed by a cosine, the coverage series every 1,000 steps, 2,500
  samples scored at the end). Samples: DDIM with 100 steps, eta 1 (ancestral on the strided schedule).
  `arg="smoke"`: `shrink_to_smoke`, T = 50 and tiny networks."""
  mixture = data_name in ("ring", "grid")
  c = ml_collections.ConfigDict()
  c.seed = 0
  c.data = ml_collections.ConfigDict(dict(name=data_name, data_dir=""))

  c.model = ml_collections.ConfigDict()
  c.model.architecture = "mlp" if mixture else "unet"  # unet | mlp
  c.model.channels = (16, 32, 32)  # unet: channels at 28, 14 and 7 pixels.
  c.model.attention = False  # unet: self-attention at the lowest resolution.
  c.model.dropout_rate = 0.0  # unet: in the residual blocks.
  c.model.groups = 4  # unet: GroupNorm groups.
  c.model.widths = (256, 256, 256)  # mlp.
  c.model.time_dim = 64  # mlp: timestep embedding size.

  c.method = ml_collections.ConfigDict()
  c.method.name = "ddpm"
  c.method.batch_size = 256 if mixture else 64
  c.method.num_timesteps = 1000  # T.
  c.method.schedule = "linear"  # linear (Ho et al., 2020) | cosine (Nichol & Dhariwal, 2021).
  c.method.prediction = "epsilon"  # epsilon | v (Salimans & Ho, 2022).
  c.method.ema_decay = 0.999  # Of the sampled parameters (Ho et al.: 0.9999 over 800k steps).
  c.method.sampler = "ddim"  # ddpm (Algorithm 2, all T steps) | ddim (sample_steps, eta).
  c.method.sample_steps = 100
  c.method.eta = 1.0  # ddim: 0 deterministic, 1 ancestral.

  c.optimizer = ml_collections.ConfigDict(dict(learning_rate=1e-3 if mixture else 2e-4, b1=0.9, b2=0.999,
                                               decay_steps=0))
  c.train = ml_collections.ConfigDict(dict(
      # Images: 6,000 steps, ~85 epochs of the 4,500 mnist_subset digits at batch 64.
      steps=20_000 if mixture else 6000, steps_per_call=100, log_every=100, checkpoint_every=1000,
      figure_every=1000, keep_checkpoints=2, xla_cpu_ynnpack=True))
  c.train.mesh = mesh()
  c.eval = ml_collections.ConfigDict(dict(num_samples=2500 if mixture else 1000))
  if mixture:
    c.optimizer.decay_steps = c.train.steps
    c.train.eval_every = 1000  # The coverage time series.
  if arg == "smoke":
    shrink_to_smoke(c)
    c.method.num_timesteps, c.method.sample_steps = 50, 10
    c.model.channels, c.model.groups, c.model.widths, c.model.time_dim = (8, 16), 4, (32, 32), 16
    if mixture:
      c.train.eval_every = 10
  elif arg:
    raise ValueError(f"unknown config argument {arg!r}; use '' or 'smoke'")
  return c


def mesh() -> ml_collections.ConfigDict:
  """`train.mesh`, the device mesh on more than one device (`jaxgen.engine.mesh`): devices on the `seed` axis
  (a sweep's seeds) and on the `data` axis (each batch); 0 = automatic (`seed` = gcd(devices, seeds), `data`
  = gcd(the rest, batch size)). Ignored on one device; a run resumes on any mesh."""
  return ml_collections.ConfigDict(dict(seed=0, data=0))


def shrink_to_smoke(c: ml_collections.ConfigDict) -> None:
  """Shrinks any config to a run of seconds (tests, CI): tiny batch, few steps."""
  c.method.batch_size = 16
  c.train.steps = 20
  c.train.steps_per_call = 5
  c.train.log_every = 5
  c.train.checkpoint_every = 10  # A checkpoint mid-run, for the resume tests.
  c.train.figure_every = 20  # Figures once, at the end: drawing them costs more than the 20 steps.
  c.eval.num_samples = 100
