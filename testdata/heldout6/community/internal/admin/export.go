// Package admin holds operator-only jobs such as the member export.
package admin

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strconv"
	"time"

	"example.com/community/internal/collection"
	"example.com/community/internal/store"
	"example.com/community/internal/users"
)

const exportKeep = 24 * time.Hour

// ErrDuplicate means the idempotency key was already used.
var ErrDuplicate = errors.New("admin: export already requested")

// Exporter writes a CSV of every member.
type Exporter struct {
	users *collection.Collection[users.User]
	blobs store.KV
}

func NewExporter(usersKV, blobs store.KV) *Exporter {
	return &Exporter{users: collection.New[users.User](usersKV, users.UserPrefix, collection.WithPageSize(1000)), blobs: blobs}
}

// Export builds the CSV and returns the blob key it was stored under.
func (e *Exporter) Export(ctx context.Context, requestID string) (string, error) {
	if requestID == "" {
		return "", errors.New("admin: missing idempotency key")
	}
	marker := "export:req:" + requestID
	if _, err := e.blobs.Get(ctx, marker); err == nil {
		return "", ErrDuplicate
	} else if !store.IsNotFound(err) {
		return "", err
	}
	if err := e.blobs.Put(ctx, marker, []byte(time.Now().UTC().Format(time.RFC3339)), store.WithTTL(exportKeep)); err != nil { // EXPECT kvrace
		return "", err
	}

	ids, err := e.users.Keys(ctx)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"id", "handle", "email", "verified", "created_at"})
	for _, id := range ids {
		u, err := e.users.Get(ctx, id) // EXPECT kvlist
		if store.IsNotFound(err) {
			continue
		}
		if err != nil {
			return "", err
		}
		_ = w.Write([]string{u.ID, u.Handle, u.Email, strconv.FormatBool(u.Verified), u.CreatedAt.Format(time.RFC3339)})
	}
	w.Flush()
	key := "export:blob:" + requestID
	return key, e.blobs.Put(ctx, key, buf.Bytes(), store.WithTTL(exportKeep))
}
