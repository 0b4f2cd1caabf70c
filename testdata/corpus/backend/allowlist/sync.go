// Package allowlist maintains the IP allow-list that the edge worker reads.
package allowlist

import (
	"context"
	"encoding/json"
	"slices"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

const key = "allowlist:ips"

// Syncer updates the allow-list.
type Syncer struct {
	API         *cloudflare.API
	AccountID   string
	NamespaceID string
}

func (s *Syncer) rc() *cloudflare.ResourceContainer {
	return cloudflare.AccountIdentifier(s.AccountID)
}

// Add appends one IP to the list (called by the support tool).
func (s *Syncer) Add(ctx context.Context, ip string) error {
	raw, err := s.API.GetWorkersKV(ctx, s.rc(), cloudflare.GetWorkersKVParams{NamespaceID: s.NamespaceID, Key: key})
	if err != nil {
		return err
	}
	var ips []string
	if err := json.Unmarshal(raw, &ips); err != nil {
		return err
	}
	if slices.Contains(ips, ip) {
		return nil
	}
	ips = append(ips, ip)
	data, _ := json.Marshal(ips)
	_, err = s.API.WriteWorkersKVEntry(ctx, s.rc(), cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvrace
		NamespaceID: s.NamespaceID,
		Key:         key,
		Value:       data,
	})
	return err
}

// Replace writes the list from the source of truth (the database), reading
// KV only to skip a write when nothing changed.
func (s *Syncer) Replace(ctx context.Context, fromDB []string) error {
	slices.Sort(fromDB)
	want, _ := json.Marshal(fromDB)
	have, err := s.API.GetWorkersKV(ctx, s.rc(), cloudflare.GetWorkersKVParams{NamespaceID: s.NamespaceID, Key: key})
	if err == nil && string(have) == string(want) {
		return nil
	}
	_, err = s.API.WriteWorkersKVEntry(ctx, s.rc(), cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: s.NamespaceID,
		Key:         key,
		Value:       want,
	})
	return err
}
