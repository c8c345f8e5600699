# shellcheck shell=bash
# Sourced helper: the system libraries WeasyPrint renders PDFs with (Pango, HarfBuzz,
# fontconfig) and at least one font. When they are missing and we run as root on Debian,
# install them; otherwise say what to install and return 1.
_comptoir_documents_check() {
    local py="$1"
    if "$py" -c 'import weasyprint' >/dev/null 2>&1 && fc-match -f '%{file}' sans >/dev/null 2>&1; then
        return 0
    fi
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "comptoir: installing Pango and fonts for PDF documents" >&2
        apt-get install -y -q libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
            fontconfig fonts-dejavu-core >/dev/null \
            || { apt-get update -q >/dev/null && apt-get install -y -q libpango-1.0-0 \
                libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core >/dev/null; }
    fi
    if ! "$py" -c 'import weasyprint' >/dev/null 2>&1 || ! fc-match sans >/dev/null 2>&1; then
        echo "comptoir: PDF documents need Pango and a font: install libpango-1.0-0," \
            "libpangoft2-1.0-0, fontconfig and fonts-dejavu-core (Debian names)" >&2
        return 1
    fi
}
_comptoir_documents_check "$COMPTOIR_PY"
