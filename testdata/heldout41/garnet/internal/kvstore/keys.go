package kvstore

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// KeyScheme turns user-supplied identifiers (e-mail addresses, IPs, external
// references) into key segments.
type KeyScheme interface {
	Segment(kind, raw string) string
}

// HashedKeys hashes the raw identifier so no personal data appears in key
// names and long inputs cannot exceed the key size limit.
type HashedKeys struct{ Salt string }

func (h HashedKeys) Segment(kind, raw string) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s|%s|%s", h.Salt, kind, strings.ToLower(raw)))
	return kind + ":" + hex.EncodeToString(sum[:16])
}

// PlainKeys keeps identifiers readable; used in the sandbox.
type PlainKeys struct{}

func (PlainKeys) Segment(kind, raw string) string { return kind + ":" + strings.ToLower(raw) }

// SchemeFor picks the key scheme for a configuration mode.
func SchemeFor(mode, salt string) KeyScheme {
	switch mode {
	case "sandbox":
		return PlainKeys{}
	default:
		return &HashedKeys{Salt: salt}
	}
}
