"""The offline stand-in for speech_commands: synthesized with espeak-ng, the same labels and features,
speakers kept apart by split, the same clips on every preparation, and a clear message without espeak-ng."""

import numpy as np
import pytest
import tensorflow_datasets as tfds
from test_data import no_network  # noqa: F401 - a fixture

from kerascourse.course import data
from kerascourse.course.builders import speech_keywords as sk


def prepare(directory, monkeypatch):
    """The builder's own code with two clips per label and split, a dataset that prepares in seconds."""
    monkeypatch.setattr(sk, "CLIPS_PER_LABEL", {"train": 2, "validation": 2, "test": 2})
    builder = sk.SpeechKeywords(data_dir=str(directory))
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(try_download_gcs=False))
    rows = {}
    for split in ("train", "validation", "test"):
        rows[split] = list(tfds.as_numpy(builder.as_dataset(split=split, shuffle_files=False)))
    return builder, rows


def test_every_speaker_is_in_one_split():
    splits = sk.speakers_by_split()
    everyone = [speaker for speakers in splits.values() for speaker in speakers]
    assert len(everyone) == len(set(everyone)) == len(sk.ACCENTS) * len(sk.VARIANTS)
    assert min(len(splits["validation"]), len(splits["test"])) >= 30


def test_clips_have_speech_commands_features_and_keep_speakers_apart(tmp_path, monkeypatch, no_network):  # noqa: F811
    builder, rows = prepare(tmp_path, monkeypatch)
    assert builder.info.features["label"].names == [
        "down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes", "_silence_", "_unknown_"
    ]  # tensorflow_datasets/datasets/speech_commands: WORDS + [SILENCE, UNKNOWN]
    assert builder.info.features["audio"].sample_rate == 16000 and builder.info.supervised_keys == ("audio", "label")
    assert all(len(split_rows) == 2 * 12 for split_rows in rows.values())
    for row in rows["train"]:
        assert row["audio"].dtype == np.int16 and 8000 <= len(row["audio"]) <= 16000
        silence = builder.info.features["label"].int2str(row["label"]) == "_silence_"
        assert (row["speaker"] == b"") == silence
    speakers = {split: {row["speaker"] for row in split_rows} - {b""} for split, split_rows in rows.items()}
    assert not speakers["train"] & speakers["test"] and not speakers["train"] & speakers["validation"]


def test_a_spoken_word_stands_out_of_its_noise_and_silence_does_not():
    rng = np.random.default_rng(0)
    speakers = sk.speakers_by_split()["train"]

    def loudest_over_floor(audio):  # frame energies of 20 ms: the loudest over the quietest twentieth
        frames = audio[: len(audio) // 320 * 320].astype(np.float64).reshape(-1, 320)
        energy = np.mean(frames**2, axis=1)
        return energy.max() / np.percentile(energy, 5)

    words = [loudest_over_floor(sk.clip(rng, word, speakers[i], snr_db=20)) for i, word in enumerate(sk.KEYWORDS)]
    silences = [loudest_over_floor(sk.clip(rng, None, speakers[i])) for i in range(10)]
    assert min(words) > 100 > max(silences)  # over 200 draws each: words 216 and up, noise 41 at most


def test_preparing_twice_gives_the_same_clips(tmp_path, monkeypatch):
    _, first = prepare(tmp_path / "a", monkeypatch)
    _, second = prepare(tmp_path / "b", monkeypatch)
    assert all(np.array_equal(a["audio"], b["audio"]) for a, b in zip(first["test"], second["test"], strict=True))


def test_without_espeak_ng_the_message_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setattr(sk.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match=r"!apt-get install -y espeak-ng"):
        prepare(tmp_path, monkeypatch)


def test_clips_load_as_int16_arrays_of_their_own_lengths():
    clips, labels = data.load_clips("speech_commands", "validation", size="grading")
    assert len(clips) == len(labels) == 12 * sk.CLIPS_PER_LABEL["validation"]
    assert all(clip.dtype == np.int16 and sk.SAMPLE_RATE // 2 <= len(clip) <= sk.SAMPLE_RATE for clip in clips)
    assert len({len(clip) for clip in clips}) > 1, "some clips are shorter than a second, as in speech_commands"
    assert np.array_equal(np.bincount(labels), np.full(12, sk.CLIPS_PER_LABEL["validation"]))
    clips[0][:] = 0  # a copy: the next call reads the clips as they are on disk
    assert np.any(data.load_clips("speech_commands", "validation", size="grading")[0][0])
