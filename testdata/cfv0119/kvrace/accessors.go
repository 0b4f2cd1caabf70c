package kvrace

import (
	"context"
	"encoding/json"

	"github.com/cloudflare/cloudflare-go"
)

// A store whose reads go through its own wrapper and whose writes some
// callers make on the client it hands out: one namespace, the same
// fields of the same store.

type contentStore struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

func (s *contentStore) Get(ctx context.Context, key string) ([]byte, error) {
	return s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: key})
}

func (s *contentStore) API() *cloudflare.API                   { return s.api }
func (s *contentStore) Account() *cloudflare.ResourceContainer { return s.rc }
func (s *contentStore) Namespace() string                      { return s.ns }

type server struct {
	content *contentStore
	other   *contentStore
}

// raw hands out the content store's namespace through another accessor.
func (s *server) raw() string { return s.content.Namespace() }

func (s *server) addHistory(ctx context.Context, key, entry string) error {
	var hist []string
	if raw, err := s.content.Get(ctx, key); err == nil {
		_ = json.Unmarshal(raw, &hist)
	}
	hist = append(hist, entry)
	b, _ := json.Marshal(hist)
	_, err := s.content.API().WriteWorkersKVEntry(ctx, s.content.Account(), cloudflare.WriteWorkersKVEntryParams{NamespaceID: s.raw(), Key: key, Value: b}) // want "read-modify-write on one KV key"
	return err
}

// A handler factory's closures share the namespace it looked up once.
func (s *server) handleTag() func(ctx context.Context, key, tag string) error {
	ns := s.raw()
	return func(ctx context.Context, key, tag string) error {
		var tags []string
		if raw, err := s.content.Get(ctx, key); err == nil {
			_ = json.Unmarshal(raw, &tags)
		}
		tags = append(tags, tag)
		b, _ := json.Marshal(tags)
		_, err := s.content.API().WriteWorkersKVEntry(ctx, s.content.Account(), cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: key, Value: b}) // want "read-modify-write on one KV key"
		return err
	}
}

// Quiet: read from one store, written to another's namespace.
func (s *server) copyHistory(ctx context.Context, key, entry string) error {
	var hist []string
	if raw, err := s.content.Get(ctx, key); err == nil {
		_ = json.Unmarshal(raw, &hist)
	}
	hist = append(hist, entry)
	b, _ := json.Marshal(hist)
	_, err := s.other.API().WriteWorkersKVEntry(ctx, s.other.Account(), cloudflare.WriteWorkersKVEntryParams{NamespaceID: s.other.Namespace(), Key: key, Value: b})
	return err
}
