package kvstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/cloudflare/cloudflare-go"
	"github.com/samber/lo"
)

// Legacy is the Store backed by the v0 cloudflare-go client. It is what the
// menu sync job and the older admin tooling run on.
type Legacy struct {
	api       *cloudflare.API
	rc        *cloudflare.ResourceContainer
	namespace string
}

var _ Store = (*Legacy)(nil)

// NewLegacy builds a Legacy store for one namespace.
func NewLegacy(token, accountID, namespaceID string) (*Legacy, error) {
	api, err := cloudflare.NewWithAPIToken(token)
	if err != nil {
		return nil, fmt.Errorf("cloudflare client: %w", err)
	}
	return &Legacy{api: api, rc: cloudflare.AccountIdentifier(accountID), namespace: namespaceID}, nil
}

// API exposes the underlying client for the few jobs that need raw calls.
func (l *Legacy) API() (*cloudflare.API, *cloudflare.ResourceContainer, string) {
	return l.api, l.rc, l.namespace
}

func (l *Legacy) Get(ctx context.Context, key string) ([]byte, error) {
	raw, err := l.api.GetWorkersKV(ctx, l.rc, cloudflare.GetWorkersKVParams{NamespaceID: l.namespace, Key: key})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	return raw, nil
}

func (l *Legacy) Put(ctx context.Context, e Entry) error {
	if e.TTL == 0 {
		_, err := l.api.WriteWorkersKVEntry(ctx, l.rc, cloudflare.WriteWorkersKVEntryParams{
			NamespaceID: l.namespace,
			Key:         e.Key,
			Value:       e.Value,
		})
		return err
	}
	_, err := l.api.WriteWorkersKVEntries(ctx, l.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: l.namespace,
		KVs:         []*cloudflare.WorkersKVPair{{Key: e.Key, Value: string(e.Value), ExpirationTTL: e.TTL}},
	})
	return err
}

// PutMany writes entries in bulk requests of at most 10,000 pairs.
func (l *Legacy) PutMany(ctx context.Context, es []Entry) error {
	for _, chunk := range lo.Chunk(es, 10_000) {
		pairs := lo.Map(chunk, func(e Entry, _ int) *cloudflare.WorkersKVPair {
			return &cloudflare.WorkersKVPair{Key: e.Key, Value: string(e.Value), ExpirationTTL: e.TTL}
		})
		if _, err := l.api.WriteWorkersKVEntries(ctx, l.rc, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: l.namespace,
			KVs:         pairs,
		}); err != nil {
			return err
		}
	}
	return nil
}

func (l *Legacy) Delete(ctx context.Context, key string) error {
	_, err := l.api.DeleteWorkersKVEntry(ctx, l.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: l.namespace, Key: key})
	return err
}

// List returns one page; the caller owns the cursor.
func (l *Legacy) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	resp, err := l.api.ListWorkersKVKeys(ctx, l.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: l.namespace,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return Page{}, err
	}
	return Page{
		Keys:     lo.Map(resp.Result, func(k cloudflare.StorageKey, _ int) string { return k.Name }),
		Cursor:   resp.Cursor,
		Complete: resp.Cursor == "",
	}, nil
}

// Flash stores a one-off notice shown on the next page load.
func (l *Legacy) Flash(ctx context.Context, key string, msg []byte) error {
	return l.Put(ctx, Entry{"flash:" + key, msg, 30}) // EXPECT kvttl
}
