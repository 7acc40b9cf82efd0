# shellcheck shell=bash
# Sourced by the other scripts: select_java25 points JAVA_HOME and PATH at a Java 25 JDK.
# It tries JAVA_HOME first, then the usual Debian folders, and checks the version itself,
# because the machine's default java may be an older release.

select_java25() {
	local candidate
	for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25* \
		/usr/lib/jvm/java-25-*; do
		if [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] &&
			"$candidate/bin/java" -XshowSettings:properties -version 2>&1 |
			grep -q 'java\.specification\.version = 25$'; then
			export JAVA_HOME="$candidate"
			export PATH="$JAVA_HOME/bin:$PATH"
			return 0
		fi
	done
	echo "error: no Java 25 JDK found in JAVA_HOME (${JAVA_HOME:-unset}) or /usr/lib/jvm/temurin-25*." >&2
	echo "Install one, for example Adoptium's temurin-25-jdk package, or set JAVA_HOME to a JDK 25." >&2
	return 1
}
