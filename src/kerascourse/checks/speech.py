"""Checks for lesson 13 (speech): clips padded to one second, log-mel spectrograms, a CNN and an RNN
keyword recognizer, background noise at a signal-to-noise ratio, and greedy CTC decoding.

The functions are called on the grader's own inputs (``PROBE_CALLS``); the recognizers are measured
again on the grader's own spectrograms of the test clips, computed here the way the lesson defines them.
"""

import functools

import numpy as np
import tensorflow as tf

from kerascourse.checks import (
    all_layers,
    at_this_size,
    model_accuracy,
    outputs,
    probes,
    require_array,
    require_at_least,
    require_defined,
    require_model,
    require_number,
    require_reported_accuracy,
)
from kerascourse.checks.answers import fail

SAMPLE_RATE = 16000
CLIP_SAMPLES = SAMPLE_RATE
FRAME_LENGTH, FRAME_STEP, FFT_LENGTH = 400, 160, 512
MEL_BINS, LOWER_HZ, UPPER_HZ = 40, 20.0, 8000.0
FRAMES = 1 + (CLIP_SAMPLES - FRAME_LENGTH) // FRAME_STEP  # 98
EPSILON = 1e-6  # added to the mel energies before the log
ALPHABET = "-abcdefghijklmnopqrstuvwxyz"  # the blank first, at index 0, as keras.ops.ctc_decode's mask_index
RECURRENT_LAYERS = {"GRU", "LSTM", "SimpleRNN", "RNN"}

_RNG = np.random.default_rng(13)
SHORT_CLIP = _RNG.integers(-20000, 20000, size=9000).astype(np.int16)
LONG_CLIP = _RNG.integers(-20000, 20000, size=20000).astype(np.int16)
EXACT_CLIP = _RNG.integers(-32768, 32767, size=CLIP_SAMPLES).astype(np.int16)
_T = np.arange(CLIP_SAMPLES) / SAMPLE_RATE
PROBE_WAVEFORMS = np.stack(
    [
        0.5 * np.sin(2 * np.pi * 440 * _T) * (_T < 0.5),  # a tone, then silence
        0.1 * _RNG.normal(size=CLIP_SAMPLES),  # noise
        0.3 * np.sin(2 * np.pi * (200 + 3000 * _T) * _T),  # a rising chirp
    ]
).astype(np.float32)
PROBE_NOISE = _RNG.normal(size=(3, CLIP_SAMPLES)).astype(np.float32) * np.array([[0.01], [1.0], [0.2]], np.float32)


def frame_outputs(words, frames=24, seed=0):
    """A frame classifier's softmax outputs that spell ``words`` under greedy CTC decoding: each letter held
    for one to three frames, a blank between two equal letters and now and then elsewhere."""
    rng = np.random.default_rng(seed)
    batch = np.zeros((len(words), frames, len(ALPHABET)), np.float32)
    for row, word in enumerate(words):
        path = []
        for index, letter in enumerate(word):
            if (index and word[index - 1] == letter) or rng.random() < 0.3:
                path.append(0)
            path += [ALPHABET.index(letter)] * int(rng.integers(1, 4))
        path += [0] * (frames - len(path))
        scores = rng.uniform(0, 1, size=(frames, len(ALPHABET)))
        scores[np.arange(frames), path] += 4
        batch[row] = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    return batch


PROBE_WORDS = ["off", "stop", "all", "seven", "yes"]  # doubled letters that only a blank keeps apart
PROBE_CALLS = {
    "to_one_second": {
        "a short clip": ((SHORT_CLIP,), {}),
        "a long clip": ((LONG_CLIP,), {}),
        "a one-second clip": ((EXACT_CLIP,), {}),
    },
    "log_mel_spectrogram": {"three waveforms": ((PROBE_WAVEFORMS,), {})},
    "mix_noise": {f"{snr} dB": ((PROBE_WAVEFORMS, PROBE_NOISE, snr), {}) for snr in (20, 5)},
    "greedy_ctc": {"five words": ((frame_outputs(PROBE_WORDS),), {})},
}


# --- q1: one second of floats ---------------------------------------------------------------


def _one_second(clip):
    samples = np.zeros(CLIP_SAMPLES, np.float32)
    kept = np.asarray(clip[:CLIP_SAMPLES], np.float32) / 32768
    samples[: len(kept)] = kept
    return samples


