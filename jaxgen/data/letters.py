"""Capital letters A-Z rendered from matplotlib's fonts: a synthetic MNIST-like dataset and its TFDS builder.

`letters` (the `Letters` TFDS builder) holds 28x28 grayscale images, uint8
[28, 28, 1] with background 0 and ink up to 255, of the 26 capital letters:
5,200 train (200 per letter) and 1,560 validation (60 per letter) images.
Besides the letter ("label", 0-25 for A-Z) every image is labelled with the
face it was rendered in ("font", an index into `FACES`), that face's weight
("weight": 0 regular, 1 bold) and slant ("slant": 0 upright, 1 italic;
oblique counts as italic), so that a conditional model (e.g. an AC-GAN) can
condition on two categorical attributes at once.

Faces (`FACES`): the TrueType fonts that matplotlib ships in
`matplotlib/mpl-data/fonts/ttf/`, 22 faces in five families:

| family           | faces (weight, slant)                                                    |
|------------------|--------------------------------------------------------------------------|
| DejaVu Sans      | DejaVuSans, -Bold, -Oblique, -BoldOblique (all four weight x slant)      |
| DejaVu Serif     | DejaVuSerif, -Bold, -Italic, -BoldItalic                                 |
| DejaVu Sans Mono | DejaVuSansMono, -Bold, -Oblique, -BoldOblique                            |
| STIX General     | STIXGeneral, STIXGeneralBol, STIXGeneralItalic, STIXGeneralBolIta        |
| Computer Modern  | cmr10, cmss10, cmtt10 (regular upright); cmb10 (bold upright); cmti10    |
|                  | (text italic) and cmmi10 (math italic), both regular italic              |

Every Computer Modern file maps all 26 code points 65-90, but only those six
draw the usual capital letters there. Rejected: cmex10 (the large math
delimiters, integrals, sums and products), cmsy10 (its A-Z are the
calligraphic math capitals, a script alphabet whose I, J, T, X ... look
little like the text letters at 28x28) and, as the issue asks,
DejaVuSansDisplay / DejaVuSerifDisplay, LastResortHE, STIXNonUni* and STIXSiz*.

Recipe of one image (`render_letter`), all draws from one numpy Generator, in
this order:

1. stroke jitter: an integer k uniform in [`STROKE_MIN`, `STROKE_MAX`] = [-1, 3];
2. angle: uniform in [-`MAX_ROTATION`, `MAX_ROTATION`] = [-10, 10] degrees
   (counter-clockwise);
3. size: the glyph's longer side, an integer uniform in [`MIN_SIZE`,
   `MAX_SIZE`] = [17, 21] pixels;
4. offset: integers dx, dy, each uniform in [-`MAX_OFFSET`, `MAX_OFFSET`] =
   [-2, 2] pixels;
5. noise: float64 [28, 28] standard normal, times `NOISE_STD` = 8.

The letter is drawn with Pillow (basic layout, no shaping) in white (255) on
black at `RENDER_SIZE` = 96 px (about 4x the final size: a capital is about
70 px tall), with `stroke_width=k` if k > 0 (thicker by k px on every side)
or eroded with a 3x3 `ImageFilter.MinFilter` if k = -1 (thinner by 1 px on
every side). At the final size that is -0.5 to +1.5 pixels of stroke width. The
image is rotated (bicubic, canvas expanded), cropped to the bounding box of
its pixels >= `INK_LEVEL` = 16, and resized (Lanczos) so that its longer side
is the drawn size, keeping the aspect ratio (the shorter side is rounded, at
least 1 px; a narrow I stays narrow). It is pasted into a black 28x28 canvas
at the centred position ((28 - w) // 2 + dx, (28 - h) // 2 + dy), clamped so
the glyph keeps at least one pixel of background on every side (never
clipped), the noise is added, and the result is rounded and clipped to
[0, 255]. Like an MNIST digit (size-normalised into a 20x20 box, centred in
28x28), the glyph fills most of the canvas.

Dataset (`generate_letters`): for each letter in A-Z order, `per_letter`
images, each with a face drawn uniformly from `FACES` (`rng.integers`) and
then `render_letter(letter, face, rng)`, all from one
`np.random.default_rng(seed)`; the arrays come grouped in A-Z blocks (not
shuffled). The train split is `generate_letters(DATA_SEED, 200)` and the
validation split `generate_letters(DATA_SEED + 1, 60)` (`SPLIT_SEEDS`),
two independent draws, with DATA_SEED = 0; TFDS stores each split in its own
(key-hash) shuffled order, the key being the row of `generate_letters`. The
same seed gives byte-identical arrays with the same Pillow / FreeType build
and matplotlib fonts. Face counts are random (about 1/22 of each letter per
face, so Computer Modern, with six faces, is the largest family). Generating
both splits takes about 6-7 s on one CPU core (the TFDS build, writing
included, about 10 s).
"""

