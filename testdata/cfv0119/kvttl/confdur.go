package kvttl

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"kvlint.test/cfv0119/kvttl/webconf"
)

// blocker blocks a referrer for as long as its configuration says.
type blocker struct {
	api      *cloudflare.API
	rc       *cloudflare.ResourceContainer
	ns       string
	BlockFor webconf.Duration `json:"block_for"`
}

func (b *blocker) block(ctx context.Context, host string) error {
	_, err := b.api.WriteWorkersKVEntries(ctx, b.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: b.ns,
		KVs: []*cloudflare.WorkersKVPair{{Key: "block:" + host, Value: "1", ExpirationTTL: int(b.BlockFor)}}}) // want `converts a webconf.Duration to nanoseconds .*use time.Duration\(d\).Seconds\(\)`
	return err
}

// Quiet: the configuration's duration made a time.Duration, then seconds.
func (b *blocker) blockSeconds(ctx context.Context, host string) error {
	_, err := b.api.WriteWorkersKVEntries(ctx, b.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: b.ns,
		KVs: []*cloudflare.WorkersKVPair{{Key: "block:" + host, Value: "1", ExpirationTTL: int(time.Duration(b.BlockFor).Seconds())}}})
	return err
}
