"""The hub tests make real accounts and a real JupyterHub: see test_hub.py."""


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "hub: a real JupyterHub with real accounts (HEALTHLAB_HUB_TEST=1)"
    )
