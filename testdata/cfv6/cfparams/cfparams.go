// Package cfparams builds the v6 SDK's request parameters, as services
// often do in a package of their own: callers pass plain values.
package cfparams

import (
	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// Keys builds a key listing; a zero limit leaves the server's default.
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

// BulkRead builds a bulk read of text values.
func BulkRead(account string, keys []string) kv.NamespaceBulkGetParams {
	return kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(account),
		Keys:      cloudflare.F(keys),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	}
}
