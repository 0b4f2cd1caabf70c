// Package uow collects the KV writes of one job and commits them through the
// bulk endpoints: one API request per batch instead of one per key.
package uow

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/relay/internal/cfns"
)

// MaxBatch is the most pairs the bulk endpoints accept in one request.
const MaxBatch = 10000

// Unit is a set of pending writes and deletes. It is not safe for
// concurrent use.
type Unit struct {
	ns      cfns.Namespace
	puts    []kv.NamespaceBulkUpdateParamsBody
	deletes []string
}

// Begin starts an empty unit of work on ns.
func Begin(ns cfns.Namespace) *Unit { return &Unit{ns: ns} }

// Put records a write. ttl of zero means no expiry.
func (u *Unit) Put(key string, value []byte, ttl time.Duration, meta map[string]any) {
	item := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(key), Value: cloudflare.F(string(value))}
	if ttl > 0 {
		item.ExpirationTTL = cloudflare.F(math.Max(60, math.Ceil(ttl.Seconds())))
	}
	if meta != nil {
		item.Metadata = cloudflare.F[any](meta)
	}
	u.puts = append(u.puts, item)
}

// Delete records a delete.
func (u *Unit) Delete(key string) { u.deletes = append(u.deletes, key) }

// Len returns the number of pending operations.
func (u *Unit) Len() int { return len(u.puts) + len(u.deletes) }

// Commit sends the pending writes, then the deletes, in batches of at most
// MaxBatch. Committed batches are dropped, so Commit may be retried after a
// partial failure.
func (u *Unit) Commit(ctx context.Context) error {
	for len(u.puts) > 0 {
		n := min(len(u.puts), MaxBatch)
		res, err := u.ns.Client.KV.Namespaces.BulkUpdate(ctx, u.ns.ID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(u.ns.AccountID),
			Body:      u.puts[:n],
		})
		if err != nil {
			return fmt.Errorf("uow: bulk write: %w", err)
		}
		if len(res.UnsuccessfulKeys) > 0 {
			return fmt.Errorf("uow: %d keys not written (first %q)", len(res.UnsuccessfulKeys), res.UnsuccessfulKeys[0])
		}
		u.puts = u.puts[n:]
	}
	for len(u.deletes) > 0 {
		n := min(len(u.deletes), MaxBatch)
		_, err := u.ns.Client.KV.Namespaces.BulkDelete(ctx, u.ns.ID, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(u.ns.AccountID),
			Body:      u.deletes[:n],
		})
		if err != nil {
			return fmt.Errorf("uow: bulk delete: %w", err)
		}
		u.deletes = u.deletes[n:]
	}
	return nil
}