def require_one_second(to_one_second):
    """``to_one_second`` scales int16 samples to [-1, 1) and pads with zeros or cuts to one second."""
    for key, ((clip,), _) in PROBE_CALLS["to_one_second"].items():
        result = probes.call(to_one_second, "to_one_second", key, PROBE_CALLS["to_one_second"])
        result = require_array(result, f"to_one_second's result for {key}", "return one array of samples")
        expected = _one_second(clip)
        if result.shape != expected.shape:
            cut = " and cut clips longer than a second" if len(clip) > CLIP_SAMPLES else ""
            fail(f"to_one_second returns shape {result.shape} for {key} of {len(clip):,} samples; pad with zeros"
                 f"{cut} to CLIP_SAMPLES ({CLIP_SAMPLES:,}) samples")
        if np.max(np.abs(result)) > 2:
            fail(f"to_one_second returns values up to {np.max(np.abs(result)):,.0f}: int16 samples run to 32,767; "
                 "divide them by 32768 to get floats in [-1, 1)")
        if len(clip) < CLIP_SAMPLES:
            again = np.resize(np.asarray(clip, np.float32) / 32768, CLIP_SAMPLES)[len(clip):]
            if np.allclose(result[len(clip):], again, atol=1e-6):
                fail("to_one_second repeats the clip to fill the second, so the word is said twice; pad with "
                     "zeros (silence) instead")
        if not np.allclose(result, expected, atol=1e-6):
            fail(f"to_one_second's samples for {key} are off by up to {np.max(np.abs(result - expected)):.3g}; keep "
                 "the clip's samples from its start, divided by 32768, then zeros")


# --- q2: log-mel spectrograms ---------------------------------------------------------------


