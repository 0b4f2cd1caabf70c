//go:build js && wasm

package jobs

import (
	"context"
	"encoding/json"
	"log/slog"
	"path"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"

	"example.com/kestrel/internal/audit"
	"example.com/kestrel/internal/keys"
	"example.com/kestrel/internal/store"
)

// Jobs runs the cron task and consumes the kestrel-events queue.
type Jobs struct {
	Main        *kv.Namespace
	St          store.Store // main namespace, through the port
	AuditSt     store.Store
	Experiments map[string][]string
	Retention   time.Duration
	BatchSize   int
	Steps       []Step
	Log         *slog.Logger
}

// Cron runs every 15 minutes.
func (j *Jobs) Cron(ctx context.Context) error {
	if _, err := Migrate(ctx, j.St, j.Steps); err != nil {
		return err
	}
	if err := j.dropStaleAssignments(); err != nil {
		return err
	}
	if err := j.indexFlags(); err != nil {
		return err
	}
	return j.Main.PutString("jobs/cron/last-run", time.Now().UTC().Format(time.RFC3339), nil)
}

// dropStaleAssignments removes assignments of experiments that are no
// longer configured.
func (j *Jobs) dropStaleAssignments() error {
	cursor, dropped := "", 0
	for {
		res, err := j.Main.List(&kv.ListOptions{Prefix: "exp/", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			exp, _, _ := strings.Cut(strings.TrimPrefix(k.Name, "exp/"), "/")
			if _, ok := j.Experiments[exp]; !ok {
				if err := j.Main.Delete(k.Name); err != nil {
					return err
				}
				dropped++
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	j.Log.Info("stale assignments dropped", "count", dropped)
	return nil
}

// indexFlags writes the list of flag names read by the dashboard picker.
func (j *Jobs) indexFlags() error {
	var names []string
	opts := &kv.ListOptions{Prefix: "flag/"}
	for range 10 {
		res, err := j.Main.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			names = append(names, strings.TrimPrefix(k.Name, "flag/"))
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor}
	}
	body, err := json.Marshal(names)
	if err != nil {
		return err
	}
	return j.Main.PutString("flags/index", string(body), nil)
}

// digest summarises an organisation's open invitations for the weekly
// e-mail.
func (j *Jobs) digest(ctx context.Context, org string) error {
	res, err := j.Main.List(&kv.ListOptions{Prefix: keys.Join("invite-idx", org) + "/", Limit: 100})
	if err != nil {
		return err
	}
	type line struct{ Email, Role string }
	lines := make([]line, 0, len(res.Keys))
	for _, k := range res.Keys {
		raw, err := j.St.Get(ctx, "invite/"+path.Base(k.Name)) // EXPECT kvlist
		if store.IsNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		var l line
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			return err
		}
		lines = append(lines, l)
	}
	body, err := json.Marshal(map[string]any{"org": org, "invites": lines, "truncated": !res.ListComplete})
	if err != nil {
		return err
	}
	day := time.Now().UTC().Format("2006-01-02")
	return j.St.Put(ctx, keys.Join("digest", org, day), string(body), 8*24*time.Hour)
}

type message struct {
	Kind  string          `json:"kind"` // "audit" or "digest"
	Org   string          `json:"org"`
	Entry json.RawMessage `json:"entry,omitempty"`
}

// Consume handles one batch of the kestrel-events queue.
func (j *Jobs) Consume(batch *queues.MessageBatch) error {
	ctx := context.Background()
	byOrg := map[string][][]byte{}
	for _, m := range batch.Messages {
		body, err := m.StringBody()
		if err != nil {
			j.Log.Warn("queue message dropped", "id", m.ID, "err", err)
			m.Ack()
			continue
		}
		var msg message
		if err := json.Unmarshal([]byte(body), &msg); err != nil {
			m.Ack()
			continue
		}
		switch msg.Kind {
		case "audit":
			byOrg[msg.Org] = append(byOrg[msg.Org], msg.Entry)
		case "digest":
			if err := j.digest(ctx, msg.Org); err != nil {
				m.Retry()
				continue
			}
		}
		m.Ack()
		if err := j.Main.PutString("queue/kestrel-events/checkpoint", m.ID, nil); err != nil { // EXPECT kvhotkey
			j.Log.Warn("checkpoint failed", "err", err)
		}
	}
	for org, entries := range byOrg {
		in := make(chan []byte, len(entries))
		for _, e := range entries {
			in <- e
		}
		close(in)
		if err := audit.NewPipeline(j.AuditSt, org, j.Retention, j.BatchSize, j.Log).Run(ctx, in); err != nil {
			return err
		}
	}
	return nil
}
