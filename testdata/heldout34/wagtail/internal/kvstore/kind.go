package kvstore

import "time"

// Kind identifies a family of records kept in KV. Its prefix is the first
// segment of every key of that kind and its TTL is the default lifetime
// (zero means the record does not expire).
type Kind int

const (
	KindAPIKey Kind = iota
	KindTenant
	KindTenantSlug
	KindSubscription
	KindTagIndex
	KindDelivery
	KindDeliveryLog
	KindIdempotency
	KindOAuthState
	KindOAuthConn
	KindSession
	KindProbe
	KindLock
)

func (k Kind) String() string {
	switch k {
	case KindAPIKey:
		return "api key"
	case KindSubscription:
		return "subscription"
	case KindDelivery, KindDeliveryLog:
		return "delivery"
	case KindOAuthState, KindOAuthConn:
		return "oauth"
	case KindSession:
		return "session"
	}
	return "record"
}

// Prefix is the first key segment for records of this kind.
func (k Kind) Prefix() string {
	switch k {
	case KindAPIKey:
		return "ak"
	case KindTenant:
		return "tn"
	case KindTenantSlug:
		return "slug"
	case KindSubscription:
		return "sub"
	case KindTagIndex:
		return "tagidx"
	case KindDelivery:
		return "dlv"
	case KindDeliveryLog:
		return "dlog"
	case KindIdempotency:
		return "idem"
	case KindOAuthState:
		return "oauth-state"
	case KindOAuthConn:
		return "oauth-token"
	case KindSession:
		return "sess"
	case KindProbe:
		return "probe"
	case KindLock:
		return "lock"
	}
	return "misc"
}

// TTL is the default lifetime of a record of this kind.
func (k Kind) TTL() time.Duration {
	switch k {
	case KindDelivery:
		return 72 * time.Hour
	case KindDeliveryLog:
		return 14 * 24 * time.Hour
	case KindIdempotency:
		return 24 * time.Hour
	case KindOAuthState:
		return 10 * time.Minute
	case KindSession:
		return 12 * time.Hour
	case KindProbe:
		return 20 * time.Second
	case KindLock:
		return 5 * time.Minute
	}
	return 0
}

// Key builds a key of this kind from its parts.
func (k Kind) Key(parts ...string) string {
	return Key(append([]string{k.Prefix()}, parts...)...)
}
