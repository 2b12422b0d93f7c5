"""Packaging for Glance: the servers, the client, the CLI and the conformance suite."""

from setuptools import find_packages, setup

setup(
    name="glance",
    version="0.1.0",
    description="Glance: discover, register and retrieve virtual-machine images over HTTP",
    python_requires=">=3.11",
    packages=find_packages(include=["glance", "glance.*", "conformance", "conformance.*"]),
    include_package_data=True,
    install_requires=[
        "Paste>=3.5",
        "PasteDeploy>=3.0",
        "PasteScript>=3.3",
        # PasteScript imports pkg_resources, which setuptools 82 dropped.
        "setuptools<81",
    ],
    extras_require={
        "test": ["pytest>=8", "hypothesis>=6.100", "WebTest>=3.0"],
        "docs": ["sphinx>=7"],
        # glance-conformance runs pytest + WebTest against the server under test.
        "conformance": ["pytest>=8", "WebTest>=3.0"],
        # sql_connection = postgresql://...: pg8000, a pure-Python driver.
        "postgres": ["pg8000>=1.30"],
    },
    entry_points={
        # Every executable; each module also runs as `python -m <module>`.
        "console_scripts": [
            "glance = glance.cli:main",
            "glance-api = glance.cmd.api:main",
            "glance-registry = glance.cmd.registry:main",
            "glance-manage = glance.cmd.manage:main",
            "glance-conformance = conformance.cli:main",
        ],
        "paste.app_factory": [
            "api = glance.api.root:app_factory",
            "registry = glance.registry.server:app_factory",
        ],
        "paste.filter_factory": [
            "context = glance.middleware.context:filter_factory",
            "accesslog = glance.middleware.accesslog:filter_factory",
            "version = glance.middleware.version:filter_factory",
        ],
        "paste.server_runner": [
            "http = glance.httpd.runner:server_runner",
        ],
    },
)
