//go:build !js

// Package modqueue is the moderation queue: reports filed by members,
// listed for moderators, and resolved with an audit trail.
package modqueue

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"catbird/internal/forum"
	"catbird/internal/kvrest"
)

// Queue is a value type; copy it freely.
type Queue struct {
	KV        kvrest.Store
	OpenTTL   time.Duration // how long an unhandled report stays visible
	AuditTTL  time.Duration
	PageLimit int
}

// Default is the production setup.
func Default(store kvrest.Store) Queue {
	return Queue{KV: store, OpenTTL: 30 * 24 * time.Hour, AuditTTL: 180 * 24 * time.Hour, PageLimit: 100}
}

func threadReportsKey(threadID string) string { return fmt.Sprintf("modq:thread:%s", threadID) }
func auditKey(day time.Time) string           { return "modq:audit:" + day.UTC().Format("2006-01-02") }

// File records a new report.
func (q Queue) File(ctx context.Context, r forum.Report) (forum.Report, error) {
	r.ID = forum.NewID()
	r.FiledAt = time.Now().UTC()
	raw, err := json.Marshal(r)
	if err != nil {
		return forum.Report{}, err
	}
	if err := q.KV.PutTTL(ctx, forum.ReportKey(r.ID), raw, q.OpenTTL); err != nil {
		return forum.Report{}, err
	}
	if err := q.KV.AppendJSON(ctx, threadReportsKey(r.ThreadID), r.ID, q.OpenTTL); err != nil {
		return forum.Report{}, err
	}
	return r, nil
}

// Entry is one line of a queue page.
type Entry struct {
	ReportID  string    `json:"report_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Page returns one page of open reports and the cursor of the next one.
func (q Queue) Page(ctx context.Context, cursor string) ([]Entry, string, error) {
	keys, next, err := q.KV.Page(ctx, forum.PrefixReport, cursor, q.PageLimit)
	if err != nil {
		return nil, "", err
	}
	out := make([]Entry, 0, len(keys))
	for _, k := range keys {
		e := Entry{ReportID: strings.TrimPrefix(k.Name, forum.PrefixReport)}
		if k.Expiration > 0 {
			e.ExpiresAt = time.Unix(int64(k.Expiration), 0).UTC()
		}
		out = append(out, e)
	}
	return out, next, nil
}

// Report loads one report.
func (q Queue) Report(ctx context.Context, id string) (forum.Report, bool, error) {
	var r forum.Report
	found, err := q.KV.GetJSON(ctx, forum.ReportKey(id), &r)
	return r, found, err
}

// Resolve closes a report and appends the decision to today's audit log.
func (q Queue) Resolve(ctx context.Context, reportID, moderatorID, action string) error {
	if err := q.KV.Delete(ctx, forum.ReportKey(reportID)); err != nil {
		return err
	}
	now := time.Now().UTC()
	key := auditKey(now)
	old, _, err := q.KV.Get(ctx, key)
	if err != nil {
		return err
	}
	line := fmt.Sprintf("%s\t%s\t%s\t%s\n", now.Format(time.RFC3339), moderatorID, reportID, action)
	return q.KV.PutTTL(ctx, key, []byte(string(old)+line), q.AuditTTL) // EXPECT kvrace
}
