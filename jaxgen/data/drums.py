"""Drum patterns of 1, 2 or 4 bars: a synthetic five-style dataset, its TFDS builder, and MIDI import/export.

A pattern is one 4/4 bar on a 16th-note grid: uint8 [STEPS=16, 9] in {0, 1},
step-major, with the columns in `INSTRUMENTS` order (kick, snare, closed
hi-hat, open hi-hat, low tom, high tom, crash, ride, clap). A 1 means the
instrument is struck on that 16th (no velocity, no micro-timing).

`drum_patterns` (the `DrumPatterns` TFDS builder) holds 1,000 patterns, 200
per style, drawn by `generate_patterns(seed=0, per_style=200,
flip_prob=0.05)`, split per style into 160 train / 40 test with a fixed seed.
Each pattern comes from simple rules (`style_pattern`), then every one of its
144 cells is flipped with probability 0.05 (label-free noise, so the styles
overlap a little). Steps are numbered 0-15: beat b (1-4) starts at step
4 * (b - 1), its "and" is two steps later; "8ths" are the even steps, "16ths"
all 16. Optional parts are drawn independently per bar with the probability
in parentheses:

| style        | instrument        | always                              | optional                          |
|--------------|-------------------|-------------------------------------|-----------------------------------|
| `rock`       | kick              | 0, 8                                | 10 (0.5)                          |
|              | snare             | 4, 12                               |                                   |
|              | closed hi-hat     | 8ths                                |                                   |
|              | crash             |                                     | 0 (0.25)                          |
|              | low tom           |                                     | fill on 14 and 15 (0.15)          |
| `jazz`       | ride              | swing: 0, 4, 6, 8, 12, 14           |                                   |
|              | closed hi-hat     | 4, 12 (the pedal on 2 and 4)        |                                   |
|              | kick              | one of 0, 6, 8, 10, 14              | a second one of them (0.3)        |
|              | snare             | comping: 1-3 of 2, 3, 7, 10, 11, 15 |                                   |
| `hip_hop`    | kick              | 0, 10                               | 7 (0.6); 3, 6, 13 (0.25 each)     |
|              | snare or clap     | 4, 12 (one of the two, 0.5 each)    |                                   |
|              | closed hi-hat     | 8ths or 16ths (0.5 each)            | each hit dropped (0.15)           |
|              | open hi-hat       |                                     | 14, replacing the closed (0.3)    |
| `electronic` | kick              | four on the floor: 0, 4, 8, 12      |                                   |
|              | clap              | 4, 12                               |                                   |
|              | snare             |                                     | layered on 4, 12 (0.3)            |
|              | open hi-hat       | off-beats: 2, 6, 10, 14             |                                   |
|              | closed hi-hat     |                                     | the other twelve 16ths (0.5)      |
|              | crash             |                                     | 0 (0.15)                          |
| `latin`      | kick              | tumbao-like: 3, 11                  | 8 (0.7); 0 (0.2)                  |
|              | clap              | son clave 3-2: 0, 3, 6, 10, 12      |                                   |
|              | ride or closed hh | 8ths (one of the two, 0.5 each)     |                                   |
|              | low tom           |                                     | conga open tones 6, 14 (0.8 each) |
|              | high tom          |                                     | conga slaps 2, 10 (0.5 each)      |

Several bars (`bars` = 2 or 4; the builder configs `drum_patterns/bars_2` and
`drum_patterns/bars_4`, [16 * bars, 9]) follow one long-range rule: the last
bar repeats the first with a fill, so its first three beats can be predicted
only from bar 1. Bar 1 is `style_pattern(style, rng)`; with 4 bars, bars 2
and 3 are two more independent draws of the same style (new optional parts,
so they do not give bar 1 away); the last bar is bar 1 with its fourth beat
(steps 12-15) replaced by a fill: every instrument but the kick cleared there,
and each of the four steps struck on one of snare, low tom and high tom (drawn
uniformly). The flips then apply to every cell of every bar. `bars=1`
(`drum_patterns`, the default config `bars_1`) gives the one-bar patterns
above, the same draws as before the option existed.

The son clave has no woodblock in a 9-class kit; it is played on the clap.
The rules are musical caricatures, chosen so that every style has a kick
(jazz at least one, the others two or more) and differs from every other
style in several cells (e.g. rock always kicks on step 8, hip hop never; only
jazz rides on 6 and 14 but not on 2 and 10).

MIDI: `pattern_to_midi` writes patterns as General-MIDI drums (channel 10,
`GM_NOTES`), `midi_to_patterns` reads any MIDI file's drum notes back onto the
grid through `GM_TO_INSTRUMENT`, and `load_midi_folder` reads a folder of
files, e.g. the Groove MIDI Dataset (Gillick et al., 2019,
https://magenta.tensorflow.org/datasets/groove).

`GM_TO_INSTRUMENT` adapts the Groove MIDI Dataset's 9-class reduction
(`ROLAND_DRUM_PITCH_CLASSES` in Magenta's `music_vae/data.py`): the same notes
for snare (37, 38, 40), closed hi-hat (22, 42, 44), open hi-hat (26, 46),
crash (49, 52, 55, 57) and ride (51, 53, 59); kick also takes 35 (acoustic
bass drum, as Magenta's `DEFAULT_DRUM_TYPE_PITCHES` does); its three toms are
merged into two (low 41, 43, 45, 58; high 47, 48, 50); and the hand clap (39,
a snare in Magenta) is its own class. 22, 26 and 58 are Roland TD-11 notes of
the Groove MIDI Dataset (hi-hat edges, tom-3 rim). Every other pitch is ignored.
"""

