"""Make the README's picture of a typeset document: `python docs/picture.py`.

The document is matcalc's own (`matcalc derive … --document`), compiled by pdflatex; pdftoppm
renders its page once in grey to find where the ink is, then again in colour cropped to it.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUESTION = ["tr(A1 X A2 X A3 X A4 X) + logdet(X^T B X) + sum(exp(X))", "X"]
RESOLUTION = 150  # pixels an inch: a little larger than text on a screen
BORDER = 12


def ink_box(pgm: bytes) -> tuple[int, int, int, int]:
    """(left, top, width, height) of the non-white pixels of a binary greyscale PGM image."""
    fields, pos = [], 0
    while len(fields) < 4:  # P5, width, height, maximum value
        while pgm[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not pgm[end:end + 1].isspace():
            end += 1
        fields.append(pgm[pos:end])
        pos = end
    width, height = int(fields[1]), int(fields[2])
    pixels = pgm[pos + 1:]
    rows = [y for y in range(height) if min(pixels[y * width:(y + 1) * width]) < 250]
    columns = [x for x in range(width) if min(pixels[x::width][rows[0]:rows[-1] + 1]) < 250]
    return columns[0], rows[0], columns[-1] - columns[0] + 1, rows[-1] - rows[0] + 1


def main(out: Path = HERE / "typeset-document.png") -> None:
    with tempfile.TemporaryDirectory() as folder:
        tex = Path(folder) / "document.tex"
        tex.write_text(subprocess.run([sys.executable, "-m", "matcalc", "derive", *QUESTION,
                                       "--document"], check=True, capture_output=True,
                                      text=True, cwd=HERE.parent).stdout)
        subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
                       cwd=folder, check=True, capture_output=True)
        pdf = str(tex.with_suffix(".pdf"))
        grey = subprocess.run(["pdftoppm", "-gray", "-r", str(RESOLUTION), "-f", "1", "-l", "1",
                               pdf], check=True, capture_output=True).stdout
        left, top, width, height = ink_box(grey)
        subprocess.run(["pdftoppm", "-png", "-singlefile", "-r", str(RESOLUTION),
                        "-x", str(left - BORDER), "-y", str(top - BORDER),
                        "-W", str(width + 2 * BORDER), "-H", str(height + 2 * BORDER),
                        pdf, str(out.with_suffix(""))], check=True)
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main(*(Path(arg) for arg in sys.argv[1:2]))
