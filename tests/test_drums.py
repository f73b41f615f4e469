"""Drum patterns: the synthetic five-style dataset, MIDI import/export, and the drum metrics."""

import jax
import ml_collections
import numpy as np
import pretty_midi
import pytest

from jaxgen import data
from jaxgen.data import drums, real
from jaxgen.metrics import drums as drum_metrics

KICK, SNARE, CLOSED, OPEN, LOW_TOM, HIGH_TOM, CRASH, RIDE, CLAP = range(9)


@pytest.fixture(scope="module")
def drum_dir(tmp_path_factory):
  """A private TFDS data dir with `drum_patterns` prepared (by the first `load`)."""
  path = str(tmp_path_factory.mktemp("drum_tfds"))
  data.load("drum_patterns", "test", data_dir=path)
  return path


@pytest.fixture(scope="module")
def splits(drum_dir):
  return data.load("drum_patterns", "train", data_dir=drum_dir), data.load("drum_patterns", "test", data_dir=drum_dir)


def _steps(patterns, instrument):
  """The set of step lists, over patterns, at which `instrument` plays."""
  return {tuple(np.flatnonzero(p[:, instrument])) for p in patterns}


def _rows(patterns):
  return sorted(p.tobytes() for p in patterns)


# ----------------------------------------------------------------------------- the synthetic dataset


def test_generate_patterns_shapes_counts_and_determinism():
  x, y = drums.generate_patterns()
  assert x.shape == (1000, 16, 9) and x.dtype == np.uint8 and y.shape == (1000,) and y.dtype == np.int64
  assert set(np.unique(x)) == {0, 1}
  np.testing.assert_array_equal(np.bincount(y), [200] * 5)
  x_again, y_again = drums.generate_patterns(seed=0)
  np.testing.assert_array_equal(x, x_again)
  np.testing.assert_array_equal(y, y_again)
  x_other, _ = drums.generate_patterns(seed=1)
  assert (x != x_other).mean() > 0.05  # Another seed: other optional parts and other flips.
  x_small, y_small = drums.generate_patterns(per_style=3)
  assert x_small.shape == (15, 16, 9) and y_small.tolist() == [0] * 3 + [1] * 3 + [2] * 3 + [3] * 3 + [4] * 3
  with pytest.raises(ValueError, match="flip_prob"):
    drums.generate_patterns(flip_prob=1.5)


def test_flip_rate_and_style_rules():
  clean, y = drums.generate_patterns(seed=0, flip_prob=0.0)
  noisy, y_noisy = drums.generate_patterns(seed=0, flip_prob=0.05)
  np.testing.assert_array_equal(y, y_noisy)
  # 144,000 cells flipped with p = 0.05: std of the rate is 0.0006.
  assert (clean != noisy).mean() == pytest.approx(0.05, abs=0.005)
  by_style = {name: clean[y == s] for s, name in enumerate(drums.STYLES)}
  assert _steps(by_style["electronic"], KICK) == {(0, 4, 8, 12)}
  assert _steps(by_style["electronic"], CLAP) == {(4, 12)}
  assert _steps(by_style["electronic"], OPEN) == {(2, 6, 10, 14)}
  assert _steps(by_style["rock"], SNARE) == {(4, 12)}
  assert _steps(by_style["rock"], CLOSED) == {(0, 2, 4, 6, 8, 10, 12, 14)}
  assert _steps(by_style["rock"], KICK) == {(0, 8), (0, 8, 10)}
  assert _steps(by_style["jazz"], RIDE) == {(0, 4, 6, 8, 12, 14)}
  assert _steps(by_style["jazz"], CLOSED) == {(4, 12)}
  assert _steps(by_style["latin"], CLAP) == {(0, 3, 6, 10, 12)}  # Son clave 3-2.
  hip_hop_kicks = by_style["hip_hop"][:, :, KICK]
  assert hip_hop_kicks[:, [0, 10]].all() and not hip_hop_kicks[:, 8].any()
  assert clean[:, :, KICK].any(axis=1).all()  # Every clean pattern has a kick.
  with pytest.raises(ValueError, match="unknown style"):
    drums.style_pattern("polka", np.random.default_rng(0))


