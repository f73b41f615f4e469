"""GAN objectives: minimax, non-saturating, WGAN-GP, MAD-GAN, feature matching and AC-GAN.

Names say who minimises a loss: `critic_loss_*` (the critic, or discriminator) and
`generator_loss_*`. All functions take unnormalised critic outputs ("logits" for a standard GAN
discriminator, where D(x) = sigmoid(logit); "scores" for a Wasserstein critic)
as float32 arrays of shape [B] and return float32 scalars in nats (for the
log-likelihood losses) or critic units (for the Wasserstein ones). They are
written with `softplus` so that they stay finite for large logits:
log sigmoid(l) = -softplus(-l) and log(1 - sigmoid(l)) = -softplus(l).
AC-GAN's discriminator outputs [B, 1 + sum_a K_a] (a real/fake logit, then
the logits of one auxiliary classifier head per attribute); its combined
losses return (loss, {name: term}) so that the terms can be logged.

References:
  Goodfellow et al. (2014), "Generative Adversarial Nets", Eq. (1) and Sec. 3.
  Arjovsky et al. (2017), "Wasserstein GAN", Eq. (3).
  Gulrajani et al. (2017), "Improved Training of Wasserstein GANs", Algorithm 1.
  Salimans et al. (2016), "Improved Techniques for Training GANs", Sec. 3.1.
  Ghosh et al. (2018), "Multi-Agent Diverse Generative Adversarial Networks", Sec. 3.
  Odena, Olah & Shlens (2017), "Conditional Image Synthesis with Auxiliary
    Classifier GANs", ICML, Eqs. (2)-(3).
"""

from typing import Callable, Sequence

import jax
import jax.numpy as jnp
import optax

Array = jax.Array


def critic_loss_minimax(real_logits: Array, fake_logits: Array) -> Array:
  r"""Binary cross-entropy of the discriminator: real -> 1, fake -> 0.

  .. math::
    L_D = -\mathbb{E}_x[\log D(x)] - \mathbb{E}_z[\log(1 - D(G(z)))]

  (Goodfellow et al., 2014, Eq. 1, negated so that it is minimised.)

  Args:
    real_logits: float [B], discriminator logits on data.
    fake_logits: float [B'], discriminator logits on generated samples.

  Returns:
    Scalar loss in nats; 2 log 2 ~= 1.386 when every logit is 0.
  """
  return jnp.mean(jax.nn.softplus(-real_logits)) + jnp.mean(jax.nn.softplus(fake_logits))


def generator_loss_minimax(fake_logits: Array) -> Array:
  r"""The generator's side of the original (saturating) minimax game.

  .. math:: L_G = \mathbb{E}_z[\log(1 - D(G(z)))]

  Its gradient vanishes when the discriminator confidently rejects samples,
  which is why Goodfellow et al. (2014, Sec. 3) suggest the non-saturating form.

  Args:
    fake_logits: float [B], discriminator logits on generated samples.

  Returns:
    Scalar loss in nats (always <= 0); -log 2 when every logit is 0.
  """
  return -jnp.mean(jax.nn.softplus(fake_logits))


def generator_loss_non_saturating(fake_logits: Array) -> Array:
  r"""The non-saturating generator loss ("-log D trick").

  .. math:: L_G = -\mathbb{E}_z[\log D(G(z))]

  Args:
    fake_logits: float [B], discriminator logits on generated samples.

  Returns:
    Scalar loss in nats (always >= 0); log 2 when every logit is 0.
  """
  return jnp.mean(jax.nn.softplus(-fake_logits))


def critic_loss_wasserstein(real_scores: Array, fake_scores: Array) -> Array:
  r"""Critic loss of WGAN: minus the Kantorovich-Rubinstein estimate.

  .. math:: L_C = \mathbb{E}_z[C(G(z))] - \mathbb{E}_x[C(x)]

  (Arjovsky et al., 2017, Eq. 3; add `gradient_penalty` for WGAN-GP.)

  Args:
    real_scores: float [B], critic scores on data.
    fake_scores: float [B'], critic scores on generated samples.

  Returns:
    Scalar loss; its negative estimates the Wasserstein-1 distance.
  """
  return jnp.mean(fake_scores) - jnp.mean(real_scores)


def generator_loss_wasserstein(fake_scores: Array) -> Array:
  r"""Generator loss of WGAN: :math:`L_G = -\mathbb{E}_z[C(G(z))]`.

  Args:
    fake_scores: float [B], critic scores on generated samples.

  Returns:
    Scalar loss.
  """
  return -jnp.mean(fake_scores)


