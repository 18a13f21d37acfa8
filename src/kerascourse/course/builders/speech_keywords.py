"""Spoken keywords synthesized offline with espeak-ng: a stand-in for TFDS ``speech_commands``.

The same twelve labels (ten keywords, ``_silence_`` and ``_unknown_``), features (16 kHz ``int16``
audio of up to one second) and splits (train, validation and test, with no speaker in two of them) as
``speech_commands``. A speaker is one of espeak-ng's English accents with one of its voice variants;
each clip draws its speed, pitch, loudness and position in the second, and is mixed with background
noise (white, pink or brown noise, or mains hum) at 10 to 40 dB signal-to-noise ratio. ``_silence_``
clips are that noise alone, ``_unknown_`` clips other words of ``speech_commands``' vocabulary, and one
clip in seven is cut shorter than a second, as some of ``speech_commands``' are.

espeak-ng comes from Debian's packages (``make`` installs it; on Colab ``!apt-get install -y espeak-ng``).
"""

import shutil
import subprocess

import numpy as np
import tensorflow_datasets as tfds
from scipy.signal import resample_poly

KEYWORDS = ["down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes"]  # speech_commands' order
SILENCE, UNKNOWN = "_silence_", "_unknown_"
LABELS = KEYWORDS + [SILENCE, UNKNOWN]
OTHER_WORDS = (
    "bed bird cat dog eight five four happy house marvin nine one seven sheila six three tree two wow zero".split()
)
ACCENTS = ["en-us", "en", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-gb-x-gbclan", "en-gb-x-gbcwmd"]
VARIANTS = (
    "m1 m2 m3 m4 m5 m6 m7 m8 f1 f2 f3 f4 f5 adam aunty benjamin david ed grandma grandpa john linda max "
    "michel norbert paul quincy rob robert shelby".split()
)
SAMPLE_RATE = 16000
ESPEAK_RATE = 22050
WAV_HEADER = 44  # bytes before the samples of espeak-ng's --stdout
CLIPS_PER_LABEL = {"train": 150, "validation": 30, "test": 50}
HELD_OUT = {"validation": 0.15, "test": 0.15}  # the share of speakers each split keeps to itself
SHORT_CLIPS = 1 / 7
LOWEST_HZ = 20  # what a microphone passes: noise is not shaped below it
MISSING = (
    "speech_keywords synthesizes its clips with espeak-ng, which is not installed; install it "
    "(`sudo apt-get install espeak-ng`, or in Colab `!apt-get install -y espeak-ng`) and run this again"
)


def speakers_by_split(seed=0):
    """``{split: [(accent, variant), ...]}``: every speaker in exactly one split."""
    speakers = [(accent, variant) for accent in ACCENTS for variant in VARIANTS]
    order = np.random.default_rng(seed).permutation(len(speakers))
    counts = {split: round(share * len(speakers)) for split, share in HELD_OUT.items()}
    splits, start = {}, 0
    for split in ("validation", "test"):
        splits[split] = [speakers[i] for i in order[start : start + counts[split]]]
        start += counts[split]
    splits["train"] = [speakers[i] for i in order[start:]]
    return splits


def speak(word, accent, variant, speed, pitch):
    """``word`` spoken by espeak-ng, as float32 samples in [-1, 1] at 16 kHz."""
    if shutil.which("espeak-ng") is None:
        raise RuntimeError(MISSING)
    voice = f"{accent}+{variant}"
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "--stdout", word],
        capture_output=True, check=True,
    ).stdout
    if wav[36:40] != b"data":
        raise RuntimeError(f"espeak-ng gave no WAV samples for {word!r} in the voice {voice}")
    samples = np.frombuffer(wav[WAV_HEADER:], dtype=np.int16).astype(np.float32) / 32768
    return resample_poly(samples, SAMPLE_RATE // 50, ESPEAK_RATE // 50).astype(np.float32)


def background(rng, length):
    """One of four kinds of background noise, with unit power."""
    kind = rng.integers(4)
    if kind == 3:  # mains hum at 50 or 60 Hz with two harmonics, a little noise under it
        t = np.arange(length) / SAMPLE_RATE
        base = rng.choice([50, 60])
        noise = sum(np.sin(2 * np.pi * base * k * t + rng.uniform(0, 2 * np.pi)) / k for k in (1, 2, 3))
        noise = noise + 0.1 * rng.normal(size=length)
    else:  # white, pink (1/f) or brown (1/f^2) noise, shaped in the frequency domain, flat below 20 Hz
        spectrum = np.fft.rfft(rng.normal(size=length))
        frequencies = np.maximum(np.fft.rfftfreq(length, d=1 / SAMPLE_RATE), LOWEST_HZ)
        noise = np.fft.irfft(spectrum / frequencies ** (kind / 2), n=length)
    return (noise / np.sqrt(np.mean(noise**2))).astype(np.float32)


def clip(rng, word, speaker, snr_db=None):
    """A clip of up to one second as int16: ``word`` (None for silence) said by ``speaker`` in noise, at
    ``snr_db`` or a drawn signal-to-noise ratio."""
    length = SAMPLE_RATE if rng.random() >= SHORT_CLIPS else int(rng.integers(SAMPLE_RATE // 2, SAMPLE_RATE))
    signal = np.zeros(length, np.float32)
    if word is not None:
        voice = speak(word, *speaker, speed=int(rng.integers(120, 200)), pitch=int(rng.integers(25, 76)))
        voice = voice[:length] * rng.uniform(0.3, 0.9) / max(float(np.max(np.abs(voice))), 1e-6)
        start = int(rng.integers(0, length - len(voice) + 1))
        signal[start : start + len(voice)] = voice
        power = float(np.mean(voice**2))
        noise_power = power / 10 ** ((rng.uniform(10, 40) if snr_db is None else snr_db) / 10)
    else:
        noise_power = rng.uniform(0.001, 0.05) ** 2
    signal += np.sqrt(noise_power) * background(rng, length)
    return np.clip(np.round(signal * 32767), -32768, 32767).astype(np.int16)


class SpeechKeywords(tfds.core.GeneratorBasedBuilder, skip_registration=True):
    """12 x (150 + 30 + 50) one-second clips of synthesized keywords with ``speech_commands``' features,
    label names and splits; no speaker is in two splits."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "First release."}

    def _info(self):
        return self.dataset_info_from_configs(
            description=__doc__.split("\n\n")[1],
            features=tfds.features.FeaturesDict(
                {
                    "audio": tfds.features.Audio(shape=(None,), dtype=np.int16, sample_rate=SAMPLE_RATE),
                    "label": tfds.features.ClassLabel(names=LABELS),
                    "speaker": tfds.features.Text(),
                }
            ),
            supervised_keys=("audio", "label"),
            homepage="https://github.com/espeak-ng/espeak-ng",
        )

    def _split_generators(self, dl_manager):
        if shutil.which("espeak-ng") is None:
            raise RuntimeError(MISSING)
        speakers = speakers_by_split()
        return {split: self._generate_examples(split, speakers[split]) for split in CLIPS_PER_LABEL}

    def _generate_examples(self, split, speakers):
        rng = np.random.default_rng(list(CLIPS_PER_LABEL).index(split) + 1)
        for label in LABELS:
            for index in range(CLIPS_PER_LABEL[split]):
                speaker = speakers[int(rng.integers(len(speakers)))]
                word = {SILENCE: None, UNKNOWN: rng.choice(OTHER_WORDS)}.get(label, label)
                yield f"{label}_{index}", {
                    "audio": clip(rng, word, speaker),
                    "label": label,
                    "speaker": "" if word is None else "+".join(speaker),
                }