import math
import os
import pathlib

import numpy as np
import pretty_midi
import tensorflow_datasets as tfds

from jaxgen.data.mnist import stratified_split

STEPS = 16
INSTRUMENTS = ("kick", "snare", "closed_hihat", "open_hihat", "low_tom", "high_tom", "crash", "ride", "clap")
STYLES = ("rock", "jazz", "hip_hop", "electronic", "latin")
GM_NOTES = {"kick": 36, "snare": 38, "closed_hihat": 42, "open_hihat": 46, "low_tom": 45, "high_tom": 50,
            "crash": 49, "ride": 51, "clap": 39}
_GM_CLASSES = {
    "kick": (35, 36),
    "snare": (37, 38, 40),
    "closed_hihat": (22, 42, 44),
    "open_hihat": (26, 46),
    "low_tom": (41, 43, 45, 58),
    "high_tom": (47, 48, 50),
    "crash": (49, 52, 55, 57),
    "ride": (51, 53, 59),
    "clap": (39,),
}
GM_TO_INSTRUMENT = {note: name for name, notes in _GM_CLASSES.items() for note in notes}

PER_STYLE = 200
TEST_PER_STYLE = 40
DATA_SEED = 0
SPLIT_SEED = 0
FLIP_PROB = 0.05
NOTE_FRACTION = 0.5  # Exported notes last half a 16th.
_SIXTEENTHS_PER_BEAT = 4
_BEATS_PER_BAR = 4

(_KICK, _SNARE, _CLOSED, _OPEN, _LOW_TOM, _HIGH_TOM, _CRASH, _RIDE, _CLAP) = range(len(INSTRUMENTS))
_EIGHTHS = np.arange(0, STEPS, 2)
BARS = (1, 2, 4)  # Bars per pattern of the builder's configs.
FILL_STEPS = np.arange(12, 16)  # The last bar's fill: its fourth beat.


