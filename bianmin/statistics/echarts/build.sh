#!/bin/sh
# Rebuilds bianmin/static/vendor/echarts-statistics.min.js: ECharts 5.6.0 with only what the statistics dashboard
# draws (entry.js: line, bar and pie charts, SVG renderer, grid, tooltip, legend, aria), 536 KB (185 KB gzipped)
# where the whole bundle was 1 MB. Needs node and npm; works in a temporary directory, the repository gets the file.
# Add a chart type or component to entry.js when static/js/statistics.js starts to use one.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../static/vendor/echarts-statistics.min.js"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/entry.js" "$work/"
cd "$work"
echo "{\"private\": true}" > package.json
npm install --no-audit --no-fund --save-exact echarts@5.6.0 esbuild@0.24.0 >/dev/null
npx esbuild entry.js --bundle --minify --format=iife --target=es2017 --legal-comments=none \
  --banner:js="/*! ECharts 5.6.0 (line, bar, pie, SVG), Apache License 2.0, https://echarts.apache.org; built by bianmin/statistics/echarts/build.sh */" \
  --outfile="$out"
echo "wrote $out"
