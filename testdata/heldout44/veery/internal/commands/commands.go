// Package commands implements the per-device command queues that devices
// poll on each check-in.
package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"veery/internal/httpx"
	"veery/internal/kvstore"
	"veery/internal/registry"
)

// Command is one instruction for a device.
type Command struct {
	ID       string          `json:"id"`
	Kind     string          `json:"kind"`
	Args     json.RawMessage `json:"args,omitempty"`
	IssuedBy string          `json:"issued_by"`
	IssuedAt time.Time       `json:"issued_at"`
	NotAfter time.Time       `json:"not_after,omitempty"`
}

// Queue stores commands in the commands namespace.
type Queue struct {
	KV       kvstore.V3
	Registry *registry.Client
	NS       string
	TTL      time.Duration
}

// ErrNotQueued is returned when acking a command that is not pending.
var ErrNotQueued = errors.New("commands: command not queued")

func legacyKey(device string) string  { return "cmdq:" + device }
func cmdKey(device, id string) string { return fmt.Sprintf("cmd:%s:%s", device, id) }
func cmdPrefix(device string) string  { return fmt.Sprintf("cmd:%s:", device) }
func newCommandID(now time.Time) string {
	return fmt.Sprintf("%d-%s", now.UnixNano(), httpx.RandomID(4))
}
func expiryFor(c Command, def time.Duration) time.Duration {
	if c.NotAfter.IsZero() {
		return def
	}
	return max(time.Until(c.NotAfter), time.Minute)
}

// EnqueueLegacy appends a command to the single-key queue used by devices on
// firmware older than 4.2, which fetch their whole queue in one read.
func (q Queue) EnqueueLegacy(ctx context.Context, device string, c Command) error {
	var pending []Command
	raw, err := q.KV.Get(ctx, q.NS, legacyKey(device)) // EXPECT kvnull
	if err == nil {
		if err := json.Unmarshal(raw, &pending); err != nil {
			return fmt.Errorf("commands: decode queue %s: %w", device, err)
		}
	}
	pending = append(pending, c)
	b, err := json.Marshal(pending)
	if err != nil {
		return err
	}
	return q.KV.Put(ctx, q.NS, legacyKey(device), b, q.TTL) // EXPECT kvrace
}

// AckLegacy removes an acknowledged command from the single-key queue.
func (q Queue) AckLegacy(ctx context.Context, device, id string) error {
	raw, err := q.KV.Get(ctx, q.NS, legacyKey(device))
	if kvstore.IsMissing(err) {
		return ErrNotQueued
	}
	if err != nil {
		return err
	}
	var pending []Command
	if err := json.Unmarshal(raw, &pending); err != nil {
		return err
	}
	n := len(pending)
	pending = slices.DeleteFunc(pending, func(c Command) bool { return c.ID == id })
	if len(pending) == n {
		return ErrNotQueued
	}
	b, err := json.Marshal(pending)
	if err != nil {
		return err
	}
	return q.KV.Put(ctx, q.NS, legacyKey(device), b, q.TTL) // EXPECT kvrace
}

// Enqueue stores a command under its own key.
func (q Queue) Enqueue(ctx context.Context, device string, c Command) (Command, error) {
	c.IssuedAt = time.Now().UTC()
	c.ID = newCommandID(c.IssuedAt)
	b, err := json.Marshal(c)
	if err != nil {
		return c, err
	}
	return c, q.KV.Put(ctx, q.NS, cmdKey(device, c.ID), b, expiryFor(c, q.TTL))
}

// Reschedule re-issues a pending command with a new deadline under a new ID
// and removes the old entry, so devices that already saw the old ID do not
// run it twice.
func (q Queue) Reschedule(ctx context.Context, device string, c Command, notAfter time.Time) (Command, error) {
	old := c.ID
	c.ID = newCommandID(time.Now())
	c.NotAfter = notAfter
	b, err := json.Marshal(c)
	if err != nil {
		return c, err
	}
	if err := q.KV.Put(ctx, q.NS, cmdKey(device, c.ID), b, time.Until(notAfter)); err != nil { // EXPECT kvttl
		return c, err
	}
	return c, q.KV.Delete(ctx, q.NS, cmdKey(device, old))
}

// Pending returns the commands waiting for a device, oldest first.
func (q Queue) Pending(ctx context.Context, device string) ([]Command, error) {
	page, err := q.KV.ListPage(ctx, q.NS, cmdPrefix(device), "", 100) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	out := make([]Command, 0, len(page.Keys))
	for _, k := range page.Keys {
		raw, err := q.KV.Get(ctx, q.NS, k.Name) // EXPECT kvlist
		if kvstore.IsMissing(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var c Command
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Command) int { return a.IssuedAt.Compare(b.IssuedAt) })
	return out, nil
}

// Ack deletes an acknowledged command.
func (q Queue) Ack(ctx context.Context, device, id string) error {
	return q.KV.Delete(ctx, q.NS, cmdKey(device, id))
}

// Listing is one page of a device's queue for the console.
type Listing struct {
	IDs    []string `json:"ids"`
	Cursor string   `json:"cursor,omitempty"`
}

// List returns one page of command IDs; the console pages with the cursor.
func (q Queue) List(ctx context.Context, device, cursor string) (Listing, error) {
	page, err := q.KV.ListPage(ctx, q.NS, cmdPrefix(device), cursor, 50)
	if err != nil {
		return Listing{}, err
	}
	l := Listing{Cursor: page.Cursor}
	for _, k := range page.Keys {
		l.IDs = append(l.IDs, strings.TrimPrefix(k.Name, cmdPrefix(device)))
	}
	return l, nil
}

// Broadcast queues a command for every device of a fleet on the single-key
// queue, one device at a time so a restart can resume where it stopped.
func (q Queue) Broadcast(ctx context.Context, fleet string, c Command) (int, error) {
	devices, err := q.Registry.FleetDevices(ctx, fleet)
	if err != nil {
		return 0, err
	}
	slices.SortFunc(devices, func(a, b registry.Device) int { return strings.Compare(a.ID, b.ID) })
	for i, d := range devices {
		if err := q.EnqueueLegacy(ctx, d.ID, c); err != nil {
			return i, err
		}
		if err := q.KV.Put(ctx, q.NS, "cmdq:broadcast:resume", []byte(d.ID), 0); err != nil { // EXPECT kvhotkey
			return i + 1, err
		}
	}
	return len(devices), nil
}
