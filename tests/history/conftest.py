import pytest


@pytest.fixture(autouse=True)
def _fresh_keras_session():
    """Each test starts from an empty Keras graph (the training tests trace many models)."""
    yield
    import keras

    keras.backend.clear_session()
