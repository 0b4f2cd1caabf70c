// Package events handles delivery webhooks from the outbound MTA and the
// daemon's work queue.
package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"bobolink/internal/cfkv"
	"bobolink/internal/clock"
	"bobolink/internal/kvkeys"
	"bobolink/internal/stats"
	"bobolink/internal/subscribers"
	"bobolink/internal/tenants"
)

// Event is one webhook event from the MTA.
type Event struct {
	Type     string    `json:"type"`
	Tenant   string    `json:"tenant"`
	List     string    `json:"list"`
	Email    string    `json:"email"`
	Campaign string    `json:"campaign"`
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
}

// Handler applies webhook events to tenant data.
type Handler struct {
	tenants *tenants.Registry
	stats   *stats.Aggregator
	clock   clock.Clock
	log     *slog.Logger
}

// NewHandler wires a webhook handler.
func NewHandler(reg *tenants.Registry, agg *stats.Aggregator, c clock.Clock, log *slog.Logger) *Handler {
	return &Handler{tenants: reg, stats: agg, clock: c, log: log}
}

// Dispatch routes one event by type.
func (h *Handler) Dispatch(ctx context.Context, ev Event) error {
	ns, err := h.tenants.Namespace(ev.Tenant)
	if err != nil {
		return err
	}
	dir := subscribers.NewDirectory(ns, h.clock)
	switch ev.Type {
	case "bounce.hard":
		return h.hardBounce(ctx, ns, ev)
	case "bounce.soft", "deferred":
		return h.softBounce(ctx, dir, ev)
	case "complaint", "spamreport":
		return h.complaint(ctx, ns, dir, ev)
	case "open":
		h.stats.Observe(kvkeys.CampaignKey{Tenant: ev.Tenant, ID: ev.Campaign}, 1)
		return nil
	case "delivered", "processed":
		return nil
	default:
		return fmt.Errorf("events: unknown webhook type %q", ev.Type)
	}
}

// bounceReport is the per-campaign deliverability document.
type bounceReport struct {
	Bounced    []string `json:"bounced"`
	Complaints int      `json:"complaints"`
}

func (h *Handler) suppress(ctx context.Context, ns *cfkv.Namespace, ev Event) error {
	key := kvkeys.Suppressed(ev.Tenant) + "/" + strings.ToLower(ev.Email)
	return ns.Put(ctx, key, []byte(ev.Type+": "+ev.Reason), cfkv.PutOptions{
		Metadata: map[string]string{"campaign": ev.Campaign, "at": ev.At.UTC().Format(time.RFC3339)},
	})
}

func (h *Handler) hardBounce(ctx context.Context, ns *cfkv.Namespace, ev Event) error {
	if err := h.suppress(ctx, ns, ev); err != nil {
		return err
	}
	key := kvkeys.CampaignKey{Tenant: ev.Tenant, ID: ev.Campaign}.Stats()
	var rep bounceReport
	raw, err := ns.Get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &rep); err != nil {
			return err
		}
	case !errors.Is(err, cfkv.ErrNotFound):
		return err
	}
	rep.Bounced = append(rep.Bounced, ev.Email)
	b, _ := json.Marshal(rep)
	return ns.Put(ctx, key, b, cfkv.PutOptions{TTL: 180 * 24 * time.Hour}) // EXPECT kvrace
}

func (h *Handler) softBounce(ctx context.Context, dir *subscribers.Directory, ev Event) error {
	s, err := dir.Find(ctx, ev.List, ev.Email)
	if errors.Is(err, cfkv.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	s.Bounces++
	if s.Bounces >= 3 {
		s.Status = subscribers.Bounced
	}
	return s.Save(ctx) // EXPECT kvrace
}

func (h *Handler) complaint(ctx context.Context, ns *cfkv.Namespace, dir *subscribers.Directory, ev Event) error {
	if err := h.suppress(ctx, ns, ev); err != nil {
		return err
	}
	tomb := dir.New(ev.List, ev.Email)
	tomb.Status = subscribers.Complained
	tomb.Source = "complaint:" + ev.Campaign
	return tomb.Save(ctx)
}

// Webhook returns the HTTP endpoint the MTA posts event batches to.
func Webhook(h *Handler, secret string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Webhook-Secret") != secret {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		var batch []Event
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<20)).Decode(&batch); err != nil {
			http.Error(w, "bad batch", http.StatusBadRequest)
			return
		}
		ctx := r.Context()
		failed := 0
		for _, ev := range batch {
			if err := h.Dispatch(ctx, ev); err != nil {
				h.log.Warn("webhook event", "type", ev.Type, "tenant", ev.Tenant, "err", err)
				failed++
				continue
			}
			seen := h.clock.Now().UTC().Format(time.RFC3339)
			if err := h.tenants.System.Put(ctx, "esp/last-webhook", []byte(seen), cfkv.PutOptions{}); err != nil { // EXPECT kvhotkey
				h.log.Debug("last-webhook", "err", err)
			}
		}
		if failed > 0 {
			w.WriteHeader(http.StatusMultiStatus)
		}
		fmt.Fprintf(w, `{"accepted":%d,"failed":%d}`, len(batch)-failed, failed)
	}
}
