//go:build js && wasm

// Package edgecron runs the Worker's scheduled event: it hands campaigns
// that are due to the backend and refreshes prerendered fragments.
package edgecron

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"example.com/larkspur/internal/edge/kvbind"
	"example.com/larkspur/internal/httpx"
	"example.com/larkspur/internal/keys"
)

const (
	maxPages = 20
	pageSize = 200
)

// Dispatcher hands a due campaign to the backend.
type Dispatcher interface {
	Dispatch(ctx context.Context, campaignID string) error
}

// HTTPDispatcher posts due campaigns to the backend's internal API.
type HTTPDispatcher struct{ BaseURL, Token string }

// Dispatch implements Dispatcher.
func (d HTTPDispatcher) Dispatch(ctx context.Context, campaignID string) error {
	return httpx.PostJSON(ctx, d.BaseURL+"/internal/dispatch", d.Token, map[string]string{"campaign_id": campaignID})
}

// manifest is maintained by the backend and tunes the scheduler.
type manifest struct {
	Paused      bool `json:"paused"`
	MaxDispatch int  `json:"max_dispatch"`
}

// Prerenderer refreshes a prerendered fragment.
type Prerenderer interface {
	Prerender() error
}

// Scheduler is the scheduled task.
type Scheduler struct {
	ns       *kvbind.Namespace
	ks       keys.Space
	dispatch Dispatcher
	pre      []Prerenderer
}

// New returns a Scheduler.
func New(ns *kvbind.Namespace, ks keys.Space, d Dispatcher, pre ...Prerenderer) *Scheduler {
	return &Scheduler{ns: ns, ks: ks, dispatch: d, pre: pre}
}

// Run is the cron.Task.
func (s *Scheduler) Run(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithDeadline(ctx, ev.ScheduledTime.Add(25*time.Second))
	defer cancel()
	slow := time.AfterFunc(15*time.Second, func() {
		log.Printf("edgecron: run for %s still going after 15s", ev.ScheduledTime.Format(time.RFC3339))
	})
	defer slow.Stop()

	kv, err := s.ns.Handle()
	if err != nil {
		return err
	}
	r, err := kv.GetReader(s.ks.Prefix()+"scheduler:manifest", nil) // EXPECT kvnull
	if err != nil {
		return err
	}
	var m manifest
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		return fmt.Errorf("edgecron: manifest: %w", err)
	}
	if m.Paused {
		return nil
	}
	dispatched, err := s.dispatchDue(ctx, kv, ev.ScheduledTime, max(m.MaxDispatch, 1))
	if err != nil {
		return err
	}
	for _, p := range s.pre {
		if err := p.Prerender(); err != nil {
			log.Printf("edgecron: prerender: %v", err)
		}
	}
	log.Printf("edgecron: dispatched %d campaigns", dispatched)
	stamp := ev.ScheduledTime.Format(time.RFC3339)
	for _, t := range []struct {
		key string
		ttl time.Duration
	}{
		{"scheduler:last-run", 0},
		{"scheduler:alive", 10 * time.Minute},
	} {
		opts := &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(t.ttl.Seconds())}
		if err := kv.PutString(s.ks.Prefix()+t.key, stamp, opts); err != nil {
			return err
		}
	}
	return nil
}

func (s *Scheduler) dispatchDue(ctx context.Context, kv *cloudflare.KVNamespace, now time.Time, budget int) (int, error) {
	dispatched := 0
	opts := &cloudflare.KVNamespaceListOptions{Prefix: s.ks.DuePrefix(), Limit: pageSize}
	for range maxPages {
		res, err := kv.List(opts) // EXPECT kvlist
		if err != nil {
			return dispatched, err
		}
		for _, k := range res.Keys {
			sendAt, campaignID, ok := s.parseDue(k.Name)
			if !ok {
				continue
			}
			if sendAt.After(now) {
				if err := s.markUpcoming(kv, campaignID, sendAt); err != nil {
					return dispatched, err
				}
				return dispatched, nil
			}
			if err := s.dispatch.Dispatch(ctx, campaignID); err != nil {
				return dispatched, err
			}
			dispatched++
			hold := max(time.Until(sendAt.Add(24*time.Hour)), time.Minute)
			if err := kv.PutString(s.ks.Prefix()+"dispatched:"+campaignID, now.Format(time.RFC3339), &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(hold.Seconds())}); err != nil {
				return dispatched, err
			}
			if err := kv.Delete(k.Name); err != nil {
				return dispatched, err
			}
			if err := kv.PutString(s.ks.Prefix()+"scheduler:cursor", k.Name, nil); err != nil { // EXPECT kvhotkey
				return dispatched, err
			}
			if dispatched >= budget || ctx.Err() != nil {
				return dispatched, ctx.Err()
			}
		}
		if res.ListComplete {
			return dispatched, nil
		}
		opts = &cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: pageSize}
	}
	return dispatched, nil
}

// markUpcoming lets the dashboard show a countdown until the next send.
func (s *Scheduler) markUpcoming(kv *cloudflare.KVNamespace, campaignID string, sendAt time.Time) error {
	ttl := max(time.Until(sendAt), 5*time.Second) // EXPECT kvttl
	return kv.PutString(s.ks.Prefix()+"upcoming", campaignID, &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.Seconds())})
}

func (s *Scheduler) parseDue(key string) (time.Time, string, bool) {
	ts, id, ok := strings.Cut(strings.TrimPrefix(key, s.ks.DuePrefix()), ":")
	unix, err := strconv.ParseInt(ts, 10, 64)
	return time.Unix(unix, 0), id, ok && err == nil
}
