# ci/opensearch-secured.sh adds the secured variant to ci/opensearch.sh:
# Maven Central's opensearch-security plugin (whose version must match the
# node's exactly) installed into a copy of the distribution, TLS on HTTP and
# transport with certificates generated here with openssl, and two internal
# users: `admin` (all access, for test set-up) and `osproxy`, which may only
# do what the proxy does on the shared indices `osproxy-*`.
#
# Everything generated lives in $CACHE/secured/ (outside the clone, mode
# 0700), made once and reused: ca.pem (the node's CA), other-ca.pem (a CA that
# signed nothing the node uses), node.pem, admin.password, osproxy.password,
# osproxy-client.pem/-key.pem (CN=osproxy, for client-certificate auth),
# expired-client.pem/-key.pem (CN=osproxy, expired), admin.curlrc.
# It is sourced by ci/opensearch.sh, whose helpers and settings it uses.
# shellcheck shell=bash

SECURITY_GROUP=org.opensearch.plugin
SECURED_SUBJECT_O=osproxy-ci

# secured_dir prints the directory of the generated certificates and passwords.
secured_dir() { printf '%s\n' "$CACHE/secured"; }

# secured_fetch makes $CACHE/$1-secured: the distribution of $1 with the
# security plugin installed, once.
secured_fetch() {
	local v=$1 dir=$CACHE/$1-secured tmp java_home
	[ -f "$dir/.complete" ] && return 0
	exec 9>"$CACHE/.fetch-$v-secured.lock"
	flock 9
	if [ ! -f "$dir/.complete" ]; then
		tmp=$(mktemp -d "$CACHE/.fetch-$v-secured.XXXXXX")
		CLEANUP+=("$tmp")
		log "fetching $SECURITY_GROUP:opensearch-security:$v.0:zip with mvn"
		if ! (cd "$tmp" && mvn -B -q -C "$MAVEN_DEPENDENCY_PLUGIN:copy" \
			"-Dartifact=$SECURITY_GROUP:opensearch-security:$v.0:zip" "-DoutputDirectory=$tmp/download") >"$tmp/mvn.log" 2>&1; then
			cat "$tmp/mvn.log" >&2
			die "mvn could not fetch the security plugin $v.0 (it must match the node's version exactly)"
		fi
		cp -R "$CACHE/$v" "$tmp/dist"
		java_home=$(pick_java "$v")
		log "installing the security plugin into a copy of OpenSearch $v"
		env -i PATH="$NODE_PATH" JAVA_HOME="$java_home" OPENSEARCH_JAVA_HOME="$java_home" \
			OPENSEARCH_PATH_CONF="$tmp/dist/config" \
			"$tmp/dist/bin/opensearch-plugin" install --batch "file://$tmp/download/opensearch-security-$v.0.zip" >&2 ||
			die "installing the security plugin failed"
		rm -rf "$dir"
		mv "$tmp/dist" "$dir"
		chmod -R a+rX,go-w "$dir"
		printf 'version=%s\nsecurity=%s.0\n' "$v" "$v" >"$dir/.complete"
	fi
	exec 9>&-
}

