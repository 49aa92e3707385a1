"""The command-line flags the prospect-vs-peer scripts in bench/e2e share.

The scripts run as `/usr/bin/python3 bench/e2e/NAME.py`, so this folder is on sys.path.
"""
import argparse


def peer_parser(prospect_flag, input_flag):
    """An ArgumentParser with the shared flags: what runs prospect (`prospect_flag`: the CLI binary or a
    driver), the input (`input_flag`: a CSV or a data folder), the work folder and the threads both
    sides get (2 by default). The script adds its own flags."""
    ap = argparse.ArgumentParser()
    ap.add_argument(prospect_flag, required=True)
    ap.add_argument(input_flag, required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--threads", type=int, default=2)
    return ap
