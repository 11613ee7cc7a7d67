import cv2
import numpy as np
import pytest

from fvi.errors import ImageTooLarge, InvalidImage, UnsupportedImageType
from fvi.pipeline.image import decode_image


def _encode(ext: str, shape=(120, 160, 3)) -> bytes:
    img = np.zeros(shape, np.uint8)
    img[..., 2] = 200  # red in BGR
    return cv2.imencode(ext, img)[1].tobytes()


@pytest.mark.parametrize("ext", [".jpg", ".png", ".webp"])
def test_decodes_jpeg_png_webp_to_rgb(ext):
    rgb = decode_image(_encode(ext))
    assert rgb.shape == (120, 160, 3) and rgb[..., 0].mean() > 150 and rgb[..., 2].mean() < 50


def test_rejects_other_types_empty_and_corrupt_data():
    with pytest.raises(UnsupportedImageType):
        decode_image(b"GIF89a" + b"\0" * 100)
    with pytest.raises(InvalidImage):
        decode_image(b"")
    jpeg = _encode(".jpg")
    with pytest.raises(InvalidImage):
        decode_image(jpeg[:40])


def test_refuses_decompression_bombs_before_decoding():
    # 20000 pixels against a 10000-pixel limit: refused from the header, never decoded.
    bomb = _encode(".png", (20000, 1, 3))
    with pytest.raises(ImageTooLarge) as err:
        decode_image(bomb, max_pixels=10_000)
    assert err.value.code == "image_too_large"


def test_refuses_images_too_small_to_hold_a_card():
    with pytest.raises(InvalidImage):
        decode_image(_encode(".png", (20, 20, 3)))


def test_a_bomb_over_pils_own_limit_is_too_large_not_invalid():
    # 30000 x 30000 1-bit PNG: ~110 kB on the wire, 900 MP; PIL's guard fires while opening the header.
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("1", (30000, 30000)).save(buf, "PNG")
    with pytest.raises(ImageTooLarge):
        decode_image(buf.getvalue())