# secured_certs generates the CA, certificates and passwords once (openssl).
secured_certs() {
	local d tmp java_home=$2
	d=$(secured_dir)
	[ -f "$d/.complete" ] && return 0
	exec 9>"$CACHE/.secured-certs.lock"
	flock 9
	[ -f "$d/.complete" ] && { exec 9>&-; return 0; }
	ensure_cmd openssl openssl
	log "generating certificates and passwords in $d"
	rm -rf "$d" && mkdir -p "$d" && chmod 700 "$d"
	tmp=$d/.work && mkdir -p "$tmp"
	(
		cd "$d"
		new_ca() { openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.pem" -days 3650 \
			-subj "/O=$SECURED_SUBJECT_O/CN=$2" -addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null; }
		new_csr() { openssl req -newkey rsa:2048 -nodes -keyout "$1-key.pem" -out "$tmp/$1.csr" \
			-subj "/O=$SECURED_SUBJECT_O/CN=$2" 2>/dev/null; }
		new_ca ca osproxy-ci-root
		new_ca other-ca osproxy-ci-stranger
		printf '%s\n' 'subjectAltName=IP:127.0.0.1,DNS:localhost' 'extendedKeyUsage=serverAuth,clientAuth' \
			'keyUsage=critical,digitalSignature,keyEncipherment' >"$tmp/node.ext"
		printf '%s\n' 'extendedKeyUsage=clientAuth' 'keyUsage=critical,digitalSignature,keyEncipherment' >"$tmp/client.ext"
		for leaf in node:node:node admin:admin:client osproxy-client:osproxy:client; do
			IFS=: read -r file cn ext <<<"$leaf"
			new_csr "$file" "$cn"
			openssl x509 -req -in "$tmp/$file.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
				-sha256 -extfile "$tmp/$ext.ext" -out "$file.pem" 2>/dev/null
		done
		# openssl x509 cannot backdate; openssl ca can.
		new_csr expired-client osproxy
		: >"$tmp/index.txt" && echo 1000 >"$tmp/serial"
		printf '%s\n' '[ca]' 'default_ca=ci' '[ci]' "database=$tmp/index.txt" "new_certs_dir=$tmp" \
			"serial=$tmp/serial" 'default_md=sha256' 'policy=any' '[any]' 'commonName=supplied' \
			'organizationName=optional' '[ext]' 'extendedKeyUsage=clientAuth' >"$tmp/ca.cnf"
		openssl ca -batch -config "$tmp/ca.cnf" -cert ca.pem -keyfile ca.key -notext -extensions ext \
			-startdate 20200101000000Z -enddate 20200102000000Z -in "$tmp/expired-client.csr" \
			-out expired-client.pem 2>/dev/null
		openssl rand -hex 16 >admin.password
		openssl rand -hex 16 >osproxy.password
		printf 'user = "admin:%s"\ncacert = "%s"\n' "$(cat admin.password)" "$d/ca.pem" >admin.curlrc
	) || die "generating certificates failed"
	secured_hash "$d" "$java_home" admin || die "hashing the admin password failed"
	secured_hash "$d" "$java_home" osproxy || die "hashing the osproxy password failed"
	rm -rf "$tmp"
	touch "$d/.complete"
	exec 9>&-
}

# secured_hash writes $3.hash: the bcrypt hash of $3.password, with the
# plugin's own tool (the node accepts what it makes).
secured_hash() {
	local d=$1 java_home=$2 user=$3 dist
	dist=$CACHE/${OPENSEARCH_VERSION_SECURED}-secured
	env -i PATH="$NODE_PATH" JAVA_HOME="$java_home" OPENSEARCH_JAVA_HOME="$java_home" \
		bash "$dist/plugins/opensearch-security/tools/hash.sh" -p "$(cat "$d/$user.password")" 2>/dev/null |
		grep '^\$2' >"$d/$user.hash" && [ -s "$d/$user.hash" ]
}

# secured_configure adds TLS and the security configuration to run dir $1.
secured_configure() {
	local run=$1 d sec
	d=$(secured_dir)
	sec=$run/config/opensearch-security
	mkdir -p "$run/config/osproxy-certs"
	cp "$d/ca.pem" "$d/node.pem" "$d/node-key.pem" "$run/config/osproxy-certs/"
	cat >>"$run/config/opensearch.yml" <<-EOF2
		plugins.security.ssl.transport.pemcert_filepath: osproxy-certs/node.pem
		plugins.security.ssl.transport.pemkey_filepath: osproxy-certs/node-key.pem
		plugins.security.ssl.transport.pemtrustedcas_filepath: osproxy-certs/ca.pem
		plugins.security.ssl.transport.enforce_hostname_verification: false
		plugins.security.ssl.http.enabled: true
		plugins.security.ssl.http.pemcert_filepath: osproxy-certs/node.pem
		plugins.security.ssl.http.pemkey_filepath: osproxy-certs/node-key.pem
		plugins.security.ssl.http.pemtrustedcas_filepath: osproxy-certs/ca.pem
		plugins.security.ssl.http.clientauth_mode: OPTIONAL
		plugins.security.allow_default_init_securityindex: true
		plugins.security.authcz.admin_dn: ["CN=admin,O=$SECURED_SUBJECT_O"]
		plugins.security.nodes_dn: ["CN=node,O=$SECURED_SUBJECT_O"]
		plugins.security.restapi.roles_enabled: ["all_access"]
	EOF2
	# A client certificate of the CA authenticates by its CN; otherwise basic auth.
	cat >"$sec/config.yml" <<-'EOF2'
		_meta: {type: "config", config_version: 2}
		config:
		  dynamic:
		    http: {anonymous_auth_enabled: false}
		    authc:
		      clientcert_auth_domain:
		        http_enabled: true
		        transport_enabled: false
		        order: 0
		        http_authenticator: {type: clientcert, config: {username_attribute: cn}, challenge: false}
		        authentication_backend: {type: noop}
		      basic_internal_auth_domain:
		        http_enabled: true
		        transport_enabled: true
		        order: 1
		        http_authenticator: {type: basic, challenge: true}
		        authentication_backend: {type: intern}
	EOF2
	cat >"$sec/internal_users.yml" <<-EOF2
		_meta: {type: "internalusers", config_version: 2}
		admin: {hash: "$(cat "$d/admin.hash")", reserved: true, backend_roles: ["admin"]}
		osproxy: {hash: "$(cat "$d/osproxy.hash")", reserved: false}
	EOF2
	# The proxy's rights: the cluster's version (GET /), and reading and
	# writing documents of the shared indices (a logical index's deletion is a
	# delete-by-query; its creation compares mappings; _refresh is served).
	# No creation, deletion or settings of an index.
	cat >"$sec/roles.yml" <<-'EOF2'
		_meta: {type: "roles", config_version: 2}
		osproxy_tenancy:
		  cluster_permissions: ["cluster:monitor/main", "indices:data/write/bulk", "indices:data/read/mget", "indices:data/read/msearch",
		    "indices:data/read/scroll", "indices:data/read/scroll/clear"]
		  index_permissions:
		    - index_patterns: ["osproxy-*"]
		      allowed_actions: ["indices:data/read/search*", "indices:data/read/get", "indices:data/read/mget*",
		        "indices:data/read/msearch*", "indices:data/write/index", "indices:data/write/delete",
		        "indices:data/write/update", "indices:data/write/delete/byquery", "indices:data/write/bulk*",
		        "indices:admin/mapping/put", "indices:admin/mapping/auto_put", "indices:admin/mappings/get",
		        "indices:admin/refresh*"]
	EOF2
	cat >"$sec/roles_mapping.yml" <<-'EOF2'
		_meta: {type: "rolesmapping", config_version: 2}
		all_access: {reserved: false, backend_roles: ["admin"]}
		osproxy_tenancy: {reserved: false, users: ["osproxy"]}
	EOF2
}
