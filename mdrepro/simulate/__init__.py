"""Simulation engines and the molecular systems they run.

Modules
-------
systems
    Built-in molecules (adenylate kinase, poly-alanine helices), force-field and implicit-solvent
    choices, minimisation, and seeded Langevin simulations (OpenMM).
steering
    Constant-velocity steered MD (NAMD-style SMD) and position restraints.
runner
    Chunked, checkpointed production runs.

Nothing is imported here, so ``import mdrepro.simulate`` stays cheap and free of side effects;
import the submodules themselves.
"""
