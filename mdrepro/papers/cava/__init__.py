"""Cava, Shukla, Vant, Karmaker, Turaga, Maciejewski & Singharoy, *Latent sequence generation of
steered molecular dynamics* (undated; it cites work from October 2022, so it is not from 2021).

Chapter 3: an LSTM-VAE on the backbone of deca-alanine pulled by steered MD, with a bonded-energy
loss, and the End2End distance of generated sequences.
"""

from mdrepro.book.chapter import Chapter

#: The document, by its bibliographic name.
DOCUMENT = "Cava, Shukla, Vant et al., *Latent sequence generation of steered molecular dynamics*"

CHAPTERS = (
    Chapter(
        "ch03",
        "ch03_lstm_vae",
        "3. LSTM-VAE latent generation of deca-alanine steered MD, with bonded energies",
        "cava",
        ("decaala-smd",),
    ),
)