import functools
import pathlib
from typing import NamedTuple

import matplotlib
import numpy as np
import tensorflow_datasets as tfds
from PIL import Image, ImageDraw, ImageFilter, ImageFont

LETTERS = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
WEIGHTS = ("regular", "bold")
SLANTS = ("upright", "italic")
REGULAR, BOLD = range(len(WEIGHTS))
UPRIGHT, ITALIC = range(len(SLANTS))


class Face(NamedTuple):
  """A font face: its label name, its file in matplotlib's fonts/ttf, and its weight and slant indices."""

  name: str
  file: str
  weight: int  # Index into WEIGHTS.
  slant: int  # Index into SLANTS.


FAMILIES = {
    "DejaVu Sans": (
        Face("DejaVuSans", "DejaVuSans.ttf", REGULAR, UPRIGHT),
        Face("DejaVuSans-Bold", "DejaVuSans-Bold.ttf", BOLD, UPRIGHT),
        Face("DejaVuSans-Oblique", "DejaVuSans-Oblique.ttf", REGULAR, ITALIC),
        Face("DejaVuSans-BoldOblique", "DejaVuSans-BoldOblique.ttf", BOLD, ITALIC),
    ),
    "DejaVu Serif": (
        Face("DejaVuSerif", "DejaVuSerif.ttf", REGULAR, UPRIGHT),
        Face("DejaVuSerif-Bold", "DejaVuSerif-Bold.ttf", BOLD, UPRIGHT),
        Face("DejaVuSerif-Italic", "DejaVuSerif-Italic.ttf", REGULAR, ITALIC),
        Face("DejaVuSerif-BoldItalic", "DejaVuSerif-BoldItalic.ttf", BOLD, ITALIC),
    ),
    "DejaVu Sans Mono": (
        Face("DejaVuSansMono", "DejaVuSansMono.ttf", REGULAR, UPRIGHT),
        Face("DejaVuSansMono-Bold", "DejaVuSansMono-Bold.ttf", BOLD, UPRIGHT),
        Face("DejaVuSansMono-Oblique", "DejaVuSansMono-Oblique.ttf", REGULAR, ITALIC),
        Face("DejaVuSansMono-BoldOblique", "DejaVuSansMono-BoldOblique.ttf", BOLD, ITALIC),
    ),
    "STIX General": (
        Face("STIXGeneral", "STIXGeneral.ttf", REGULAR, UPRIGHT),
        Face("STIXGeneral-Bold", "STIXGeneralBol.ttf", BOLD, UPRIGHT),
        Face("STIXGeneral-Italic", "STIXGeneralItalic.ttf", REGULAR, ITALIC),
        Face("STIXGeneral-BoldItalic", "STIXGeneralBolIta.ttf", BOLD, ITALIC),
    ),
    "Computer Modern": (
        Face("cmr10", "cmr10.ttf", REGULAR, UPRIGHT),
        Face("cmb10", "cmb10.ttf", BOLD, UPRIGHT),
        Face("cmti10", "cmti10.ttf", REGULAR, ITALIC),
        Face("cmmi10", "cmmi10.ttf", REGULAR, ITALIC),
        Face("cmss10", "cmss10.ttf", REGULAR, UPRIGHT),
        Face("cmtt10", "cmtt10.ttf", REGULAR, UPRIGHT),
    ),
}
FACES = tuple(face for faces in FAMILIES.values() for face in faces)

