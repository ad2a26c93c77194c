"""Shared pieces of scripts/bench-peer and scripts/bench-api: the build directory, the Terraform
CLIs, vcf-sim and its control API, machine facts, and the plugin wrapper that records the peak
RSS of every provider process."""

import json
import os
import platform
import ssl
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cargo_target_dir() -> Path:
    meta = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=ROOT, check=True, capture_output=True, text=True)
    return Path(json.loads(meta.stdout)["target_directory"])


def terraform_paths() -> list:
    """Terraform 1.11 and 1.15 (from PATH when it has that minor, else installed from PyPI)."""
    out = subprocess.run([str(ROOT / "scripts" / "install-terraform")], check=True,
                         capture_output=True, text=True)
    return [p for p in out.stdout.strip().split(":") if p]


def terraform_version(tf: str) -> str:
    out = subprocess.run([tf, "version", "-json"], capture_output=True, text=True,
                         env=dict(os.environ, CHECKPOINT_DISABLE="1", TF_CLI_CONFIG_FILE="/dev/null"))
    return json.loads(out.stdout)["terraform_version"]


def machine_facts() -> dict:
    def first(path, key):
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "unknown"

    mem_kib = first("/proc/meminfo", "MemTotal").split()[0]
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "cpu": first("/proc/cpuinfo", "model name"),
        "nproc": os.cpu_count(),
        "memory": f"{int(mem_kib) / 2**20:.1f} GiB" if mem_kib.isdigit() else mem_kib,
        "kernel": f"{platform.system()} {platform.release()}",
        "loadavg at start": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
        "rustc": rustc,
    }


WRAPPER_C = r"""
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
static pid_t child;
static void forward(int sig) { if (child > 0) kill(child, sig); }
int main(int argc, char **argv) {
    (void)argc;
    child = fork();
    if (child == 0) { argv[0] = REAL; execv(REAL, argv); _exit(127); }
    if (child < 0) return 1;
    signal(SIGINT, forward);
    signal(SIGTERM, forward);
    int status; struct rusage ru;
    while (wait4(child, &status, 0, &ru) < 0) {}
    char path[4096];
    snprintf(path, sizeof path, "%s/%d.rec", OUTDIR, (int)child);
    FILE *f = fopen(path, "w");
    if (f) {
        fprintf(f, "%ld %.3f", ru.ru_maxrss,
                (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0
                    + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0);
        fclose(f);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
"""


def rss_wrapper(exe: Path, wrap_dir: Path, rss_dir: Path) -> Path:
    """A directory holding an executable named like `exe` that runs `exe` as its child, passes
    stdio through (the go-plugin handshake on stdout included), and on the child's exit writes
    the child's peak RSS in KiB and its user+system CPU time in ms (getrusage via wait4) to a
    new file in `rss_dir`.

    The wrapper is a small C program (built with `cc`, which Rust needs anyway): the peak RSS
    the kernel reports for a child includes its image between fork and exec, so a wrapper in
    Python would put a floor of its own ~10 MiB under every figure."""
    wrap_dir.mkdir(parents=True, exist_ok=True)
    rss_dir.mkdir(parents=True, exist_ok=True)
    src = wrap_dir / "wrapper.c"
    src.write_text(WRAPPER_C)
    subprocess.run(["cc", "-O2", "-o", str(wrap_dir / exe.name), str(src),
                    f'-DREAL="{exe}"', f'-DOUTDIR="{rss_dir}"'], check=True)
    return wrap_dir


class Sim:
    """A running vcf-sim (release build) with its control API."""

    def __init__(self, exe: Path, state_dir: Path, *extra):
        state_dir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [str(exe), "--listen", "127.0.0.1:0", "--state-dir", str(state_dir), *extra],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        line = self.proc.stdout.readline()
        self.ready = json.loads(line)
        self.url = self.ready["url"]
        self.host = self.url.split("://", 1)[1]
        self.ca_file = self.ready["ca_file"]
        self.control = self.ready["control"]["url"]
        self.tls = ssl.create_default_context(cafile=self.ca_file)

    def call(self, method: str, path: str, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.control + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, context=self.tls) as r:
            text = r.read()
        return json.loads(text) if text.strip() else None

    def stats(self) -> dict:
        return self.call("GET", "/stats")

    def reset_stats(self):
        self.call("DELETE", "/stats")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def read_wrapper_records(rss_dir: Path) -> list:
    """(peak RSS KiB, CPU ms) of every provider process the wrappers saw."""
    out = []
    for f in rss_dir.iterdir():
        kib, cpu = f.read_text().split()
        out.append((int(kib), float(cpu)))
    return out


def idle_memory(exe: Path) -> dict:
    """RssAnon and RssFile (KiB) of `exe` right after its plugin handshake, idle."""
    import time
    env = dict(os.environ,
               TF_PLUGIN_MAGIC_COOKIE="d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
               PLUGIN_PROTOCOL_VERSIONS="6")
    p = subprocess.Popen([str(exe)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        p.stdout.readline()
        time.sleep(0.3)
        fields = {}
        for line in Path(f"/proc/{p.pid}/status").read_text().splitlines():
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssAnon", "RssFile", "Threads"):
                fields[k] = int(v.split()[0])
        return fields
    finally:
        p.terminate()
        p.wait()
