"""Yearly sunspot numbers 1700-2008, bundled with statsmodels."""

import numpy as np
import tensorflow_datasets as tfds


class Sunspots(tfds.core.GeneratorBasedBuilder, skip_registration=True):
    """309 yearly mean sunspot numbers in time order: one example per year, one ``train`` split."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "First release."}

    def _info(self):
        return self.dataset_info_from_configs(
            description="Yearly mean total sunspot number, 1700-2008, from the statsmodels wheel.",
            features=tfds.features.FeaturesDict({"year": np.int32, "value": np.float32}),
            homepage="https://www.statsmodels.org/stable/datasets/generated/sunspots.html",
        )

    def _split_generators(self, dl_manager):
        from statsmodels.datasets import sunspots

        table = sunspots.load_pandas().data
        return {"train": self._generate_examples(table["YEAR"].to_numpy(), table["SUNACTIVITY"].to_numpy())}

    def _generate_examples(self, years, values):
        for year, value in zip(years, values, strict=True):
            yield int(year), {"year": int(year), "value": float(value)}
