"""Lesson 13's checks on answers the sample notebooks do not hold: wrong shapes, the power spectrum, a
noise that is not the one given, a decoder that returns one string, each named with its fix. (The known
mistakes and alternatives are graded by the batch tests, through the lesson's samples.)"""

import keras
import numpy as np
import tensorflow as tf
from failing import fails_with

from kerascourse.checks import speech as sc


def to_one_second(clip):
    samples = np.asarray(clip[: sc.CLIP_SAMPLES], dtype=np.float32) / 32768
    return np.pad(samples, (0, sc.CLIP_SAMPLES - len(samples)))


def log_mel(waveforms, exponent=1.0, transpose=False):
    stft = tf.signal.stft(waveforms, frame_length=sc.FRAME_LENGTH, frame_step=sc.FRAME_STEP, fft_length=sc.FFT_LENGTH)
    matrix = tf.signal.linear_to_mel_weight_matrix(
        sc.MEL_BINS, sc.FFT_LENGTH // 2 + 1, sc.SAMPLE_RATE, sc.LOWER_HZ, sc.UPPER_HZ
    )
    features = tf.math.log(tf.abs(stft) ** exponent @ matrix + 1e-6)
    return tf.transpose(features, (0, 2, 1)) if transpose else features


def test_one_second_accepts_the_reference_and_names_other_lengths_and_kinds():
    sc.require_one_second(to_one_second)
    fails_with("pad with zeros to CLIP_SAMPLES", sc.require_one_second, lambda clip: to_one_second(clip)[:8000])
    fails_with("return one array of samples", sc.require_one_second, lambda clip: "samples")
    fails_with("keep the clip's samples from its start", sc.require_one_second, lambda clip: to_one_second(clip)[::-1])


def test_log_mel_names_the_power_spectrum_a_transposed_result_and_a_shape_by_hand():
    sc.require_log_mel(log_mel)
    fails_with("uses the power |stft|**2", sc.require_log_mel, lambda w: log_mel(w, exponent=2.0))
    fails_with("(clips, frames, mel bins)", sc.require_log_mel, lambda w: log_mel(w, transpose=True))
    sc.require_stft_shape((98, 257))
    fails_with("FFT_LENGTH // 2 + 1 of them", sc.require_stft_shape, (98, 512))
    fails_with("a pair (frames, frequency bins)", sc.require_stft_shape, 98)


def test_mix_noise_must_add_the_given_noise_scaled_per_clip():
    def mix_noise(waveforms, noise, snr_db):
        scale = np.sqrt(np.mean(waveforms**2, axis=1, keepdims=True) / np.mean(noise**2, axis=1, keepdims=True))
        return waveforms + noise * scale / 10 ** (snr_db / 20)

    sc.require_mix_noise(mix_noise)
    fails_with("other than the scaled noise", sc.require_mix_noise,
               lambda w, n, snr: w + np.random.default_rng(0).normal(size=w.shape).astype(np.float32))
    fails_with("the waveforms' own", sc.require_mix_noise, lambda w, n, snr: np.concatenate([w, n]))


def test_ctc_wants_a_list_of_words():
    def decode(outputs):
        return [
            "".join(sc.ALPHABET[k] for i, k in enumerate(row) if k and (i == 0 or row[i - 1] != k))
            for row in outputs.argmax(-1)
        ]

    sc.require_ctc(decode)
    fails_with("return a list of strings", sc.require_ctc, lambda outputs: " ".join(decode(outputs)))
    fails_with("take the best label per frame", sc.require_ctc, lambda outputs: decode(outputs)[::-1])


def test_an_rnn_must_read_time_steps_with_a_recurrent_layer():
    frames = keras.Input(shape=(sc.FRAMES, sc.MEL_BINS))
    lstm = keras.Model(frames, keras.layers.Dense(12, activation="softmax")(keras.layers.LSTM(8)(frames)))
    sc.require_reads_frames(lstm)
    conv = keras.Sequential([keras.Input(shape=(sc.FRAMES, sc.MEL_BINS)), keras.layers.Conv1D(8, 3),
                             keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(12, activation="softmax")])
    fails_with("has no recurrent layer", sc.require_reads_frames, conv)
    wide = keras.Sequential([keras.Input(shape=(sc.FRAMES, 64)), keras.layers.GRU(4), keras.layers.Dense(12)])
    fails_with("frames first", sc.require_reads_frames, wide)
