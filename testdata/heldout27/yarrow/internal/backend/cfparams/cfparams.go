// Package cfparams builds the request parameters of the Cloudflare KV REST
// API, so that callers do not repeat the param.Field plumbing.
package cfparams

import (
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// MaxBulkWrite is the number of pairs the bulk write endpoint accepts.
const MaxBulkWrite = 10000

// Write builds a single-value write. A zero ttl means no expiry.
func Write(account string, value []byte, ttl time.Duration, metadata any) kv.NamespaceValueUpdateParams {
	p := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttl > 0 {
		p.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	if metadata != nil {
		p.Metadata = cloudflare.F[any](metadata)
	}
	return p
}

// WriteUntil builds a write that expires at an absolute time.
func WriteUntil(account string, value []byte, at time.Time) kv.NamespaceValueUpdateParams {
	p := Write(account, value, 0, nil)
	p.Expiration = cloudflare.F(float64(at.Unix()))
	return p
}

// Read builds a single-value read.
func Read(account string) kv.NamespaceValueGetParams {
	return kv.NamespaceValueGetParams{AccountID: cloudflare.F(account)}
}

// Remove builds a single-value delete.
func Remove(account string) kv.NamespaceValueDeleteParams {
	return kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(account)}
}

// Keys builds a key listing. A zero limit leaves the server default.
func Keys(account, prefix, cursor string, limit int) kv.NamespaceKeyListParams {
	p := kv.NamespaceKeyListParams{AccountID: cloudflare.F(account)}
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

// Entry is one pair of a bulk write.
type Entry struct {
	Key      string
	Value    string
	TTL      time.Duration
	Metadata any
}

// BulkWrite builds a bulk write of entries.
func BulkWrite(account string, entries []Entry) kv.NamespaceBulkUpdateParams {
	body := make([]kv.NamespaceBulkUpdateParamsBody, len(entries))
	for i, e := range entries {
		b := kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(e.Key),
			Value: cloudflare.F(e.Value),
		}
		if e.TTL > 0 {
			b.ExpirationTTL = cloudflare.F(float64(e.TTL)) // EXPECT kvttl
		}
		if e.Metadata != nil {
			b.Metadata = cloudflare.F[any](e.Metadata)
		}
		body[i] = b
	}
	return kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(account), Body: body}
}

// BulkRead builds a bulk read of text values.
func BulkRead(account string, keys []string) kv.NamespaceBulkGetParams {
	return kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(account),
		Keys:      cloudflare.F(keys),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	}
}
