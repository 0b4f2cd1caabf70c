package crawler

import (
	"context"
	"slices"

	"example.com/feeds/internal/kv"
	"example.com/feeds/internal/platform/kvjson"
)

const registryKey = "feeds:registry"

// Registry holds feeds added by editors through the admin API, on top of the
// ones configured in the database.
type Registry struct {
	store kv.Store
}

// NewRegistry returns a registry on store.
func NewRegistry(store kv.Store) *Registry { return &Registry{store: store} }

// List returns the registered feeds.
func (r *Registry) List(ctx context.Context) ([]Feed, error) {
	feeds, _, err := kvjson.GetJSON[[]Feed](ctx, r.store, registryKey)
	return feeds, err
}

// Add registers f, replacing a feed with the same ID.
func (r *Registry) Add(ctx context.Context, f Feed) error {
	return r.mutate(ctx, func(feeds []Feed) []Feed {
		feeds = slices.DeleteFunc(feeds, func(x Feed) bool { return x.ID == f.ID })
		return append(feeds, f)
	})
}

// Remove unregisters id.
func (r *Registry) Remove(ctx context.Context, id string) error {
	return r.mutate(ctx, func(feeds []Feed) []Feed {
		return slices.DeleteFunc(feeds, func(x Feed) bool { return x.ID == id })
	})
}

func (r *Registry) mutate(ctx context.Context, fn func([]Feed) []Feed) error {
	feeds, err := r.List(ctx)
	if err != nil {
		return err
	}
	return kvjson.PutJSON(ctx, r.store, registryKey, fn(feeds), kv.PutOptions{}) // EXPECT kvrace
}
