package kvx

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"example.com/vireo/internal/kvstore"
)

// Versioned wraps a stored document with the time it was last written.
type Versioned[T any] struct {
	Data      T         `json:"data"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Load reads a Versioned document. A missing key yields the zero document and
// found=false.
func Load[T any](ctx context.Context, r kvstore.Reader, key string) (doc Versioned[T], found bool, err error) {
	raw, err := r.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return doc, false, nil
	}
	if err != nil {
		return doc, false, err
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return doc, false, err
	}
	return doc, true, nil
}

// Save stamps UpdatedAt and writes the document without expiry.
func Save[T any](ctx context.Context, w kvstore.Writer, key string, doc Versioned[T], at time.Time) error {
	doc.UpdatedAt = at.UTC()
	raw, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return w.Put(ctx, key, raw, kvstore.WriteOptions{})
}
