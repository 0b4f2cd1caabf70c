package flags

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/clinicgroup/wallcreeper/internal/kvstore"
)

// Publisher writes flag definitions for the admin CLI.
type Publisher struct {
	NS    *kvstore.Namespace
	Actor string
}

// Publish writes all definitions of a clinic in bulk requests.
func (p Publisher) Publish(ctx context.Context, clinic string, defs []Definition) error {
	entries := make([]kvstore.Entry, 0, len(defs))
	for _, d := range defs {
		d.UpdatedBy = p.Actor
		v, err := Encode(d)
		if err != nil {
			return err
		}
		entries = append(entries, kvstore.Entry{Key: flagKey(clinic, d.Key), Value: v})
	}
	for chunk := range slices.Chunk(entries, 5000) {
		if err := p.NS.BulkPut(ctx, chunk); err != nil {
			return err
		}
	}
	return p.NS.Put(ctx, "flags/"+clinic+"/_published", []byte(time.Now().UTC().Format(time.RFC3339)), 0)
}

// Toggle flips individual flags one by one and records the change time.
func (p Publisher) Toggle(ctx context.Context, clinic string, keys []string, enabled bool) error {
	for _, k := range keys {
		var d Definition
		if err := p.NS.GetJSON(ctx, flagKey(clinic, k), &d); err != nil {
			return fmt.Errorf("flag %s: %w", k, err)
		}
		d.Enabled = enabled
		d.UpdatedBy = p.Actor
		if err := p.NS.PutJSON(ctx, flagKey(clinic, k), d, 0); err != nil { // EXPECT kvrace
			return err
		}
		if err := p.NS.Put(ctx, "flags/"+clinic+"/_published", []byte(time.Now().UTC().Format(time.RFC3339)), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// SeedDefaults writes the group-wide defaults for a flag, keeping an
// existing definition.
func (p Publisher) SeedDefaults(ctx context.Context, d Definition) error {
	var existing Definition
	if err := p.NS.GetJSON(ctx, flagKey("_global", d.Key), &existing); err != nil { // EXPECT kvnull
		raw, _ := json.Marshal(d)
		return p.NS.Put(ctx, flagKey("_global", d.Key), raw, 0)
	}
	return nil
}

// SeedDefaultsStrict is SeedDefaults for the migration job: only a real miss
// leads to a write.
func (p Publisher) SeedDefaultsStrict(ctx context.Context, d Definition) error {
	var existing Definition
	err := p.NS.GetJSON(ctx, flagKey("_global", d.Key), &existing)
	switch {
	case err == nil:
		return nil
	case err != kvstore.ErrNotFound:
		return err
	}
	raw, _ := json.Marshal(d)
	return p.NS.Put(ctx, flagKey("_global", d.Key), raw, 0)
}
