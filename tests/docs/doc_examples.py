#!/usr/bin/python3
"""Runs every shell example of one documentation page, in order, as a new user would.

Usage: doc_examples.py PAGE.md BUILD_DIR SHARED_DATA_DIR [--update]

A fenced block is an example when it is marked ```sh, or unmarked (```) with a command as its
first line. Two kinds:
  - a script: the lines run as they are (bash, `set -euo pipefail`); it must succeed;
  - a transcript: lines starting with "$ " are commands, the lines after each are the output the
    page promises. The output must match line by line (trailing spaces ignored); an expected line
    "..." stands for any number of lines, a line ending in "..." for any ending.
A block right after `<!-- synopsis -->` (the usage line of a command) or `<!-- not-run: why -->`
is skipped. Every page runs in a fresh folder of its own, where `prospect` is the built CLI on
PATH, `build/` is the build folder and `../shared/data` is the shared data, so the pages' paths
work as written. State carries from one block to the next, as it does for a reader.

--update writes what the commands printed into the page's transcripts whose output has no "...";
read the diff before committing it.
"""
import os
import re
import subprocess
import sys
import tempfile

COMMAND_START = re.compile(r"^(\$ |prospect\b|build/prospect\b|export\b|for\b|cat\b|cut\b|printf\b|echo\b|scripts/)")
SKIP_MARK = re.compile(r"^<!--\s*(synopsis|not-run:.*)\s*-->\s*$")


def blocks_of(page):
    """Yields (first line number, lines) of every example block; skipped blocks are left out."""
    lines = open(page, encoding="utf-8").read().split("\n")
    skip_next = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if SKIP_MARK.match(line.strip()):
            skip_next = True
        elif line.startswith("```"):
            lang = line[3:].strip()
            body_start = i + 1
            j = body_start
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            body = lines[body_start:j]
            first = next((b for b in body if b.strip()), "")
            if not skip_next and (lang == "sh" or (lang == "" and COMMAND_START.match(first))):
                yield body_start + 1, body
            skip_next = False
            i = j
        elif line.strip():
            skip_next = False  # a mark applies to the block right after it only
        i += 1


def transcript_steps(start, body):
    """Splits a transcript into (line number, command, expected output lines, line number of the
    first output line)."""
    steps = []
    k = 0
    while k < len(body):
        if body[k].startswith("$ "):
            line_no = start + k
            command = body[k][2:]
            while command.endswith("\\") and k + 1 < len(body):
                k += 1
                command += "\n" + body[k]
            expected = []
            k += 1
            output_line_no = start + k
            while k < len(body) and not body[k].startswith("$ "):
                expected.append(body[k].rstrip())
                k += 1
            while expected and not expected[-1]:
                expected.pop()
            steps.append((line_no, command, expected, output_line_no))
        else:
            k += 1
    return steps


def matches(expected, actual):
    """Line-by-line match where "..." is any run of lines and a trailing "..." any line ending."""
    if not expected:
        return not actual
    head = expected[0]
    if head == "...":
        return any(matches(expected[1:], actual[n:]) for n in range(len(actual) + 1))
    if not actual:
        return False
    if head.endswith("..."):
        ok = actual[0].startswith(head[:-3].rstrip())
    else:
        ok = actual[0] == head
    return ok and matches(expected[1:], actual[1:])


def main():
    page, build_dir, shared_data = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
    update = "--update" in sys.argv[4:]
    name = os.path.relpath(page)
    work = tempfile.mkdtemp(prefix="prospect-docs-")
    run_dir = os.path.join(work, "page")
    os.makedirs(os.path.join(work, "shared"))
    os.makedirs(run_dir)
    os.symlink(shared_data, os.path.join(work, "shared", "data"))
    os.symlink(build_dir, os.path.join(run_dir, "build"))
    env = dict(os.environ)
    env["PATH"] = build_dir + os.pathsep + env.get("PATH", "")
    env.pop("PROSPECT_WORKSPACE", None)

    # One bash script for the page; markers in its output tell the steps apart.
    script = ["set -euo pipefail", "exec 2>&1"]
    checks = []  # (line number, command, expected, first output line) of transcript steps, by marker index
    count = 0
    for start, body in blocks_of(page):
        count += 1
        steps = transcript_steps(start, body)
        if steps:
            for line_no, command, expected, output_line_no in steps:
                script.append(f"echo '@@step {len(checks)}@@'")
                script.append(command)
                checks.append((line_no, command, expected, output_line_no))
            script.append("echo '@@step end@@'")
        else:
            script.append(f"echo '@@block {name}:{start}@@'")
            script.extend(body)
    if count == 0:
        print(f"{name}: no example blocks")
        subprocess.run(["rm", "-rf", work])
        return 0
    result = subprocess.run(["bash", "-c", "\n".join(script)], cwd=run_dir, env=env,
                            stdout=subprocess.PIPE, text=True, timeout=1800)
    output = result.stdout.split("\n")

    failures = []
    if result.returncode != 0:
        last = next((l for l in reversed(output) if l.startswith("@@")), "@@start@@")
        tail = "\n".join(output[-25:])
        failures.append(f"the examples stopped with exit code {result.returncode} after marker {last}:\n{tail}")
    # Collect each step's output: the lines between its marker and the next one.
    outputs, current = {}, None
    for line in output:
        m = re.match(r"^@@(step|block) (.*)@@$", line)
        if m:
            current = int(m.group(2)) if m.group(1) == "step" and m.group(2) != "end" else None
            if current is not None:
                outputs[current] = []
        elif current is not None:
            outputs[current].append(line.rstrip())
    replacements = []  # (first output line number, lines it had, lines it gets)
    for index, (line_no, command, expected, output_line_no) in enumerate(checks):
        if index not in outputs:
            continue  # did not run: the exit-code failure above says why
        actual = outputs[index]
        while actual and not actual[-1]:
            actual.pop()
        if update and not any(e.endswith("...") for e in expected) and expected != actual:
            replacements.append((output_line_no, len(expected), actual))
            continue
        if not matches(expected, actual):
            failures.append(f"{name}:{line_no}: `{command}` printed\n" + "\n".join(actual) +
                            "\nwhere the page shows\n" + "\n".join(expected))
    if replacements:
        lines = open(page, encoding="utf-8").read().split("\n")
        for first, count, new in sorted(replacements, reverse=True):
            lines[first - 1:first - 1 + count] = new
        open(page, "w", encoding="utf-8").write("\n".join(lines))
        print(f"{name}: updated {len(replacements)} transcript outputs")
    if failures:
        print("\n\n".join(failures))
        print(f"\n{name}: FAILED (examples in {run_dir})")
        return 1
    print(f"{name}: {count} example blocks ran, {len(checks)} transcript outputs matched")
    subprocess.run(["rm", "-rf", work])
    return 0


if __name__ == "__main__":
    sys.exit(main())