SIZE = 28  # Canvas side, pixels.
RENDER_SIZE = 96  # Font size (pixels per em) of the high-resolution rendering.
STROKE_MIN, STROKE_MAX = -1, 3  # Stroke jitter, pixels per side at RENDER_SIZE (-1: 3x3 MinFilter).
MAX_ROTATION = 10.0  # Degrees.
MIN_SIZE, MAX_SIZE = 17, 21  # Longer side of the glyph's ink box, pixels.
MAX_OFFSET = 2  # Pixels, each way.
MARGIN = 1  # Background pixels kept on every side of the glyph.
NOISE_STD = 8.0  # Gaussian noise on the 0-255 scale.
INK_LEVEL = 16  # Pixels >= this (of 255) count as ink when cropping.

DATA_SEED = 0
TRAIN_PER_LETTER = 200
VALIDATION_PER_LETTER = 60
SPLIT_SEEDS = {"train": DATA_SEED, "validation": DATA_SEED + 1}
_PER_LETTER = {"train": TRAIN_PER_LETTER, "validation": VALIDATION_PER_LETTER}


def font_path(file_name: str) -> pathlib.Path:
  """Path of a TrueType file that matplotlib ships, e.g. `font_path("cmr10.ttf")`."""
  return pathlib.Path(matplotlib.get_data_path()) / "fonts" / "ttf" / file_name


@functools.lru_cache(maxsize=None)
def _font(file_name: str, size: int = RENDER_SIZE) -> ImageFont.FreeTypeFont:
  """The Pillow font of `file_name` at `size` pixels per em (basic layout, so no Raqm dependence)."""
  return ImageFont.truetype(str(font_path(file_name)), size, layout_engine=ImageFont.Layout.BASIC)


def _draw_glyph(letter: str, file_name: str, stroke: int) -> Image.Image:
  """The letter, white on black, at RENDER_SIZE; `stroke` > 0 thickens, -1 thins (MinFilter 3x3)."""
  font = _font(file_name)
  width = max(stroke, 0)
  left, top, right, bottom = font.getbbox(letter, stroke_width=width)
  pad = 4
  img = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad), 0)
  ImageDraw.Draw(img).text((pad - left, pad - top), letter, font=font, fill=255, stroke_width=width,
                           stroke_fill=255)
  if stroke < 0:
    img = img.filter(ImageFilter.MinFilter(2 * -stroke + 1))
  return img