def style_pattern(style: str, rng: np.random.Generator) -> np.ndarray:
  """One bar of `style`, drawn from the rules of the module table.

  Args:
    style: one of `STYLES`.
    rng: numpy Generator supplying the optional parts.

  Returns:
    uint8 [16, 9] in {0, 1}: steps x `INSTRUMENTS`.

  Raises:
    ValueError: for an unknown style.

  Example:
    >>> p = style_pattern("electronic", np.random.default_rng(0))
    >>> np.flatnonzero(p[:, INSTRUMENTS.index("kick")]).tolist()
    [0, 4, 8, 12]
  """
  if style not in STYLES:
    raise ValueError(f"unknown style {style!r}; choose one of {STYLES}")
  p = np.zeros((STEPS, len(INSTRUMENTS)), np.uint8)
  maybe = lambda prob: rng.random() < prob
  if style == "rock":
    p[[0, 8], _KICK] = 1
    p[10, _KICK] = maybe(0.5)
    p[[4, 12], _SNARE] = 1
    p[_EIGHTHS, _CLOSED] = 1
    p[0, _CRASH] = maybe(0.25)
    p[[14, 15], _LOW_TOM] = maybe(0.15)
  elif style == "jazz":
    kicks = [0, 6, 8, 10, 14]
    p[rng.choice(kicks, size=1 + maybe(0.3), replace=False), _KICK] = 1
    p[rng.choice([2, 3, 7, 10, 11, 15], size=rng.integers(1, 4), replace=False), _SNARE] = 1
    p[[0, 4, 6, 8, 12, 14], _RIDE] = 1
    p[[4, 12], _CLOSED] = 1
  elif style == "hip_hop":
    p[[0, 10], _KICK] = 1
    p[7, _KICK] = maybe(0.6)
    for step in (3, 6, 13):
      p[step, _KICK] = maybe(0.25)
    p[[4, 12], _SNARE if maybe(0.5) else _CLAP] = 1
    hats = np.arange(STEPS) if maybe(0.5) else _EIGHTHS
    p[hats, _CLOSED] = rng.random(len(hats)) >= 0.15
    if maybe(0.3):
      p[14, _OPEN], p[14, _CLOSED] = 1, 0
  elif style == "electronic":
    p[[0, 4, 8, 12], _KICK] = 1
    p[[4, 12], _CLAP] = 1
    p[[4, 12], _SNARE] = maybe(0.3)
    p[[2, 6, 10, 14], _OPEN] = 1
    if maybe(0.5):
      p[[s for s in range(STEPS) if s % 4 != 2], _CLOSED] = 1
    p[0, _CRASH] = maybe(0.15)
  else:  # latin
    p[[3, 11], _KICK] = 1
    p[8, _KICK] = maybe(0.7)
    p[0, _KICK] = maybe(0.2)
    p[[0, 3, 6, 10, 12], _CLAP] = 1  # Son clave 3-2.
    p[_EIGHTHS, _RIDE if maybe(0.5) else _CLOSED] = 1
    for step in (6, 14):
      p[step, _LOW_TOM] = maybe(0.8)
    for step in (2, 10):
      p[step, _HIGH_TOM] = maybe(0.5)
  return p


def multi_bar_pattern(style: str, rng: np.random.Generator, bars: int = 1) -> np.ndarray:
  """`bars` bars of `style` with the long-range rule of the module docstring (the last bar: bar 1 with a fill).

  Args:
    style: one of `STYLES`.
    rng: numpy Generator; bars=1 draws exactly what `style_pattern` draws.
    bars: 1, 2 or 4.

  Returns:
    uint8 [16 * bars, 9] in {0, 1}.

  Raises:
    ValueError: for an unknown style or a `bars` not in `BARS`.

  Example:
    >>> p = multi_bar_pattern("rock", np.random.default_rng(0), bars=4)
    >>> p.shape, bool((p[48:60] == p[:12]).all())
    ((64, 9), True)
  """
  if bars not in BARS:
    raise ValueError(f"bars must be one of {BARS}, got {bars}")
  first = style_pattern(style, rng)
  if bars == 1:
    return first
  middle = [style_pattern(style, rng) for _ in range(bars - 2)]
  last = first.copy()
  last[FILL_STEPS, 1:] = 0  # Every instrument but the kick (column 0).
  last[FILL_STEPS, rng.choice([_SNARE, _LOW_TOM, _HIGH_TOM], size=len(FILL_STEPS))] = 1
  return np.concatenate([first, *middle, last])


