package kvstore

import (
	"context"
	"fmt"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// RESTStore talks to one namespace through cloudflare-go v0.
type RESTStore struct {
	api         *cloudflare.API
	rc          *cloudflare.ResourceContainer
	namespaceID string
}

// NewREST binds a v0 client to a namespace.
func NewREST(api *cloudflare.API, accountID, namespaceID string) *RESTStore {
	return &RESTStore{api: api, rc: cloudflare.AccountIdentifier(accountID), namespaceID: namespaceID}
}

// API exposes the underlying client for the jobs that need raw pagination.
func (s *RESTStore) API() (*cloudflare.API, *cloudflare.ResourceContainer, string) {
	return s.api, s.rc, s.namespaceID
}

// Get returns the value of key, or ErrNotFound.
func (s *RESTStore) Get(ctx context.Context, key fmt.Stringer) ([]byte, error) {
	raw, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{
		NamespaceID: s.namespaceID,
		Key:         key.String(),
	})
	if err != nil {
		return nil, translate(err)
	}
	return raw, nil
}

// Put writes key without expiry.
func (s *RESTStore) Put(ctx context.Context, key fmt.Stringer, value []byte) error {
	_, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: s.namespaceID,
		Key:         key.String(),
		Value:       value,
	})
	return translate(err)
}

// PutTTL writes key so that it expires after ttl. The single-value endpoint
// of the v0 SDK has no expiry parameter, so this goes through the bulk
// endpoint with one pair.
func (s *RESTStore) PutTTL(ctx context.Context, key fmt.Stringer, value []byte, ttl time.Duration) error {
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.namespaceID,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           key.String(),
			Value:         string(value),
			ExpirationTTL: int(ttl.Seconds()),
		}},
	})
	return translate(err)
}

// PutUntil writes key so that it expires at the given instant.
func (s *RESTStore) PutUntil(ctx context.Context, key fmt.Stringer, value []byte, at time.Time) error {
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.namespaceID,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        key.String(),
			Value:      string(value),
			Expiration: int(at.Unix()),
		}},
	})
	return translate(err)
}

// Delete removes key. Deleting a missing key is not an error.
func (s *RESTStore) Delete(ctx context.Context, key fmt.Stringer) error {
	_, err := s.api.DeleteWorkersKVEntry(ctx, s.rc, cloudflare.DeleteWorkersKVEntryParams{
		NamespaceID: s.namespaceID,
		Key:         key.String(),
	})
	return translate(err)
}

// List returns one page of keys under prefix, starting at cursor.
func (s *RESTStore) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: s.namespaceID,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return Page{}, translate(err)
	}
	page := Page{Cursor: resp.ResultInfo.Cursor, Keys: make([]KeyInfo, 0, len(resp.Result))}
	for _, k := range resp.Result {
		md, _ := k.Metadata.(map[string]any)
		page.Keys = append(page.Keys, KeyInfo{Name: k.Name, Expiration: int64(k.Expiration), Metadata: md})
	}
	return page, nil
}

// Mutate applies fn to the current value of key and stores the result. A
// missing key is passed to fn as nil.
func (s *RESTStore) Mutate(ctx context.Context, key fmt.Stringer, fn func(old []byte) ([]byte, error)) error {
	old, err := s.Get(ctx, key)
	if err != nil && !isNotFound(err) {
		return err
	}
	next, err := fn(old)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, next) // EXPECT kvrace
}
