import numpy as np
from PIL import Image

from charles_core import cli
from charles_core.models import create_model
from charles_core.models.convcam import Convcam, tile_maps


def test_tiles_put_each_kernel_in_its_cell_normalised():
    maps = np.zeros((2, 3, 5), np.float32)
    for kernel in range(5):
        maps[0, 0, kernel] = kernel + 1.0  # one hot pixel per kernel, different scales
    image = tile_maps(maps, columns=2, gap=1)
    assert image.shape == (3 * 2 + 2, 2 * 3 + 1)
    for kernel in range(5):
        row, column = divmod(kernel, 2)
        cell = image[row * 3 : row * 3 + 2, column * 4 : column * 4 + 3]
        assert cell[0, 0] == 1.0 and cell.sum() == 1.0


def test_two_backbones_get_two_colours():
    model = create_model("model_0011_x_tcb_v1", input_size=(71, 71), load_sources=False)
    cam = Convcam(model, tile_scale=1)
    assert len(cam.maps(np.zeros((40, 40, 3), np.uint8))) == 2
    image = cam.render(np.random.default_rng(0).integers(0, 256, (96, 96, 3), dtype=np.uint8))
    half = image.shape[1] // 2
    left, right = image[:, : half - 8].reshape(-1, 3), image[:, half + 8 :].reshape(-1, 3)
    # orange on the left (red dominant), cyan on the right (blue dominant)
    assert left[:, 0].sum() > left[:, 2].sum() and right[:, 2].sum() > right[:, 0].sum()


def test_convcam_command_writes_a_png(tmp_path, capsys):
    model = create_model("charles_pilotnet_v1", input_size=(72, 96), load_sources=False)
    checkpoint = tmp_path / "charles_pilotnet_v1-batch00000001.keras"
    model.save(checkpoint)
    frame = tmp_path / "frame.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (96, 96, 3), dtype=np.uint8)).save(frame)
    out = tmp_path / "cam.png"
    code = cli.main(
        ["convcam", "charles_pilotnet_v1", "--checkpoint", str(checkpoint), "--frame", str(frame), "--output", str(out)]
    )
    assert code == 0 and Image.open(out).size[0] > 0
