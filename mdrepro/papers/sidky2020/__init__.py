"""Sidky, Chen & Ferguson (2020), *Molecular latent space simulators*, Chem. Sci. 11, 9459.

Chapter 4: the mixture-density propagator on the four-well potential (Fig. 2) and a latent
space simulator (SRV encoder, MDN propagator, cWGAN decoder) of Trp-cage (Figs 3-4, Table 1),
here on a C-alpha Go model of 1L2Y.
"""

from mdrepro.book.chapter import Chapter

#: The document, by its bibliographic name.
DOCUMENT = "Sidky, Chen & Ferguson (2020), *Molecular latent space simulators*"

CHAPTERS = (
    Chapter(
        "ch04",
        "ch04_latent_space_simulators",
        "4. Molecular latent space simulators: four-well and Trp-cage",
        "sidky2020",
        ("fourwell-bd", "trpcage-go"),
        # These networks are small (2-3 layers of 100-200) and gain nothing from a second
        # thread, which costs up to 10x when the cores are shared (measured: the four-well MDN
        # took 65 s on 1 thread and 590 s on 2 threads on a busy 2-core machine).
        torch_threads=1,
    ),
)
