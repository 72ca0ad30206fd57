# ci/opensearch-install.sh installs what an OpenSearch node needs: tools,
# a fitting Java, the unprivileged user, and the distribution with its
# modules. It is sourced by ci/opensearch.sh, whose helpers (log, die,
# is_root, node_pid) and settings (CACHE, CLEANUP, OS_USER) it uses.
# shellcheck shell=bash

MAVEN_DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
APT_UPDATED=0

# apt_install installs Debian packages, running `apt-get update` only when a
# first attempt fails (a fresh machine may have no package lists).
apt_install() {
	is_root && command -v apt-get >/dev/null 2>&1 || return 1
	log "installing $* with apt-get"
	if DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2; then
		return 0
	fi
	[ "$APT_UPDATED" = 0 ] || return 1
	APT_UPDATED=1
	apt-get update -q >&2 || return 1
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2
}

ensure_cmd() {
	local cmd=$1 pkg=$2
	command -v "$cmd" >/dev/null 2>&1 && return 0
	apt_install "$pkg" || die "'$cmd' is missing and installing package '$pkg' failed"
	command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' still missing after installing '$pkg'"
}

# ensure_user creates the system user the node runs as when we are root
# (OpenSearch refuses to run as root).
ensure_user() {
	is_root || return 0
	id -u "$OS_USER" >/dev/null 2>&1 && return 0
	ensure_cmd useradd passwd
	log "creating system user $OS_USER"
	useradd --system --user-group --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin "$OS_USER" >&2 ||
		id -u "$OS_USER" >/dev/null 2>&1 || die "could not create user $OS_USER"
}

