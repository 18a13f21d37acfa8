from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 4

@test_case(points=None, hidden=False)
def test_q2_shape_by_hand(stft_shape):
    from kerascourse.checks import speech as speech_checks
    speech_checks.require_stft_shape(stft_shape)

@test_case(points=None, hidden=False)
def test_q2_log_mel(log_mel_spectrogram):
    from kerascourse.checks import speech as speech_checks
    speech_checks.require_log_mel(log_mel_spectrogram)