def generate_patterns(seed: int = DATA_SEED, per_style: int = PER_STYLE, flip_prob: float = FLIP_PROB,
                      bars: int = 1) -> tuple[np.ndarray, np.ndarray]:
  """The synthetic drum dataset: `per_style` noisy patterns of every style.

  Each pattern is `multi_bar_pattern(style, rng, bars)` (one bar:
  `style_pattern`), then each of its 144 * bars cells is flipped (0 <-> 1) independently with probability `flip_prob`. All draws come
  from one `np.random.default_rng(seed)`, so a seed fixes the dataset; the
  flips are drawn after all patterns, so `flip_prob=0` with the same seed
  gives the patterns before flipping.

  Args:
    seed: seed of the numpy Generator.
    per_style: patterns per style.
    flip_prob: probability in [0, 1] of flipping each cell.
    bars: bars per pattern, 1, 2 or 4.

  Returns:
    (patterns uint8 [5 * per_style, 16 * bars, 9] in {0, 1}, styles int64
    [5 * per_style] indices into `STYLES`), grouped by style in `STYLES` order.

  Raises:
    ValueError: if per_style < 0, flip_prob is outside [0, 1] or bars is not in `BARS`.

  Example:
    >>> x, y = generate_patterns(per_style=2)
    >>> x.shape, x.dtype, y.tolist()
    ((10, 16, 9), dtype('uint8'), [0, 0, 1, 1, 2, 2, 3, 3, 4, 4])
  """
  if per_style < 0 or not 0.0 <= flip_prob <= 1.0:
    raise ValueError(f"need per_style >= 0 and 0 <= flip_prob <= 1, got {per_style} and {flip_prob}")
  if bars not in BARS:
    raise ValueError(f"bars must be one of {BARS}, got {bars}")
  rng = np.random.default_rng(seed)
  styles = np.repeat(np.arange(len(STYLES), dtype=np.int64), per_style)
  clean = np.stack([multi_bar_pattern(STYLES[s], rng, bars) for s in styles]) if per_style else (
      np.zeros((0, STEPS * bars, len(INSTRUMENTS)), np.uint8))
  flips = rng.random(clean.shape) < flip_prob
  return (clean ^ flips).astype(np.uint8), styles


class DrumPatterns(tfds.core.GeneratorBasedBuilder):
  """1,000 synthetic drum patterns of 5 styles: 800 train / 200 test, 40 test per style; configs bars_1 (the
  default), bars_2 and bars_4 (`drum_patterns/bars_4`) give patterns of that many bars."""

  VERSION = tfds.core.Version("1.0.0")
  RELEASE_NOTES = {"1.0.0": "Initial release: generate_patterns(seed=0, per_style=200, flip_prob=0.05, bars), "
                            "stratified split with seed 0."}
  BUILDER_CONFIGS = [tfds.core.BuilderConfig(name=f"bars_{b}", description=f"{b}-bar patterns") for b in BARS]

  def __init__(self, **kwargs):
    kwargs.setdefault("file_format", "array_record")  # what tfds.data_source reads
    super().__init__(**kwargs)

  def _info(self) -> tfds.core.DatasetInfo:
    return tfds.core.DatasetInfo(
        builder=self,
        description=__doc__,
        features=tfds.features.FeaturesDict({
            "pattern": tfds.features.Tensor(shape=(STEPS * self._bars, len(INSTRUMENTS)), dtype=np.uint8),
            "style": tfds.features.ClassLabel(names=STYLES),
        }),
        supervised_keys=("pattern", "style"),
    )

  @property
  def _bars(self) -> int:
    return int(self.builder_config.name.removeprefix("bars_"))

  def _split_generators(self, dl_manager):
    del dl_manager  # Nothing to download: the patterns are generated.
    patterns, styles = generate_patterns(DATA_SEED, PER_STYLE, FLIP_PROB, self._bars)
    train_idx, test_idx = stratified_split(styles, TEST_PER_STYLE, SPLIT_SEED)
    return {
        "train": self._generate_examples(patterns, styles, train_idx),
        "test": self._generate_examples(patterns, styles, test_idx),
    }

  def _generate_examples(self, patterns, styles, indices):
    for i in indices:  # The key is the row of generate_patterns().
      yield int(i), {"pattern": patterns[i], "style": int(styles[i])}


# ----------------------------------------------------------------------------- MIDI


def _as_bars(patterns) -> np.ndarray:
  """{0,1} [16 * B, 9] or [n, 16 * B, 9] -> bool [n * B, 16, 9], the bars in order; ValueError for another shape."""
  x = np.asarray(patterns)
  if x.ndim == 2:
    x = x[None]
  if x.ndim != 3 or x.shape[1] % STEPS or not x.shape[1] or x.shape[2] != len(INSTRUMENTS):
    raise ValueError(f"patterns must be [16 * bars, 9] or [n, 16 * bars, 9], got shape {np.shape(patterns)}")
  return x.reshape(-1, STEPS, len(INSTRUMENTS)) != 0


