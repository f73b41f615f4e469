"""Published mode-collapse numbers to compare our runs against (reference data only).

Sources:
  * Srivastava, Valkov, Russell, Gutmann, Sutton. "VEEGAN: Reducing Mode Collapse in
    GANs using Implicit Variational Learning". NeurIPS 2017, arXiv:1705.07761.
  * Lin, Khetan, Fanti, Oh. "PacGAN: The power of two samples in generative adversarial
    networks". NeurIPS 2018, arXiv:1712.04086.
  * Metz, Poole, Pfau, Sohl-Dickstein. "Unrolled Generative Adversarial Networks".
    ICLR 2017, arXiv:1611.02163.
  * Elfeki, Couprie, Riviere, Elhoseiny. "GDPP: Learning Diverse Generations using
    Determinantal Point Processes". ICML 2019, arXiv:1812.00068.

Provenance. Every number below was read in a table image published by the paper's
authors (checked 2026-12-01):
  * PacGAN: fjxmlzn/PacGAN synthetic_data_experiments/results/Table1.png (2-D ring and
    grid), stacked_MNIST_experiments/results/Table2.png (stacked MNIST, VEEGAN setting)
    and Table3.png (stacked MNIST, Unrolled-GAN setting). Table 2 quotes the VEEGAN rows
    and Table 3 quotes Metz et al.'s rows, with the same numbers.
  * VEEGAN: akashgit/VEEGAN tab.png (the paper's Tables 1 and 2).
  * GDPP: M-Elfeki/GDPP Figures/Fig_2.png (the paper's Table 1; checked 2026-12-03). Its
    GAN, ALI, Unrolled GAN and VEEGAN rows are VEEGAN's; only its own two rows are kept
    here: GDPP-GAN and WGAN-GP (Gulrajani et al., 2017, as the GDPP authors ran it). The
    table gives no +- and no number of runs.
Each row's `verified` says where: "table" (the source's own table) or "quoted" (the
source's numbers as another paper's table quotes them: Metz et al.'s rows, read in
PacGAN's Table 3, not in the Unrolled-GAN paper itself). Rows recalled in earlier
versions of this file and not found in these tables were removed: minibatch
discrimination ("MD") in the 2-D tables and MAD-GAN on stacked MNIST; ALI on the grid
was corrected (95.7 +- 0.6 % high quality, reverse KL 0.14 +- 0.03, not 16.3 / 0.13).
The experimental SETTINGS marked "(verified: ...)" in the comments were read in the
authors' code and configs (fjxmlzn/PacGAN) and the akashgit/VEEGAN project page.

Units and conventions:
  * `modes`: the mean number of modes captured (ring max 8, grid max 25, stacked MNIST
    max 1000).
  * `high_quality`: the PERCENT (0-100, as printed) of generated samples within 3 std
    of the nearest mode.
  * `kl`: VEEGAN / PacGAN stacked MNIST: KL between the generated mode distribution and
    the uniform data mode distribution (PacGAN: "reverse KL divergence over the
    generated mode distribution"), as printed. PacGAN 2-D table: "reverse KL".
  * `*_se`: the +/- printed next to the mean; PacGAN's captions call it the standard
    error; None where the table gives none (the VEEGAN tables give none). What Metz et
    al.'s +/- means is not said in PacGAN's Table 3.
  * `trials`: the number of independent training runs the mean is over, where the
    table's caption says it (PacGAN: 10 for Tables 1 and 2, 50 for Table 3).
  * None means the source does not report the value.
"""

