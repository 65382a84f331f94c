#!/bin/sh
# Extracts the DowJones30 daily closes (30 DJIA stocks, 1990-12-31 .. 2001-01-02) shipped in
# Debian's r-cran-fbasics package to data/dowjones30.csv (wide format: date,AA,AXP,...).
# The data is GPL (>= 2), so it is extracted here and never committed.
set -e
out=${1:-data/dowjones30.csv}
if ! command -v Rscript >/dev/null 2>&1 || ! Rscript -e 'quit(status = !requireNamespace("fBasics", quietly = TRUE))' >/dev/null 2>&1; then
    echo "make data: installing r-base-core and r-cran-fbasics with apt" >&2
    SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get install -y --no-install-recommends r-base-core r-cran-fbasics
fi
mkdir -p "$(dirname "$out")"
Rscript -e '
data(DowJones30, package = "fBasics")
x <- DowJones30
d <- format(as.Date(as.character(x[[1]])), "%Y-%m-%d")
y <- data.frame(date = d, x[, -1], check.names = FALSE)
write.csv(y, commandArgs(TRUE)[1], row.names = FALSE, quote = FALSE)
' "$out"
echo "make data: wrote $out ($(($(wc -l < "$out") - 1)) days)" >&2
