package kvhotkey

import (
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// flagSilent walks the last-seen stamps and records its progress after
// each silent scooter. The check of each stamp's age filters records; it
// does not pace the writes, which can come as fast as the loop runs.
func flagSilent(ns *kv.Namespace, keys []string, scheduled time.Time) error { // want flagSilent:"kvhotkey"
	for _, k := range keys {
		last, err := ns.GetString(k, nil)
		if err != nil {
			return err
		}
		seen, err := time.Parse(time.RFC3339, last)
		if err != nil || scheduled.Sub(seen) < time.Hour {
			continue
		}
		if err := ns.PutString("sweep:progress", k, nil); err != nil { // want `this loop writes the same KV key on every iteration`
			return err
		}
	}
	return nil
}

// Quiet: the same loop paced by the time of its own last write.
func flagSilentPaced(ns *kv.Namespace, keys []string) error {
	var wrote time.Time
	for _, k := range keys {
		if time.Since(wrote) < 5*time.Second {
			continue
		}
		if err := ns.PutString("sweep:progress", k, nil); err != nil {
			return err
		}
		wrote = time.Now()
	}
	return nil
}

// statusBoard keeps each clinician's status in memory and flushes it to KV.
type statusBoard struct {
	status sync.Map // clinician -> string
	ns     *kv.Namespace
}

// flush writes each status under its own key, and the whole roster under
// one key once per entry.
func (b *statusBoard) flush() { // want flush:"kvhotkey"
	var roster []string
	b.status.Range(func(k, v any) bool {
		_ = b.ns.PutString("status:"+k.(string), v.(string), nil)
		roster = append(roster, k.(string))
		_ = b.ns.PutString("roster:current", strings.Join(roster, ","), nil) // want `this loop writes the same KV key on every iteration`
		return true
	})
}

// Quiet: the roster written once, after the Range.
func (b *statusBoard) flushOnce() error {
	var roster []string
	b.status.Range(func(k, v any) bool {
		_ = b.ns.PutString("status:"+k.(string), v.(string), nil)
		roster = append(roster, k.(string))
		return true
	})
	return b.ns.PutString("roster:current", strings.Join(roster, ","), nil)
}

// progressKeeper remembers when it last wrote its progress.
type progressKeeper struct {
	ns    *kv.Namespace
	wrote time.Time
}

func (p *progressKeeper) lastWrite() time.Time { return p.wrote }

// Quiet: paced by an accessor of the time of its own last write.
func (p *progressKeeper) walk(keys []string) error {
	for _, k := range keys {
		if time.Since(p.lastWrite()) < 5*time.Second {
			continue
		}
		if err := p.ns.PutString("walk:progress", k, nil); err != nil {
			return err
		}
		p.wrote = time.Now()
	}
	return nil
}
