#!/usr/bin/env bash
# http_dotfiles: a name beginning with '.' is not served by default
# (http.dotfiles = deny): /.env, /.git/config, /a/.htpasswd and their
# encoded forms (/%2Eenv) are 404, like a missing file, while
# /.well-known/ (ACME challenges, security.txt) is served, though not a
# dotfile beneath it.  With http.dotfiles = allow they are all served.
set -eu
PF_TIMEOUT=60
. "$(dirname "$0")/lib.sh"

www=$PF_TMP/www
mkdir -p "$www/.git" "$www/a" "$www/.well-known/acme-challenge"
printf 'home\n' >"$www/index.html"
printf 'SECRET=1\n' >"$www/.env"
printf '[core]\n' >"$www/.git/config"
printf 'user:hash\n' >"$www/a/.htpasswd"
printf 'token\n' >"$www/.well-known/acme-challenge/tok"
printf 'hidden\n' >"$www/.well-known/.secret"

pf_write_http_conf "$PF_TMP/deny.conf" "$www" workers=1
pf_start
for p in /.env /.git/config /a/.htpasswd /%2Eenv /%2egit/config /a/%2Ehtpasswd \
	/.well-known/.secret /.git/ /.git; do
	pf_expect "deny$RANDOM" "$p" 404 --path-as-is
done
pf_expect wk /.well-known/acme-challenge/tok 200
[ "$(cat "$PF_TMP/wk.body")" = token ] || pf_fail "/.well-known/acme-challenge/tok: wrong body"
pf_expect home / 200
pf_note "deny (the default): dotfiles 404, /.well-known/ served"
pf_no_warnings "after the dotfiles"
pf_stop_ok

pf_write_http_conf "$PF_TMP/allow.conf" "$www" workers=1 http.dotfiles=allow
pf_start
pf_expect env /.env 200
[ "$(cat "$PF_TMP/env.body")" = SECRET=1 ] || pf_fail "/.env with dotfiles = allow: wrong body"
pf_expect git /.git/config 200
pf_expect secret /.well-known/.secret 200
pf_note "allow: dotfiles served"
pf_stop_ok
