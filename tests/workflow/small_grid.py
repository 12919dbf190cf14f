"""The small grid of real units that the workflow tests run: chapter 4's four-well MDN for
three seeds, one short epoch each (``MDREPRO_WORKFLOW_PARAMS``)."""

GRID = {
    "ch04": {
        "overrides": {
            "seeds": [0, 1, 2],
            "fourwell": {"epochs": 1, "pair_stride": 25, "n_synthetic": 2, "batch_size": 2048},
        }
    }
}
