"""Models of the forecasting chapters: windows, the LSTM forecaster and ARIMA baselines.

Importing this package imports torch (not statsmodels: :mod:`mdrepro.models.arima` imports it
when first used).
"""

from mdrepro.models.forecast import (
    LSTMForecaster,
    count_parameters,
    forecast_frames,
    predict_rows,
)
from mdrepro.models.windows import (
    LAYOUTS,
    TARGETS,
    Scaler,
    WindowData,
    build_splits,
    frames_from_rows,
    make_windows,
    split_bounds,
    window_origins,
)

__all__ = [
    "LAYOUTS",
    "TARGETS",
    "LSTMForecaster",
    "Scaler",
    "WindowData",
    "build_splits",
    "count_parameters",
    "forecast_frames",
    "frames_from_rows",
    "make_windows",
    "predict_rows",
    "split_bounds",
    "window_origins",
]
