# Sourced by the bin/ scripts: makes JAVA_HOME point at a JDK 21 or newer (Pictor is built with
# --release 21 and run on JDK 25). Keeps a suitable JAVA_HOME; otherwise looks under /usr/lib/jvm.
pictor_java_version() {
    "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'
}
if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/java" ] || [ "$(pictor_java_version "$JAVA_HOME")" -lt 21 ] 2>/dev/null; then
    JAVA_HOME=""
    for candidate in /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25-* /usr/lib/jvm/*25* /usr/lib/jvm/temurin-2* /usr/lib/jvm/*-21-*; do
        if [ -x "$candidate/bin/javac" ] && [ "$(pictor_java_version "$candidate")" -ge 21 ] 2>/dev/null; then
            JAVA_HOME="$candidate"
            break
        fi
    done
fi
if [ -z "$JAVA_HOME" ]; then
    echo "pictor: no JDK 21+ found; install one (JDK 25 recommended) and set JAVA_HOME" >&2
    exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
