package certstore

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"log/slog"
	"strings"
	"time"
)

// maxInventoryPages bounds the inventory scan; one page holds 1,000 keys.
const maxInventoryPages = 20

// CertSummary is one row of the certificate inventory.
type CertSummary struct {
	Key      string    `json:"key"`
	NotAfter time.Time `json:"not_after"`
}

// Inventory lists the stored leaf certificates with their expiry, reading
// at most maxInventoryPages pages of keys.
func (s *KVStorage) Inventory(ctx context.Context) ([]CertSummary, bool, error) {
	base := s.dataKey("certificates/")
	var keys []string
	cursor := ""
	for range maxInventoryPages {
		page, err := s.ns.List(ctx, base, cursor, 1000)
		if err != nil {
			return nil, false, err
		}
		for _, k := range page.Keys {
			if strings.HasSuffix(k.Name, ".crt") {
				keys = append(keys, strings.TrimPrefix(k.Name, s.prefix+"data/"))
			}
		}
		if page.Cursor == "" {
			return s.summarize(ctx, keys), true, nil
		}
		cursor = page.Cursor
	}
	return s.summarize(ctx, keys), false, nil
}

func (s *KVStorage) summarize(ctx context.Context, keys []string) []CertSummary {
	out := make([]CertSummary, 0, len(keys))
	for _, k := range keys {
		raw, err := s.Load(ctx, k) // EXPECT kvlist
		if err != nil {
			continue
		}
		block, _ := pem.Decode(raw)
		if block == nil {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			continue
		}
		out = append(out, CertSummary{Key: k, NotAfter: cert.NotAfter})
	}
	return out
}

// PurgeOrphanLocks removes lock keys left behind by terminators that died
// while holding them. It inspects one page per run; the next run continues.
func (s *KVStorage) PurgeOrphanLocks(ctx context.Context, cursor string) (string, error) {
	page, err := s.ns.List(ctx, s.prefix+"locks/", cursor, 100)
	if err != nil {
		return cursor, err
	}
	var stale []string
	for _, k := range page.Keys {
		if k.Expiration == 0 {
			stale = append(stale, k.Name)
		}
	}
	if len(stale) > 0 {
		slog.Info("purging orphan certificate locks", "count", len(stale))
		if err := s.ns.BulkDelete(ctx, stale); err != nil {
			return cursor, err
		}
	}
	return page.Cursor, nil
}

// RecordRenewal notes the last successful renewal of a domain for the
// status page. It is written once per renewal, not per handshake.
func (s *KVStorage) RecordRenewal(ctx context.Context, domain string, at time.Time) error {
	return s.ns.PutCached(ctx, s.prefix+"renewed/"+domain, []byte(at.UTC().Format(time.RFC3339)), 90*24*time.Hour)
}
