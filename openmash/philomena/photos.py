"""A profile's photo: checked by what the file is, never by what the browser or client says it is.

Pillow reads the file itself; only a JPEG or PNG of a sensible size is kept, and it is written again from its
pixels, which drops whatever else the file carried (its metadata: where and when it was taken, the camera).
"""

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

# What Pillow calls each format we keep, and the content type it is served as.
KEPT_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}
# Enough for any photo of a person; far below what could exhaust memory when decoded (a "decompression bomb").
MAX_PIXELS = 40_000_000


class PhotoRefused(ValueError):
    pass


@dataclass(frozen=True)
class CheckedPhoto:
    content: bytes
    content_type: str
    extension: str


def size_words(size: int) -> str:
    """A file size as GOV.UK writes one: "5MB", "500KB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g}MB"
    return f"{max(size // 1024, 1)}KB"


def photo_check(data: bytes, *, max_bytes: int) -> CheckedPhoto:
    """The photo as it will be kept, or PhotoRefused saying why in words for the person uploading."""
    if not data:
        raise PhotoRefused("The selected file is empty")
    if len(data) > max_bytes:
        raise PhotoRefused(f"The photo must be smaller than {size_words(max_bytes)}")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            found = probe.format or ""
            width, height = probe.size
            probe.verify()  # the whole file is a well-formed image, not just its first bytes
        if found not in KEPT_FORMATS:
            raise PhotoRefused("The photo must be a JPG or PNG")
        if width * height > MAX_PIXELS:
            raise PhotoRefused("The photo is too large: use one of at most 40 megapixels")
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            clean = image.copy()
            clean.info.clear()  # no metadata is carried over: Pillow writes only what save() is given
            out = io.BytesIO()
            clean.save(out, format=found)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise PhotoRefused("The photo must be a JPG or PNG") from error
    content_type, extension = KEPT_FORMATS[found]
    return CheckedPhoto(out.getvalue(), content_type, extension)
