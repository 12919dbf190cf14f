#!/usr/bin/env bash
# Re-create the vendored widget JavaScript in book/_widgets/_widgets/ (for maintainers only:
# the book build never runs this and never needs the network; the output is committed).
#
# What it fetches, with the ordinary clients, from the ordinary registries:
#   npm   requirejs@$REQUIREJS_VERSION                  -> require.js
#   npm   @jupyter-widgets/html-manager@$HTML_MANAGER_VERSION
#                                                        -> embed-amd.js + Font Awesome woff2 files
#   PyPI  nglview==$NGLVIEW_VERSION (sdist, --no-deps)  -> nglview/nbextension/index.js (the AMD
#                                                          build of nglview-js-widgets, which npm
#                                                          does not publish for frontend 4.0)
# and lays them out as the html-manager's `data-jupyter-widgets-cdn` loader expects them
# (<cdn>/<package>@<frontend version>/dist/index.js), with the licence texts next to them.
#
# Usage: bash scripts/vendor_widgets.sh        (from anywhere; needs npm, tar, a python with pip)
# After bumping nglview, check its frontend version (nglview/_frontend.py) and update
# NGLVIEW_FRONTEND and the `nglview-js-widgets@...` folder; then re-run the browser test.
set -euo pipefail

MATHJAX_VERSION=${MATHJAX_VERSION:-3.2.2}
REQUIREJS_VERSION=${REQUIREJS_VERSION:-2.3.8}
HTML_MANAGER_VERSION=${HTML_MANAGER_VERSION:-1.0.15}
NGLVIEW_VERSION=${NGLVIEW_VERSION:-4.0.1}
NGLVIEW_FRONTEND=${NGLVIEW_FRONTEND:-4.0}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON=${PYTHON:-"$ROOT/.venv/bin/python"}
[ -x "$PYTHON" ] || PYTHON=python3
DEST="$ROOT/book/_widgets/_widgets"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "npm pack requirejs@$REQUIREJS_VERSION @jupyter-widgets/html-manager@$HTML_MANAGER_VERSION"
(cd "$work" && npm pack --silent "requirejs@$REQUIREJS_VERSION" \
  "@jupyter-widgets/html-manager@$HTML_MANAGER_VERSION" >/dev/null)
mkdir -p "$work/requirejs" "$work/html-manager" "$work/nglview"
tar -xzf "$work/requirejs-$REQUIREJS_VERSION.tgz" -C "$work/requirejs"
tar -xzf "$work/jupyter-widgets-html-manager-$HTML_MANAGER_VERSION.tgz" -C "$work/html-manager"

echo "pip download nglview==$NGLVIEW_VERSION (sdist, no dependencies)"
"$PYTHON" -m pip download -q --no-deps --no-binary nglview "nglview==$NGLVIEW_VERSION" -d "$work"
tar -xzf "$work/nglview-$NGLVIEW_VERSION.tar.gz" -C "$work/nglview"
ngl_src="$work/nglview/nglview-$NGLVIEW_VERSION"
frontend=$(sed -n "s/^__frontend_version__ = ['\"]\(.*\)['\"]/\1/p" "$ngl_src/nglview/_frontend.py")
if [ "$frontend" != "$NGLVIEW_FRONTEND" ]; then
  echo "nglview $NGLVIEW_VERSION asks for frontend '$frontend', not '$NGLVIEW_FRONTEND':" \
    "set NGLVIEW_FRONTEND and update book/_widgets/_widgets/offline-widgets.js" >&2
  exit 1
fi

# Keep our own files (offline-widgets.js, NOTICE.md); replace everything vendored.
mkdir -p "$DEST"
rm -rf "$DEST/require.js" "$DEST/embed-amd.js" "$DEST/@jupyter-widgets" "$DEST"/nglview-js-widgets@* \
  "$DEST/licenses"
mkdir -p "$DEST/nglview-js-widgets@$NGLVIEW_FRONTEND/dist" "$DEST/licenses"

cp "$work/requirejs/package/require.js" "$DEST/require.js"

