// Package kvstore adapts the cloudflare-go v0 REST client to storage.Store.
package kvstore

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/petrel/internal/storage"
)

var _ storage.Store = (*Store)(nil)

// Store talks to one Workers KV namespace through the REST API.
type Store struct {
	api       *cloudflare.API
	rc        *cloudflare.ResourceContainer
	namespace string
	timeout   time.Duration
	listLimit int
}

type Option func(*Store)

func WithTimeout(d time.Duration) Option {
	return func(s *Store) { s.timeout = d }
}

// WithListLimit sets the page size used when a query leaves Limit at zero.
func WithListLimit(n int) Option {
	return func(s *Store) { s.listLimit = n }
}

func New(api *cloudflare.API, accountID, namespaceID string, opts ...Option) (*Store, error) {
	if api == nil {
		return nil, errors.New("kvstore: nil api client")
	}
	if accountID == "" || namespaceID == "" {
		return nil, errors.New("kvstore: account and namespace are required")
	}
	s := &Store{
		api:       api,
		rc:        cloudflare.AccountIdentifier(accountID),
		namespace: namespaceID,
		timeout:   10 * time.Second,
		listLimit: 1000,
	}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// API exposes the underlying client for packages that need calls the port
// does not model.
func (s *Store) API() (*cloudflare.API, *cloudflare.ResourceContainer, string) {
	return s.api, s.rc, s.namespace
}

func (s *Store) callCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, s.timeout)
}

// Get implements storage.Store and reports a miss as *storage.NotFoundError.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	raw, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.namespace, Key: key})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, &storage.NotFoundError{Key: key}
		}
		return nil, fmt.Errorf("kvstore: get %q: %w", key, err)
	}
	return raw, nil
}

// Raw returns exactly what the SDK returned, error included. It exists for
// the legacy key format, whose readers predate the port.
func (s *Store) Raw(ctx context.Context, key string) ([]byte, error) {
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	return s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.namespace, Key: key})
}

// Put implements storage.Store. Plain writes use the single-value endpoint;
// anything with expiry or metadata goes through the bulk endpoint, which is
// the only one in this SDK version that accepts them.
func (s *Store) Put(ctx context.Context, key string, value []byte, o storage.PutOptions) error {
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	if o.IsZero() {
		_, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{
			NamespaceID: s.namespace,
			Key:         key,
			Value:       value,
		})
		return wrap("put", key, err)
	}
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.namespace,
		KVs:         []*cloudflare.WorkersKVPair{pair(key, value, o)},
	})
	return wrap("put", key, err)
}

func pair(key string, value []byte, o storage.PutOptions) *cloudflare.WorkersKVPair {
	return &cloudflare.WorkersKVPair{
		Key:           key,
		Value:         base64.StdEncoding.EncodeToString(value),
		Base64:        true,
		Expiration:    int(o.Expiration),
		ExpirationTTL: int(o.TTL.Seconds()),
		Metadata:      o.Metadata,
	}
}

func (s *Store) Delete(ctx context.Context, key string) error {
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	_, err := s.api.DeleteWorkersKVEntry(ctx, s.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: s.namespace, Key: key})
	var nf *cloudflare.NotFoundError
	if errors.As(err, &nf) {
		return nil
	}
	return wrap("delete", key, err)
}

// List implements storage.Store. It returns a single page.
func (s *Store) List(ctx context.Context, q storage.ListQuery) (storage.Page, error) {
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	limit := q.Limit
	if limit == 0 {
		limit = s.listLimit
	}
	resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: s.namespace,
		Prefix:      q.Prefix,
		Cursor:      q.Cursor,
		Limit:       limit,
	})
	if err != nil {
		return storage.Page{}, fmt.Errorf("kvstore: list %q: %w", q.Prefix, err)
	}
	page := storage.Page{
		Keys:     make([]storage.KeyInfo, 0, len(resp.Result)),
		Cursor:   resp.ResultInfo.Cursor,
		Complete: resp.ResultInfo.Cursor == "",
	}
	for _, k := range resp.Result {
		page.Keys = append(page.Keys, storage.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration), Metadata: k.Metadata})
	}
	return page, nil
}

func wrap(op, key string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("kvstore: %s %q: %w", op, key, err)
}