def pattern_to_midi(patterns, path: str | os.PathLike, tempo: float = 120.0, velocity: int = 100
                    ) -> pretty_midi.PrettyMIDI:
  """Writes patterns (of one or more bars each), one bar after another, as a General-MIDI drum track.

  One drum instrument (`is_drum=True`, program 0; MIDI channel 10) plays note
  `GM_NOTES[instrument]` at every on cell of bar b, step s, from
  (16 * b + s) * sixteenth to that + `NOTE_FRACTION` * sixteenth seconds,
  where sixteenth = 60 / tempo / 4. The file also gets a 4/4 time signature
  and, at the end of the last bar, a text event, so that trailing empty bars
  survive (`midi_to_patterns` reads the bar count from the end time).

  Args:
    patterns: uint8 or bool [16 * B, 9] or [n, 16 * B, 9] in {0, 1} (nonzero = on),
      B bars each; bar b counts over all of them.
    path: .mid file to write (str or path-like); its folder must exist.
    tempo: beats (quarter notes) per minute, > 0.
    velocity: MIDI velocity of every note, 1-127.

  Returns:
    The `pretty_midi.PrettyMIDI` that was written.

  Raises:
    ValueError: for a wrong shape, tempo <= 0 or a velocity outside 1-127.
  """
  bars = _as_bars(patterns)
  if not tempo > 0 or not 1 <= velocity <= 127:
    raise ValueError(f"need tempo > 0 and 1 <= velocity <= 127, got tempo={tempo}, velocity={velocity}")
  sixteenth = 60.0 / tempo / _SIXTEENTHS_PER_BEAT
  midi = pretty_midi.PrettyMIDI(initial_tempo=tempo)
  midi.time_signature_changes.append(pretty_midi.TimeSignature(_BEATS_PER_BAR, 4, 0.0))
  drums = pretty_midi.Instrument(program=0, is_drum=True, name="drums")
  for bar, step, inst in zip(*np.nonzero(bars)):  # Row-major: sorted by time.
    start = (bar * STEPS + step) * sixteenth
    drums.notes.append(pretty_midi.Note(velocity=int(velocity), pitch=GM_NOTES[INSTRUMENTS[inst]],
                                        start=float(start), end=float(start + NOTE_FRACTION * sixteenth)))
  midi.instruments.append(drums)
  midi.text_events.append(pretty_midi.Text(f"end of bar {len(bars)}", float(len(bars) * STEPS * sixteenth)))
  midi.write(str(path))
  return midi


