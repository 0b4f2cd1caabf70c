// Package keys defines Wren's KV key layout and record lifetimes:
// <tenant>/<kind prefix>/<id>[/<sub>].
package keys

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"
)

// Seconds is a whole number of seconds, the unit KV uses for lifetimes.
type Seconds int64

// Duration converts s to a time.Duration.
func (s Seconds) Duration() time.Duration { return time.Duration(s) * time.Second }

// Kind is the type of record stored under a key.
type Kind int

const (
	KindMenu Kind = iota
	KindTable
	KindCart
	KindOrder
	KindTicket
	KindGuestSession
	KindStaffSession
	KindOTP
	KindPairing
	KindPromo
	KindLoyalty
	KindStamp
)

var prefixes = [...]string{"menu", "table", "cart", "order", "kds", "gsess", "ssess", "otp", "pair", "promo", "loyalty", "stamps"}

// Prefix is the key segment for records of kind k.
func (k Kind) Prefix() string {
	if k < 0 || int(k) >= len(prefixes) {
		return "misc"
	}
	return prefixes[k]
}

// TTL is the default lifetime of records of kind k; zero means no expiry.
func (k Kind) TTL() time.Duration {
	switch k {
	case KindMenu:
		return 15 * time.Minute
	case KindCart:
		return 3 * time.Hour
	case KindOrder:
		return 48 * time.Hour
	case KindTicket:
		return 18 * time.Hour
	case KindGuestSession:
		return 6 * time.Hour
	case KindStaffSession:
		return 10 * time.Hour
	case KindOTP:
		return 10 * time.Minute
	case KindPairing:
		return 30 * time.Second
	case KindLoyalty, KindStamp:
		return 400 * 24 * time.Hour
	case KindTable, KindPromo:
		return 0
	}
	return time.Hour
}

// Join joins key segments with "/".
func Join(parts ...string) string { return strings.Join(parts, "/") }

// For builds the key of a record of kind k in tenant.
func For(tenant string, k Kind, id string) string { return path.Join(tenant, k.Prefix(), id) }

// Table is the key of a table's QR binding.
func Table(tenant string, table int) string {
	return fmt.Sprintf("%s/%s/%d", tenant, KindTable.Prefix(), table)
}

// Digest is a short hex digest that keeps keys short and opaque.
func Digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return fmt.Sprintf("%x", sum[:10])
}

// StaffSession builds the key of a staff session; sid may be empty to get
// the prefix of all sessions of a member.
func StaffSession(tenant, staffID, sid string) string {
	var b strings.Builder
	b.WriteString(tenant)
	b.WriteString("/ssess/")
	b.WriteString(staffID)
	b.WriteByte('/')
	b.WriteString(sid)
	return b.String()
}

// Day formats a day bucket such as 20250314.
func Day(t time.Time) string {
	t = t.UTC()
	return strconv.Itoa(t.Year()*10000 + int(t.Month())*100 + t.Day())
}

// NewID returns a random 128-bit identifier in hex.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

// Policy derives keys and lifetimes for one tenant's records.
type Policy struct{ Tenant string }

// For returns the key and the lifetime of a record of kind k.
func (p Policy) For(k Kind, id string) (string, time.Duration) {
	return For(p.Tenant, k, id), k.TTL()
}
