"""The synthetic `letters` dataset: capital letters rendered from matplotlib's fonts, and its TFDS builder."""

import numpy as np
import pytest

from jaxgen import data
from jaxgen.data import letters

INK = 128  # Clearly ink: NOISE_STD = 8, so background noise reaches 128 with probability ~1e-52.
FAINT_INK = 48  # 6 noise sigmas: no background pixel of the dataset passes it.


def _ink_box_sides(images):
  """int [N]: the longer side of the box of pixels > FAINT_INK of each uint8 [N, 28, 28, 1] image."""
  sides = []
  for im in images[..., 0]:
    rows, cols = np.flatnonzero((im > FAINT_INK).any(1)), np.flatnonzero((im > FAINT_INK).any(0))
    sides.append(max(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1))
  return np.array(sides)


def _check_glyphs(images):
  """Every image has ink, is not clipped, and fills most of the canvas like an MNIST digit."""
  assert ((images > INK).sum(axis=(1, 2, 3)) >= 15).all()
  x = images[..., 0]
  border = np.concatenate([x[:, 0], x[:, -1], x[:, :, 0], x[:, :, -1]], axis=1)
  assert border.max() < 100  # Only noise on the outer ring: the glyph is never clipped.
  sides = _ink_box_sides(images)
  assert sides.min() >= 14 and sides.max() <= 22  # Drawn longer side: 17-21 px.


@pytest.fixture(scope="module")
def letters_dir(tmp_path_factory):
  """A private TFDS data dir with `letters` prepared (by the first `load`)."""
  path = str(tmp_path_factory.mktemp("letters_tfds"))
  data.load("letters", "validation", data_dir=path)
  return path


@pytest.fixture(scope="module")
def splits(letters_dir):
  return data.load("letters", "train", data_dir=letters_dir), data.load("letters", "validation", data_dir=letters_dir)


def test_built_dataset_counts_shapes_and_labels(splits):
  train, validation = splits
  assert "letters" in data.DATASETS
  for split, per_letter in ((train, 200), (validation, 60)):
    n = 26 * per_letter
    assert set(split) == {"image", "label", "font", "weight", "slant"}
    assert split["image"].shape == (n, 28, 28, 1) and split["image"].dtype == np.uint8
    for key in ("label", "font", "weight", "slant"):
      assert split[key].shape == (n,) and split[key].dtype == np.int32
    np.testing.assert_array_equal(np.bincount(split["label"], minlength=26), [per_letter] * 26)
    np.testing.assert_array_equal(split["weight"], [letters.FACES[f].weight for f in split["font"]])
    np.testing.assert_array_equal(split["slant"], [letters.FACES[f].slant for f in split["font"]])
    assert set(split["weight"]) == {0, 1} and set(split["slant"]) == {0, 1}
    _check_glyphs(split["image"])
  # Faces are drawn uniformly: 5,200 / 22 = 236 per face, std ~15.
  counts = np.bincount(train["font"], minlength=len(letters.FACES))
  assert len(counts) == len(letters.FACES) == 22 and counts.min() > 150
  # The builder stores generate_letters(seed 0 / seed 1) (in TFDS's shuffled order). One Generator draws the
  # images in turn, so the first two A's of any per_letter are the first two of the split.
  stored = {split: {(im.tobytes(), f) for im, f in zip(d["image"], d["font"])}
            for split, d in (("train", train), ("validation", validation))}
  for split, seed in letters.SPLIT_SEEDS.items():
    first = letters.generate_letters(seed, per_letter=2)
    assert {(im.tobytes(), f) for im, f in zip(first["image"][:2], first["font"][:2])} <= stored[split]
  assert not stored["train"] & stored["validation"]  # Independent draws.


def test_generate_letters_deterministic_and_seed_dependent():
  a, b = letters.generate_letters(0, 3), letters.generate_letters(0, 3)
  assert set(a) == {"image", "label", "font", "weight", "slant"}
  for key in a:
    assert a[key].tobytes() == b[key].tobytes()
  assert a["image"].shape == (78, 28, 28, 1) and a["image"].dtype == np.uint8
  assert all(a[k].dtype == np.int64 and a[k].shape == (78,) for k in ("label", "font", "weight", "slant"))
  assert a["label"].tolist() == [i // 3 for i in range(78)]  # Grouped in A-Z blocks.
  c = letters.generate_letters(1, 3)
  assert (a["image"] != c["image"]).mean() > 0.3
  np.testing.assert_array_equal(a["label"], c["label"])
  assert letters.generate_letters(0, 0)["image"].shape == (0, 28, 28, 1)
  with pytest.raises(ValueError, match="per_letter"):
    letters.generate_letters(0, -1)


def test_small_draw_has_glyphs_that_fit_and_labels_from_the_face_table():
  d = letters.generate_letters(7, 4)
  _check_glyphs(d["image"])
  for i in (0, 17, 50, 103):
    face = letters.FACES[d["font"][i]]
    assert (d["weight"][i], d["slant"][i]) == (face.weight, face.slant)
  assert letters.WEIGHTS[letters.FACES[1].weight] == "bold" and letters.SLANTS[letters.FACES[2].slant] == "italic"


def test_every_face_renders_every_letter():
  assert set(letters.FAMILIES) == {"DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono", "STIX General",
                                   "Computer Modern"}
  names = [face.name for face in letters.FACES]
  assert len(set(names)) == len(names)
  files = {face.file for face in letters.FACES}
  assert not {"cmsy10.ttf", "cmex10.ttf", "DejaVuSansDisplay.ttf", "LastResortHE-Regular.ttf"} & files
  assert not any(f.startswith(("STIXNonUni", "STIXSiz")) for f in files)
  for face in letters.FACES:
    assert letters.font_path(face.file).is_file()
    # The same jitter for every letter (a fresh Generator of one seed): only the glyph differs.
    images = np.stack([letters.render_letter(letter, face, np.random.default_rng(0))
                       for letter in letters.LETTERS])[..., None]
    assert images.shape == (26, 28, 28, 1) and images.dtype == np.uint8
    _check_glyphs(images)
    # Distinct glyphs (a font lacking the letters would draw one .notdef box for all): every two letters'
    # ink masks differ in at least 10 pixels.
    ink = (images[..., 0] > INK).reshape(26, -1)
    differ = (ink[:, None] != ink[None]).sum(-1)
    assert differ[~np.eye(26, dtype=bool)].min() >= 10, face.name
  with pytest.raises(ValueError, match="unknown letter"):
    letters.render_letter("a", letters.FACES[0], np.random.default_rng(0))


def test_narrow_letter_stays_narrow():
  rng = np.random.default_rng(3)
  face = letters.FAMILIES["DejaVu Sans"][0]
  for _ in range(5):
    im = letters.render_letter("I", face, rng) > FAINT_INK
    rows, cols = np.flatnonzero(im.any(1)), np.flatnonzero(im.any(0))
    height, width = rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1
    assert height >= 15 and width <= 8  # Rotated by up to 10 degrees: at most ~0.17 * 21 + stroke wide.