def test_tfds_builder_is_the_generated_set_split_per_style(splits):
  train, test = splits
  assert train["pattern"].shape == (800, 16, 9) and train["pattern"].dtype == np.uint8
  assert test["pattern"].shape == (200, 16, 9) and test["style"].dtype == np.int32
  np.testing.assert_array_equal(np.bincount(train["style"]), [160] * 5)
  np.testing.assert_array_equal(np.bincount(test["style"]), [40] * 5)
  # Train + test are exactly the rows of generate_patterns(), each with its style.
  x, y = drums.generate_patterns()
  stored = sorted(p.tobytes() + bytes([s]) for split in splits for p, s in zip(split["pattern"], split["style"]))
  assert stored == sorted(p.tobytes() + bytes([s]) for p, s in zip(x, y))


def test_make_real_drum_patterns_samples_train_bars_in_plus_minus_one(drum_dir, splits):
  r = real.make_real(ml_collections.ConfigDict({"name": "drum_patterns", "data_dir": drum_dir}))
  x = np.asarray(jax.jit(r.sample, static_argnums=1)(jax.random.key(0), 64))
  assert x.shape == (64, 16, 9) and x.dtype == np.float32
  assert set(np.unique(x)) == {-1.0, 1.0}
  train_rows = set(_rows(splits[0]["pattern"]))
  assert all(((b + 1) / 2).astype(np.uint8).tobytes() in train_rows for b in x)
  np.testing.assert_array_equal(r.test["style"], splits[1]["style"])
  assert "drum_patterns" in data.DATASETS and {"drum_patterns", "drum_midi"} <= set(real.NAMES)


def test_multi_bar_patterns_repeat_bar_one_in_the_last_bar_with_a_fill(drum_dir):
  clean, styles = drums.generate_patterns(flip_prob=0.0, bars=4)
  assert clean.shape == (1000, 64, 9)
  first, last = clean[:, :16], clean[:, 48:]
  np.testing.assert_array_equal(last[:, :12], first[:, :12])  # Beats 1-3 of bar 4 are bar 1's.
  np.testing.assert_array_equal(last[:, 12:, 0], first[:, 12:, 0])  # The kick stays through the fill,
  fill = last[:, 12:, 1:]  # and each fill step strikes exactly one of snare, low tom and high tom.
  np.testing.assert_array_equal(fill.sum(-1), 1)
  assert set(np.flatnonzero(fill.sum((0, 1)))) == {0, 3, 4}  # Columns 1, 4, 5 of the kit, minus the kick.
  # Bars 2 and 3 are new draws of the style: they give bar 1's optional parts away far less often.
  same_as_first = lambda bar: np.mean((clean[:, 16 * bar:16 * bar + 12] == first[:, :12]).all(axis=(1, 2)))
  assert same_as_first(1) < 0.3 and same_as_first(2) < 0.3
  two, styles_two = drums.generate_patterns(flip_prob=0.0, bars=2)
  np.testing.assert_array_equal(two[:, 16:28], two[:, :12])
  np.testing.assert_array_equal(styles_two, styles)
  np.testing.assert_array_equal(drums.generate_patterns(bars=1)[0], drums.generate_patterns()[0])
  with pytest.raises(ValueError, match="bars"):
    drums.generate_patterns(bars=3)
  # The builder's bars_4 config holds the same 1,000 noisy patterns.
  four = data.load("drum_patterns/bars_4", "test", data_dir=drum_dir)
  assert four["pattern"].shape == (200, 64, 9)
  noisy = {p.tobytes() for p in drums.generate_patterns(bars=4)[0]}
  assert all(p.tobytes() in noisy for p in four["pattern"])
  r = real.make_real(ml_collections.ConfigDict({"name": "drum_patterns", "data_dir": drum_dir, "bars": 4}))
  assert r.sample(jax.random.key(0), 5).shape == (5, 64, 9)


# ----------------------------------------------------------------------------- MIDI


@pytest.mark.parametrize("tempo", [90.0, 120.0])
def test_midi_round_trip_is_exact(tmp_path, tempo):
  rng = np.random.default_rng(int(tempo))
  p = (rng.random((3, 16, 9)) < 0.3).astype(np.uint8)
  p[1] = 1  # A full bar,
  p[2] = 0  # and a trailing empty one, which must survive.
  path = tmp_path / "bars.mid"
  midi = drums.pattern_to_midi(p, path, tempo=tempo)
  assert len(midi.instruments) == 1 and midi.instruments[0].is_drum
  assert len(midi.instruments[0].notes) == p.sum()
  np.testing.assert_array_equal(drums.midi_to_patterns(path), p)
  np.testing.assert_array_equal(drums.midi_to_patterns(str(path)), p)
  np.testing.assert_array_equal(drums.midi_to_patterns(midi), p)
  np.testing.assert_array_equal(drums.midi_to_patterns(path, num_bars=1), p[:1])


