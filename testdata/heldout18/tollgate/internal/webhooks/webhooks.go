// Package webhooks delivers tenant webhooks through a pool of workers fed by
// a channel, recording each delivery's outcome.
package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"example.com/tollgate/internal/domain"
	"example.com/tollgate/internal/storage"
	"example.com/tollgate/internal/storage/typed"
)

type inflight struct {
	Host  string    `json:"host"`
	Since time.Time `json:"since"`
}

type job struct {
	endpoint domain.WebhookEndpoint
	delivery domain.Delivery
}

// Dispatcher owns the worker pool.
type Dispatcher struct {
	st         storage.Store
	endpoints  *typed.Store[domain.TenantID, domain.EndpointSet]
	deliveries *typed.Store[domain.DeliveryID, domain.Delivery]
	claims     *typed.Store[domain.DeliveryID, inflight]
	client     *http.Client
	jobs       chan job
	workers    int
	log        *slog.Logger
	host       string
}

// New wires a dispatcher with the given pool and queue sizes.
func New(st storage.Store, workers, queue int, log *slog.Logger) *Dispatcher {
	host, _ := os.Hostname()
	return &Dispatcher{
		st:         st,
		endpoints:  typed.New[domain.TenantID, domain.EndpointSet](st, "webhook-endpoints:"),
		deliveries: typed.New[domain.DeliveryID, domain.Delivery](st, "delivery:"),
		claims:     typed.New[domain.DeliveryID, inflight](st, "delivery-claim:"),
		client:     &http.Client{Timeout: 10 * time.Second},
		jobs:       make(chan job, queue),
		workers:    workers,
		log:        log,
		host:       host,
	}
}

// AddEndpoint registers a callback for tenant.
func (d *Dispatcher) AddEndpoint(ctx context.Context, tenant domain.TenantID, ep domain.WebhookEndpoint) error {
	if err := ep.Validate(); err != nil {
		return err
	}
	return d.endpoints.Mutate(ctx, tenant, 0, func(set *domain.EndpointSet) error {
		set.TenantID = tenant
		set.Endpoints = slices.DeleteFunc(set.Endpoints, func(e domain.WebhookEndpoint) bool { return e.ID == ep.ID })
		set.Endpoints = append(set.Endpoints, ep)
		return nil
	})
}

// Enqueue fans an event out to every subscribed endpoint of tenant.
func (d *Dispatcher) Enqueue(ctx context.Context, tenant domain.TenantID, event string, payload []byte) (int, error) {
	set, err := d.endpoints.Get(ctx, tenant)
	if storage.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	for _, ep := range set.Endpoints {
		if !slices.Contains(ep.Events, event) && !slices.Contains(ep.Events, "*") {
			continue
		}
		del := domain.Delivery{
			ID: domain.DeliveryID(domain.NewToken(10)), EndpointID: ep.ID, TenantID: tenant,
			Event: event, Payload: payload, Status: "queued", UpdatedAt: time.Now(),
		}
		select {
		case d.jobs <- job{endpoint: ep, delivery: del}:
			n++
		case <-ctx.Done():
			return n, ctx.Err()
		}
	}
	return n, nil
}

// Run starts the workers and blocks until ctx is done and the queue drained.
func (d *Dispatcher) Run(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	for range d.workers {
		g.Go(func() error { return d.worker(gctx) })
	}
	<-ctx.Done()
	close(d.jobs)
	return g.Wait()
}

func (d *Dispatcher) worker(ctx context.Context) error {
	for j := range d.jobs {
		d.deliver(ctx, j)
		stamp := []byte(time.Now().UTC().Format(time.RFC3339))
		if err := d.st.Put(ctx, "webhooks:last-delivery", stamp, storage.PutOptions{}); err != nil { // EXPECT kvhotkey
			d.log.WarnContext(ctx, "stamping last delivery", "err", err)
		}
	}
	return nil
}

func sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

func (d *Dispatcher) deliver(ctx context.Context, j job) {
	del := j.delivery
	if err := d.claims.Put(ctx, del.ID, inflight{Host: d.host, Since: time.Now()}, 30*time.Second); err != nil { // EXPECT kvttl
		d.log.WarnContext(ctx, "claiming delivery", "id", del.ID, "err", err)
	}
	err := d.post(ctx, j.endpoint, del)
	del.Attempts++
	del.UpdatedAt = time.Now()
	del.Status, del.LastError = "delivered", ""
	if err != nil {
		del.Status, del.LastError = "failed", err.Error()
	}
	md := map[string]any{"status": del.Status, "tenant": string(del.TenantID), "event": del.Event}
	if err := d.deliveries.PutMeta(ctx, del.ID, del, 7*24*time.Hour, md); err != nil { // DEBATABLE kvcounter
		d.log.ErrorContext(ctx, "recording delivery", "id", del.ID, "err", err)
	}
}

func (d *Dispatcher) post(ctx context.Context, ep domain.WebhookEndpoint, del domain.Delivery) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(del.Payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Tollgate-Event", del.Event)
	req.Header.Set("Tollgate-Delivery", string(del.ID))
	req.Header.Set("Tollgate-Signature", sign(ep.Secret, del.Payload))
	res, err := d.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("endpoint answered %s", res.Status)
	}
	return nil
}

// FailedDeliveries scans delivery records, using their metadata only, and
// returns the ids of failed ones.
func (d *Dispatcher) FailedDeliveries(ctx context.Context, tenant domain.TenantID) ([]domain.DeliveryID, error) {
	var out []domain.DeliveryID
	cursor := ""
	for range 20 {
		page, err := d.st.List(ctx, storage.ListOptions{Prefix: "delivery:", Cursor: cursor, Limit: 500}) // EXPECT kvlist
		if err != nil {
			return out, err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			if k.Metadata["status"] == "failed" && k.Metadata["tenant"] == string(tenant) {
				out = append(out, domain.DeliveryID(k.Name[len("delivery:"):]))
			}
		}
		cursor = page.Cursor
	}
	return out, nil
}
