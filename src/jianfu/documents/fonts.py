"""CJK fonts for documents and charts: the official faces where the machine has them, else Noto CJK.

Official documents (GB/T 9704-2012) set the title in 方正小标宋, first-level headings in 黑体 and the body in
仿宋. Offices' Windows machines have them; a Debian server usually has only Noto CJK (fonts-noto-cjk), which
is what the lists fall back to. Nothing is downloaded: a missing font degrades to the next in the list.
"""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

# Font-family lists, best first, as CSS font-family values and as the east-Asian face Word should ask for.
TITLE_FACES = ("方正小标宋简体", "FZXiaoBiaoSong-B05S", "华文中宋", "Noto Serif CJK SC")
HEADING_FACES = ("黑体", "SimHei", "Noto Sans CJK SC")
SUBHEADING_FACES = ("楷体", "KaiTi", "楷体_GB2312", "Noto Serif CJK SC")
BODY_FACES = ("仿宋", "FangSong", "仿宋_GB2312", "Noto Serif CJK SC")

_FALLBACK_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


def css_family(faces: tuple[str, ...]) -> str:
    return ", ".join(f"'{face}'" for face in faces) + ", serif"


@functools.lru_cache(maxsize=None)
def installed_face(faces: tuple[str, ...]) -> str:
    """The first face of `faces` that fontconfig knows; Word gets this name so it need not guess."""
    for face in faces:
        if _fontconfig_file(face):
            return face
    return faces[-1]


@functools.lru_cache(maxsize=None)
def cjk_font_path() -> Path | None:
    """A font file with Simplified Chinese glyphs, for matplotlib charts (sans, as charts read best)."""
    for face in ("Noto Sans CJK SC", "WenQuanYi Zen Hei", "Source Han Sans SC"):
        found = _fontconfig_file(face)
        if found:
            return found
    for candidate in _FALLBACK_FILES:
        if Path(candidate).exists():
            return Path(candidate)
    return None


def _fontconfig_file(face: str) -> Path | None:
    try:
        done = subprocess.run(
            ["fc-match", "--format=%{family}\t%{file}", f"{face}:lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    families, _, file = done.stdout.partition("\t")
    # fc-match always answers with something; only an answer naming the face asked for counts.
    if file and face.lower() in families.lower():
        return Path(file)
    return None