def test_multi_bar_midi_round_trip_is_exact(tmp_path):
  p = drums.generate_patterns(per_style=1, bars=4)[0]  # [5, 64, 9]
  path = tmp_path / "four_bars.mid"
  drums.pattern_to_midi(p, path)
  np.testing.assert_array_equal(drums.midi_to_patterns(path, bars=4), p)
  np.testing.assert_array_equal(drums.midi_to_patterns(path), p.reshape(20, 16, 9))  # Bar by bar, in order.
  np.testing.assert_array_equal(drums.midi_to_patterns(path, bars=3), p.reshape(20, 16, 9)[:18].reshape(6, 48, 9))
  (tmp_path / "folder").mkdir()
  drums.pattern_to_midi(p[:2], tmp_path / "folder" / "a.mid")
  np.testing.assert_array_equal(drums.load_midi_folder(tmp_path / "folder", bars=4), p[:2])
  with pytest.raises(ValueError, match="16 \\* bars"):
    drums.pattern_to_midi(np.zeros((20, 9)), tmp_path / "bad.mid")


def test_hand_written_midi_imports_to_the_expected_cells(tmp_path):
  """At 120 bpm a 16th is 0.125 s and a bar 2 s."""
  pm = pretty_midi.PrettyMIDI(initial_tempo=120.0)
  kit = pretty_midi.Instrument(program=0, is_drum=True)
  for pitch, start in [(36, 0.0),    # kick at step 0
                       (38, 0.5),    # snare at 0.5 s = step 4
                       (42, 0.13),   # closed hi-hat just after step 1: step 1
                       (44, 1.74),   # pedal hi-hat (closed) just before step 14
                       (60, 0.25),   # hi bongo: no class, ignored
                       (51, 2.0)]:   # ride at 2 s = bar 1, step 0
    kit.notes.append(pretty_midi.Note(velocity=90, pitch=pitch, start=start, end=start + 0.1))
  piano = pretty_midi.Instrument(program=0, is_drum=False)
  piano.notes.append(pretty_midi.Note(velocity=90, pitch=38, start=1.0, end=1.5))  # Not a drum: ignored.
  pm.instruments.extend([kit, piano])
  pm.write(str(tmp_path / "hand.mid"))
  p = drums.midi_to_patterns(tmp_path / "hand.mid")
  assert p.shape == (2, 16, 9) and p.dtype == np.uint8
  assert sorted(map(tuple, np.argwhere(p).tolist())) == [(0, 0, KICK), (0, 1, CLOSED), (0, 4, SNARE),
                                                          (0, 14, CLOSED), (1, 0, RIDE)]


def test_load_midi_folder_and_drum_midi(tmp_path):
  with pytest.raises(FileNotFoundError, match="Groove MIDI Dataset"):
    drums.load_midi_folder(tmp_path)
  rng = np.random.default_rng(0)
  a = (rng.random((4, 16, 9)) < 0.2).astype(np.uint8)
  a[1] = 0  # An empty bar: dropped.
  b = (rng.random((3, 16, 9)) < 0.2).astype(np.uint8)
  (tmp_path / "sub").mkdir()
  drums.pattern_to_midi(a, tmp_path / "a.MIDI", tempo=100.0)
  drums.pattern_to_midi(b, tmp_path / "sub" / "b.mid", tempo=140.0)
  (tmp_path / "notes.txt").write_text("not MIDI")
  bars = np.concatenate([a[[0, 2, 3]], b])  # Sorted paths: a.MIDI, then sub/b.mid.
  np.testing.assert_array_equal(drums.load_midi_folder(tmp_path), bars)
  r = real.make_real(ml_collections.ConfigDict({"name": "drum_midi", "data_dir": "", "midi_dir": str(tmp_path)}))
  np.testing.assert_array_equal(r.test["pattern"], bars[[4]])  # Every 5th bar: index 4.
  np.testing.assert_array_equal(r.train["pattern"], bars[[0, 1, 2, 3, 5]])
  assert r.train["style"].tolist() == [-1] * 5 and r.test["style"].dtype == np.int32
  x = np.asarray(r.sample(jax.random.key(1), 8))
  assert x.shape == (8, 16, 9) and set(np.unique(x)) <= {-1.0, 1.0}
  with pytest.raises(ValueError, match="midi_dir"):
    real.make_real(ml_collections.ConfigDict({"name": "drum_midi", "data_dir": ""}))


# ----------------------------------------------------------------------------- metrics


def _rock():
  p = np.zeros((16, 9), np.uint8)
  p[[0, 8], KICK] = 1
  p[[4, 12], SNARE] = 1
  p[::2, CLOSED] = 1
  return p


