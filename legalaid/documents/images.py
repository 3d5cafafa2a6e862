"""Photos lose their metadata before they are stored: EXIF GPS can show a shelter.

The image is decoded and saved again with nothing but its pixels (and its colour
profile): EXIF (with GPS and the camera's serial number), XMP, IPTC, comments and PNG
text chunks are gone. The EXIF orientation is applied first, so the photo still shows
upright without it. A HEIC/HEIF photo (pillow-heif) is decoded the same way and kept
as a JPEG: only its primary image's pixels are taken, so its EXIF, XMP, thumbnails and
depth or auxiliary images (which can hold an uncleaned copy) all stay behind.
Decoding needs the whole image in memory, which is why the policy bounds its pixels;
the result stays in memory and is only ever written encrypted.
"""

from __future__ import annotations

import io
import warnings
from typing import BinaryIO

import pillow_heif
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from legalaid.documents.filetypes import FileRefusedError

# Lets Pillow open HEIC/HEIF (opening only; nothing is saved in that format).
pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)


def strip_metadata(stream: BinaryIO, image_format: str, max_megapixels: int) -> io.BytesIO:
    """A clean copy of the photo in ``stream`` (``image_format``: "JPEG", "PNG" or "HEIF").

    A HEIF photo comes back as a JPEG.
    """
    stream.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream, formats=[image_format]) as opened:
                width, height = opened.size
                if width * height > max_megapixels * 1_000_000:
                    raise FileRefusedError(
                        _(
                            "The photo has too many pixels (at most %(mp)d megapixels).",
                            mp=max_megapixels,
                        )
                    )
                opened.load()
                upright = ImageOps.exif_transpose(opened)
                icc = opened.info.get("icc_profile")
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise FileRefusedError(_("The photo could not be read: it seems damaged.")) from None
    clean = Image.new(upright.mode, upright.size)
    clean.paste(upright)
    out = io.BytesIO()
    options: dict[str, object] = {"icc_profile": icc} if icc else {}
    if image_format in ("JPEG", "HEIF"):
        if clean.mode not in ("RGB", "L", "CMYK"):
            clean = clean.convert("RGB")
        clean.save(out, format="JPEG", quality=92, optimize=True, **options)
    else:
        clean.save(out, format="PNG", optimize=False, **options)
    out.seek(0)
    return out
