package calsync

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"github.com/harborclinic/stint/internal/adminkv"
	"github.com/harborclinic/stint/internal/booking"
)

// gridSlots is one placeholder per five minutes for sixty days.
const gridSlots = 60 * 24 * 12

// SeedGrid writes empty placeholders for a new clinic so the availability
// page renders a full grid before the first sync.
func (s *Syncer) SeedGrid(ctx context.Context, clinicID string, from time.Time) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, gridSlots)
	start := from.Truncate(5 * time.Minute)
	for i := range gridSlots {
		at := start.Add(time.Duration(i) * 5 * time.Minute)
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:        cloudflare.F("grid:" + clinicID + ":" + at.UTC().Format("20060102T1504")),
			Value:      cloudflare.F("{}"),
			Expiration: cloudflare.F(float64(at.Add(time.Hour).Unix())),
		})
	}
	_, err := s.KV.SDK().KV.Namespaces.Bulk.Update(ctx, s.KV.Namespace(), kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(s.KV.Account()),
		Body:      body,
	})
	return err
}

// PruneDoctors removes the slots of doctors no longer on a clinic's roster.
func (s *Syncer) PruneDoctors(ctx context.Context, clinicID string, roster []string) (int, error) {
	keep := make(map[string]bool, len(roster))
	for _, d := range roster {
		keep[d] = true
	}
	prefix := "slot:" + clinicID + ":"
	removed := 0
	page, err := s.KV.SDK().KV.Namespaces.Keys.List(ctx, s.KV.Namespace(), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.KV.Account()),
		Prefix:    cloudflare.F(prefix),
	})
	for {
		if err != nil {
			return removed, err
		}
		if page == nil {
			return removed, nil
		}
		for _, k := range page.Result {
			doctor, _, _ := strings.Cut(strings.TrimPrefix(k.Name, prefix), ":")
			if keep[doctor] {
				continue
			}
			if err := s.KV.Delete(ctx, k.Name); err != nil {
				return removed, err
			}
			removed++
		}
		page, err = page.GetNextPage()
	}
}

// Stats counts slots and free slots per clinic for the ops dashboard.
func (s *Syncer) Stats(ctx context.Context) (map[string][2]int, error) {
	out := map[string][2]int{}
	iter := s.KV.SDK().KV.Namespaces.Keys.ListAutoPaging(ctx, s.KV.Namespace(), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.KV.Account()),
		Prefix:    cloudflare.F("slot:"),
	})
	for iter.Next() {
		k := iter.Current()
		clinic, _, _ := strings.Cut(strings.TrimPrefix(k.Name, "slot:"), ":")
		c := out[clinic]
		c[0]++
		if free, _ := k.Metadata["free"].(bool); free {
			c[1]++
		}
		out[clinic] = c
	}
	return out, iter.Err()
}

// FreeSlots returns the free slots of a doctor, reading at most three pages
// and taking the free flag from each key's metadata.
func (s *Syncer) FreeSlots(ctx context.Context, clinicID, doctorID string) ([]string, error) {
	var free []string
	err := adminkv.Prefix("slot:"+clinicID+":"+doctorID+":").Each(ctx, s.KV, 3, func(k kv.Key) error {
		if f, _ := k.Metadata["free"].(bool); f {
			free = append(free, k.Name)
		}
		return nil
	})
	return free, err
}

// Audit checks that every slot of a clinic decodes, one page per call so the
// caller can resume from the returned cursor.
func (s *Syncer) Audit(ctx context.Context, clinicID, cursor string) (bad []string, next string, err error) {
	keys, next, err := s.KV.Page(ctx, "slot:"+clinicID+":", cursor, 100)
	if err != nil {
		return nil, "", err
	}
	for _, k := range keys {
		raw, err := s.KV.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			continue
		}
		var sl booking.Slot
		if json.Unmarshal(raw, &sl) != nil {
			bad = append(bad, k.Name)
		}
	}
	return bad, next, nil
}

// Peek returns a handful of key names for the CLI's "ls" command, with the
// cursor to continue.
func (s *Syncer) Peek(ctx context.Context, prefix string) ([]string, string, error) {
	page, err := s.KV.SDK().KV.Namespaces.Keys.List(ctx, s.KV.Namespace(), kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.KV.Account()),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, fmt.Sprintf("%s (exp %d)", k.Name, int64(k.Expiration)))
	}
	return names, page.ResultInfo.Cursor, nil
}