hm="$work/html-manager/package"
cp "$hm/dist/embed-amd.js" "$DEST/embed-amd.js"
# embed-amd.js sets each bundle's webpack public path from its require.js module URL. Two of
# its bundles inject the Font Awesome 5 @font-face rules (used by widget icons, e.g. nglview's
# full-screen button): `@jupyter-widgets/html-manager` (fonts under <baseUrl>/@jupyter-widgets/)
# and `@jupyter-widgets/html-manager/dist/libembed-amd` (fonts under
# <baseUrl>/@jupyter-widgets/html-manager/dist/); whichever is injected last wins, and the
# order varies between page loads, so the fonts go to both (git stores identical blobs once).
# Chromium, Firefox and Safari take the woff2 source: only those are vendored (~170 kB).
mkdir -p "$DEST/@jupyter-widgets/html-manager/dist"
cp "$hm"/dist/*.woff2 "$DEST/@jupyter-widgets/"
cp "$hm"/dist/*.woff2 "$DEST/@jupyter-widgets/html-manager/dist/"

ngl="$DEST/nglview-js-widgets@$NGLVIEW_FRONTEND/dist"
cp "$ngl_src/nglview/nbextension/index.js" "$ngl/index.js"
cp "$ngl_src/nglview/nbextension/index.js.LICENSE.txt" "$ngl/index.js.LICENSE.txt"
cp "$ngl_src"/nglview/nbextension/*.png "$ngl/"

# Licence texts. html-manager's tarball has no LICENSE file: take the ipywidgets repository's
# (same project, same BSD-3-Clause text) from the installed ipywidgets wheel.
cp "$ngl_src/LICENSE" "$DEST/licenses/nglview-LICENSE.txt"
ipyw_license=$("$PYTHON" - <<'PY'
from importlib.metadata import distribution
d = distribution("ipywidgets")
print(next(str(d.locate_file(f)) for f in d.files if f.name.startswith("LICENSE")))
PY
)
cp "$ipyw_license" "$DEST/licenses/jupyter-widgets-LICENSE.txt"
# Notices of the libraries bundled in the html-manager (jQuery, jQuery UI, ...), as the package
# ships them for its non-AMD bundle; embed-amd.js bundles the same ones plus Font Awesome 5.
cp "$hm/dist/embed.js.LICENSE.txt" "$DEST/licenses/html-manager-bundled-LICENSE.txt"
# The requirejs tarball has no LICENSE file either; its header names the MIT licence and the
# copyright holder: write the standard MIT text with that line.
{
  sed -n 's/^ \* @license RequireJS [0-9.]* \(Copyright .*\)$/\1/p' "$DEST/require.js"
  cat <<'MIT'

Permission is hereby granted, free of charge, to any person obtaining a copy of this software
and associated documentation files (the "Software"), to deal in the Software without
restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
MIT
} > "$DEST/licenses/requirejs-LICENSE.txt"

echo "vendored into $DEST:"
(cd "$DEST" && find . -type f ! -name NOTICE.md ! -name offline-widgets.js -print0 | sort -z \
  | xargs -0 sha256sum)
du -sh "$DEST"

# MathJax for the book's equations (Sphinx's default is a CDN): the SVG-output component,
# whose glyphs are inside the file.
echo "npm pack mathjax@$MATHJAX_VERSION"
(cd "$work" && npm pack --silent "mathjax@$MATHJAX_VERSION" >/dev/null)
mkdir -p "$work/mathjax" "$ROOT/book/_widgets/_mathjax"
tar -xzf "$work/mathjax-$MATHJAX_VERSION.tgz" -C "$work/mathjax"
cp "$work/mathjax/package/es5/tex-mml-svg.js" "$ROOT/book/_widgets/_mathjax/tex-mml-svg.js"
cp "$work/mathjax/package/LICENSE" "$ROOT/book/_widgets/_mathjax/LICENSE.txt"
sha256sum "$ROOT/book/_widgets/_mathjax/tex-mml-svg.js"
