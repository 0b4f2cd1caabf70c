// Package cfparams builds the request parameter structs of the Cloudflare API
// client for the Workers KV endpoints, so callers do not repeat the account
// plumbing.
package cfparams

import (
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"
)

// MaxBulk is the largest number of pairs the bulk endpoint accepts.
const MaxBulk = 10000

// Account names the Cloudflare account and KV namespace a service talks to.
type Account struct {
	ID        string
	Namespace string
}

// Get returns the parameters of a value read.
func (a Account) Get() kv.NamespaceValueGetParams {
	return kv.NamespaceValueGetParams{AccountID: cloudflare.F(a.ID)}
}

// Delete returns the parameters of a value delete.
func (a Account) Delete() kv.NamespaceValueDeleteParams {
	return kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(a.ID)}
}

// Value returns the parameters of a value write. metadata is a JSON object;
// an empty string sends an empty object.
func (a Account) Value(value, metadata string) kv.NamespaceValueUpdateParams {
	if metadata == "" {
		metadata = "{}"
	}
	return kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(a.ID),
		Value:     cloudflare.F(value),
		Metadata:  cloudflare.F(metadata),
	}
}

// ListKeys returns the parameters of one page of a key listing.
func (a Account) ListKeys(prefix, cursor string, limit float64) kv.NamespaceKeyListParams {
	p := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(a.ID),
		Limit:     cloudflare.F(limit),
	}
	if prefix != "" {
		p.Prefix = cloudflare.F(prefix)
	}
	if cursor != "" {
		p.Cursor = cloudflare.F(cursor)
	}
	return p
}

// Bulk wraps entries into a bulk write request.
func (a Account) Bulk(entries []kv.NamespaceBulkUpdateParamsBody) kv.NamespaceBulkUpdateParams {
	return kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(a.ID), Body: entries}
}

// BulkEntry is a bulk pair that expires at the Unix time expiration (seconds);
// zero means it does not expire.
func BulkEntry(key, value string, expiration int64) kv.NamespaceBulkUpdateParamsBody {
	e := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(key), Value: cloudflare.F(value)}
	if expiration > 0 {
		e.Expiration = cloudflare.F(float64(expiration))
	}
	return e
}

// BulkEntryTTL is a bulk pair that expires ttl after the write.
func BulkEntryTTL(key, value string, ttl time.Duration) kv.NamespaceBulkUpdateParamsBody {
	e := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(key), Value: cloudflare.F(value)}
	if ttl > 0 {
		e.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	return e
}

// WithMetadata attaches a metadata object to a bulk pair.
func WithMetadata(e kv.NamespaceBulkUpdateParamsBody, md map[string]any) kv.NamespaceBulkUpdateParamsBody {
	e.Metadata = cloudflare.F(md)
	return e
}

// ExpiryTTL is the request option that sets a single write's relative
// expiry, in whole seconds.
func ExpiryTTL(ttl time.Duration) option.RequestOption {
	return option.WithQuery("expiration_ttl", strconv.Itoa(int(ttl.Seconds())))
}

// ExpiresAt is the request option that sets a single write's absolute expiry
// as a Unix time in seconds.
func ExpiresAt(unix int64) option.RequestOption {
	return option.WithQuery("expiration", strconv.FormatInt(unix, 10))
}
