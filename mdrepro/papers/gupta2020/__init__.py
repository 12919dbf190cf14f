"""Gupta, Cava, Sarkar, Wilson, Vant, Murray, Singharoy & Karmaker (2020), *Mind reading of the
proteins: deep-learning to forecast molecular dynamics*.

Chapter 1 (section 4, Figs 2-5): the ADK equilibrium and 100-alanine steered-MD data sets and
their characterisation. Chapter 2 (section 5, Figs 6-8, Table 1): LSTM forecasting studies.
"""

from mdrepro.book.chapter import Chapter

#: The document, by its bibliographic name.
DOCUMENT = (
    "Gupta, Cava et al. (2020), "
    "*Mind reading of the proteins: deep-learning to forecast molecular dynamics*"
)

CHAPTERS = (
    Chapter(
        "ch01",
        "ch01_md_datasets",
        "1. MD data sets for forecasting: ADK equilibrium and 100-alanine steered MD",
        "gupta2020",
        ("adk-equilibrium", "ala100-smd"),
    ),
    Chapter(
        "ch02",
        "ch02_lstm_forecasting",
        "2. Forecasting MD with LSTMs: history, lead time, learning rate, Kirchhoff decomposition",
        "gupta2020",
        ("adk-equilibrium", "ala100-smd"),
    ),
)
