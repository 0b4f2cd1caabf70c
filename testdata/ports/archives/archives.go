// Package archives keeps finished reports through the store.Archiver port.
package archives

import (
	"context"
	"time"

	"kvlint.test/ports/store"
)

type Reports struct {
	Store store.Archiver
}

// Keep holds a report for a day.
func (r *Reports) Keep(ctx context.Context, id string, body []byte) error {
	return r.Store.Archive(ctx, "report:"+id, body, store.ArchiveOptions{Keep: 24 * time.Hour})
}

// Preview holds a draft for half a minute, which KV refuses.
func (r *Reports) Preview(ctx context.Context, id string, body []byte) error {
	return r.Store.Archive(ctx, "preview:"+id, body, store.ArchiveOptions{Keep: 30 * time.Second})
}

// Forever keeps a report with no expiry.
func (r *Reports) Forever(ctx context.Context, id string, body []byte) error {
	return r.Store.Archive(ctx, "report:"+id, body, store.ArchiveOptions{})
}