PUBLISHED = {
  # ---------------------------------------------------------------------------
  # 2-D ring: 8 Gaussians.
  # VEEGAN setting (verified: akashgit/VEEGAN index.md): 2500 generated samples per
  # model, averaged over 5 runs; "high quality" = within 3 std of the nearest mode; a
  # mode is captured if it is nearest to >= 1 high-quality sample; Unrolled GAN uses 5
  # unrolling steps. The VEEGAN ring radius and std were not checked.
  # PacGAN setting (verified: fjxmlzn/PacGAN synthetic_data_experiments/2DRing_GAN&PacGAN/
  # config.py, pacgan_task.py, PacGAN/pacgan/extensions.py): means on the unit circle,
  # std 0.01; 100k training points; 400 epochs; batch 100; Adam lr 1e-4, beta1 0.8;
  # 2-D N(0, I) latent; G = 4 x 400 ReLU+BN MLP; D = 3 maxout layers (200 units, 5
  # pieces) + linear, input 2 * pack; 10 runs per pack size 1..4; metrics on 2500
  # samples with a 3-std threshold. This matches jaxgen.data.mixtures.ring.
  # ---------------------------------------------------------------------------
  "ring": [
    dict(method="GAN", modes=1.0, modes_se=None, high_quality=99.3, high_quality_se=None,
         kl=None, kl_se=None, trials=5, source="Srivastava et al. 2017 (VEEGAN), Table 1", verified="table"),
    dict(method="ALI", modes=2.8, modes_se=None, high_quality=0.13, high_quality_se=None,
         kl=None, kl_se=None, trials=5, source="Srivastava et al. 2017 (VEEGAN), Table 1", verified="table"),
    dict(method="Unrolled GAN", modes=7.6, modes_se=None, high_quality=35.6, high_quality_se=None,
         kl=None, kl_se=None, trials=5, source="Srivastava et al. 2017 (VEEGAN), Table 1", verified="table"),
    dict(method="VEEGAN", modes=8.0, modes_se=None, high_quality=52.9, high_quality_se=None,
         kl=None, kl_se=None, trials=5, source="Srivastava et al. 2017 (VEEGAN), Table 1", verified="table"),
    dict(method="GAN", modes=6.3, modes_se=0.5, high_quality=98.2, high_quality_se=0.2,
         kl=0.45, kl_se=0.09, trials=10, source="Lin et al. 2018 (PacGAN), Table 1 (2-D ring)", verified="table"),
    dict(method="ALI", modes=6.6, modes_se=0.3, high_quality=97.6, high_quality_se=0.4,
         kl=0.36, kl_se=0.04, trials=10, source="Lin et al. 2018 (PacGAN), Table 1 (2-D ring)", verified="table"),
    dict(method="PacGAN2", modes=7.9, modes_se=0.1, high_quality=95.6, high_quality_se=2.0,
         kl=0.07, kl_se=0.03, trials=10, source="Lin et al. 2018 (PacGAN), Table 1 (2-D ring)", verified="table"),
    dict(method="PacGAN3", modes=7.8, modes_se=0.1, high_quality=97.7, high_quality_se=0.3,
         kl=0.1, kl_se=0.02, trials=10, source="Lin et al. 2018 (PacGAN), Table 1 (2-D ring)", verified="table"),
    dict(method="PacGAN4", modes=7.8, modes_se=0.1, high_quality=95.9, high_quality_se=1.4,
         kl=0.07, kl_se=0.02, trials=10, source="Lin et al. 2018 (PacGAN), Table 1 (2-D ring)", verified="table"),
    dict(method="WGAN-GP", modes=6.8, modes_se=None, high_quality=59.6, high_quality_se=None,
         kl=None, kl_se=None, trials=None, source="Elfeki et al. 2019 (GDPP), Table 1", verified="table"),
    dict(method="GDPP-GAN", modes=8.0, modes_se=None, high_quality=71.7, high_quality_se=None,
         kl=None, kl_se=None, trials=None, source="Elfeki et al. 2019 (GDPP), Table 1", verified="table"),
  ],

  # ---------------------------------------------------------------------------
  # 2-D grid: 25 Gaussians.
  # VEEGAN setting: as for the ring (2500 samples, 5 runs, 3-std threshold). The
  # VEEGAN grid spacing and std were not checked.
  # PacGAN setting (verified: fjxmlzn/PacGAN synthetic_data_experiments/2DGrid_GAN&PacGAN/
  # config.py): means {-4,-2,0,2,4}^2, std 0.05; everything else as for the ring (10
  # runs per pack size). This matches jaxgen.data.mixtures.grid.
  # ---------------------------------------------------------------------------
  "grid": [
    dict(method="GAN", modes=3.3, modes_se=None, high_quality=0.5, high_quality_se=None,
         kl=None, kl_se=None, trials=5, source="Srivastava et al. 2017 (VEEGAN), Table 1", verified="table"),
    dict(method="ALI", modes=15.8, modes_se=None, high_quality=1.6, high_quality_se=None,
         kl=None, kl_se=None, trials=5, source="Srivastava et al. 2017 (VEEGAN), Table 1", verified="table"),
    dict(method="Unrolled GAN", modes=23.6, modes_se=None, high_quality=16.0, high_quality_se=None,
         kl=None, kl_se=None, trials=5, source="Srivastava et al. 2017 (VEEGAN), Table 1", verified="table"),
    dict(method="VEEGAN", modes=24.6, modes_se=None, high_quality=40.0, high_quality_se=None,
         kl=None, kl_se=None, trials=5, source="Srivastava et al. 2017 (VEEGAN), Table 1", verified="table"),
    dict(method="GAN", modes=17.3, modes_se=0.8, high_quality=94.8, high_quality_se=0.7,
         kl=0.7, kl_se=0.07, trials=10, source="Lin et al. 2018 (PacGAN), Table 1 (2-D grid)", verified="table"),
    dict(method="ALI", modes=24.1, modes_se=0.4, high_quality=95.7, high_quality_se=0.6,
         kl=0.14, kl_se=0.03, trials=10, source="Lin et al. 2018 (PacGAN), Table 1 (2-D grid)", verified="table"),
    dict(method="PacGAN2", modes=23.8, modes_se=0.7, high_quality=91.3, high_quality_se=0.8,
         kl=0.13, kl_se=0.04, trials=10, source="Lin et al. 2018 (PacGAN), Table 1 (2-D grid)", verified="table"),
    dict(method="PacGAN3", modes=24.6, modes_se=0.4, high_quality=94.2, high_quality_se=0.4,
         kl=0.06, kl_se=0.02, trials=10, source="Lin et al. 2018 (PacGAN), Table 1 (2-D grid)", verified="table"),
    dict(method="PacGAN4", modes=24.8, modes_se=0.2, high_quality=93.6, high_quality_se=0.6,
         kl=0.04, kl_se=0.01, trials=10, source="Lin et al. 2018 (PacGAN), Table 1 (2-D grid)", verified="table"),
    dict(method="WGAN-GP", modes=24.2, modes_se=None, high_quality=28.7, high_quality_se=None,
         kl=None, kl_se=None, trials=None, source="Elfeki et al. 2019 (GDPP), Table 1", verified="table"),
    dict(method="GDPP-GAN", modes=24.8, modes_se=None, high_quality=68.5, high_quality_se=None,
         kl=None, kl_se=None, trials=None, source="Elfeki et al. 2019 (GDPP), Table 1", verified="table"),
  ],

  # ---------------------------------------------------------------------------
  # Stacked MNIST (1000 modes), VEEGAN setting.
  # VEEGAN (verified: akashgit/VEEGAN index.md): three random MNIST digits stacked as
  # RGB channels; modes counted with a pretrained MNIST classifier; 26000 samples; 5
  # runs; KL between the generated and the (uniform) data mode distributions.
  # PacGAN re-uses this setting (verified: fjxmlzn/PacGAN stacked_MNIST_experiments/
  # VEEGAN_experiment/config.py): DCGAN (carpedm20 DCGAN-tensorflow) with pack 1..4;
  # 128000 training images; 50 epochs; batch 64; Adam lr 2e-4, beta1 0.5; z_dim 100;
  # 26000 test samples; 10 runs. Its Table 2 repeats the VEEGAN rows (same numbers)
  # and adds its own DCGAN run and the PacDCGANs.
  # ---------------------------------------------------------------------------
  "stacked_mnist": [
    dict(method="DCGAN", modes=99.0, modes_se=None, kl=3.4, kl_se=None, trials=5,
         source="Srivastava et al. 2017 (VEEGAN), Table 2 (stacked MNIST)", verified="table"),
    dict(method="ALI", modes=16.0, modes_se=None, kl=5.4, kl_se=None, trials=5,
         source="Srivastava et al. 2017 (VEEGAN), Table 2 (stacked MNIST)", verified="table"),
    dict(method="Unrolled GAN", modes=48.7, modes_se=None, kl=4.32, kl_se=None, trials=5,
         source="Srivastava et al. 2017 (VEEGAN), Table 2 (stacked MNIST)", verified="table"),
    dict(method="VEEGAN", modes=150.0, modes_se=None, kl=2.95, kl_se=None, trials=5,
         source="Srivastava et al. 2017 (VEEGAN), Table 2 (stacked MNIST)", verified="table"),
    dict(method="DCGAN (PacGAN's run)", modes=78.9, modes_se=6.46, kl=4.5, kl_se=0.127, trials=10,
         source="Lin et al. 2018 (PacGAN), Table 2 (stacked MNIST, VEEGAN setting)", verified="table"),
    dict(method="PacDCGAN2", modes=1000.0, modes_se=0.0, kl=0.06, kl_se=0.003, trials=10,
         source="Lin et al. 2018 (PacGAN), Table 2 (stacked MNIST, VEEGAN setting)", verified="table"),
    dict(method="PacDCGAN3", modes=1000.0, modes_se=0.0, kl=0.06, kl_se=0.003, trials=10,
         source="Lin et al. 2018 (PacGAN), Table 2 (stacked MNIST, VEEGAN setting)", verified="table"),
    dict(method="PacDCGAN4", modes=1000.0, modes_se=0.0, kl=0.07, kl_se=0.005, trials=10,
         source="Lin et al. 2018 (PacGAN), Table 2 (stacked MNIST, VEEGAN setting)", verified="table"),
  ],

  # ---------------------------------------------------------------------------
  # Stacked MNIST (1000 modes), Unrolled-GAN setting: the discriminator has 1/4 or 1/2
  # the size of the generator (`d_size`).
  # PacGAN (verified: fjxmlzn/PacGAN stacked_MNIST_experiments/unrolled_GAN_experiment/
  # D=0.25G and D=0.5G/config.py): batch 128; z_dim 256; D lr 2e-4, G lr 1e-4, Adam
  # beta1 0.5, beta2 0.99; 500000 * 128 training images drawn on the fly; 25600 test
  # samples; 50 runs per pack size 1..4.
  # Metz et al. 2017, Table 2: DCGAN-like G/D, 0 (= plain DCGAN), 1, 5 and 10 unrolling
  # steps; their number of runs is not given in PacGAN's Table 3.
  # ---------------------------------------------------------------------------
  "stacked_mnist_unrolled": [
    # D = 1/4 G.
    dict(method="DCGAN", unroll_steps=0, d_size="1/4", modes=30.6, modes_se=20.73, kl=5.99, kl_se=0.42,
         trials=None, source="Metz et al. 2017 (Unrolled GAN), as quoted in PacGAN Table 3", verified="quoted"),
    dict(method="Unrolled GAN", unroll_steps=1, d_size="1/4", modes=65.4, modes_se=34.75, kl=5.91, kl_se=0.14,
         trials=None, source="Metz et al. 2017 (Unrolled GAN), as quoted in PacGAN Table 3", verified="quoted"),
    dict(method="Unrolled GAN", unroll_steps=5, d_size="1/4", modes=236.4, modes_se=63.3, kl=4.67, kl_se=0.43,
         trials=None, source="Metz et al. 2017 (Unrolled GAN), as quoted in PacGAN Table 3", verified="quoted"),
    dict(method="Unrolled GAN", unroll_steps=10, d_size="1/4", modes=327.2, modes_se=74.67, kl=4.66, kl_se=0.46,
         trials=None, source="Metz et al. 2017 (Unrolled GAN), as quoted in PacGAN Table 3", verified="quoted"),
    # D = 1/2 G.
    dict(method="DCGAN", unroll_steps=0, d_size="1/2", modes=628.0, modes_se=140.9, kl=2.58, kl_se=0.75,
         trials=None, source="Metz et al. 2017 (Unrolled GAN), as quoted in PacGAN Table 3", verified="quoted"),
    dict(method="Unrolled GAN", unroll_steps=1, d_size="1/2", modes=523.6, modes_se=55.77, kl=2.44, kl_se=0.26,
         trials=None, source="Metz et al. 2017 (Unrolled GAN), as quoted in PacGAN Table 3", verified="quoted"),
    dict(method="Unrolled GAN", unroll_steps=5, d_size="1/2", modes=732.0, modes_se=44.98, kl=1.66, kl_se=0.09,
         trials=None, source="Metz et al. 2017 (Unrolled GAN), as quoted in PacGAN Table 3", verified="quoted"),
    dict(method="Unrolled GAN", unroll_steps=10, d_size="1/2", modes=817.4, modes_se=37.91, kl=1.43, kl_se=0.12,
         trials=None, source="Metz et al. 2017 (Unrolled GAN), as quoted in PacGAN Table 3", verified="quoted"),
    dict(method="DCGAN (PacGAN's run)", unroll_steps=0, d_size="1/4", modes=78.5, modes_se=17.56, kl=5.21, kl_se=0.19,
         trials=50, source="Lin et al. 2018 (PacGAN), Table 3 (stacked MNIST, Unrolled-GAN setting)", verified="table"),
    dict(method="PacDCGAN2", unroll_steps=0, d_size="1/4", modes=484.5, modes_se=32.99, kl=2.61, kl_se=0.22,
         trials=50, source="Lin et al. 2018 (PacGAN), Table 3 (stacked MNIST, Unrolled-GAN setting)", verified="table"),
    dict(method="PacDCGAN3", unroll_steps=0, d_size="1/4", modes=601.3, modes_se=32.18, kl=2.0, kl_se=0.17,
         trials=50, source="Lin et al. 2018 (PacGAN), Table 3 (stacked MNIST, Unrolled-GAN setting)", verified="table"),
    dict(method="PacDCGAN4", unroll_steps=0, d_size="1/4", modes=667.4, modes_se=29.0, kl=1.81, kl_se=0.15,
         trials=50, source="Lin et al. 2018 (PacGAN), Table 3 (stacked MNIST, Unrolled-GAN setting)", verified="table"),
    dict(method="DCGAN (PacGAN's run)", unroll_steps=0, d_size="1/2", modes=487.7, modes_se=34.59, kl=2.24, kl_se=0.15,
         trials=50, source="Lin et al. 2018 (PacGAN), Table 3 (stacked MNIST, Unrolled-GAN setting)", verified="table"),
    dict(method="PacDCGAN2", unroll_steps=0, d_size="1/2", modes=840.7, modes_se=15.92, kl=1.0, kl_se=0.05,
         trials=50, source="Lin et al. 2018 (PacGAN), Table 3 (stacked MNIST, Unrolled-GAN setting)", verified="table"),
    dict(method="PacDCGAN3", unroll_steps=0, d_size="1/2", modes=866.6, modes_se=12.1, kl=0.9, kl_se=0.04,
         trials=50, source="Lin et al. 2018 (PacGAN), Table 3 (stacked MNIST, Unrolled-GAN setting)", verified="table"),
    dict(method="PacDCGAN4", unroll_steps=0, d_size="1/2", modes=820.2, modes_se=25.5, kl=1.15, kl_se=0.14,
         trials=50, source="Lin et al. 2018 (PacGAN), Table 3 (stacked MNIST, Unrolled-GAN setting)", verified="table"),
  ],

  # ---------------------------------------------------------------------------
  # CIFAR-10, "inference via optimisation" metric (IvOM, Metz et al. 2017): the mean
  # squared error between test images and their closest generated images (lower is
  # better). This is the CIFAR column of VEEGAN's Table 2 (not modes / KL).
  # ---------------------------------------------------------------------------
  "cifar10_ivom": [
    dict(method="DCGAN", ivom=0.00844, ivom_se=0.002, trials=None,
         source="Srivastava et al. 2017 (VEEGAN), Table 2 (CIFAR-10 IvOM)", verified="table"),
    dict(method="ALI", ivom=0.0067, ivom_se=0.004, trials=None,
         source="Srivastava et al. 2017 (VEEGAN), Table 2 (CIFAR-10 IvOM)", verified="table"),
    dict(method="Unrolled GAN", ivom=0.013, ivom_se=0.0009, trials=None,
         source="Srivastava et al. 2017 (VEEGAN), Table 2 (CIFAR-10 IvOM)", verified="table"),
    dict(method="VEEGAN", ivom=0.0068, ivom_se=0.0001, trials=None,
         source="Srivastava et al. 2017 (VEEGAN), Table 2 (CIFAR-10 IvOM)", verified="table"),
  ],
}
