#!/usr/bin/env bash
# Throwaway signing keys for trying examples/12-signing, in a new temporary directory that
# nothing commits. Prints the variables matrix.toml names; use it as
#   eval "$(examples/12-signing/make-keys.sh)"
# Needs openssl, minisign (apt-get install minisign) and gpg. Never use these keys for a
# release: the passwords are in this script.
set -euo pipefail
dir="$(mktemp -d "${TMPDIR:-/tmp}/crosscheck-keys.XXXXXX")"
cd "$dir"

# A self-signed code-signing certificate in a PKCS#12 file. 3DES rather than openssl 3's
# AES default, because rcodesign reads only the former.
openssl req -x509 -newkey rsa:2048 -keyout key.pem -out cert.pem -days 30 -nodes \
  -subj "/CN=crosscheck example signer" -addext extendedKeyUsage=codeSigning 2> /dev/null
openssl pkcs12 -export -out code.p12 -inkey key.pem -in cert.pem -passout pass:example-p12 \
  -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1
rm key.pem

# A minisign key pair with a password (read twice from stdin).
printf 'example-minisign\nexample-minisign\n' | minisign -G -f -p minisign.pub -s minisign.key > /dev/null 2>&1

# A gpg key without a passphrase in a home of its own.
mkdir -m 700 gnupg
GNUPGHOME="$dir/gnupg" gpg --batch --quiet --passphrase '' \
  --quick-gen-key 'crosscheck example <release@example.com>' ed25519 sign never 2> /dev/null

cat << VARS
export CODESIGN_P12='$dir/code.p12'
export CODESIGN_P12_PASSWORD='example-p12'
export MINISIGN_KEY_FILE='$dir/minisign.key'
export MINISIGN_PASSWORD='example-minisign'
export GNUPGHOME='$dir/gnupg'
# verify with: osslsigncode verify -CAfile '$dir/cert.pem' -in dist/signed_windows_amd64.exe
#              minisign -Vm dist/SHA256SUMS -p '$dir/minisign.pub'
#              gpg --verify dist/SHA256SUMS.asc dist/SHA256SUMS
VARS