def render_letter(letter: str, face: Face, rng: np.random.Generator) -> np.ndarray:
  """One jittered image of a capital letter (the recipe of the module docstring).

  Args:
    letter: one of `LETTERS`.
    face: one of `FACES` (or any `Face` whose file is in matplotlib's fonts/ttf).
    rng: numpy Generator supplying the stroke, angle, size, offset and noise.

  Returns:
    uint8 [28, 28]: background near 0, ink up to 255; the box of the glyph
    (pixels >= INK_LEVEL before resizing) has its longer side drawn from
    [MIN_SIZE, MAX_SIZE] and lies at least MARGIN pixels inside the canvas.

  Raises:
    ValueError: for a letter outside A-Z, or a face that draws no ink for it.

  Example:
    >>> x = render_letter("A", FACES[0], np.random.default_rng(0))
    >>> x.shape, x.dtype, int((x > 128).sum()) > 30
    ((28, 28), dtype('uint8'), True)
  """
  if letter not in LETTERS:
    raise ValueError(f"unknown letter {letter!r}; choose one of A-Z")
  stroke = int(rng.integers(STROKE_MIN, STROKE_MAX + 1))
  angle = float(rng.uniform(-MAX_ROTATION, MAX_ROTATION))
  size = int(rng.integers(MIN_SIZE, MAX_SIZE + 1))
  dx, dy = (int(d) for d in rng.integers(-MAX_OFFSET, MAX_OFFSET + 1, size=2))
  noise = rng.standard_normal((SIZE, SIZE)) * NOISE_STD

  glyph = _draw_glyph(letter, face.file, stroke).rotate(angle, resample=Image.Resampling.BICUBIC, expand=True,
                                                        fillcolor=0)
  bbox = glyph.point(lambda v: 255 if v >= INK_LEVEL else 0).getbbox()
  if bbox is None:
    raise ValueError(f"face {face.name} ({face.file}) draws no ink for {letter!r}")
  glyph = glyph.crop(bbox)
  w, h = glyph.size
  scale = size / max(w, h)
  w, h = min(size, max(1, round(w * scale))), min(size, max(1, round(h * scale)))
  glyph = glyph.resize((w, h), Image.Resampling.LANCZOS)

  x = int(np.clip((SIZE - w) // 2 + dx, MARGIN, SIZE - MARGIN - w))
  y = int(np.clip((SIZE - h) // 2 + dy, MARGIN, SIZE - MARGIN - h))
  canvas = np.zeros((SIZE, SIZE), np.float64)
  canvas[y:y + h, x:x + w] = np.asarray(glyph, np.float64)
  return np.clip(np.rint(canvas + noise), 0, 255).astype(np.uint8)


def generate_letters(seed: int = DATA_SEED, per_letter: int = TRAIN_PER_LETTER) -> dict[str, np.ndarray]:
  """The synthetic letters: `per_letter` jittered images of every capital letter.

  For each letter in A-Z order, `per_letter` times: a face index uniform over
  `FACES`, then `render_letter(letter, FACES[face], rng)`, all from one
  `np.random.default_rng(seed)`, so a seed fixes the dataset byte for byte.

  Args:
    seed: seed of the numpy Generator.
    per_letter: images per letter, >= 0.

  Returns:
    {"image": uint8 [26 * per_letter, 28, 28, 1], "label": int64 [26 *
    per_letter] indices into `LETTERS`, "font": int64 indices into `FACES`,
    "weight": int64 indices into `WEIGHTS`, "slant": int64 indices into
    `SLANTS`}, grouped by letter in A-Z order.

  Raises:
    ValueError: if per_letter < 0.

  Example:
    >>> d = generate_letters(0, per_letter=2)
    >>> d["image"].shape, d["label"].tolist()[:4]
    ((52, 28, 28, 1), [0, 0, 1, 1])
  """
  if per_letter < 0:
    raise ValueError(f"need per_letter >= 0, got {per_letter}")
  rng = np.random.default_rng(seed)
  labels = np.repeat(np.arange(len(LETTERS), dtype=np.int64), per_letter)
  fonts = np.zeros(len(labels), np.int64)
  images = np.zeros((len(labels), SIZE, SIZE, 1), np.uint8)
  for i, label in enumerate(labels):
    fonts[i] = rng.integers(len(FACES))
    images[i, :, :, 0] = render_letter(LETTERS[label], FACES[fonts[i]], rng)
  weights = np.array([face.weight for face in FACES], np.int64)[fonts]
  slants = np.array([face.slant for face in FACES], np.int64)[fonts]
  return {"image": images, "label": labels, "font": fonts, "weight": weights, "slant": slants}


class Letters(tfds.core.GeneratorBasedBuilder):
  """6,760 synthetic 28x28 capital letters in 22 faces: 5,200 train / 1,560 validation, 200 / 60 per letter."""

  VERSION = tfds.core.Version("1.0.0")
  RELEASE_NOTES = {"1.0.0": "Initial release: generate_letters(seed=0, per_letter=200) for train, "
                            "generate_letters(seed=1, per_letter=60) for validation."}

  def __init__(self, **kwargs):
    kwargs.setdefault("file_format", "array_record")  # what tfds.data_source reads
    super().__init__(**kwargs)

  def _info(self) -> tfds.core.DatasetInfo:
    return tfds.core.DatasetInfo(
        builder=self,
        description=__doc__,
        features=tfds.features.FeaturesDict({
            "image": tfds.features.Tensor(shape=(SIZE, SIZE, 1), dtype=np.uint8),
            "label": tfds.features.ClassLabel(names=list(LETTERS)),
            "font": tfds.features.ClassLabel(names=[face.name for face in FACES]),
            "weight": tfds.features.ClassLabel(names=list(WEIGHTS)),
            "slant": tfds.features.ClassLabel(names=list(SLANTS)),
        }),
        supervised_keys=("image", "label"),
    )

  def _split_generators(self, dl_manager):
    del dl_manager  # Nothing to download: the letters are rendered from matplotlib's fonts.
    return {split: self._generate_examples(generate_letters(SPLIT_SEEDS[split], _PER_LETTER[split]))
            for split in ("train", "validation")}

  def _generate_examples(self, letters):
    for i in range(len(letters["label"])):  # The key is the row of generate_letters().
      yield i, {key: (values[i] if key == "image" else int(values[i])) for key, values in letters.items()}
