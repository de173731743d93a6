# Sourced by the interop scripts. Their programs are built with ASan and
# UBSan in tools/test.sh's first pass, where a report in a log fails the
# case even when the program went on (UBSan's runtime errors do not stop it).

# sanitizer_report LOG: the first report line of LOG; fails (prints nothing)
# when there is none or no LOG.
sanitizer_report() {
    grep -m1 -E "ERROR: [A-Za-z]+Sanitizer|runtime error:" "$1" 2>/dev/null
}
