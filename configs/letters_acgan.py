r"""AC-GAN (Odena et al., 2017) on `letters`: the DCGAN of configs/letters_dcgan.py, conditioned on the letter.

Command (from the repository root), 3 seeds:

  python -m launch.sweep --config configs/letters_acgan.py --seeds 3 --workdir runs/letters_acgan

The generator gets [z, onehot(letter)] and the discriminator has 1 + 26
outputs: the real/fake logit and an auxiliary classifier head over the 26
letters, trained with weight `method.aux_weight` (`jaxgen.methods.acgan`).
`sample` draws the letters balanced (i % 26), so the coverage series of
letters_dcgan.py measures whether each conditioned letter is drawn as itself.
metrics.jsonl also logs the auxiliary losses, the fakes' auxiliary accuracy
and `aux_drop` (drops of the auxiliary loss on fakes: the logged interval
mean times log_every is the number of drops that began in the interval).

Variants:
  --config.method.attributes='("label","slant")' --config.method.num_classes='(26,2)'
      condition on letter and slant at once (one head each)
  --config.method.latent_noise=0.1           noise on the generator's input code while training
  --config.method.adaptive_aux_factor=2      double the auxiliary weight when its loss drops (capped at max_aux_scale)
  --config.method.aux_weight.max_value=3     a larger auxiliary weight
  --config.method.aux_weight.kind=linear     a scheduled one (ramp over aux_weight.warmup_steps)

Run time and result (2-core CPU, 2026-12-03): 3 seeds in one sweep, 19
minutes; 26 +- 0 letters present, the asked letter drawn in 0.454 +- 0.003 of
samples, one auxiliary-loss drop per seed at step 300 (the learning of the
classes, not a collapse).

`get_config("smoke")` (`--config configs/letters_acgan.py:smoke`) runs in seconds.
"""

import ml_collections

from configs import letters_dcgan


def get_config(arg: str = "") -> ml_collections.ConfigDict:
  """The config; `arg="smoke"` shrinks it to a seconds-long run for tests."""
  c = letters_dcgan.get_config(arg)
  c.method.name = "acgan"
  c.method.attributes = ("label",)  # Label features of the data to condition on, one auxiliary head each.
  c.method.num_classes = (26,)  # Classes per attribute.
  # The auxiliary loss's weight w(t), a jaxgen.schedules.make section (kind: constant | linear | sigmoid | cyclical).
  c.method.aux_weight = ml_collections.ConfigDict(dict(
      kind="constant", max_value=1.0, warmup_steps=1000, midpoint=1000, steepness=0.005, num_cycles=4, ratio=0.5))
  c.method.latent_noise = 0.0  # Std of the noise added to the generator's input code in training; 0 = off.
  c.method.aux_drop_window = 100  # W, steps: the drop detector compares the means of the last two W-step halves.
  c.method.aux_drop_threshold = 0.5  # A drop: the newer half's mean is below (1 - this) x the older half's.
  c.method.adaptive_aux_factor = 1.0  # On a drop, multiply the auxiliary weight by this; 1 = off.
  c.method.max_aux_scale = 8.0  # Cap on that multiplier.
  if arg == "smoke":
    c.method.aux_drop_window = 3
    c.method.aux_weight.warmup_steps = c.method.aux_weight.midpoint = 10
  return c
