import pytest


@pytest.fixture(scope="session")
def cdnow():
    import ecrm

    return ecrm.datasets.load_cdnow()


@pytest.fixture(scope="session")
def cdnow_sample():
    import ecrm

    return ecrm.datasets.load_cdnow_sample()
