"""Only what pyproject.toml cannot say: the repository's top-level ``fixtures/`` ships as ``emulator.fixtures``.

The bundled fixtures live outside ``emulator/`` (they are data a user reads, copies and extends), and
``[tool.setuptools.packages.find]`` only discovers directories where they are, so the package list is the
discovered one plus the mapped fixtures. ``tools/`` (how the images were drawn) is not run-time data.
"""

from setuptools import find_namespace_packages, setup

CODE = find_namespace_packages(include=["emulator", "emulator.*", "contracts", "contracts.*"],
                               exclude=["*.__pycache__"])
FIXTURES = ["emulator.fixtures", *(f"emulator.fixtures.{name}"
                                   for name in find_namespace_packages("fixtures", exclude=["tools", "*__pycache__"]))]

setup(
    packages=[*CODE, *FIXTURES],
    package_dir={"emulator.fixtures": "fixtures"},
    package_data={"emulator.fixtures": ["*.json"], "emulator.fixtures.images": ["*"],
                  "emulator.fixtures.tags": ["*.json"], "emulator.fixtures.translations": ["*.json", "NOTES.md"]},
)