# java_major prints the feature version (17, 21, 25) of the Java home $1.
java_major() {
	local v=
	if [ -r "$1/release" ]; then
		v=$(sed -n 's/^JAVA_VERSION="\(.*\)"$/\1/p' "$1/release")
	fi
	if [ -z "$v" ] && [ -x "$1/bin/java" ]; then
		v=$("$1/bin/java" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n1)
	fi
	[ -n "$v" ] || return 1
	v=${v#1.}
	printf '%s\n' "${v%%[.+-]*}"
}

# find_java prints a Java home whose version lies in [$1, $2].
find_java() {
	local lo=$1 hi=$2 home major java
	local candidates=("${OPENSEARCH_JAVA_HOME:-}" "${JAVA_HOME:-}")
	if java=$(command -v java 2>/dev/null); then
		candidates+=("$(dirname "$(dirname "$(readlink -f "$java")")")")
	fi
	candidates+=(/usr/lib/jvm/*/)
	for home in "${candidates[@]}"; do
		home=${home%/}
		if [ -z "$home" ] || [ ! -x "$home/bin/java" ]; then continue; fi
		major=$(java_major "$home") || continue
		if [ "$major" -ge "$lo" ] && [ "$major" -le "$hi" ]; then
			printf '%s\n' "$home"
			return 0
		fi
	done
	return 1
}

# pick_java prints a Java home for OpenSearch $1: 2.x runs on 11-23 (it
# needs the Security Manager, gone in 24); 3.x needs 21 or newer.
pick_java() {
	local lo=11 hi=23 pkgs=(openjdk-17-jre-headless) pkg home
	if [ "${1%%.*}" -ge 3 ]; then
		lo=21 hi=999 pkgs=(openjdk-21-jre-headless openjdk-25-jre-headless)
	fi
	home=$(find_java "$lo" "$hi") && { printf '%s\n' "$home"; return 0; }
	for pkg in "${pkgs[@]}"; do
		if apt_install "$pkg"; then
			home=$(find_java "$lo" "$hi") && { printf '%s\n' "$home"; return 0; }
		fi
	done
	die "OpenSearch $1 needs Java $lo-$hi: none found; set OPENSEARCH_JAVA_HOME"
}

# The 2.x integ-test-zip carries only the transport-netty4 module, so a 2.x
# node would lack _delete_by_query, _update_by_query, _reindex, painless
# scripts, the common analyzers and scaled_float & co. fetch adds these
# modules from their Maven Central jars. Per module: Maven artifact, plugin
# class (2.x names), plugins it extends.
MODULES_2X=(
	"reindex reindex-client org.opensearch.index.reindex.ReindexPlugin -"
	"lang-painless lang-painless org.opensearch.painless.PainlessPlugin -"
	"analysis-common analysis-common org.opensearch.analysis.common.CommonAnalysisPlugin lang-painless"
	"mapper-extras mapper-extras-client org.opensearch.index.mapper.MapperExtrasPlugin -"
)

# wanted_modules prints the modules fetch adds to OpenSearch $1 (none for 3.x,
# whose zip has them all); OSPROXY_OPENSEARCH_MODULES=none turns this off.
wanted_modules() {
	local row names=()
	[ "${1%%.*}" = 2 ] && [ "${OSPROXY_OPENSEARCH_MODULES:-}" != none ] || return 0
	for row in "${MODULES_2X[@]}"; do names+=("${row%% *}"); done
	printf '%s\n' "${names[*]}"
}

# module_policy prints the security policy of module $1 (2.x runs under the
# Java Security Manager), as in the full distribution.
module_policy() {
	case $1 in
	reindex)
		cat <<-'EOF'
			grant {
			  permission java.net.SocketPermission "*", "connect";
			};
			grant codeBase "${codebase.opensearch-rest-client}" {
			  permission java.net.NetPermission "getProxySelector";
			};
			grant codeBase "${codebase.httpasyncclient}" {
			  permission java.net.NetPermission "getProxySelector";
			};
		EOF
		;;
	lang-painless)
		cat <<-'EOF'
			grant {
			  permission java.lang.RuntimePermission "createClassLoader";
			  permission java.lang.RuntimePermission "getClassLoader";
			};
		EOF
		;;
	esac
}

# add_modules resolves the modules missing from distribution $2 (version $1)
# with one mvn reactor build in $3, then copies each module's jars that lib/
# lacks (same artifact name) next to a generated plugin descriptor.
add_modules() {
	local v=$1 dir=$2 work=$3 row m artifact class extends jar stem
	local -a rows=()
	for row in "${MODULES_2X[@]}"; do
		[ -d "$dir/modules/${row%% *}" ] || rows+=("$row")
	done
	[ ${#rows[@]} -gt 0 ] || return 0
	mkdir -p "$work"
	{
		echo '<project><modelVersion>4.0.0</modelVersion><groupId>osproxy.ci</groupId>'
		echo '<artifactId>modules</artifactId><version>1</version><packaging>pom</packaging><modules>'
		for row in "${rows[@]}"; do echo "<module>${row%% *}</module>"; done
		echo '</modules></project>'
	} >"$work/pom.xml"
	for row in "${rows[@]}"; do
		read -r m artifact class extends <<<"$row"
		mkdir -p "$work/$m"
		cat >"$work/$m/pom.xml" <<-EOF
			<project><modelVersion>4.0.0</modelVersion><groupId>osproxy.ci</groupId>
			<artifactId>$m</artifactId><version>1</version><packaging>pom</packaging>
			<dependencies><dependency><groupId>org.opensearch.plugin</groupId>
			<artifactId>$artifact</artifactId><version>$v</version></dependency></dependencies></project>
		EOF
	done
	log "adding modules ${rows[*]%% *} from Maven Central"
	if ! (cd "$work" && mvn -B -q -C "$MAVEN_DEPENDENCY_PLUGIN:copy-dependencies" \
		-DincludeScope=runtime -DoutputDirectory=jars) >"$work/mvn.log" 2>&1; then
		cat "$work/mvn.log" >&2
		die "mvn could not resolve the OpenSearch $v modules"
	fi
	for row in "${rows[@]}"; do
		read -r m artifact class extends <<<"$row"
		unzip -qql "$work/$m/jars/$artifact-$v.jar" "${class//.//}.class" >/dev/null 2>&1 ||
			die "$artifact-$v.jar has no $class"
		mkdir -p "$dir/modules/$m"
		for jar in "$work/$m/jars"/*.jar; do
			stem=$(basename "$jar")
			stem=${stem%%-[0-9]*}
			compgen -G "$dir/lib/$stem-[0-9]*.jar" >/dev/null || cp "$jar" "$dir/modules/$m/"
		done
		printf '%s\n' "description=$m module, assembled by ci/opensearch.sh" "version=$v" "name=$m" \
			"classname=$class" "java.version=11" "opensearch.version=$v" "custom.foldername=" \
			"extended.plugins=${extends#-}" "has.native.controller=false" \
			>"$dir/modules/$m/plugin-descriptor.properties"
		module_policy "$m" >"$dir/modules/$m/plugin-security.policy"
		[ -s "$dir/modules/$m/plugin-security.policy" ] || rm "$dir/modules/$m/plugin-security.policy"
	done
}

# fetch downloads and unpacks OpenSearch $1 into $CACHE/$1 unless a complete
# copy is there. A lock makes concurrent fetches of one version safe.
fetch() {
	local v=$1 dir=$CACHE/$1 tmp zip started modules run
	modules="modules=$(wanted_modules "$v")"
	grep -qxF -- "$modules" "$dir/.complete" 2>/dev/null && return 0
	exec 9>"$CACHE/.fetch-$v.lock"
	flock 9
	if ! grep -qxF -- "$modules" "$dir/.complete" 2>/dev/null; then
		ensure_cmd java default-jre-headless
		ensure_cmd mvn maven
		ensure_cmd unzip unzip
		started=$(now_ms)
		tmp=$(mktemp -d "$CACHE/.fetch-$v.XXXXXX")
		CLEANUP+=("$tmp")
		log "fetching org.opensearch.distribution.integ-test-zip:opensearch:$v:zip with mvn"
		if ! (cd "$tmp" && mvn -B -q -C "$MAVEN_DEPENDENCY_PLUGIN:copy" \
			"-Dartifact=org.opensearch.distribution.integ-test-zip:opensearch:$v:zip" \
			"-DoutputDirectory=$tmp/download") >"$tmp/mvn.log" 2>&1; then
			cat "$tmp/mvn.log" >&2
			die "mvn could not fetch OpenSearch $v (is that version's integ-test-zip served?)"
		fi
		zip=$tmp/download/opensearch-$v.zip
		log "got $(basename "$zip"): $(stat -c %s "$zip") bytes in $(seconds_since "$started") s; unpacking"
		unzip -q "$zip" -d "$tmp/unpacked" >&2
		[ -x "$tmp/unpacked/opensearch-$v/bin/opensearch" ] || die "$zip has no opensearch-$v/bin/opensearch"
		[ -z "${modules#modules=}" ] || add_modules "$v" "$tmp/unpacked/opensearch-$v" "$tmp/modules"
		for run in "$CACHE/run-$v"-*; do
			! node_pid "$run" >/dev/null || die "a node runs from $dir: stop it before re-fetching"
		done
		rm -rf "$dir"
		mv "$tmp/unpacked/opensearch-$v" "$dir"
		# Readable by the node user, writable by nobody but the owner.
		chmod -R a+rX,go-w "$dir"
		printf 'version=%s\nzip_bytes=%s\n%s\n' "$v" "$(stat -c %s "$zip")" "$modules" >"$dir/.complete"
		log "OpenSearch $v ready in $dir ($(seconds_since "$started") s)"
	fi
	exec 9>&-
}