def _l2_norm_per_example(g: Array) -> Array:
  """||g_i||_2 over all non-batch axes, with a gradient that is 0 (not NaN) at g_i = 0.

  sqrt has an infinite derivative at 0; the double `where` keeps the zero branch
  out of the backward pass (the JAX FAQ's "gradients of where" pattern).
  """
  squared = jnp.sum(jnp.square(g).reshape((g.shape[0], -1)), axis=1)
  positive = squared > 0
  return jnp.where(positive, jnp.sqrt(jnp.where(positive, squared, 1.0)), 0.0)


def critic_input_grad_norm(critic_fn: Callable[[Array], Array], x: Array) -> Array:
  """Per-example norm of the critic's gradient with respect to its input.

  Args:
    critic_fn: maps float [B, ...] inputs to float [B] scores, independently
      per example (no batch statistics).
    x: float [B, ...] inputs.

  Returns:
    float [B], ||grad_x C(x_i)||_2 taken over all non-batch axes.
  """
  # Examples are independent, so d(sum_i C(x_i))/dx_i = grad C(x_i).
  grads = jax.grad(lambda x_: jnp.sum(critic_fn(x_)))(x)
  return _l2_norm_per_example(grads)


def gradient_penalty(
    critic_fn: Callable[[Array], Array],
    real: Array,
    fake: Array,
    key: Array,
    weight: float = 10.0,
) -> Array:
  r"""Two-sided gradient penalty of WGAN-GP.

  .. math::
    \lambda\, \mathbb{E}_{\hat x}\big[(\lVert \nabla_{\hat x} C(\hat x) \rVert_2 - 1)^2\big],
    \qquad \hat x = \epsilon x + (1 - \epsilon) G(z),\ \epsilon \sim U[0, 1]

  with one epsilon per example (Gulrajani et al., 2017, Algorithm 1, lines
  4-8). The norm is over all non-batch axes and its gradient is finite even
  where the input gradient is exactly zero (e.g. a constant critic), in which
  case the penalty is `weight`.

  Args:
    critic_fn: maps float [B, ...] inputs to float [B] scores, per example.
    real: float [B, ...] data batch.
    fake: float [B, ...] generated batch of the same shape.
    key: PRNG key for epsilon.
    weight: lambda, the penalty coefficient (10 in the paper).

  Returns:
    Scalar penalty, already multiplied by `weight`.

  Raises:
    ValueError: if `real` and `fake` shapes differ.
  """
  if real.shape != fake.shape:
    raise ValueError(f"real and fake must have the same shape, got {real.shape} and {fake.shape}")
  eps_shape = (real.shape[0],) + (1,) * (real.ndim - 1)
  eps = jax.random.uniform(key, eps_shape, dtype=real.dtype)
  x_hat = eps * real + (1.0 - eps) * fake
  norms = critic_input_grad_norm(critic_fn, x_hat)
  return weight * jnp.mean(jnp.square(norms - 1.0))


def zero_centred_gradient_penalty(critic_fn: Callable[[Array], Array], x: Array, gamma: float) -> Array:
  r"""The zero-centred gradient penalty R1 (x real) or R2 (x generated) of Mescheder et al. (2018).

  .. math:: R(\psi) = \frac{\gamma}{2}\, \mathbb{E}_x\big[\lVert \nabla_x D_\psi(x) \rVert_2^2\big]

  "Which Training Methods for GANs do actually Converge?", ICML 2018, Eq. 9
  (R1 under the data distribution) and Eq. 10 (R2 under the generator's).
  D is the critic's logit (before any sigmoid); the squared norm is over all
  non-batch axes, so no square root (and no NaN gradient at 0) is involved.

  Args:
    critic_fn: maps float [B, ...] inputs to float [B] logits, per example.
    x: float [B, ...], a real batch (R1) or a generated one (R2).
    gamma: the penalty weight gamma >= 0.

  Returns:
    Scalar penalty, already multiplied by gamma / 2.

  Example:
    >>> w = jnp.array([3.0, 4.0])  # A linear critic: the penalty is gamma / 2 * ||w||^2.
    >>> float(zero_centred_gradient_penalty(lambda x: x @ w, jnp.ones((5, 2)), gamma=2.0))
    25.0
  """
  grads = jax.grad(lambda x_: jnp.sum(critic_fn(x_)))(x)  # Examples are independent: row i is grad D(x_i).
  return 0.5 * gamma * jnp.mean(jnp.sum(jnp.square(grads).reshape((x.shape[0], -1)), axis=1))


