// Package audit records who changed what on a site.
package audit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/atlas/internal/consts"
	"example.com/atlas/internal/storage"
)

// Event is one audit record.
type Event struct {
	SiteID string    `json:"site"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Detail string    `json:"detail,omitempty"`
	At     time.Time `json:"at"`
}

// Logger writes audit events.
type Logger struct {
	store storage.Store
	now   func() time.Time
}

func New(s storage.Store) *Logger {
	return &Logger{store: s, now: time.Now}
}

// Record stores ev under its own key so concurrent writers never collide.
func (l *Logger) Record(ctx context.Context, ev Event) error {
	if ev.At.IsZero() {
		ev.At = l.now().UTC()
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	key := consts.PrefixAudit.Key(ev.SiteID, ev.At.Format("20060102T150405Z"), randomSuffix())
	return l.store.Put(ctx, key, b, consts.AuditRetention)
}

// AppendTrail adds a human-readable line to the site's rolling trail shown on
// the dashboard.
func (l *Logger) AppendTrail(ctx context.Context, siteID, line string) error {
	key := consts.PrefixAudit.Key(siteID, "trail")
	prev, err := l.store.Get(ctx, key)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("audit: read trail: %w", err)
	}
	entry := fmt.Sprintf("%s %s\n", l.now().UTC().Format(time.RFC3339), strings.TrimSpace(line))
	trail := string(prev) + entry
	if len(trail) > 64<<10 {
		trail = trail[len(trail)-64<<10:]
	}
	return l.store.Put(ctx, key, []byte(trail), 0) // EXPECT kvrace
}

func randomSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Purge removes the audit records of deleted sites.
func (l *Logger) Purge(ctx context.Context, siteIDs []string, pageSize int) (int, error) {
	removed := 0
	for _, site := range siteIDs {
		prefix := consts.PrefixAudit.Key(site, "")
		cursor := ""
		for {
			page, err := l.store.List(ctx, prefix, cursor, pageSize) // EXPECT kvlist
			if err != nil {
				return removed, err
			}
			if len(page.Keys) == 0 {
				break
			}
			for _, k := range page.Keys {
				if err := l.store.Delete(ctx, k.Name); err != nil {
					return removed, err
				}
				removed++
			}
			cursor = page.Cursor
		}
	}
	return removed, nil
}
