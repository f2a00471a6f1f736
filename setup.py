"""Which packages and files the wheel ships, found rather than listed (the rest is in pyproject.toml).

A hand-kept list once left out a subpackage: the installed plugin then broke every pytest run in
the environment. pyproject.toml cannot discover packages under a renamed directory, hence this
file: schemas/ and cases/ live at the top of the repository (the design card's layout) and ship
as conformance.schemas / conformance.cases, with any subpackages they grow.
"""

from setuptools import find_packages, setup

PACKAGE_DIRS = {"conformance": "conformance", "conformance.schemas": "schemas", "conformance.cases": "cases"}


def packages() -> list[str]:
    """Each package of PACKAGE_DIRS and every package below it (any folder with an __init__.py)."""
    return [found for name, folder in PACKAGE_DIRS.items() for found in [name, *(f"{name}.{sub}" for sub in find_packages(folder))]]


setup(
    packages=packages(),
    package_dir={name: folder for name, folder in PACKAGE_DIRS.items() if name != folder},
    # Every file a package reads at run time (JSON Schemas, the results schema) rather than its .py.
    package_data={"": ["*.json"]},
)
