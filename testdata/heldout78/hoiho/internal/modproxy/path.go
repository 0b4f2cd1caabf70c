// Package modproxy serves the GOPROXY protocol for modules published to the
// registry and caches public modules fetched from an upstream proxy.
package modproxy

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind is the endpoint a GOPROXY request addresses.
type Kind int

const (
	KindList Kind = iota
	KindInfo
	KindMod
	KindZip
	KindLatest
)

func (k Kind) String() string {
	switch k {
	case KindList:
		return "list"
	case KindInfo:
		return "info"
	case KindMod:
		return "mod"
	case KindZip:
		return "zip"
	case KindLatest:
		return "latest"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// CacheLifetime is how long a response for this endpoint may be reused.
// Versioned artifacts are immutable; the version list and @latest move.
func (k Kind) CacheLifetime() time.Duration {
	switch k {
	case KindInfo, KindMod, KindZip:
		return 7 * 24 * time.Hour
	case KindList:
		return 5 * time.Minute
	case KindLatest:
		return 30 * time.Second
	}
	return time.Minute
}

// Request is a parsed GOPROXY request path.
type Request struct {
	Module  string // decoded module path, e.g. github.com/Azure/azure-sdk
	Escaped string // module path as it appeared on the wire
	Version string // empty for list and latest
	Kind    Kind
}

var errBadPath = errors.New("modproxy: malformed request path")

// ParseRequest splits a GOPROXY path such as
// /github.com/!azure/go-autorest/@v/v1.2.3.info into its parts.
func ParseRequest(p string) (Request, error) {
	p = strings.TrimPrefix(p, "/")
	if esc, ok := strings.CutSuffix(p, "/@latest"); ok {
		mod, err := unescapePath(esc)
		if err != nil {
			return Request{}, err
		}
		return Request{Module: mod, Escaped: esc, Kind: KindLatest}, nil
	}
	esc, rest, ok := strings.Cut(p, "/@v/")
	if !ok || esc == "" || rest == "" {
		return Request{}, errBadPath
	}
	mod, err := unescapePath(esc)
	if err != nil {
		return Request{}, err
	}
	req := Request{Module: mod, Escaped: esc}
	if rest == "list" {
		req.Kind = KindList
		return req, nil
	}
	dot := strings.LastIndexByte(rest, '.')
	if dot <= 0 {
		return Request{}, errBadPath
	}
	ver, ext := rest[:dot], rest[dot+1:]
	switch ext {
	case "info":
		req.Kind = KindInfo
	case "mod":
		req.Kind = KindMod
	case "zip":
		req.Kind = KindZip
	default:
		return Request{}, errBadPath
	}
	if req.Version, err = unescapePath(ver); err != nil {
		return Request{}, err
	}
	if !strings.HasPrefix(req.Version, "v") {
		return Request{}, errBadPath
	}
	return req, nil
}

// unescapePath reverses the module proxy case encoding: "!x" is "X".
func unescapePath(esc string) (string, error) {
	var b strings.Builder
	b.Grow(len(esc))
	bang := false
	for _, r := range esc {
		if r >= utf8.RuneSelf {
			return "", errBadPath
		}
		switch {
		case bang:
			if r < 'a' || r > 'z' {
				return "", errBadPath
			}
			b.WriteRune(r - 'a' + 'A')
			bang = false
		case r == '!':
			bang = true
		case r >= 'A' && r <= 'Z':
			return "", errBadPath
		default:
			b.WriteRune(r)
		}
	}
	if bang {
		return "", errBadPath
	}
	return b.String(), nil
}

// EscapePath applies the module proxy case encoding.
func EscapePath(mod string) string {
	var b strings.Builder
	for _, r := range mod {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('!')
			b.WriteRune(r + 'a' - 'A')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Keys used by the proxy. Module paths are stored escaped so that keys are
// case-insensitive-safe and stay printable.
func infoKey(esc, ver string) string      { return "gomod:info:" + esc + "@" + ver }
func modFileKey(esc, ver string) string   { return "gomod:mod:" + esc + "@" + ver }
func zipRefKey(esc, ver string) string    { return "gomod:zip:" + esc + "@" + ver }
func versionsKey(esc string) string       { return "gomod:versions:" + esc }
func latestKey(esc string) string         { return "gomod:latest:" + esc }
func ownerKey(esc string) string          { return "gomod:owner:" + esc }
func withdrawnKey(esc, ver string) string { return "gomod:withdrawn:" + esc + "@" + ver }
