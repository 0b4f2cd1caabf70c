// Package kvparams builds the request parameter structs of the v4 SDK so
// that feature packages never spell out param.Field wrappers themselves.
package kvparams

import (
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
)

type Write struct {
	Body []byte
	// TTL is relative to now; zero leaves it unset.
	TTL time.Duration
	// At is an absolute expiry; the zero time leaves it unset.
	At       time.Time
	Metadata any
}

func Value(accountID string, w Write) kv.NamespaceValueUpdateParams {
	p := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(accountID),
		Value:     cloudflare.F(string(w.Body)),
	}
	if w.TTL > 0 {
		p.ExpirationTTL = cloudflare.F(w.TTL.Seconds())
	}
	if !w.At.IsZero() {
		p.Expiration = cloudflare.F(float64(w.At.Unix()))
	}
	if w.Metadata != nil {
		p.Metadata = cloudflare.F[any](w.Metadata)
	}
	return p
}

func Expiring(accountID string, body []byte, ttl time.Duration) kv.NamespaceValueUpdateParams {
	return Value(accountID, Write{Body: body, TTL: ttl})
}

func Get(accountID string) kv.NamespaceValueGetParams {
	return kv.NamespaceValueGetParams{AccountID: cloudflare.F(accountID)}
}

func Delete(accountID string) kv.NamespaceValueDeleteParams {
	return kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(accountID)}
}

func Keys(accountID, prefix, cursor string, limit int) kv.NamespaceKeyListParams {
	p := kv.NamespaceKeyListParams{AccountID: cloudflare.F(accountID)}
	if prefix != "" {
		p.Prefix = cloudflare.F(prefix)
	}
	if cursor != "" {
		p.Cursor = cloudflare.F(cursor)
	}
	if limit > 0 {
		p.Limit = cloudflare.F(float64(limit))
	}
	return p
}

func BulkGet(accountID string, keys []string, withMetadata bool) kv.NamespaceBulkGetParams {
	return kv.NamespaceBulkGetParams{
		AccountID:    cloudflare.F(accountID),
		Keys:         cloudflare.F(keys),
		Type:         cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		WithMetadata: cloudflare.F(withMetadata),
	}
}
