// Package reports runs the identity service's periodic jobs: login
// statistics, the session audit behind the security dashboard, and the
// status summary the status page reads.
package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"github.com/tinamou-id/tinamou/internal/kvstore"
)

const (
	auditKeyBudget = 50_000
	auditPageSize  = 1000
	summaryTTL     = 10 * time.Minute
)

// Jobs holds what the periodic jobs need.
type Jobs struct {
	sessions *kvstore.Namespace
	reports  *kvstore.Namespace
	log      *slog.Logger

	day    string
	logins int64
}

// NewJobs returns the periodic jobs over the sessions and reports namespaces.
func NewJobs(sessions, reports *kvstore.Namespace, log *slog.Logger) *Jobs {
	return &Jobs{sessions: sessions, reports: reports, log: log}
}

// RecordLogins adds the logins counted since the previous tick to today's
// figure and publishes it.
func (j *Jobs) RecordLogins(ctx context.Context, delta int64) error {
	today := time.Now().UTC().Format(time.DateOnly)
	if today != j.day {
		j.day, j.logins = today, 0
	}
	j.logins += delta
	key := "stats:logins:count:" + today
	return j.reports.Put(ctx, key, []byte(strconv.FormatInt(j.logins, 10)), 90*24*time.Hour) // EXPECT kvcounter
}

// SessionAudit counts live sessions per user for the security dashboard.
func (j *Jobs) SessionAudit(ctx context.Context) (map[string]int, error) {
	cf := j.sessions.Client()
	pager := cf.KV.Namespaces.Keys.ListAutoPaging(ctx, j.sessions.ID(), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(j.sessions.AccountID()),
		Prefix:    cloudflare.F("sess:"),
		Limit:     cloudflare.F(float64(auditPageSize)),
	})
	perUser := make(map[string]int)
	for pager.Next() {
		k := pager.Current()
		rest := strings.TrimPrefix(k.Name, "sess:")
		uid, _, _ := strings.Cut(rest, ":")
		perUser[uid]++
		if pager.Index()%auditPageSize == 0 {
			if err := j.reports.Put(ctx, "reports:session-audit:checkpoint", []byte(k.Name), time.Hour); err != nil { // EXPECT kvhotkey
				j.log.WarnContext(ctx, "audit checkpoint", "err", err)
			}
		}
	}
	if err := pager.Err(); err != nil {
		return nil, err
	}
	return perUser, nil
}

// StaleSessionReport lists sessions whose expiry is more than a week away,
// which only happens for sessions created before the idle-timeout change.
// It stops at a key budget and at the context deadline.
func (j *Jobs) StaleSessionReport(ctx context.Context) ([]string, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	horizon := float64(time.Now().Add(7 * 24 * time.Hour).Unix())
	var stale []string
	cursor, seen := "", 0
	for seen < auditKeyBudget {
		page, err := j.sessions.ListPage(ctx, "sess:", cursor, auditPageSize)
		if err != nil {
			return stale, false, err
		}
		seen += len(page.Keys)
		for _, k := range page.Keys {
			if k.Expiration == 0 || k.Expiration > horizon {
				stale = append(stale, k.Name)
			}
		}
		if page.Cursor == "" {
			return stale, true, nil
		}
		cursor = page.Cursor
	}
	return stale, false, nil
}

// PublishPerUser writes one dashboard entry per user with live sessions.
func (j *Jobs) PublishPerUser(ctx context.Context, perUser map[string]int) error {
	for uid, n := range perUser {
		enc, _ := json.Marshal(map[string]any{"sessions": n, "at": time.Now().UTC()})
		if err := j.reports.Put(ctx, "reports:user:"+uid+":sessions", enc, 25*time.Hour); err != nil {
			return fmt.Errorf("publish %s: %w", uid, err)
		}
	}
	return nil
}

// Summary is the status-page document.
type Summary struct {
	GeneratedAt  time.Time `json:"generated_at"`
	LiveSessions int       `json:"live_sessions"`
	Users        int       `json:"users"`
}

// PublishSummary writes the status summary; it runs once per scheduler tick.
func (j *Jobs) PublishSummary(ctx context.Context, perUser map[string]int) error {
	s := Summary{GeneratedAt: time.Now().UTC(), Users: len(perUser)}
	for _, n := range perUser {
		s.LiveSessions += n
	}
	enc, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return j.reports.Put(ctx, "status:summary", enc, summaryTTL)
}

// Run executes the jobs on every tick until ctx ends.
func (j *Jobs) Run(ctx context.Context, every time.Duration, logins func() int64) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := j.RecordLogins(ctx, logins()); err != nil {
			j.log.WarnContext(ctx, "login stats", "err", err)
		}
		perUser, err := j.SessionAudit(ctx)
		if err != nil {
			j.log.WarnContext(ctx, "session audit", "err", err)
			continue
		}
		if err := j.PublishPerUser(ctx, perUser); err != nil {
			j.log.WarnContext(ctx, "per-user report", "err", err)
		}
		if err := j.PublishSummary(ctx, perUser); err != nil {
			j.log.WarnContext(ctx, "summary", "err", err)
		}
	}
}
