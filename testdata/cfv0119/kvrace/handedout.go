package kvrace

import (
	"context"
	"errors"

	"github.com/cloudflare/cloudflare-go"

	"kvlint.test/cfv0119/opsstore"
)

var errLocked = errors.New("locked")

type jobs struct {
	ops, archive *opsstore.Store
	instance     string
}

// The lock is looked up through the store's wrapper and taken through the
// client it hands out: the namespace is the store's, on both sides.
func (j *jobs) acquire(ctx context.Context, name string) error {
	key := "lock:" + name
	if _, err := j.ops.Get(ctx, key); err == nil {
		return errLocked
	}
	api, rc, ns := j.ops.API()
	pair := &cloudflare.WorkersKVPair{Key: key, Value: j.instance, ExpirationTTL: 300}
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: ns, KVs: []*cloudflare.WorkersKVPair{pair}}) // want `check-then-create on one KV key`
	return err
}

// Quiet: the key is looked up in one store and written to another.
func (j *jobs) archiveLock(ctx context.Context, name string) error {
	key := "lock:" + name
	if _, err := j.ops.Get(ctx, key); err == nil {
		return errLocked
	}
	api, rc, ns := j.archive.API()
	pair := &cloudflare.WorkersKVPair{Key: key, Value: j.instance, ExpirationTTL: 300}
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: ns, KVs: []*cloudflare.WorkersKVPair{pair}})
	return err
}
