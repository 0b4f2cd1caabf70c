// Package export runs the nightly export: the attendee list of every active
// event goes to the archive namespace as CSV, where the finance and venue
// teams pick it up, and old archives are pruned.
package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"github.com/confhub/puffin/internal/keys"
	"github.com/confhub/puffin/internal/kvx"
)

const (
	lockKey         = "pf:export:lock"
	lockTTL         = 2 * time.Hour
	statusRetention = 30 * 24 * time.Hour
	archiveDays     = 90
	maxPrunePages   = 50
)

// exportNotice travels with every archive so whoever opens the file in the
// dashboard's file browser sees the handling rules.
const exportNotice = "This file contains personal data of event attendees (names, e-mail addresses, " +
	"employers and ticket types) collected by the organiser for the purpose of running the event. " +
	"It may only be used by the organiser's staff and by the processors listed in the data processing " +
	"agreement, for registration, access control, catering and venue capacity planning. Do not forward " +
	"it to sponsors or exhibitors: attendees who agreed to share their details with a sponsor are " +
	"exported to that sponsor separately through the lead-retrieval app. Keep the file on the " +
	"organiser's managed storage only, do not copy it to personal devices or e-mail it, and delete " +
	"local copies once the task that needed them is done. The archive copy is deleted automatically " +
	"ninety days after the event. Requests from attendees to access, correct or erase their data go " +
	"to privacy@puffin.events and must be answered within one month. Report a suspected breach " +
	"(a lost laptop, a file sent to the wrong person) to security@puffin.events immediately, " +
	"including outside office hours."

// ErrRunning is returned when another export holds the lock.
var ErrRunning = errors.New("export: another run is in progress")

// Job is one nightly export.
type Job struct {
	api       *cloudflare.Client
	account   string
	liveNS    string
	live      *kvx.Store
	archive   *kvx.Store
	host      string
	retention time.Duration
}

// New returns the export job.
func New(api *cloudflare.Client, account, liveNS, archiveNS, host string) *Job {
	return &Job{
		api: api, account: account, liveNS: liveNS,
		live:      kvx.New(api, account, liveNS),
		archive:   kvx.New(api, account, archiveNS),
		host:      host,
		retention: archiveDays * 24 * time.Hour,
	}
}

// Run exports every event in events for day (YYYY-MM-DD).
func (j *Job) Run(ctx context.Context, day string, events []string) (err error) {
	status := "running"
	started := time.Now().UTC()
	defer func() {
		if err != nil && status == "running" {
			status = "failed: " + err.Error()
		}
		rec, _ := json.Marshal(map[string]any{
			"status": status, "host": j.host, "started": started, "finished": time.Now().UTC(),
		})
		if perr := j.live.Put(ctx, keys.Export(day).String(), rec, statusRetention); perr != nil {
			log.Printf("export: status: %v", perr)
		}
	}()

	if _, err := j.live.Get(ctx, lockKey); err == nil {
		status = "skipped: locked"
		return ErrRunning
	} else if !kvx.IsNotFound(err) {
		return err
	}
	if err := j.live.Put(ctx, lockKey, []byte(j.host), lockTTL); err != nil { // EXPECT kvrace
		return err
	}
	defer func() {
		if derr := j.live.Delete(context.WithoutCancel(ctx), lockKey); derr != nil {
			log.Printf("export: unlock: %v", derr)
		}
	}()

	total := 0
	summaries := make([]kvx.Pair, 0, len(events))
	retainUntil := time.Now().Add(j.retention)
	for _, ev := range events {
		n, err := j.exportEvent(ctx, day, ev)
		if err != nil {
			return fmt.Errorf("event %s: %w", ev, err)
		}
		total += n
		raw, _ := json.Marshal(map[string]any{"event": ev, "day": day, "rows": n})
		summaries = append(summaries, kvx.Pair{
			Key:        cloudflare.F(keys.Root.Child("archive", ev, day, "summary").String()),
			Value:      cloudflare.F(string(raw)),
			Expiration: cloudflare.F(float64(retainUntil.UnixMilli())), // EXPECT kvttl
		})
	}
	if err := j.archive.BulkPutAll(ctx, summaries); err != nil {
		return err
	}
	if err := j.live.Put(ctx, keys.Root.Child("count", "exported", day).String(), []byte(strconv.Itoa(total)), statusRetention); err != nil { // DEBATABLE kvcounter
		return err
	}
	if err := j.prune(ctx); err != nil {
		return err
	}
	status = "done"
	return nil
}

// exportEvent writes the attendee CSV of one event to the archive.
func (j *Job) exportEvent(ctx context.Context, day, event string) (int, error) {
	iter := j.api.KV.Namespaces.Keys.ListAutoPaging(ctx, j.liveNS, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(j.account),
		Prefix:    cloudflare.F(keys.Badges(event).Prefix()),
	})
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"badge", "name", "company", "ticket", "status"})
	n := 0
	for iter.Next() {
		k := iter.Current()
		str := func(name string) string {
			s, _ := k.Metadata[name].(string)
			return s
		}
		bk, _ := keys.ParseBadgeKey(k.Name)
		if err := w.Write([]string{bk.ID, str("name"), str("company"), str("ticket"), str("status")}); err != nil {
			return n, err
		}
		n++
	}
	if err := iter.Err(); err != nil {
		return n, err
	}
	w.Flush()
	key := keys.Root.Child("archive", event, day, "attendees.csv").String()
	if err := j.archive.PutMeta(ctx, key, buf.Bytes(), map[string]any{"event": event, "rows": n, "notice": exportNotice}, j.retention); err != nil { // EXPECT kvlimits
		return n, err
	}
	return n, nil
}

// prune deletes archives written before archives got an expiry (they carry
// their creation time in metadata instead) once they are older than the
// retention. It works a page at a time and remembers where it stopped so
// the next night continues from there.
func (j *Job) prune(ctx context.Context) error {
	progress := keys.Export("prune-cursor").String()
	cursor := ""
	if raw, err := j.archive.Get(ctx, progress); err == nil {
		cursor = string(raw)
	} else if !kvx.IsNotFound(err) {
		return err
	}
	cutoff := float64(time.Now().Add(-j.retention).Unix())
	prefix := keys.Root.Child("archive").Prefix()
	for range maxPrunePages {
		page, err := j.archive.ListPage(ctx, prefix, cursor, 1000)
		if err != nil {
			return err
		}
		var stale []string
		for _, k := range page.Keys {
			if k.Expiration == 0 && k.Metadata["created"] != nil {
				if created, ok := k.Metadata["created"].(float64); ok && created < cutoff {
					stale = append(stale, k.Name)
				}
			}
		}
		if err := j.archive.BulkDelete(ctx, stale); err != nil {
			return err
		}
		cursor = page.Cursor
		if err := j.archive.Put(ctx, progress, []byte(cursor), 0); err != nil { // EXPECT kvhotkey
			return err
		}
		if cursor == "" {
			break
		}
	}
	return nil
}
