// Package keys defines the KV key layout of sundial. Every key the Worker
// writes is produced here, so the layout can be read in one place.
package keys

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// MaxLen is the largest key, in bytes, that KV accepts.
const MaxLen = 512

// ErrInvalid reports a key KV would reject.
var ErrInvalid = errors.New("keys: invalid key")

// Key is a fully qualified KV key.
type Key string

// String implements fmt.Stringer.
func (k Key) String() string { return string(k) }

// MarshalText implements encoding.TextMarshaler and validates the key.
func (k Key) MarshalText() ([]byte, error) {
	if err := k.Validate(); err != nil {
		return nil, err
	}
	return []byte(k), nil
}

// Validate reports whether KV would accept k.
func (k Key) Validate() error {
	switch {
	case k == "" || k == "." || k == "..":
		return fmt.Errorf("%w: %q", ErrInvalid, string(k))
	case len(k) > MaxLen:
		return fmt.Errorf("%w: %d bytes", ErrInvalid, len(k))
	}
	return nil
}

// Prefixes of the key families.
const (
	PrefixVenue     = "venue:"
	PrefixSlug      = "venue-slug:"
	PrefixEvent     = "event:"
	PrefixSchedule  = "schedule:"
	PrefixHold      = "hold:"
	PrefixInventory = "inventory:"
	PrefixOrder     = "order:"
	PrefixWebhook   = "webhook:"
	PrefixSession   = "session:"
	PrefixVerify    = "verify:"
	PrefixRecovery  = "recovery:"
	PrefixWishlist  = "wishlist:"
	PrefixViews     = "views:"
	PrefixLikes     = "likes:"
	PrefixQuota     = "quota:"
	PrefixAttempts  = "attempts:"
	PrefixRevoked   = "revoked:"
)

// Template is a key pattern with {name} placeholders.
type Template string

// Expand substitutes pairs of placeholder names and values.
func (t Template) Expand(pairs ...string) Key {
	args := make([]string, 0, len(pairs))
	for i := 0; i+1 < len(pairs); i += 2 {
		args = append(args, "{"+pairs[i]+"}", escaper.Replace(pairs[i+1]))
	}
	return Key(strings.NewReplacer(args...).Replace(string(t)))
}

// Templates of composite keys.
const (
	QuotaTemplate    Template = PrefixQuota + "{tenant}:{period}"
	ScheduleTemplate Template = PrefixSchedule + "{day}"
	WebhookTemplate  Template = PrefixWebhook + "{provider}:{id}"
)

var escaper = strings.NewReplacer(":", "%3A", "/", "%2F")

// Single-record keys.
func Venue(slug string) Key        { return Key(PrefixVenue + escaper.Replace(slug)) }
func Slug(slug string) Key         { return Key(PrefixSlug + escaper.Replace(slug)) }
func Event(id string) Key          { return Key(PrefixEvent + id) }
func Hold(id string) Key           { return Key(PrefixHold + id) }
func Inventory(eventID string) Key { return Key(PrefixInventory + eventID) }
func Order(id string) Key          { return Key(PrefixOrder + id) }
func Session(id string) Key        { return Key(PrefixSession + id) }
func Recovery(orgID string) Key    { return Key(PrefixRecovery + orgID) }
func Wishlist(buyerID string) Key  { return Key(PrefixWishlist + buyerID) }
func Views(eventID string) Key     { return Key(PrefixViews + eventID) }
func Likes(eventID string) Key     { return Key(PrefixLikes + eventID) }
func Revoked(tokenID string) Key   { return Key(PrefixRevoked + tokenID) }

// Schedule is the key prefix of events due for publication on day.
func Schedule(day time.Time) Key {
	return ScheduleTemplate.Expand("day", day.UTC().Format(time.DateOnly))
}

// Webhook is the idempotency key of a provider webhook delivery.
func Webhook(provider, id string) Key {
	return WebhookTemplate.Expand("provider", provider, "id", id)
}

// Quota is the key of a tenant's usage in a billing period.
func Quota(tenant string, period time.Time) Key {
	return QuotaTemplate.Expand("tenant", tenant, "period", period.UTC().Format("2006-01"))
}

// Verify is the key of a pending email verification; the address is hashed.
func Verify(email string) Key { return Key(PrefixVerify + Hash(strings.ToLower(email))) }

// LoginAttempts is the key of the failed-login tally for an email.
func LoginAttempts(email string) Key {
	return Key(PrefixAttempts + "login:" + Hash(strings.ToLower(email)))
}

// Hash returns a hex SHA-256 of s, used to keep personal data out of keys.
func Hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