def feature_matching_loss(real_features: Array, fake_features: Array) -> Array:
  r"""Feature matching: match the mean discriminator features of data and samples.

  .. math:: L_G = \lVert \mathbb{E}_x f(x) - \mathbb{E}_z f(G(z)) \rVert_2^2

  where f is an intermediate layer of the discriminator (Salimans et al.,
  2016, Sec. 3.1). The discriminator keeps its usual loss.

  Args:
    real_features: float [B, F] features of a data batch.
    fake_features: float [B', F] features of generated samples.

  Returns:
    Scalar loss in squared feature units.

  Example:
    >>> float(feature_matching_loss(jnp.array([[1.0, 2.0]]), jnp.array([[0.0, 0.0], [0.0, 2.0]])))
    2.0
  """
  return jnp.sum(jnp.square(jnp.mean(real_features, 0) - jnp.mean(fake_features, 0)))


def critic_loss_madgan(real_logits: Array, fake_logits: Array, fake_generator: Array) -> Array:
  r"""MAD-GAN discriminator: a (k+1)-way softmax that names the generator of each sample.

  Classes 0..k-1 are the k generators and class k is "real"; the loss is the
  cross-entropy averaged over the real and the generated examples together
  (Ghosh et al., 2018, Sec. 3.1, Eq. 3, with one-hot targets delta).

  Args:
    real_logits: float [B, k+1] logits on data.
    fake_logits: float [B', k+1] logits on generated samples.
    fake_generator: int [B'] index in [0, k) of the generator of each sample.

  Returns:
    Scalar loss in nats; log(k+1) when every logit is 0.

  Example:
    >>> float(critic_loss_madgan(jnp.zeros((2, 3)), jnp.zeros((2, 3)), jnp.array([0, 1])))  # log 3
    1.0986123085021973
  """
  real_nll = -jax.nn.log_softmax(real_logits)[:, -1]
  fake_nll = -jnp.take_along_axis(jax.nn.log_softmax(fake_logits), fake_generator[:, None], axis=1)[:, 0]
  return jnp.mean(jnp.concatenate([real_nll, fake_nll]))


def generator_loss_madgan(fake_logits: Array) -> Array:
  r"""MAD-GAN generators: each wants its samples classified as real (class k).

  .. math:: L_G = -\mathbb{E}_z \log D_{k+1}(G_i(z))

  (Ghosh et al., 2018, Sec. 3.1, in the non-saturating form; the mean runs
  over the samples of all generators, so generator i receives the gradient of
  its own samples only.)

  Args:
    fake_logits: float [B', k+1] discriminator logits on generated samples.

  Returns:
    Scalar loss in nats.
  """
  return -jnp.mean(jax.nn.log_softmax(fake_logits)[:, -1])


def split_acgan_outputs(outputs: Array, num_classes: Sequence[int]) -> tuple[Array, list[Array]]:
  """AC-GAN discriminator outputs -> (real/fake logits, one auxiliary head's logits per attribute).

  Args:
    outputs: float [B, 1 + sum(num_classes)]: column 0 the real/fake logit,
      then K_1 logits of the first attribute's head, K_2 of the second, ...
    num_classes: (K_1, ..., K_A), classes per attribute.

  Returns:
    (float [B] real/fake logits, [float [B, K_a] for each attribute a]).

  Raises:
    ValueError: if the last axis is not 1 + sum(num_classes).

  Example:
    >>> source, heads = split_acgan_outputs(jnp.zeros((2, 6)), (3, 2))
    >>> source.shape, [h.shape for h in heads]
    ((2,), [(2, 3), (2, 2)])
  """
  if outputs.shape[-1] != 1 + sum(num_classes):
    raise ValueError(f"AC-GAN outputs need 1 + sum(num_classes) = {1 + sum(num_classes)} columns "
                     f"(num_classes={tuple(num_classes)}), got shape {outputs.shape}")
  bounds = [1 + sum(num_classes[:i]) for i in range(len(num_classes) + 1)]
  return outputs[:, 0], [outputs[:, lo:hi] for lo, hi in zip(bounds[:-1], bounds[1:])]


def auxiliary_classifier_loss(head_logits: Sequence[Array], labels: Sequence[Array]) -> Array:
  r"""AC-GAN's auxiliary classification loss: softmax cross-entropy per head, summed over the heads.

  .. math:: L_C = \sum_a \mathbb{E}\big[-\log \operatorname{softmax}(\ell_a)_{c_a}\big]

  the negated class term of Odena et al. (2017), Eq. 3, on one batch, with
  one head per attribute a (e.g. letter and slant); computed on the logits
  (`optax.softmax_cross_entropy_with_integer_labels`, a log-sum-exp), never
  on softmax outputs.

  Args:
    head_logits: [float [B, K_a] for each attribute a], unnormalised.
    labels: [int [B] in [0, K_a) for each attribute a], the same order.

  Returns:
    Scalar loss in nats: the batch mean of each head's cross-entropy, summed
    over the heads; sum_a log K_a when every logit is 0.

  Raises:
    ValueError: if the two sequences differ in length.

  Example:
    >>> float(auxiliary_classifier_loss([jnp.zeros((2, 3)), jnp.zeros((2, 2))],
    ...                                 [jnp.array([0, 2]), jnp.array([1, 0])]))  # log 3 + log 2
    1.7917594909667969
  """
  if len(head_logits) != len(labels):
    raise ValueError(f"one label array per head: {len(head_logits)} heads, {len(labels)} label arrays")
  return sum(jnp.mean(optax.softmax_cross_entropy_with_integer_labels(logits, y))
             for logits, y in zip(head_logits, labels))


