#!/usr/bin/env bash
# House rules a compiler does not check (STYLE.md): line length, function length, the engine's
# purity, and coroutine lambdas that capture. Prints every offence as file:line: reason.
set -uo pipefail
cd "$(dirname "$0")/.."

line_columns_max=100
function_lines_max=70
status=0
report() { echo "$1"; status=1; }

mapfile -t sources < <(git ls-files --cached --others --exclude-standard \
    'engine/*' 'menus/*' 'storage/*' 'sms/*' 'adapters/*' 'app/*' 'tests/*' 'bench/*' \
    | grep -E '\.(cpp|hpp)$')

for file in "${sources[@]}"; do
    [ -f "$file" ] || continue
    awk -v max="$line_columns_max" -v file="$file" \
        'length($0) > max { printf "%s:%d: line is %d columns (max %d)\n", file, NR, length($0), max }' \
        "$file" | while read -r offence; do echo "$offence"; done | grep . && status=1

    # A function body starts with a line ending in `{` at column 0 that is not a namespace,
    # type or extern block, and ends at the next `}` at column 0.
    awk -v max="$function_lines_max" -v file="$file" '
        /^[A-Za-z].*\{$/ && $0 !~ /^(namespace|struct|class|enum|union|extern|template)/ &&
            start == 0 { start = NR; next }
        /^\}/ && start > 0 {
            if (NR - start - 1 > max)
                printf "%s:%d: function is %d lines (max %d)\n", file, start, NR - start - 1, max
            start = 0
        }' "$file" | grep . && status=1

    # Coroutine lambdas that capture die at their first suspension (CP.51).
    grep -nE '\[[^]]+\][^;{]*->[[:space:]]*(net|boost::asio)::awaitable' "$file" |
        sed "s|^|$file:|; s|\$| <- capturing lambda returning awaitable|" | grep . && status=1
done

# The engine is pure: std only.
grep -nE '#include[[:space:]]*[<"](boost|spdlog|yaml-cpp|hiredis|SQLiteCpp|sqlite3|CLI)' \
    engine/*.hpp engine/*.cpp 2>/dev/null |
    sed 's|$| <- engine/ includes std only|' | grep . && status=1

if [ "$status" -eq 0 ]; then echo "tidy: clean (${#sources[@]} files)"; fi
exit "$status"
