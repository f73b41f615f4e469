"""Published mode-collapse numbers to compare our runs against (reference data only).

Sources:
  * Srivastava, Valkov, Russell, Gutmann, Sutton. "VEEGAN: Reducing Mode Collapse in
    GANs using Implicit Variational Learning". NeurIPS 2017, arXiv:1705.07761.
  * Lin, Khetan, Fanti, Oh. "PacGAN: The power of two samples in generative adversarial
    networks". NeurIPS 2018, arXiv:1712.04086.
  * Metz, Poole, Pfau, Sohl-Dickstein. "Unrolled Generative Adversarial Networks".
    ICLR 2017, arXiv:1611.02163.
  * Ghosh, Kulharia, Namboodiri, Torr, Dokania. "Multi-Agent Diverse Generative
    Adversarial Networks" (MAD-GAN). CVPR 2018.

PROVENANCE: PLEASE READ. None of the tables below could be read from the primary
papers with the tools this file was researched with. The papers' full text and the
authors' result tables were only available as images: fjxmlzn/PacGAN
stacked_MNIST_experiments/results/Table{2,3}.png and
synthetic_data_experiments/results/Table1.png, and akashgit/VEEGAN tab.png. Each row
therefore has a `verified` field:
  "secondary":  the same number was read in another paper that copies the table
                (EnGAN, Kumar et al. 2019, "Maximum Entropy Generators for Energy-Based
                Models", Table 1; that paper says it took the numbers from the MINE
                paper, Belghazi et al. 2018). Read in a paper-to-markdown copy in the
                public code index (file id 62363580516).
  "unverified": recalled from memory, not read in any source. Check these against the
                PDF before citing them. `confidence` gives how sure the recall is.
  "not_found":  the row exists in the paper, but its numbers were not recovered (None).
Only the experimental SETTINGS marked "(verified: ...)" in the comments were read in a
source: the authors' code and configs in fjxmlzn/PacGAN, and the text of the
akashgit/VEEGAN project page (index.md).

Units and conventions:
  * `modes`: the mean number of modes captured (ring max 8, grid max 25, stacked MNIST
    max 1000).
  * `high_quality`: the PERCENT (0-100, as printed) of generated samples within 3 std
    of the nearest mode.
  * `kl`: VEEGAN / Metz stacked MNIST: KL between the generated mode distribution and
    the uniform data mode distribution, as printed. PacGAN 2-D tables: "reverse KL"
    between the generated and the true mode distribution.
  * `*_se`: the +/- value printed next to the mean; None where the table gives none
    (the VEEGAN tables give none). PacGAN describes its +/- as standard errors
    (unverified). What Metz et al.'s +/- means was not checked.
  * `trials`: the number of independent training runs the mean is over, where known.
  * None means the source does not report the value (or, for "not_found", that it
    was not recovered).

Table numbering: the PacGAN repository's README (arXiv version) numbers them Table 1 =
2-D synthetic, Table 2 = stacked MNIST in the VEEGAN setting, Table 3 = stacked MNIST
in the Unrolled-GAN setting. The NeurIPS camera-ready may number them differently.
`source` strings say which table is meant.
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
    # Srivastava et al. 2017 (VEEGAN), Table 1, "2D Ring" columns. 5 runs, no +/-.
    dict(method="GAN", modes=1.0, modes_se=None, high_quality=99.3, high_quality_se=None,
         kl=None, kl_se=None, trials=5, source="Srivastava et al. 2017 (VEEGAN), Table 1",
         verified="unverified", confidence="high"),
    dict(method="ALI", modes=2.8, modes_se=None, high_quality=0.13, high_quality_se=None,
         kl=None, kl_se=None, trials=5, source="Srivastava et al. 2017 (VEEGAN), Table 1",
         verified="unverified", confidence="high"),
    dict(method="Unrolled GAN", modes=7.6, modes_se=None, high_quality=35.6,
         high_quality_se=None, kl=None, kl_se=None, trials=5,
         source="Srivastava et al. 2017 (VEEGAN), Table 1", verified="unverified",
         confidence="high"),
    dict(method="VEEGAN", modes=8.0, modes_se=None, high_quality=52.9, high_quality_se=None,
         kl=None, kl_se=None, trials=5, source="Srivastava et al. 2017 (VEEGAN), Table 1",
         verified="unverified", confidence="high"),
    # Lin et al. 2018 (PacGAN), 2-D ring table (arXiv Table 1). 10 runs; +/- printed.
    # MD = minibatch discrimination (Salimans et al. 2016).
    dict(method="GAN", modes=6.3, modes_se=0.5, high_quality=98.2, high_quality_se=0.2,
         kl=0.45, kl_se=0.09, trials=10, source="Lin et al. 2018 (PacGAN), 2D-ring table",
         verified="unverified", confidence="medium"),
    dict(method="ALI", modes=6.6, modes_se=0.3, high_quality=97.6, high_quality_se=0.4,
         kl=0.36, kl_se=0.04, trials=10, source="Lin et al. 2018 (PacGAN), 2D-ring table",
         verified="unverified", confidence="medium"),
    dict(method="MD", modes=4.3, modes_se=0.8, high_quality=36.6, high_quality_se=8.8,
         kl=1.93, kl_se=0.11, trials=10, source="Lin et al. 2018 (PacGAN), 2D-ring table",
         verified="unverified", confidence="medium"),
    dict(method="PacGAN2", modes=7.9, modes_se=0.1, high_quality=95.6, high_quality_se=2.0,
         kl=0.07, kl_se=0.03, trials=10, source="Lin et al. 2018 (PacGAN), 2D-ring table",
         verified="unverified", confidence="medium"),
    dict(method="PacGAN3", modes=7.8, modes_se=0.1, high_quality=97.7, high_quality_se=0.3,
         kl=0.10, kl_se=0.02, trials=10, source="Lin et al. 2018 (PacGAN), 2D-ring table",
         verified="unverified", confidence="medium"),
    dict(method="PacGAN4", modes=7.8, modes_se=0.1, high_quality=95.9, high_quality_se=1.4,
         kl=0.07, kl_se=0.02, trials=10, source="Lin et al. 2018 (PacGAN), 2D-ring table",
         verified="unverified", confidence="medium"),
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
    # Srivastava et al. 2017 (VEEGAN), Table 1, "2D Grid" columns. 5 runs, no +/-.
    dict(method="GAN", modes=3.3, modes_se=None, high_quality=0.5, high_quality_se=None,
         kl=None, kl_se=None, trials=5, source="Srivastava et al. 2017 (VEEGAN), Table 1",
         verified="unverified", confidence="high"),
    dict(method="ALI", modes=15.8, modes_se=None, high_quality=1.6, high_quality_se=None,
         kl=None, kl_se=None, trials=5, source="Srivastava et al. 2017 (VEEGAN), Table 1",
         verified="unverified", confidence="high"),
    dict(method="Unrolled GAN", modes=23.6, modes_se=None, high_quality=16.0,
         high_quality_se=None, kl=None, kl_se=None, trials=5,
         source="Srivastava et al. 2017 (VEEGAN), Table 1", verified="unverified",
         confidence="high"),
    dict(method="VEEGAN", modes=24.6, modes_se=None, high_quality=40.0, high_quality_se=None,
         kl=None, kl_se=None, trials=5, source="Srivastava et al. 2017 (VEEGAN), Table 1",
         verified="unverified", confidence="high"),
    # Lin et al. 2018 (PacGAN), 2-D grid table (arXiv Table 1). 10 runs; +/- printed.
    dict(method="GAN", modes=17.3, modes_se=0.8, high_quality=94.8, high_quality_se=0.7,
         kl=0.70, kl_se=0.07, trials=10, source="Lin et al. 2018 (PacGAN), 2D-grid table",
         verified="unverified", confidence="medium"),
    dict(method="ALI", modes=24.1, modes_se=0.4, high_quality=16.3, high_quality_se=0.5,
         kl=0.13, kl_se=0.01, trials=10, source="Lin et al. 2018 (PacGAN), 2D-grid table",
         verified="unverified", confidence="medium"),
    dict(method="MD", modes=23.8, modes_se=0.5, high_quality=79.9, high_quality_se=3.2,
         kl=0.17, kl_se=0.03, trials=10, source="Lin et al. 2018 (PacGAN), 2D-grid table",
         verified="unverified", confidence="medium"),
    dict(method="PacGAN2", modes=23.8, modes_se=0.7, high_quality=91.3, high_quality_se=0.8,
         kl=0.13, kl_se=0.04, trials=10, source="Lin et al. 2018 (PacGAN), 2D-grid table",
         verified="unverified", confidence="medium"),
    dict(method="PacGAN3", modes=24.6, modes_se=0.4, high_quality=94.2, high_quality_se=0.4,
         kl=0.06, kl_se=0.02, trials=10, source="Lin et al. 2018 (PacGAN), 2D-grid table",
         verified="unverified", confidence="medium"),
    dict(method="PacGAN4", modes=24.8, modes_se=0.2, high_quality=93.6, high_quality_se=0.6,
         kl=0.04, kl_se=0.01, trials=10, source="Lin et al. 2018 (PacGAN), 2D-grid table",
         verified="unverified", confidence="medium"),
  ],

  # ---------------------------------------------------------------------------
  # Stacked MNIST (1000 modes), VEEGAN setting.
  # VEEGAN (verified: akashgit/VEEGAN index.md): three random MNIST digits stacked as
  # RGB channels; modes counted with a pretrained MNIST classifier; 26000 samples; 5
  # runs; KL between the generated and the (uniform) data mode distributions.
  # PacGAN re-uses this setting (verified: fjxmlzn/PacGAN stacked_MNIST_experiments/
  # VEEGAN_experiment/config.py): DCGAN (carpedm20 DCGAN-tensorflow) with pack 1..4;
  # 128000 training images; 50 epochs; batch 64; Adam lr 2e-4, beta1 0.5; z_dim 100;
  # 26000 test samples; 10 runs. PacGAN's table also lists the VEEGAN-paper numbers for
  # DCGAN / ALI / Unrolled GAN / VEEGAN (unverified: as recalled they are the same
  # values, without +/-).
  # ---------------------------------------------------------------------------
  "stacked_mnist": [
    # Srivastava et al. 2017 (VEEGAN), Table 2, "Stacked-MNIST" columns. 5 runs, no +/-.
    dict(method="DCGAN", modes=99.0, modes_se=None, kl=3.40, kl_se=None, trials=5,
         source="Srivastava et al. 2017 (VEEGAN), Table 2 (stacked MNIST)",
         verified="unverified", confidence="high"),
    dict(method="ALI", modes=16.0, modes_se=None, kl=5.40, kl_se=None, trials=5,
         source="Srivastava et al. 2017 (VEEGAN), Table 2 (stacked MNIST)",
         verified="unverified", confidence="high"),
    dict(method="Unrolled GAN", modes=48.7, modes_se=None, kl=4.32, kl_se=None, trials=5,
         source="Srivastava et al. 2017 (VEEGAN), Table 2 (stacked MNIST)",
         verified="secondary", confidence="high"),
    dict(method="VEEGAN", modes=150.0, modes_se=None, kl=2.95, kl_se=None, trials=5,
         source="Srivastava et al. 2017 (VEEGAN), Table 2 (stacked MNIST)",
         verified="secondary", confidence="high"),
    # Lin et al. 2018 (PacGAN), stacked MNIST in the VEEGAN setting (arXiv Table 2; the
    # brief calls it Table 1). PacDCGAN rows: 10 runs, +/- printed. The secondary
    # source (EnGAN Table 1) lists one "PacGAN" row = 1000.0 +/- 0.0 modes, KL 0.06 +/-
    # 1.0e-2, without the pack size; it is attached to PacDCGAN2 here.
    dict(method="PacDCGAN2", modes=1000.0, modes_se=0.0, kl=0.06, kl_se=0.01, trials=10,
         source="Lin et al. 2018 (PacGAN), stacked MNIST VEEGAN-setting table",
         verified="secondary", confidence="high"),
    dict(method="PacDCGAN3", modes=1000.0, modes_se=0.0, kl=0.06, kl_se=0.01, trials=10,
         source="Lin et al. 2018 (PacGAN), stacked MNIST VEEGAN-setting table",
         verified="unverified", confidence="medium"),
    dict(method="PacDCGAN4", modes=1000.0, modes_se=0.0, kl=0.07, kl_se=0.01, trials=10,
         source="Lin et al. 2018 (PacGAN), stacked MNIST VEEGAN-setting table",
         verified="unverified", confidence="medium"),
    # Ghosh et al. 2018 (MAD-GAN), stacked MNIST, compared with the VEEGAN numbers.
    # Recall is weak; the setting (number of generators, trials) was not checked.
    dict(method="MAD-GAN", modes=890.0, modes_se=None, kl=0.91, kl_se=None, trials=None,
         source="Ghosh et al. 2018 (MAD-GAN), stacked MNIST table",
         verified="unverified", confidence="low"),
  ],

  # ---------------------------------------------------------------------------
  # Stacked MNIST (1000 modes), Unrolled-GAN setting: the discriminator has 1/4 or 1/2
  # the size of the generator (`d_size`).
  # PacGAN (verified: fjxmlzn/PacGAN stacked_MNIST_experiments/unrolled_GAN_experiment/
  # D=0.25G and D=0.5G/config.py): batch 128; z_dim 256; D lr 2e-4, G lr 1e-4, Adam
  # beta1 0.5, beta2 0.99; 500000 * 128 training images drawn on the fly; 25600 test
  # samples; 50 runs per pack size 1..4.
  # Metz et al. 2017, Table 2: DCGAN-like G/D, 0 (= plain DCGAN), 1, 5 and 10 unrolling
  # steps. Their number of runs was not checked.
  # ---------------------------------------------------------------------------
  "stacked_mnist_unrolled": [
    # Metz et al. 2017 (Unrolled GAN), Table 2, D = 1/4 G.
    dict(method="DCGAN", unroll_steps=0, d_size="1/4", modes=30.6, modes_se=20.73, kl=5.99,
         kl_se=0.42, trials=None, source="Metz et al. 2017 (Unrolled GAN), Table 2",
         verified="unverified", confidence="medium"),
    dict(method="Unrolled GAN", unroll_steps=1, d_size="1/4", modes=65.4, modes_se=34.75,
         kl=5.911, kl_se=0.14, trials=None, source="Metz et al. 2017 (Unrolled GAN), Table 2",
         verified="unverified", confidence="medium"),
    dict(method="Unrolled GAN", unroll_steps=5, d_size="1/4", modes=236.4, modes_se=63.30,
         kl=4.67, kl_se=0.43, trials=None, source="Metz et al. 2017 (Unrolled GAN), Table 2",
         verified="unverified", confidence="medium"),
    dict(method="Unrolled GAN", unroll_steps=10, d_size="1/4", modes=327.2, modes_se=74.67,
         kl=4.66, kl_se=0.46, trials=None, source="Metz et al. 2017 (Unrolled GAN), Table 2",
         verified="unverified", confidence="medium"),
    # Metz et al. 2017 (Unrolled GAN), Table 2, D = 1/2 G.
    dict(method="DCGAN", unroll_steps=0, d_size="1/2", modes=628.0, modes_se=140.9, kl=2.58,
         kl_se=0.75, trials=None, source="Metz et al. 2017 (Unrolled GAN), Table 2",
         verified="unverified", confidence="medium"),
    dict(method="Unrolled GAN", unroll_steps=1, d_size="1/2", modes=523.6, modes_se=55.768,
         kl=2.44, kl_se=0.26, trials=None, source="Metz et al. 2017 (Unrolled GAN), Table 2",
         verified="unverified", confidence="medium"),
    dict(method="Unrolled GAN", unroll_steps=5, d_size="1/2", modes=732.0, modes_se=44.98,
         kl=1.66, kl_se=0.090, trials=None, source="Metz et al. 2017 (Unrolled GAN), Table 2",
         verified="unverified", confidence="medium"),
    dict(method="Unrolled GAN", unroll_steps=10, d_size="1/2", modes=817.4, modes_se=37.91,
         kl=1.43, kl_se=0.12, trials=None, source="Metz et al. 2017 (Unrolled GAN), Table 2",
         verified="unverified", confidence="medium"),
    # Lin et al. 2018 (PacGAN), stacked MNIST in the Unrolled-GAN setting (arXiv Table 3;
    # the brief calls it Table 2). 50 runs per row (config). The numbers were NOT
    # recovered: the table is only an image in the repository, and they are not recalled
    # well enough to enter. The table also quotes the Metz et al. DCGAN / Unrolled GAN rows
    # above (unverified).
    dict(method="DCGAN", unroll_steps=0, d_size="1/4", modes=None, modes_se=None, kl=None,
         kl_se=None, trials=50,
         source="Lin et al. 2018 (PacGAN), stacked MNIST Unrolled-GAN-setting table",
         verified="not_found", confidence=None),
    dict(method="PacDCGAN2", unroll_steps=0, d_size="1/4", modes=None, modes_se=None,
         kl=None, kl_se=None, trials=50,
         source="Lin et al. 2018 (PacGAN), stacked MNIST Unrolled-GAN-setting table",
         verified="not_found", confidence=None),
    dict(method="PacDCGAN3", unroll_steps=0, d_size="1/4", modes=None, modes_se=None,
         kl=None, kl_se=None, trials=50,
         source="Lin et al. 2018 (PacGAN), stacked MNIST Unrolled-GAN-setting table",
         verified="not_found", confidence=None),
    dict(method="PacDCGAN4", unroll_steps=0, d_size="1/4", modes=None, modes_se=None,
         kl=None, kl_se=None, trials=50,
         source="Lin et al. 2018 (PacGAN), stacked MNIST Unrolled-GAN-setting table",
         verified="not_found", confidence=None),
    dict(method="DCGAN", unroll_steps=0, d_size="1/2", modes=None, modes_se=None, kl=None,
         kl_se=None, trials=50,
         source="Lin et al. 2018 (PacGAN), stacked MNIST Unrolled-GAN-setting table",
         verified="not_found", confidence=None),
    dict(method="PacDCGAN2", unroll_steps=0, d_size="1/2", modes=None, modes_se=None,
         kl=None, kl_se=None, trials=50,
         source="Lin et al. 2018 (PacGAN), stacked MNIST Unrolled-GAN-setting table",
         verified="not_found", confidence=None),
    dict(method="PacDCGAN3", unroll_steps=0, d_size="1/2", modes=None, modes_se=None,
         kl=None, kl_se=None, trials=50,
         source="Lin et al. 2018 (PacGAN), stacked MNIST Unrolled-GAN-setting table",
         verified="not_found", confidence=None),
    dict(method="PacDCGAN4", unroll_steps=0, d_size="1/2", modes=None, modes_se=None,
         kl=None, kl_se=None, trials=50,
         source="Lin et al. 2018 (PacGAN), stacked MNIST Unrolled-GAN-setting table",
         verified="not_found", confidence=None),
  ],

  # ---------------------------------------------------------------------------
  # CIFAR-10, "inference via optimisation" metric (IvOM, Metz et al. 2017): the mean
  # squared error between test images and their closest generated images (lower is
  # better). This is the CIFAR column of VEEGAN's Table 2 (not modes / KL).
  # ---------------------------------------------------------------------------
  "cifar10_ivom": [
    dict(method="DCGAN", ivom=0.00844, ivom_se=0.002, trials=None,
         source="Srivastava et al. 2017 (VEEGAN), Table 2 (CIFAR-10 IvOM)",
         verified="unverified", confidence="medium"),
    dict(method="ALI", ivom=0.0067, ivom_se=0.004, trials=None,
         source="Srivastava et al. 2017 (VEEGAN), Table 2 (CIFAR-10 IvOM)",
         verified="unverified", confidence="medium"),
    dict(method="Unrolled GAN", ivom=0.013, ivom_se=0.0009, trials=None,
         source="Srivastava et al. 2017 (VEEGAN), Table 2 (CIFAR-10 IvOM)",
         verified="unverified", confidence="medium"),
    dict(method="VEEGAN", ivom=0.0068, ivom_se=0.0001, trials=None,
         source="Srivastava et al. 2017 (VEEGAN), Table 2 (CIFAR-10 IvOM)",
         verified="unverified", confidence="medium"),
  ],
}
