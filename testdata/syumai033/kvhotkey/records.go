package kvhotkey

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/keyspace"
)

type serverBeat struct{ Server, Region string }

func (h serverBeat) key() string { return "fleet/" + h.Region + "/" + h.Server }

type registry struct{ ns *kv.Namespace }

// Each call writes one record under its own key and then a constant key:
// the constant key is written as often as records are.
func (r *registry) beat(ctx context.Context, hb serverBeat) error { // want beat:"kvhotkey"
	b, _ := json.Marshal(hb)
	if err := r.ns.PutString(hb.key(), string(b), nil); err != nil {
		return err
	}
	return r.ns.PutString("fleet/last-heartbeat", string(b), nil) // want `this handler writes the same KV key on every request`
}

// Quiet: a job writes its records in a loop, then its status once.
func (r *registry) sweep(ctx context.Context, all []serverBeat) error {
	for _, hb := range all {
		if err := r.ns.PutString(hb.key(), "swept", nil); err != nil {
			return err
		}
	}
	return r.ns.PutString("fleet/last-sweep", "done", nil)
}

// Quiet: the constant key is not about activity.
func (r *registry) retire(ctx context.Context, hb serverBeat) error {
	if err := r.ns.PutString(hb.key(), "retired", nil); err != nil {
		return err
	}
	return r.ns.PutString("fleet/notice", "a server was retired", nil)
}

// Quiet: an editor publishes now and then, not on each request.
func (r *registry) publish(ctx context.Context, hb serverBeat) error {
	if err := r.ns.PutString(hb.key(), "published", nil); err != nil {
		return err
	}
	return r.ns.PutString("fleet/latest", hb.Server, nil)
}

// Quiet: a function, not a service's method, that wires things once.
func start(ctx context.Context, ns *kv.Namespace, region string) error {
	if err := ns.PutString("boot/"+region, "up", nil); err != nil {
		return err
	}
	return ns.PutString("boot/last-start", region, nil)
}

type showing struct{ ID, Title string }

type publisher struct{ ns *kv.Namespace }

// publishOne marks one event published under the key of that event.
func (p *publisher) publishOne(e showing) error {
	k := keyspace.Event(e.ID)
	b, _ := json.Marshal(e)
	return p.ns.PutString(k, string(b), nil)
}

// Quiet: each goroutine writes the key of the event it was given.
func (p *publisher) publishAll(due []showing) {
	var wg sync.WaitGroup
	for _, e := range due {
		wg.Add(1)
		go func(row showing) {
			defer wg.Done()
			_ = p.publishOne(row)
		}(e)
	}
	wg.Wait()
}

// A queue consumer's handler of one message: it purges the page the
// message names, then notes the latest change under a constant key, as
// often as messages come.
func (r *registry) consume(ctx context.Context, slug string, body []byte) error { // want consume:"kvhotkey"
	if err := r.ns.Delete("page:" + slug); err != nil {
		return err
	}
	return r.ns.PutString("feed:latest", string(body), nil) // want `this handler writes the same KV key on every request`
}

type manifest struct {
	Generation int64
	Updated    time.Time
}

// Each call writes one record, then has a helper stamp the time of the
// latest change under a constant key, as often as records are written.
func (r *registry) rename(ctx context.Context, hb serverBeat, name string) error { // want rename:"kvhotkey"
	if err := r.ns.PutString(hb.key(), name, nil); err != nil {
		return err
	}
	return r.touchManifest(ctx)
}

func (r *registry) touchManifest(ctx context.Context) error {
	now := time.Now()
	b, _ := json.Marshal(manifest{Generation: now.UnixNano(), Updated: now})
	return r.ns.PutString("fleet/manifest", string(b), nil) // want `this write, called from a handler, writes the same KV key on every request`
}

// Quiet: the helper's value is not a stamp of the time.
func (r *registry) relocate(ctx context.Context, hb serverBeat, region string) error {
	if err := r.ns.PutString(hb.key(), region, nil); err != nil {
		return err
	}
	return r.noteRegions(ctx)
}

func (r *registry) noteRegions(ctx context.Context) error {
	return r.ns.PutString("fleet/regions", "several", nil)
}

// Quiet: the constant key is the record itself, stamped when saved.
func (r *registry) saveSettings(ctx context.Context, interval int) error {
	b, _ := json.Marshal(struct {
		Interval int
		Updated  time.Time
	}{interval, time.Now()})
	return r.ns.PutString("fleet/settings", string(b), nil)
}

// A job also calls the helper, once after its loop; tag still calls it
// beside each record.
func (r *registry) tag(ctx context.Context, hb serverBeat, tag string) error { // want tag:"kvhotkey"
	if err := r.ns.PutString(hb.key()+"/tag", tag, nil); err != nil {
		return err
	}
	return r.stampIndex(ctx)
}

func (r *registry) reindex(ctx context.Context, all []serverBeat) error {
	for _, hb := range all {
		if err := r.ns.PutString(hb.key()+"/indexed", "1", nil); err != nil {
			return err
		}
	}
	return r.stampIndex(ctx)
}

func (r *registry) stampIndex(ctx context.Context) error {
	return r.ns.PutString("fleet/index", time.Now().Format(time.RFC3339), nil) // want `this write, called from a handler, writes the same KV key on every request`
}

// Quiet: only a job calls this helper, after its loop.
func (r *registry) prune(ctx context.Context, all []serverBeat) error {
	for _, hb := range all {
		if err := r.ns.Delete(hb.key()); err != nil {
			return err
		}
	}
	return r.stampPruned(ctx)
}

func (r *registry) stampPruned(ctx context.Context) error {
	return r.ns.PutString("fleet/pruned", time.Now().Format(time.RFC3339), nil)
}
