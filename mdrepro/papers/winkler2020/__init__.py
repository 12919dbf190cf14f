"""Winkler & Sauceda (2020), *Interpolation of molecular dynamics trajectories with
bi-directional neural networks* (slides).

Chapter 5: ODE, Hamiltonian, RNN and LSTM dynamics learned from GFN2-xTB trajectories of
keto-malondialdehyde (100, 300, 500 K) and benzene, and uni- vs bi-directional interpolation
over 20 steps with an adiabatic connection.
"""

from mdrepro.book.chapter import Chapter

#: The document, by its bibliographic name.
DOCUMENT = (
    "Winkler & Sauceda (2020), "
    "*Interpolation of molecular dynamics trajectories with bi-directional neural networks*"
)

CHAPTERS = (
    Chapter(
        "ch05",
        "ch05_interpolation",
        "5. Bi-directional interpolation of MD trajectories: malondialdehyde and benzene",
        "winkler2020",
        ("mda-xtb", "benzene-xtb"),
    ),
)
