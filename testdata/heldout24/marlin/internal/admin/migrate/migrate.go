// Package migrate copies keys from the legacy namespace into the current
// one, rewriting key layouts on the way.
package migrate

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"example.com/marlin/internal/admin/legacykv"
	"example.com/marlin/internal/clock"
	"example.com/marlin/internal/kv"
)

// Source is the part of the legacy namespace a migration reads.
type Source interface {
	Walk(ctx context.Context, prefix string, maxPages int, fn func(cloudflare.StorageKey) error) (string, error)
	Get(ctx context.Context, key string) ([]byte, error)
}

// Rule rewrites one legacy key into its new name; ok is false to skip it.
type Rule func(old string) (string, bool)

// Rules maps legacy prefixes to their rewrite rule.
var Rules = map[string]Rule{
	"ep_":  func(old string) (string, bool) { return "episode:" + strings.TrimPrefix(old, "ep_"), true },
	"sh_":  func(old string) (string, bool) { return "show:card:" + strings.TrimPrefix(old, "sh_"), true },
	"tmp_": func(string) (string, bool) { return "", false },
}

// manifestSchema documents the layout written by this migrator. It is part
// of the manifest key so that a schema change forces a fresh manifest.
const manifestSchema = "episode:{id}=json(Doc){t:title,n:number,l:license};" +
	"show:card:{id}=json(Card){id,slug,title,author,image_url,episode_ids[],tags[],cached_at};" +
	"show:slug:{slug}=raw(show_id);show:tags:{id}=json([]string);show:order:{id}=json([]string);" +
	"feed:pub:{show}=xml(rss2);feed:priv:{show}=xml(rss2);feed:arch:{show}=xml(rss2);" +
	"embed:{episode}=html;session:{id}=json(Session){id,creator_id,ua,created_at,last_seen};" +
	"profile:{creator}=json(Profile){creator_id,display_name,timezone,newsletter};" +
	"dash:{creator}=json(Dashboard){creator_id,shows,episodes,built};" +
	"invite:{code}=json(Invite){code,show_id,role,email,expires_at};guests:{show}=json([]Guest);" +
	"transcript:job:{id}=json(Status);transcript:chunk:{job}:{n}=json(string);transcript:text:{ep}=json(string)"

// Migrator copies keys.
type Migrator struct {
	src      Source
	dst      kv.Store
	clock    clock.Clock
	maxPages int
}

// New returns a Migrator.
func New(src Source, dst kv.Store, c clock.Clock, maxPages int) *Migrator {
	return &Migrator{src: src, dst: dst, clock: c, maxPages: max(maxPages, 1)}
}

// Report summarises a run.
type Report struct {
	Copied  int       `json:"copied"`
	Skipped int       `json:"skipped"`
	Resume  string    `json:"resume"`
	Done    time.Time `json:"done"`
}

// Copy migrates every key under the legacy prefixes, page budget permitting.
func (m *Migrator) Copy(ctx context.Context) (Report, error) {
	var rep Report
	for prefix, rule := range Rules {
		resume, err := m.src.Walk(ctx, prefix, m.maxPages, func(k cloudflare.StorageKey) error {
			name, ok := rule(k.Name)
			if !ok {
				rep.Skipped++
				return nil
			}
			v, err := m.src.Get(ctx, k.Name) // EXPECT kvlist
			if err == legacykv.ErrMissing {
				rep.Skipped++
				return nil
			}
			if err != nil {
				return err
			}
			opts := kv.PutOptions{Metadata: k.Metadata}
			if k.Expiration > 0 {
				exp := time.Unix(int64(k.Expiration), 0)
				if clock.Until(m.clock, exp) < time.Minute {
					rep.Skipped++
					return nil
				}
				opts.ExpiresAt = exp
			}
			if err := m.dst.Put(ctx, name, v, opts); err != nil {
				return fmt.Errorf("copy %s: %w", k.Name, err)
			}
			rep.Copied++
			return m.dst.Put(ctx, "migration:last-key", []byte(k.Name), kv.PutOptions{}) // EXPECT kvhotkey
		})
		if err != nil {
			return rep, err
		}
		if resume != "" {
			rep.Resume = prefix + "@" + resume
		}
	}
	rep.Done = m.clock.Now()
	return rep, nil
}

// WriteManifest records the layout and outcome of a run.
func (m *Migrator) WriteManifest(ctx context.Context, rep Report) error {
	b, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	return m.dst.Put(ctx, "migration:manifest:"+manifestSchema, b, kv.PutOptions{}) // EXPECT kvlimits
}

// WriteReport stores the report of a run under its completion date; one
// key per run.
func (m *Migrator) WriteReport(ctx context.Context, rep Report) error {
	b, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	return m.dst.Put(ctx, "migration:report:"+rep.Done.Format(time.RFC3339), b, kv.PutOptions{TTL: 30 * 24 * time.Hour})
}