def midi_to_patterns(midi, steps_per_bar: int = STEPS, num_bars: int | None = None, bars: int = 1) -> np.ndarray:
  """Quantizes the drum notes of a MIDI file onto the 16th-note grid.

  Every note of every drum instrument (`is_drum`) whose pitch is in
  `GM_TO_INSTRUMENT` turns on the cell of its instrument at the nearest 16th
  step, measured in MIDI ticks (so tempo changes are followed): step =
  round(4 * tick / resolution), with 4 sixteenths per quarter-note beat; bar =
  step // steps_per_bar, i.e. 4/4 bars counted from tick 0 (a pickup bar or
  another meter is not detected). Notes of other pitches and of non-drum
  instruments are ignored; velocities are dropped.

  The number of bars is `num_bars` if given (later notes are dropped), else
  the bars up to the file's end time (last note off or meta event; a bar
  ended exactly counts once), so `midi_to_patterns(pattern_to_midi(p,
  path)) == p` exactly for one-bar patterns, trailing empty bars included
  (and with `bars=B` for B-bar ones). With `bars` > 1 consecutive bars form
  one pattern; bars after the last whole pattern are dropped.

  Args:
    midi: path (str or path-like) of a MIDI file, or a `pretty_midi.PrettyMIDI`.
    steps_per_bar: grid steps per bar; only 16 (4/4 in 16ths) is supported.
    num_bars: bars to read, or None for all.
    bars: bars per returned pattern, >= 1.

  Returns:
    uint8 [n_bars // bars, 16 * bars, 9] in {0, 1}.

  Raises:
    ValueError: if steps_per_bar != 16 or bars < 1.
    OSError / other pretty_midi errors: for an unreadable file.

  Example:
    >>> pm = pretty_midi.PrettyMIDI(initial_tempo=120.0)
    >>> kit = pretty_midi.Instrument(0, is_drum=True)
    >>> kit.notes.append(pretty_midi.Note(100, 38, 0.52, 0.6))  # Snare near 0.5 s = beat 2 = step 4.
    >>> pm.instruments.append(kit)
    >>> p = midi_to_patterns(pm)
    >>> p.shape, np.argwhere(p).tolist()
    ((1, 16, 9), [[0, 4, 1]])
  """
  if steps_per_bar != STEPS:
    raise ValueError(f"only steps_per_bar={STEPS} (4/4 in 16th notes) is supported, got {steps_per_bar}")
  if bars < 1:
    raise ValueError(f"bars must be >= 1, got {bars}")
  if not isinstance(midi, pretty_midi.PrettyMIDI):
    midi = pretty_midi.PrettyMIDI(os.fspath(midi))
  ticks_per_step = midi.resolution / _SIXTEENTHS_PER_BEAT
  to_step = lambda t: int(math.floor(midi.time_to_tick(t) / ticks_per_step + 0.5))
  cells = [(to_step(note.start), INSTRUMENTS.index(GM_TO_INSTRUMENT[note.pitch]))
           for inst in midi.instruments if inst.is_drum
           for note in inst.notes if note.pitch in GM_TO_INSTRUMENT]
  if num_bars is None:
    end_steps = midi.time_to_tick(midi.get_end_time()) / ticks_per_step
    num_bars = max([math.ceil(end_steps / STEPS - 1e-6)] + [s // STEPS + 1 for s, _ in cells])
  out = np.zeros((num_bars * STEPS, len(INSTRUMENTS)), np.uint8)
  for step, inst in cells:
    if step < len(out):
      out[step, inst] = 1
  whole = num_bars // bars * bars * STEPS
  return out[:whole].reshape((num_bars // bars, bars * STEPS, len(INSTRUMENTS)))


def load_midi_folder(folder: str | os.PathLike, bars: int = 1) -> np.ndarray:
  """Every non-empty pattern of `bars` consecutive bars of every MIDI file under a folder.

  Files are `*.mid` / `*.midi` (any case) anywhere under `folder`, read in
  sorted path order with `midi_to_patterns(path, bars=bars)` (a file's bars
  after its last whole pattern are dropped); patterns with no mapped drum
  note are dropped.

  Args:
    folder: a folder, e.g. the unpacked Groove MIDI Dataset.
    bars: bars per pattern, >= 1.

  Returns:
    uint8 [N, 16 * bars, 9] in {0, 1}, N >= 1.

  Raises:
    FileNotFoundError: if the folder holds no MIDI file (or does not exist).
    ValueError: if a file cannot be read, or no file has a mapped drum note.
  """
  root = pathlib.Path(folder)
  paths = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in (".mid", ".midi"))
  if not paths:
    raise FileNotFoundError(
        f"no MIDI files (*.mid, *.midi, searched recursively) under {str(root)!r}"
        f"{'' if root.is_dir() else ' (the folder does not exist)'}. Download the Groove MIDI Dataset "
        "from https://magenta.tensorflow.org/datasets/groove, unpack it, and pass its folder.")
  patterns = []
  for path in paths:
    try:
      patterns.append(midi_to_patterns(path, bars=bars))
    except Exception as e:  # pylint: disable=broad-except  # Name the file, whatever went wrong.
      raise ValueError(f"cannot read MIDI file {str(path)!r}: {e}") from e
  patterns = np.concatenate(patterns)
  patterns = patterns[patterns.reshape(len(patterns), -1).any(axis=1)]
  if not len(patterns):
    raise ValueError(f"the {len(paths)} MIDI files under {str(root)!r} have no drum notes of the pitches in "
                     "GM_TO_INSTRUMENT (drum tracks must be on MIDI channel 10)")
  return patterns