@functools.cache
def _mel_matrix():
    return tf.signal.linear_to_mel_weight_matrix(MEL_BINS, FFT_LENGTH // 2 + 1, SAMPLE_RATE, LOWER_HZ, UPPER_HZ)


def _mel(waveforms, exponent=1):
    stft = tf.signal.stft(waveforms, frame_length=FRAME_LENGTH, frame_step=FRAME_STEP, fft_length=FFT_LENGTH)
    return (tf.abs(stft) ** exponent @ _mel_matrix()).numpy()


def _log_mel(waveforms):
    """The lesson's log-mel spectrograms of one-second waveforms, shape ``(n, FRAMES, MEL_BINS)``."""
    return np.log(_mel(np.asarray(waveforms, np.float32)) + EPSILON)


def require_log_mel(log_mel_spectrogram):
    """``log_mel_spectrogram`` computes the lesson's log-mel spectrograms; names a swapped frame and step,
    a missing log and the power spectrum."""
    calls = PROBE_CALLS["log_mel_spectrogram"]
    result = probes.call(log_mel_spectrogram, "log_mel_spectrogram", "three waveforms", calls)
    result = require_array(result, "log_mel_spectrogram's result", "return the batch of spectrograms")
    expected = _log_mel(PROBE_WAVEFORMS)
    if result.shape != expected.shape:
        swapped = 1 + (CLIP_SAMPLES - FRAME_STEP) // FRAME_LENGTH
        if result.shape == (len(PROBE_WAVEFORMS), MEL_BINS, FRAMES):
            fail(f"log_mel_spectrogram returns shape {result.shape}, mel bins before frames; keep the STFT's order, "
                 "(clips, frames, mel bins), so that time comes first")
        if result.shape == (len(PROBE_WAVEFORMS), swapped, MEL_BINS):
            fail(f"log_mel_spectrogram gives {swapped} frames a second: frames of {FRAME_STEP} samples every "
                 f"{FRAME_LENGTH}, a frame step larger than the frame, skip most of the audio; use "
                 "frame_length=FRAME_LENGTH and frame_step=FRAME_STEP")
        fail(f"log_mel_spectrogram returns shape {result.shape} for 3 waveforms; expected {expected.shape}, "
             "(clips, frames, mel bins)")
    if np.allclose(np.log(np.maximum(result, 0) + EPSILON), expected, atol=1e-2):
        fail("log_mel_spectrogram returns the mel energies without the log: take tf.math.log(mel + 1e-6), whose "
             "scale matches how loudness is heard and keeps quiet sounds visible")
    if np.allclose(result, np.log(_mel(PROBE_WAVEFORMS, exponent=2) + EPSILON), atol=1e-2):
        fail("log_mel_spectrogram uses the power |stft|**2; the lesson's spectrograms use the magnitude tf.abs(stft)")
    if not np.allclose(result, expected, atol=1e-2):
        fail(f"log_mel_spectrogram is off by up to {np.max(np.abs(result - expected)):.3g} from the lesson's log-mel "
             "spectrogram; check the STFT's parameters and the mel matrix's")


def require_stft_shape(stft_shape):
    """``stft_shape`` is the STFT's (frames, frequency bins) for one second, worked out by hand."""
    require_defined(stft_shape, "stft_shape")
    bins = FFT_LENGTH // 2 + 1
    if not isinstance(stft_shape, (tuple, list)) or len(stft_shape) != 2:
        fail("stft_shape must be a pair (frames, frequency bins)")
    frames, frequencies = stft_shape
    if frames != FRAMES:
        fail(f"stft_shape gives {frames} frames; a frame must fit whole in the clip, so one second holds "
             "1 + (CLIP_SAMPLES - FRAME_LENGTH) // FRAME_STEP of them")
    if frequencies != bins:
        fail(f"stft_shape gives {frequencies} frequency bins; a real FFT of FFT_LENGTH samples has "
             "FFT_LENGTH // 2 + 1 of them")


# --- q3 and q4: recognizers ------------------------------------------------------------------


@functools.cache
def _test_waveforms():
    """The grader's copy of the test clips as one-second waveforms, and their labels."""
    from kerascourse.course import data

    clips, labels = data.load_clips("speech_commands", "test")
    return np.stack([_one_second(clip) for clip in clips]), labels


@functools.cache
def test_features():
    """The grader's log-mel spectrograms of the test clips, and their labels."""
    waveforms, labels = _test_waveforms()
    return _log_mel(waveforms), labels


def _inputs(model, name, features=None):
    """The grader's spectrograms (``features``, or the clean test ones) shaped for ``model``: with a channel
    axis for a model that takes images; a model that takes another shape fails, naming it."""
    features = test_features()[0] if features is None else features
    shape = tuple(model.inputs[0].shape[1:])
    if not _fits(shape):
        fail(f"{name} takes inputs of shape {shape}, but a second of audio gives spectrograms of shape "
             f"({FRAMES}, {MEL_BINS}) (with a channel axis for a CNN); build it for "
             "train_features.shape[1:] from the lesson's log_mel_spectrogram")
    return features[..., None] if len(shape) == 3 else features


def _fits(shape):
    """Whether a model's input ``shape`` takes the lesson's spectrograms: (frames, mel bins), with a channel
    axis for a CNN, any number of frames for a model that reads sequences of any length."""
    return len(shape) in (2, 3) and shape[0] in (None, FRAMES) and shape[1] == MEL_BINS and shape[2:] in ((), (1,))


def _majority(labels):
    return int(np.bincount(labels).argmax())


def require_recognizer(model, name, reported, reported_name, majority_accuracy, *, min_accuracy):
    """``model`` classifies the grader's test spectrograms at least at the bar, and far above the majority
    baseline; ``reported`` is its own accuracy."""
    model = require_model(model, name)
    _, labels = test_features()
    inputs = _inputs(model, name)
    measured = model_accuracy(model, inputs, labels)
    claimed = float(reported) if isinstance(reported, (int, float, np.floating)) else 0.0
    if measured < 2 / len(np.unique(labels)) < claimed - 0.2:
        fail(f"{name} classifies {measured:.3f} of the lesson's test spectrograms right, though {reported_name} says "
             f"{claimed:.3f}: it learned from spectrograms unlike the lesson's; make log_mel_spectrogram pass "
             "Question 2's tests, then train it again")
    measured = require_reported_accuracy(
        model, reported, inputs, labels, name, reported_name, f"{name}.evaluate(test_features, test_labels)"
    )
    require_at_least(measured, f"{name}'s accuracy on the test clips", "train it longer or make it larger",
                     minimum=min_accuracy)
    baseline = require_number(majority_accuracy, "majority_accuracy", "the share of the most common label")
    if measured < 2 * baseline:
        fail(f"{name} scores {measured:.3f}, not twice the majority baseline's {baseline:.3f}")


def require_majority(majority_accuracy, train_labels):
    """``majority_accuracy``: always answering the training split's most common label, on the test clips."""
    reported = require_number(majority_accuracy, "majority_accuracy", "the share of the most common label")
    _, labels = test_features()
    expected = float(np.mean(labels == _majority(np.asarray(train_labels))))
    if abs(reported - expected) > 1e-6:
        fail(f"majority_accuracy is {reported:.3f}; always answering the most common training label scores "
             f"{expected:.3f} on the test clips")


def require_confusion(confusion, cnn):
    """``confusion`` counts the test clips by true label (rows) and the CNN's answer (columns)."""
    matrix = require_array(confusion, "confusion", "tf.math.confusion_matrix(test_labels, predicted)")
    model = require_model(cnn, "cnn")
    _, labels = test_features()
    predicted = np.argmax(outputs(model, _inputs(model, "cnn")), axis=1)
    classes = int(max(labels.max(), predicted.max())) + 1
    expected = np.zeros((classes, classes), np.int64)
    np.add.at(expected, (labels, predicted), 1)
    if matrix.shape != expected.shape:
        fail(f"confusion has shape {matrix.shape}; expected {expected.shape}, one row and column per label")
    if np.allclose(matrix.sum(axis=1), 1, atol=1e-3) or np.allclose(matrix.sum(), 1, atol=1e-3):
        fail("confusion holds shares; count the clips (tf.math.confusion_matrix gives counts)")
    if np.abs(matrix - expected).sum() <= 2:
        return
    if np.abs(matrix - expected.T).sum() <= 2:
        fail("confusion is transposed: its rows must be the true labels and its columns cnn's answers")
    fail("confusion does not count cnn's answers on the test clips by true label (rows) and answer (columns)")


def require_reads_frames(rnn):
    """``rnn`` reads the spectrogram frame by frame: input (FRAMES, MEL_BINS) and a recurrent layer."""
    model = require_model(rnn, "rnn")
    shape = tuple(model.inputs[0].shape[1:])
    if shape == (MEL_BINS, FRAMES):
        fail(f"rnn's input is {shape}, so its recurrent layer steps over the {MEL_BINS} mel bins, not over time; "
             f"give it spectrograms of shape ({FRAMES}, {MEL_BINS}), time first, as log_mel_spectrogram returns them")
    if len(shape) != 2 or not _fits(shape):
        fail(f"rnn takes inputs of shape {shape}; give it spectrograms of shape ({FRAMES}, {MEL_BINS}), frames first")
    kinds = {type(layer).__name__ for layer in all_layers(model)}
    inner = {type(layer.forward_layer).__name__ for layer in all_layers(model) if hasattr(layer, "forward_layer")}
    if not (kinds | inner) & RECURRENT_LAYERS:
        fail(f"rnn has no recurrent layer ({sorted(kinds)}); read the frames with layers.GRU or layers.LSTM")


# --- q5: noise ---------------------------------------------------------------------------


def _snr(signal, noise):
    return 10 * np.log10(np.mean(signal**2, axis=-1) / np.mean(noise**2, axis=-1))


def require_mix_noise(mix_noise):
    """``mix_noise`` mixes each noise into its waveform at ``snr_db`` (a ratio of powers, per clip)."""
    for key, ((waveforms, noise, snr), _) in PROBE_CALLS["mix_noise"].items():
        result = require_array(probes.call(mix_noise, "mix_noise", key, PROBE_CALLS["mix_noise"]),
                               "mix_noise's result", "return the noisy waveforms")
        if result.shape != waveforms.shape:
            fail(f"mix_noise returns shape {result.shape}; expected {waveforms.shape}, the waveforms' own")
        added = result - waveforms
        scale = np.sum(added * noise, axis=1) / np.sum(noise**2, axis=1)
        if np.max(np.abs(added - scale[:, None] * noise)) > 1e-4:
            fail("mix_noise adds something other than the scaled noise to each waveform")
        measured = _snr(waveforms, added)
        if np.allclose(measured, 2 * snr, atol=0.1):
            fail(f"mix_noise mixes at {2 * snr} dB where {snr} was asked: a ratio of powers in decibels is "
                 "10 * log10, and the noise's amplitude scales with the square root of the power ratio")
        if not np.allclose(measured, snr, atol=0.1):
            fail(f"mix_noise mixes at {np.round(measured, 1).tolist()} dB where {snr} dB was asked; scale each clip's "
                 "noise so that mean(signal**2) / mean(noise**2) = 10 ** (snr_db / 10)")


def test_noise():
    """The grader's noise for the test clips: the test split's silence clips, drawn once per clip, seeded."""
    from kerascourse.course import data

    waveforms, labels = _test_waveforms()
    noises = waveforms[labels == data.info("speech_commands").features["label"].str2int("_silence_")]
    return noises[np.random.default_rng(0).integers(len(noises), size=len(waveforms))]


@functools.cache
def noisy_test_features(snr_db):
    """The test clips with the grader's noise at ``snr_db``, as log-mel spectrograms."""
    waveforms, _ = _test_waveforms()
    noise = test_noise()
    power = np.mean(waveforms**2, axis=1, keepdims=True) / np.maximum(np.mean(noise**2, axis=1, keepdims=True), 1e-12)
    return _log_mel(waveforms + noise * np.sqrt(power / 10 ** (snr_db / 10)))


def require_robust(robust_cnn, cnn, robust_accuracy, *, snr_db, min_gain):
    """``robust_cnn`` classifies the grader's noisy test clips better than ``cnn`` by ``min_gain``, and
    ``robust_accuracy["clean"]`` is its accuracy on the clean ones."""
    robust, plain = require_model(robust_cnn, "robust_cnn"), require_model(cnn, "cnn")
    require_defined(robust_accuracy, "robust_accuracy")
    if not isinstance(robust_accuracy, dict) or "clean" not in robust_accuracy:
        fail('robust_accuracy must be a dict with the key "clean" (and one per signal-to-noise ratio)')
    _, labels = test_features()
    clean = model_accuracy(robust, _inputs(robust, "robust_cnn"), labels)
    reported = require_number(robust_accuracy["clean"], 'robust_accuracy["clean"]', "an accuracy in [0, 1]")
    if abs(reported - clean) > 0.002:
        fail(f'robust_accuracy["clean"] is {reported:.3f} but robust_cnn scores {clean:.3f} on the clean test clips; '
             "measure it on clips without noise: noise belongs to the training data only")
    noisy = noisy_test_features(snr_db)
    gain = (model_accuracy(robust, _inputs(robust, "robust_cnn", noisy), labels)
            - model_accuracy(plain, _inputs(plain, "cnn", noisy), labels))
    min_gain = at_this_size(min_gain)
    if gain < min_gain:
        fail(f"at {snr_db} dB robust_cnn scores {gain:+.3f} against cnn, short of the question's {min_gain:g}; mix "
             "the training split's noise into copies of the training clips at 5 to 20 dB and train on both")


# --- q6: CTC -------------------------------------------------------------------------------


def require_ctc(greedy_ctc):
    """``greedy_ctc`` decodes frame outputs to words: best label per frame, repeats merged, then blanks dropped."""
    result = probes.call(greedy_ctc, "greedy_ctc", "five words", PROBE_CALLS["greedy_ctc"])
    if not isinstance(result, list) or not all(isinstance(word, str) for word in result):
        fail(f"greedy_ctc returns {type(result).__name__}; return a list of strings, one word per row")
    if result == PROBE_WORDS:
        return
    shown = ", ".join(f"{got!r} for {want!r}" for got, want in zip(result, PROBE_WORDS, strict=False) if got != want)
    if any("-" in got for got in result):
        fail(f"greedy_ctc gives {shown}: drop the blank (index 0, '-') after merging repeats")
    if any(len(got) > len(want) + 2 for got, want in zip(result, PROBE_WORDS, strict=False)):
        fail(f"greedy_ctc gives {shown}: merge each run of the same label into one before dropping the blanks")
    if [got for got in result] == [word.replace("ff", "f").replace("ll", "l") for word in PROBE_WORDS]:
        fail(f"greedy_ctc gives {shown}: merge repeats first and drop blanks after; a blank between two equal "
             "letters is what keeps them apart")
    fail(f"greedy_ctc gives {shown}; take the best label per frame, merge repeats, drop the blank (index 0)")
