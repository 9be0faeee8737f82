#!/usr/bin/env python3
"""Runs the non-Rust QR decoders on the corpus `capture`'s qr_bench wrote, for comparison.

Usage:
  cargo run --release -p capture --example qr_bench -- 225 /tmp/qr-corpus
  python3 bench/qr_external.py /tmp/qr-corpus

Needs (benchmark only, not the kiosk): Debian `libzbar0`; PyPI `zxing-cpp`, `pyzbar`,
`opencv-contrib-python-headless`, `numpy` (a venv is fine). OpenCV's WeChat detector runs
without its CNN models: they do not ship in the wheel.

A frame counts as decoded only when the decoder's bytes equal the printed payload's bytes.
Writes bench/results/qr-external.json and bench/results/qr-external.md.
"""
import json
import pathlib
import statistics
import sys
import time

import cv2
import zxingcpp
from pyzbar import pyzbar


def zxing(image):
    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return bytes(results[0].bytes) if results else None


def zbar(image):
    results = pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE])
    return results[0].data if results else None


OPENCV = cv2.QRCodeDetector()
WECHAT = cv2.wechat_qrcode_WeChatQRCode()


def opencv(image):
    text, _, _ = OPENCV.detectAndDecode(image)
    return text.encode("utf-8") if text else None


def wechat(image):
    texts, _ = WECHAT.detectAndDecode(image)
    return texts[0].encode("utf-8") if texts else None


DECODERS = [
    ("zxing-cpp (PyPI zxing-cpp)", zxing),
    ("ZBar (Debian libzbar0 via pyzbar)", zbar),
    ("OpenCV QRCodeDetector", opencv),
    ("OpenCV WeChat (no CNN models)", wechat),
]


def main():
    corpus = pathlib.Path(sys.argv[1])
    results_dir = pathlib.Path(__file__).resolve().parent / "results"
    sizes = {}
    table = ["| frame size | decoder | decoded | median ms/frame |", "|---|---|---|---|"]
    for folder in sorted(p for p in corpus.iterdir() if p.is_dir()):
        entries = [line.split("\t") for line in (folder / "payloads.tsv").read_text().splitlines()]
        frames = [(cv2.imread(str(folder / name), cv2.IMREAD_GRAYSCALE), bytes.fromhex(hex_payload))
                  for name, hex_payload in entries]
        per_decoder = {}
        for name, decode in DECODERS:
            decoded, millis = 0, []
            for image, payload in frames:
                started = time.perf_counter()
                try:
                    found = decode(image)
                except Exception:  # a decoder crash counts as a miss
                    found = None
                millis.append((time.perf_counter() - started) * 1000)
                decoded += found == payload
            median = statistics.median(millis)
            rate = 100 * decoded / len(frames)
            per_decoder[name] = {"frames": len(frames), "decoded": decoded,
                                 "decode_rate_percent": round(rate, 1),
                                 "median_ms_per_frame": round(median, 2)}
            size = folder.name.replace("x", "×")
            table.append(f"| {size} | {name} | {rate:.1f} % ({decoded}/{len(frames)}) | {median:.1f} |")
            print(folder.name, name, decoded, len(frames), f"{median:.1f} ms", flush=True)
        sizes[folder.name] = per_decoder
    (results_dir / "qr-external.json").write_text(json.dumps(
        {"corpus": "the frames of bench/results/qr.json (capture::synth, same seeds)",
         "machine": "2 shared cores, one thread", "sizes": sizes}, indent=2, ensure_ascii=False) + "\n")
    (results_dir / "qr-external.md").write_text(
        "# Non-Rust QR decoders on the same corpus\n\n"
        "`python3 bench/qr_external.py CORPUS` on the frames `qr_bench` wrote (see `qr.md`); bytes must "
        "equal the printed payload. OpenCV's WeChat detector runs without its CNN models (not in the wheel).\n\n"
        + "\n".join(table) + "\n")


if __name__ == "__main__":
    main()
