#!/usr/bin/env bash
# Audit the locked Python dependencies for known vulnerabilities with pip-audit (PyPI's advisory data).
# Fails when a locked package has a known vulnerability. When the advisory service cannot be reached
# (a machine without that access), it says so loudly and which packages went unaudited, and does not
# pretend: the summary line reads "NOT AUDITED".
set -euo pipefail
cd "$(dirname "$0")/.."
requirements=$(mktemp)
report=$(mktemp)
trap 'rm -f "$requirements" "$report"' EXIT
"${UV:-var/bootstrap/bin/uv}" export --frozen --no-hashes --no-emit-project --format requirements-txt --quiet >"$requirements"
status=0
timeout 600 .venv/bin/pip-audit --requirement "$requirements" --no-deps --disable-pip --progress-spinner off \
  --format json --output "$report" 2>/dev/null || status=$?
.venv/bin/python - "$report" "$status" <<'PY'
import json
import sys

path, status = sys.argv[1], int(sys.argv[2])
try:
    with open(path, encoding="utf-8") as handle:
        report = json.load(handle)
except (OSError, ValueError):
    print(f"Dependency audit: NOT AUDITED (pip-audit exited {status} without a report)")
    sys.exit(0)
dependencies = report.get("dependencies", [])
vulnerable = [d for d in dependencies if d.get("vulns")]
skipped = [d for d in dependencies if d.get("skip_reason")]
for dependency in vulnerable:
    for vuln in dependency["vulns"]:
        fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
        print(f"  {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixes})")
audited = len(dependencies) - len(skipped)
if vulnerable:
    print(f"Dependency audit: {len(vulnerable)} vulnerable package(s) among {audited} audited")
    sys.exit(1)
if audited == 0:
    print(f"Dependency audit: NOT AUDITED: the advisory service gave no data for any of {len(dependencies)} packages")
    sys.exit(0)
print(f"Dependency audit: no known vulnerability in {audited} packages ({len(skipped)} not found on PyPI)")
PY
