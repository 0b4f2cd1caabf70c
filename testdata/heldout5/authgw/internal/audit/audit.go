// Package audit keeps an append-only trail of security-relevant actions.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/authgw/internal/kvport"
	"example.com/authgw/internal/repo"
)

// Event is one audited action.
type Event struct {
	Seq    uint64    `json:"seq"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Target string    `json:"target,omitempty"`
	IP     string    `json:"ip,omitempty"`
	OK     bool      `json:"ok"`
}

// Log writes events to KV.
type Log struct {
	kv        kvport.Store
	retention time.Duration
	now       func() time.Time
}

func NewLog(kv kvport.Store, retention time.Duration) *Log {
	return &Log{kv: kv, retention: retention, now: time.Now}
}

const seqKey = "audit:seq"

func dayOf(t time.Time) string { return t.UTC().Format("20060102") }

func eventKey(ev Event) string {
	return fmt.Sprintf("audit:ev:%s:%020d", dayOf(ev.At), ev.Seq)
}

func (l *Log) nextSeq(ctx context.Context) (uint64, error) {
	var cur uint64
	raw, err := l.kv.Get(ctx, seqKey)
	switch {
	case err == nil:
		cur, err = strconv.ParseUint(string(raw), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("audit: corrupt sequence: %w", err)
		}
	case !kvport.IsNotFound(err):
		return 0, err
	}
	next := cur + 1
	return next, l.kv.Put(ctx, seqKey, []byte(strconv.FormatUint(next, 10))) // EXPECT kvcounter
}

// Record appends ev to the trail.
func (l *Log) Record(ctx context.Context, ev Event) error {
	if ev.At.IsZero() {
		ev.At = l.now()
	}
	ev.At = ev.At.UTC()
	seq, err := l.nextSeq(ctx)
	if err != nil {
		return err
	}
	ev.Seq = seq
	write := l.kv.Put
	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	if err := write(ctx, eventKey(ev), body, kvport.ExpireAt(ev.At.Add(l.retention))); err != nil {
		return err
	}
	return l.appendDigest(ctx, ev)
}

// appendDigest keeps a one-line-per-event text digest per day, which is what
// the on-call runbook greps.
func (l *Log) appendDigest(ctx context.Context, ev Event) error {
	day := dayOf(ev.At)
	key := "audit:digest:" + day
	prev, err := l.kv.Get(ctx, key)
	if err != nil && !kvport.IsNotFound(err) {
		return err
	}
	line := fmt.Sprintf("%s %d %s %s %s ok=%t\n", ev.At.Format(time.RFC3339), ev.Seq, ev.Actor, ev.Action, ev.Target, ev.OK)
	start, _ := time.Parse("20060102", day)
	return l.kv.Put(ctx, key, append(prev, line...), // EXPECT kvrace
		kvport.ExpireAtUnix(start.Add(l.retention).Unix()*1000)) // EXPECT kvttl
}

// Get loads one event by its key suffix (day:seq).
func (l *Log) Get(ctx context.Context, id string) (Event, error) {
	return repo.GetJSON[Event](ctx, l.kv, "audit:ev:"+id, kvport.WithCacheTTL(time.Hour))
}

// Index lists the ids of every event of day, for the compliance export.
func (l *Log) Index(ctx context.Context, day string) ([]string, error) {
	keys, _, err := repo.Collect(repo.Keys(ctx, l.kv, "audit:ev:"+day+":", 1000), 0) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = strings.TrimPrefix(k.Name, "audit:ev:")
	}
	return out, nil
}

// Recent returns up to n event ids of today, oldest first, and whether more exist.
func (l *Log) Recent(ctx context.Context, n int) ([]string, bool, error) {
	keys, more, err := repo.Collect(repo.Keys(ctx, l.kv, "audit:ev:"+dayOf(l.now())+":", 100), n)
	if err != nil {
		return nil, false, err
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = strings.TrimPrefix(k.Name, "audit:ev:")
	}
	return out, more, nil
}