def test_validity_hand_cases():
  rock = _rock()
  no_kick = rock.copy()
  no_kick[:, KICK] = 0
  dense = np.zeros((16, 9), np.uint8)
  dense[:, :6] = 1  # 96 cells, both halves alike,
  dense[:4, CRASH] = 1  # + 4 in the first half only: 100 on, Jaccard 48 / 52.
  dense_no_kick = dense.copy()
  dense_no_kick[:, KICK] = 0
  dense_no_kick[:, RIDE] = 1  # Still 100 on (96 + 4), no kick.
  no_repeat = np.zeros((16, 9), np.uint8)
  no_repeat[0, KICK] = no_repeat[12, SNARE] = 1  # Offsets 0 and 4 of different instruments: Jaccard 0.
  no_repeat_no_kick = np.zeros((16, 9), np.uint8)
  no_repeat_no_kick[4, SNARE] = no_repeat_no_kick[9, CLOSED] = 1
  at_72 = np.zeros((16, 9), np.uint8)
  at_72[:, :4] = 1
  at_72[::2, RIDE] = 1  # 64 + 8 = 72 cells: not "more than half".
  at_73 = at_72.copy()
  at_73[1, RIDE] = 1
  repeat_30 = np.zeros((16, 9), np.uint8)
  repeat_30[:8, CLOSED] = 1
  repeat_30[[0, 8], KICK] = repeat_30[[4, 12], SNARE] = repeat_30[8, CLOSED] = 1  # 3 shared of 10: 0.3.
  repeat_20 = repeat_30.copy()
  repeat_20[8, CLOSED] = 0  # 2 of 10.
  cases = [(np.zeros((16, 9)), 0.0), (rock, 1.0), (no_kick, 0.7), (dense, 0.8), (dense_no_kick, 0.8 * 0.7),
           (no_repeat, 0.8), (no_repeat_no_kick, 0.7 * 0.8), (at_72, 1.0), (at_73, 0.8), (repeat_30, 1.0),
           (repeat_20, 0.8)]
  patterns = np.stack([p for p, _ in cases])
  assert patterns[4].sum() == 100 and patterns[3].sum() == 100
  expected = [v for _, v in cases]
  np.testing.assert_allclose(drum_metrics.validity(patterns), expected, rtol=1e-6)
  np.testing.assert_allclose(jax.jit(drum_metrics.validity)(patterns * 2.0 - 1.0), expected, rtol=1e-6)
  single = drum_metrics.validity(no_kick)
  assert single.shape == () and single.dtype == np.float32 and float(single) == pytest.approx(0.7)
  with pytest.raises(ValueError, match="16, 9"):
    drum_metrics.validity(np.zeros((4, 16, 8)))


def test_diversity_hand_cases():
  rock = _rock()
  assert float(drum_metrics.diversity(np.stack([rock, rock]))) == 0.0
  assert float(drum_metrics.diversity(np.stack([rock, 1 - rock]))) == 1.0
  a = np.zeros((16, 9), np.uint8)
  b, c = a.copy(), a.copy()
  b[0] = 1  # 9 cells
  c[:2] = 1  # 18 cells: d(a, b) = 9, d(a, c) = 18, d(b, c) = 9, mean 12 of 144.
  assert float(drum_metrics.diversity(np.stack([a, b, c]))) == pytest.approx(12 / 144, rel=1e-6)
  with pytest.raises(ValueError, match="N >= 2"):
    drum_metrics.diversity(rock[None])


def test_style_classifier_recognises_the_test_split(splits):
  train, test = splits
  params = drum_metrics.train_style_classifier(train["pattern"], train["style"], seed=0)
  predictions = drum_metrics.style_predictions(params, test["pattern"])
  assert predictions.shape == (200,) and predictions.dtype == np.int32
  np.testing.assert_array_equal(predictions, drum_metrics.style_predictions(params, test["pattern"] * 1.0))
  accuracy = drum_metrics.style_accuracy(params, test["pattern"], test["style"])
  assert accuracy >= 0.9
  # Shuffled labels carry no style: chance level (0.2) on the test split.
  shuffled = np.random.default_rng(0).permutation(train["style"])
  params = drum_metrics.train_style_classifier(train["pattern"], shuffled, seed=0, steps=100)
  assert drum_metrics.style_accuracy(params, test["pattern"], test["style"]) < 0.45
  with pytest.raises(ValueError, match="styles"):
    drum_metrics.train_style_classifier(train["pattern"], train["style"] + 5)
