"""A synthetic national ICP filing registry with ground truth (DOMAIN.md §7).

:func:`generate_world` builds a whole fictitious registry: access providers with
announced IP ranges, sponsors (主体) with certificates, addresses and principals,
their websites with filing numbers, domains and access information, the lists of
sites each provider says it hosts, and — the point of it all — the **ground
truth** of every record: which sponsor and access blocks are really correct, and
which defects were injected. Estimators and validators can then be checked
against the truth instead of against each other.

Every number that shapes the registry is a documented *assumption* calibrated to
the public figures in DOMAIN.md §4 and §7 (3.5 M websites, 1.25 websites per
sponsor, ~1,000 providers with the largest near 17 %, sponsor accuracy ≈ 70 %,
access accuracy ≈ 78 %, filing rate of hosted sites 99.0–99.5 %). The full list
with defaults is :data:`DEFAULT_PARAMS` and the defect codes are
:data:`DEFECT_CODES`.

The output is a function of ``(n_websites, seed, params)`` only: one
``numpy.random.default_rng(seed)`` (PCG64) stream consumed in a fixed order,
vectorised numpy / pyarrow, no Python ``hash()`` and no set or dict-hash order.

All persons, companies, numbers and addresses are random and fictitious; any
resemblance to a real person's ID or phone number is coincidental — never call
or mail them.

The package follows the world it builds: :mod:`.params` (assumptions and their
validation), :mod:`.defects` (defect codes and truth), :mod:`.providers`,
:mod:`.sponsors` (sponsors, websites, principals, certificates), :mod:`.names`,
:mod:`.identity` (ID numbers and credit codes), :mod:`.addresses`, :mod:`.contacts`
(phones and emails), :mod:`.network` and :mod:`.access` (IP blocks, domains, access
block), :mod:`.websites` (website texts), :mod:`.world` (the generator, step by step),
:mod:`.filings`, :mod:`.rates`, :mod:`.bundled` and :mod:`.writers` (the files in
``datasets/synthetic/``) and :mod:`.cli` (``python -m beian_audit.synthetic``), on
top of :mod:`.vectors`, :mod:`.vocabulary` and :mod:`.geography`.

Examples
--------
>>> from beian_audit.synthetic import generate_world, realised_rates
>>> world = generate_world(2_000, seed=7)
>>> world.filings.shape[0], world.filings["website_id"].is_unique
(2000, True)
>>> bool(world.filings["provider_id"].isin(world.providers["provider_id"]).all())
True
>>> rates = realised_rates(world).to_frame().set_index("metric")
>>> float(rates.loc["sponsor_accuracy", "expected"])
0.7
"""

from __future__ import annotations

from beian_audit.errors import SyntheticDataNotFoundError, SyntheticParameterError
from beian_audit.synthetic.bundled import (
    BUNDLED_N_WEBSITES as BUNDLED_N_WEBSITES,
)
from beian_audit.synthetic.bundled import (
    BUNDLED_SEED as BUNDLED_SEED,
)
from beian_audit.synthetic.bundled import (
    build_bundled,
    load_accessed_sites,
    load_providers,
    load_synthetic_registry,
)
from beian_audit.synthetic.cli import main
from beian_audit.synthetic.defects import DEFECT_CODES, DefectCode, defect_codes
from beian_audit.synthetic.params import DEFAULT_PARAMS
from beian_audit.synthetic.params import GENERATOR_VERSION as GENERATOR_VERSION
from beian_audit.synthetic.rates import SyntheticRates, expected_rates, realised_rates
from beian_audit.synthetic.world import SyntheticWorld, generate_registry, generate_world

__all__ = [
    "DEFAULT_PARAMS",
    "DEFECT_CODES",
    "DefectCode",
    "SyntheticDataNotFoundError",
    "SyntheticParameterError",
    "SyntheticRates",
    "SyntheticWorld",
    "build_bundled",
    "defect_codes",
    "expected_rates",
    "generate_registry",
    "generate_world",
    "load_accessed_sites",
    "load_providers",
    "load_synthetic_registry",
    "main",
    "realised_rates",
]
