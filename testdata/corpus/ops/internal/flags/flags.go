// Package flags manages the feature-flag document the edge worker reads from
// KV on every request.
package flags

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/ops/internal/config"
)

// documentKey holds all flags as one JSON object; the worker reads it once
// per isolate.
const documentKey = "flags:v1"

// backupRetention is how long flags:backup:* snapshots are kept.
const backupRetention = 30 * 24 * time.Hour

// Flag is one feature flag.
type Flag struct {
	Enabled   bool      `json:"enabled"`
	Rollout   int       `json:"rollout"` // percent of users
	UpdatedBy string    `json:"updated_by"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Admin edits the flag document.
type Admin struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
}

// NewAdmin returns an Admin using the v0 client.
func NewAdmin(api *cloudflare.API, rc *cloudflare.ResourceContainer) *Admin {
	return &Admin{api: api, rc: rc}
}

func (a *Admin) raw(ctx context.Context) ([]byte, error) {
	b, err := a.api.GetWorkersKV(ctx, a.rc, cloudflare.GetWorkersKVParams{
		NamespaceID: config.NamespaceFlags,
		Key:         documentKey,
	})
	var nf *cloudflare.NotFoundError
	if errors.As(err, &nf) {
		return nil, nil
	}
	return b, err
}

func (a *Admin) load(ctx context.Context) (map[string]Flag, error) {
	b, err := a.raw(ctx)
	if err != nil {
		return nil, err
	}
	flags := map[string]Flag{}
	if len(b) == 0 {
		return flags, nil
	}
	if err := json.Unmarshal(b, &flags); err != nil {
		return nil, fmt.Errorf("decode %s: %w", documentKey, err)
	}
	return flags, nil
}

// List returns the current flags.
func (a *Admin) List(ctx context.Context) (map[string]Flag, error) {
	return a.load(ctx)
}

// Set creates or replaces a single flag.
func (a *Admin) Set(ctx context.Context, name string, f Flag) error {
	flags, err := a.load(ctx)
	if err != nil {
		return err
	}
	f.UpdatedAt = time.Now().UTC()
	flags[name] = f
	b, err := json.Marshal(flags)
	if err != nil {
		return err
	}
	_, err = a.api.WriteWorkersKVEntry(ctx, a.rc, cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvrace
		NamespaceID: config.NamespaceFlags,
		Key:         documentKey,
		Value:       b,
	})
	return err
}

// Publish replaces the whole document with doc, which comes from the reviewed
// flags.json in the config repo. It reports whether anything changed.
func (a *Admin) Publish(ctx context.Context, doc []byte) (bool, error) {
	var probe map[string]Flag
	if err := json.Unmarshal(doc, &probe); err != nil {
		return false, fmt.Errorf("flags.json: %w", err)
	}
	current, err := a.raw(ctx)
	if err != nil {
		return false, err
	}
	if bytes.Equal(bytes.TrimSpace(current), bytes.TrimSpace(doc)) {
		return false, nil
	}
	_, err = a.api.WriteWorkersKVEntry(ctx, a.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: config.NamespaceFlags,
		Key:         documentKey,
		Value:       doc,
	})
	return err == nil, err
}

// Snapshot copies the live document to flags:backup:<timestamp> and returns
// the backup key.
func (a *Admin) Snapshot(ctx context.Context) (string, error) {
	current, err := a.raw(ctx)
	if err != nil {
		return "", err
	}
	if current == nil {
		return "", errors.New("no flag document to back up")
	}
	key := "flags:backup:" + time.Now().UTC().Format("20060102T150405Z")
	backup := &cloudflare.WorkersKVPair{Key: key, Value: string(current)}
	backup.ExpirationTTL = int(backupRetention.Seconds())
	_, err = a.api.WriteWorkersKVEntries(ctx, a.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: config.NamespaceFlags,
		KVs:         []*cloudflare.WorkersKVPair{backup},
	})
	return key, err
}

// Restore makes a backup the live document again.
func (a *Admin) Restore(ctx context.Context, backupKey string) error {
	b, err := a.api.GetWorkersKV(ctx, a.rc, cloudflare.GetWorkersKVParams{
		NamespaceID: config.NamespaceFlags,
		Key:         backupKey,
	})
	if err != nil {
		return fmt.Errorf("read %s: %w", backupKey, err)
	}
	_, err = a.api.WriteWorkersKVEntries(ctx, a.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: config.NamespaceFlags,
		KVs: []*cloudflare.WorkersKVPair{
			{Key: documentKey, Value: string(b)},
		},
	})
	return err
}
