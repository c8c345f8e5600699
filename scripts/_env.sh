# shellcheck shell=bash
# Sourced helper: find Python >= 3.11, create .venv if missing, install the project.
#
#   COMPTOIR_ENV_EXTRAS=dev   # optional, before sourcing: install '.[dev]' instead of '.'
#   source scripts/_env.sh
#
# Afterwards the shell variables (not exported) COMPTOIR_ROOT (repo root), COMPTOIR_VENV
# (its .venv) and COMPTOIR_PY (the venv's python) are set; the caller's cwd is unchanged.
# The install is skipped when .venv holds a stamp matching the hash of pyproject.toml,
# constraints.txt and the requested extras, so repeated runs cost well under a second.
# Safe under `set -euo pipefail`; on failure it prints one message and returns 1
# (which exits a caller running with `set -e`).
# Overrides: COMPTOIR_PYTHON=/path/to/python3.x to choose the interpreter explicitly;
# COMPTOIR_FORCE_INSTALL=1 to reinstall regardless of the stamp.

_comptoir_env_main() {
    local root extras py="" cand ver venv stamp_dir want have target
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
    extras="${COMPTOIR_ENV_EXTRAS:-}"
    venv="$root/.venv"

    _comptoir_env_py_ok() {  # $1 = interpreter; true if it runs and is >= 3.11
        "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
            >/dev/null 2>&1
    }

    # 1. The venv's interpreter, if the venv exists and is usable.
    if [[ -x "$venv/bin/python" ]] && ! _comptoir_env_py_ok "$venv/bin/python"; then
        echo "comptoir: $venv is broken or older than Python 3.11; recreating it" >&2
        rm -rf "$venv"
    fi

    if [[ ! -x "$venv/bin/python" ]]; then
        # 2. Pick a base interpreter: $COMPTOIR_PYTHON, python3.11, else python3 if >= 3.11.
        for cand in "${COMPTOIR_PYTHON:-}" python3.11 python3; do
            [[ -n "$cand" ]] || continue
            if command -v "$cand" >/dev/null 2>&1 && _comptoir_env_py_ok "$cand"; then
                py="$(command -v "$cand")"
                break
            fi
        done
        if [[ -z "$py" ]]; then
            ver="$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' \
                2>/dev/null)" || ver=""
            echo "comptoir: need Python >= 3.11: no python3.11 on PATH and python3 is" \
                "${ver:-missing}. Install python3.11 (or set COMPTOIR_PYTHON=/path/to/python)." >&2
            return 1
        fi
        echo "comptoir: creating $venv with $py" >&2
        if ! "$py" -m venv "$venv"; then
            rm -rf "$venv"
            echo "comptoir: '$py -m venv' failed (on Debian/Ubuntu install the" \
                "python3-venv / python3.11-venv package)." >&2
            return 1
        fi
    fi

    # 3. Install the project unless the stamp says it is current.
    want="$("$venv/bin/python" - "$root/pyproject.toml" "$root/constraints.txt" <<'PY'
import hashlib, sys
h = hashlib.sha256()
h.update(sys.version.encode())
for name in sys.argv[1:]:
    try:
        with open(name, "rb") as f:
            h.update(name.encode() + b"\0" + f.read() + b"\0")
    except FileNotFoundError:
        h.update(name.encode() + b"\0<missing>\0")
print(h.hexdigest())
PY
)"
    stamp_dir="$venv/.comptoir-stamps"
    # A dev install is a superset of the base install, so it satisfies a base request.
    have=""
    if [[ "${COMPTOIR_FORCE_INSTALL:-}" != 1 ]]; then
        for cand in "${extras:-base}" dev; do
            [[ -z "$extras" || "$cand" == "$extras" ]] || continue
            if [[ -f "$stamp_dir/$cand" && "$(cat "$stamp_dir/$cand")" == "$want" ]]; then
                have=1
                break
            fi
        done
    fi
    if [[ -z "$have" ]]; then
        target="."
        [[ -n "$extras" ]] && target=".[$extras]"
        echo "comptoir: installing $target into $venv" >&2
        if ! (cd "$root" && "$venv/bin/python" -m pip install --disable-pip-version-check \
                -q -c constraints.txt -e "$target"); then
            echo "comptoir: 'pip install -c constraints.txt -e $target' failed" >&2
            return 1
        fi
        mkdir -p "$stamp_dir"
        # Changing what is installed invalidates the other flavour's stamp.
        rm -f "$stamp_dir"/*
        printf '%s\n' "$want" >"$stamp_dir/${extras:-base}"
    fi

    # Shell variables, not exported: the app reads COMPTOIR_* from its environment.
    COMPTOIR_ROOT="$root"
    COMPTOIR_VENV="$venv"
    COMPTOIR_PY="$venv/bin/python"
    return 0
}

if ! _comptoir_env_main; then
    unset -f _comptoir_env_main _comptoir_env_py_ok
    return 1 2>/dev/null || exit 1
fi
unset -f _comptoir_env_main _comptoir_env_py_ok
