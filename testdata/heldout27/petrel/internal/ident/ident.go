// Package ident holds the value objects of the platform: identifiers that
// normalise themselves and know how to build their storage keys.
package ident

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrInvalid is wrapped by every parse error in this package.
var ErrInvalid = errors.New("ident: invalid value")

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

func random(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails on supported platforms
	return b
}

// Email is a trimmed, lower-case address.
type Email string

// ParseEmail normalises s and checks it has the shape of an address.
func ParseEmail(s string) (Email, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	at := strings.LastIndexByte(s, '@')
	if at < 1 || at == len(s)-1 || len(s) > 254 || strings.ContainsAny(s, " /") {
		return "", fmt.Errorf("%w: email %q", ErrInvalid, s)
	}
	return Email(s), nil
}

func (e Email) Domain() string { return string(e[strings.LastIndexByte(string(e), '@')+1:]) }

// TeamID identifies a team by its slug.
type TeamID string

// InviteKey is where the invitation of e to t is kept.
func (t TeamID) InviteKey(e Email) string {
	var b strings.Builder
	b.Grow(len("invite/") + len(t) + 1 + len(e))
	b.WriteString("invite/")
	b.WriteString(string(t))
	b.WriteByte('/')
	b.WriteString(string(e))
	return b.String()
}

func (t TeamID) InvitePrefix() string { return "invite/" + string(t) + "/" }

// RosterKey holds the member list of t.
func (t TeamID) RosterKey() string { return "team/" + string(t) + "/members" }

// KeyID identifies an API key; it is not secret.
type KeyID string

func NewKeyID() KeyID { return KeyID("key_" + strings.ToLower(b32.EncodeToString(random(10)))) }

func (k KeyID) RecordKey() string {
	var b strings.Builder
	b.WriteString("apikey/id/")
	b.WriteString(string(k))
	return b.String()
}

func TeamKeysPrefix(t TeamID) string { return "apikey/team/" + string(t) + "/" }

// Secret is the bearer value handed to a customer once.
type Secret string

// NewSecret returns a fresh secret with the public prefix.
func NewSecret() Secret { return Secret("pk_live_" + b32.EncodeToString(random(20))) }

// Hash is the hex SHA-256 of the secret; only hashes are stored.
func (s Secret) Hash() string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func (s Secret) IndexKey() string { return HashIndexKey(s.Hash()) }

func HashIndexKey(hash string) string { return "apikey/hash/" + hash }

// Hint is the part of a secret safe to show in the dashboard.
func (s Secret) Hint() string { return string(s[:min(len(s), 12)]) + "…" }

const userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"

// UserCode is the short code a person types during device login.
type UserCode [8]byte

func NewUserCode() UserCode {
	var c UserCode
	for i, b := range random(len(c)) {
		c[i] = userCodeAlphabet[int(b)%len(userCodeAlphabet)]
	}
	return c
}

// ParseUserCode accepts any case, with or without the dash.
func ParseUserCode(s string) (UserCode, error) {
	var c UserCode
	s = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), "-", ""))
	if len(s) != len(c) || strings.Trim(s, userCodeAlphabet) != "" {
		return UserCode{}, fmt.Errorf("%w: user code", ErrInvalid)
	}
	copy(c[:], s)
	return c, nil
}

func (c UserCode) Display() string { return string(c[:4]) + "-" + string(c[4:]) }

// Key maps the user code to its device code.
func (c UserCode) Key() string { return string(fmt.Appendf(nil, "device/user/%s", c[:])) }

// DeviceCode is the long secret the device polls with.
type DeviceCode [20]byte

func NewDeviceCode() (d DeviceCode) {
	copy(d[:], random(len(d)))
	return d
}

func ParseDeviceCode(s string) (d DeviceCode, err error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(d) {
		return d, fmt.Errorf("%w: device code", ErrInvalid)
	}
	copy(d[:], b)
	return d, nil
}

func (d DeviceCode) Hex() string { return hex.EncodeToString(d[:]) }

func (d DeviceCode) Key() string {
	return string(fmt.Appendf(make([]byte, 0, 64), "device/code/%x", d[:]))
}

// AttemptsKey tracks how often the device polled.
func (d DeviceCode) AttemptsKey() string {
	return string(fmt.Appendf(make([]byte, 0, 64), "device/attempts/%x", d[:]))
}

type DeployID int64

// AppendKey appends the deploy's record key to dst.
func (d DeployID) AppendKey(dst []byte) []byte {
	return strconv.AppendInt(append(dst, "deploy/"...), int64(d), 10)
}

// PreviewHost is the hostname a preview is served on.
type PreviewHost string

// NewPreviewHost builds "<branch>--<project>.<domain>" from DNS-safe labels.
func NewPreviewHost(project, branch, domain string) (PreviewHost, error) {
	label, proj := dnsLabel(branch, 40), dnsLabel(project, 20)
	if label == "" || proj == "" {
		return "", fmt.Errorf("%w: preview host for %q/%q", ErrInvalid, project, branch)
	}
	var b strings.Builder
	for _, part := range [...]string{label, "--", proj, ".", domain} {
		b.WriteString(part)
	}
	return PreviewHost(b.String()), nil
}

func dnsLabel(s string, max int) string {
	out := make([]byte, 0, len(s))
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			out = append(out, byte(r))
		case len(out) > 0 && out[len(out)-1] != '-':
			out = append(out, '-')
		}
		if len(out) == max {
			break
		}
	}
	return strings.Trim(string(out), "-")
}

func (h PreviewHost) ClaimKey() string { return "preview/host/" + string(h) }

// ViewsKey is where page views of the preview are tallied.
func (h PreviewHost) ViewsKey() string { return "preview-views/" + string(h) }

type EndpointID string

func NewEndpointID() EndpointID {
	return EndpointID("we_" + strings.ToLower(b32.EncodeToString(random(10))))
}

// SecretKey is where the endpoint's signing secret is kept.
func (e EndpointID) SecretKey() string { return "webhook/secret/" + string(e) }
