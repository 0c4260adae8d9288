#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, only when they are missing:
#
#   chromium       browser end-to-end tests (driven through playwright-core)
#   newsboat       a real third-party feed client that reads what we publish
#   postgresql     server binaries (initdb, pg_ctl, postgres) for the PostgreSQL tests
#   libxml2-utils  xmllint, for validating generated XML
#   python3-feedparser  a widely used feed parser, reading back the feeds Gleaner publishes
#   fonts-wqy-microhei  a Chinese font, so browser screenshots of Chinese pages show the text
#   gcc, libc6-dev  a C compiler, for search's ranking function (native/rank.c, built by npm run build)
#   openssl        makes a certificate for a test site served over https (fetching through a proxy)
#
# Runs before every `npm test`. When everything is present it only does a few lookups and returns.
# When it cannot install (not root and no passwordless sudo, or no apt-get) it prints a warning naming
# the packages and exits 0: the tests that need them skip with their own message.
#
# Environment:
#   GLEANER_SKIP_SYSTEM_DEPS=1  do nothing
#   GLEANER_CHROMIUM=/path      the browser the tests use (default /usr/bin/chromium)
set -u

if [ "${GLEANER_SKIP_SYSTEM_DEPS:-}" = "1" ]; then
  exit 0
fi

warn() {
  echo "system-deps: warning: $*" >&2
}

have() {
  command -v "$1" >/dev/null 2>&1
}

# A PostgreSQL server is usable when initdb, pg_ctl and postgres are all on PATH, or all sit in one
# of Debian's versioned directories (the postgresql package does not put them on PATH).
have_postgres_server() {
  if have initdb && have pg_ctl && have postgres; then
    return 0
  fi
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
      return 0
    fi
  done
  return 1
}

# Debian's browser, or the one GLEANER_CHROMIUM points the tests at.
have_chromium() {
  [ -x /usr/bin/chromium ] || { [ -n "${GLEANER_CHROMIUM:-}" ] && [ -x "$GLEANER_CHROMIUM" ]; }
}

# Any font covering Chinese will do.
have_cjk_font() {
  [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || { have fc-list && [ -n "$(fc-list :lang=zh 2>/dev/null)" ]; }
}

missing=""
have_chromium || missing="$missing chromium"
have newsboat || missing="$missing newsboat"
have_postgres_server || missing="$missing postgresql"
have xmllint || missing="$missing libxml2-utils"
# Debian's python3 (another python3 may come first on PATH and not see Debian's modules).
debian_python=/usr/bin/python3
[ -x "$debian_python" ] || debian_python=python3
"$debian_python" -c 'import feedparser' >/dev/null 2>&1 || missing="$missing python3-feedparser"
have_cjk_font || missing="$missing fonts-wqy-microhei"
have cc || missing="$missing gcc libc6-dev"
have openssl || missing="$missing openssl"
missing="${missing# }"

if [ -z "$missing" ]; then
  exit 0
fi

if [ "$(uname -s)" != "Linux" ] || ! have apt-get; then
  warn "cannot install missing packages ($missing): apt-get is not available. Install them with your" \
    "package manager; until then the tests that need them are skipped."
  exit 0
fi

sudo_cmd=""
if [ "$(id -u)" != "0" ]; then
  if have sudo && sudo -n true >/dev/null 2>&1; then
    sudo_cmd="sudo -n"
  else
    warn "cannot install missing packages ($missing): not root and no passwordless sudo. Run:" \
      "sudo apt-get install -y --no-install-recommends $missing ; until then the tests that need" \
      "them are skipped."
    exit 0
  fi
fi

# Wait for another apt or dpkg run to finish rather than failing on its lock.
apt_opts="-o DPkg::Lock::Timeout=600 -q"

apt_get() {
  # shellcheck disable=SC2086 # word splitting of the option and package lists is intended
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get $apt_opts "$@"
}

# The package lists need refreshing when one of the packages has no install candidate (a fresh image
# often ships without lists). Otherwise try installing first, and refresh only if that fails.
needs_update=0
for pkg in $missing; do
  if ! apt-cache policy "$pkg" 2>/dev/null | grep -q 'Candidate: [^(]'; then
    needs_update=1
  fi
done

echo "system-deps: installing missing packages for the tests: $missing"

log="$(mktemp "${TMPDIR:-/tmp}/system-deps.XXXXXX")"
trap 'rm -f "$log"' EXIT

install_missing() {
  # shellcheck disable=SC2086
  apt_get install -y --no-install-recommends $missing >"$log" 2>&1
}

update_lists() {
  apt_get update >>"$log" 2>&1
}

ok=0
if [ "$needs_update" = "1" ]; then
  update_lists && install_missing && ok=1
else
  if install_missing; then
    ok=1
  else
    update_lists && install_missing && ok=1
  fi
fi

if [ "$ok" != "1" ]; then
  tail -n 20 "$log" >&2
  warn "could not install $missing (output above); the tests that need them are skipped."
  exit 0
fi

echo "system-deps: installed $missing"
exit 0