def critic_loss_acgan(real_outputs: Array, fake_outputs: Array, real_labels: Sequence[Array],
                      fake_labels: Sequence[Array], num_classes: Sequence[int], aux_weight: Array | float,
                      source_loss: Callable[[Array, Array], Array] = critic_loss_minimax
                      ) -> tuple[Array, dict[str, Array]]:
  r"""AC-GAN discriminator: its GAN loss on the source logit plus the weighted auxiliary loss on both batches.

  .. math::
    L_D = -\mathbb{E}\log D(x) - \mathbb{E}\log(1 - D(G(z, c)))
          + w\,\big(L_C(x, y) + L_C(G(z, c), c)\big)

  Odena et al. (2017), Eqs. 2-3 (D maximises L_S + L_C; here negated, with
  the weight w on the class term and L_C = `auxiliary_classifier_loss`).
  The first term is `source_loss`: the cross-entropy above by default, or
  any objective's critic loss (e.g. `critic_loss_wasserstein`, as in the
  AC-WGAN-GP of Gulrajani et al., 2017, Table 3).

  Args:
    real_outputs: float [B, 1 + sum K] discriminator outputs on data
      (`split_acgan_outputs` layout).
    fake_outputs: float [B', 1 + sum K] on generated samples.
    real_labels: [int [B] per attribute], the data's labels.
    fake_labels: [int [B'] per attribute], the codes the samples were
      generated with.
    num_classes: (K_1, ..., K_A).
    aux_weight: w >= 0, float scalar.
    source_loss: (real source logits float [B], fake source logits float
      [B']) -> float [].

  Returns:
    (scalar loss in nats, {"aux_real": L_C on data, "aux_fake": L_C on samples}).

  Example:
    >>> loss, terms = critic_loss_acgan(jnp.zeros((1, 3)), jnp.zeros((1, 3)), [jnp.array([0])],
    ...                                 [jnp.array([1])], (2,), 0.5)
    >>> round(float(loss), 4), round(float(terms["aux_real"]), 4)  # 2 log 2 + 0.5 * 2 log 2, log 2
    (2.0794, 0.6931)
  """
  real_source, real_heads = split_acgan_outputs(real_outputs, num_classes)
  fake_source, fake_heads = split_acgan_outputs(fake_outputs, num_classes)
  terms = {"aux_real": auxiliary_classifier_loss(real_heads, real_labels),
           "aux_fake": auxiliary_classifier_loss(fake_heads, fake_labels)}
  return source_loss(real_source, fake_source) + aux_weight * (terms["aux_real"] + terms["aux_fake"]), terms


def generator_loss_acgan(fake_outputs: Array, fake_labels: Sequence[Array], num_classes: Sequence[int],
                         aux_weight: Array | float,
                         source_loss: Callable[[Array], Array] = generator_loss_non_saturating
                         ) -> tuple[Array, dict[str, Array]]:
  r"""AC-GAN generator: its GAN loss on the source logit plus the weighted auxiliary loss of its samples.

  .. math:: L_G = -\mathbb{E}\log D(G(z, c)) + w\,L_C(G(z, c), c)

  with the first term `source_loss` (non-saturating by default;
  `generator_loss_minimax` puts E log(1 - D(G(z, c))) there). Odena et al.
  (2017), Eqs. 2-3: G maximises L_C - L_S; the data term of L_C does not
  depend on G and is left out.

  Args:
    fake_outputs: float [B, 1 + sum K] discriminator outputs on generated samples.
    fake_labels: [int [B] per attribute], the codes they were generated with.
    num_classes: (K_1, ..., K_A).
    aux_weight: w >= 0, float scalar.
    source_loss: fake source logits float [B] -> float [].

  Returns:
    (scalar loss in nats, {"aux_fake": L_C on the samples}).

  Example:
    >>> loss, terms = generator_loss_acgan(jnp.zeros((1, 3)), [jnp.array([1])], (2,), 2.0)
    >>> round(float(loss), 4)  # log 2 + 2 log 2
    2.0794
  """
  source, heads = split_acgan_outputs(fake_outputs, num_classes)
  aux_fake = auxiliary_classifier_loss(heads, fake_labels)
  return source_loss(source) + aux_weight * aux_fake, {"aux_fake": aux_fake}
