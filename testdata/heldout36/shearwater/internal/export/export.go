// Package export writes the nightly export of cached tickets and SLA
// reports to an io.Writer as JSON lines.
package export

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/deskfleet/shearwater/internal/keys"
	"github.com/deskfleet/shearwater/internal/policy"
	"github.com/deskfleet/shearwater/internal/restkv"
)

// ErrLocked is returned when another export is running.
var ErrLocked = errors.New("export: another export holds the lock")

const lockKey = "export/lock"

// Line is one exported record.
type Line struct {
	Key      string `json:"key"`
	Expires  int64  `json:"expires,omitempty"`
	Metadata any    `json:"metadata,omitempty"`
	Value    string `json:"value,omitempty"`
}

// Exporter walks a tenant's keys.
type Exporter struct {
	KV  *restkv.Client
	Out io.Writer
}

// Lock takes the export lock for this run.
func (e *Exporter) Lock(ctx context.Context, runID string) error {
	_, held, err := e.KV.Get(ctx, lockKey)
	if err != nil {
		return fmt.Errorf("export lock: %w", err)
	}
	if held {
		return ErrLocked
	}
	return e.KV.Put(ctx, lockKey, []byte(runID), 2*time.Hour) // EXPECT kvrace
}

// Unlock releases the export lock.
func (e *Exporter) Unlock(ctx context.Context) error { return e.KV.Delete(ctx, lockKey) }

// Tickets exports the ticket index of a tenant: key names and metadata only,
// at most the plan's page budget.
func (e *Exporter) Tickets(ctx context.Context, tenant, plan string) (int, error) {
	budget := policy.For(plan).ExportPages
	prefix := "t/" + tenant + "/" + keys.TicketPrefix
	enc := json.NewEncoder(e.Out)
	n, cursor := 0, ""
	for page := 0; page < budget; page++ {
		res, err := e.KV.ListPage(ctx, prefix, cursor, 1000)
		if err != nil {
			return n, err
		}
		for _, k := range res.Result {
			if err := enc.Encode(Line{Key: k.Name, Expires: int64(k.Expiration), Metadata: k.Metadata}); err != nil {
				return n, err
			}
			n++
		}
		cursor = res.ResultInfo.Cursor
		if cursor == "" {
			return n, nil
		}
	}
	return n, fmt.Errorf("export %s: stopped after %d pages", tenant, budget)
}

// Timers exports every SLA timer of a tenant with its value.
func (e *Exporter) Timers(ctx context.Context, tenant string) (int, error) {
	api := e.KV.API()
	pager := api.Keys.ListAutoPaging(ctx, e.KV.Namespace(), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(e.KV.Account()),
		Prefix:    cloudflare.F("t/" + tenant + "/" + keys.TimerPrefix),
	})
	enc := json.NewEncoder(e.Out)
	n := 0
	for pager.Next() {
		k := pager.Current()
		v, found, err := e.KV.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		if !found {
			continue
		}
		if err := enc.Encode(Line{Key: k.Name, Expires: int64(k.Expiration), Value: string(v)}); err != nil {
			return n, err
		}
		n++
	}
	return n, pager.Err()
}

// Reports exports breach reports, stopping once a page comes back empty.
func (e *Exporter) Reports(ctx context.Context, tenant string) (int, error) {
	enc := json.NewEncoder(e.Out)
	n, cursor := 0, ""
	for {
		res, err := e.KV.ListPage(ctx, "t/"+tenant+"/sla/breach-report/", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		if len(res.Result) == 0 {
			break
		}
		for _, k := range res.Result {
			if err := enc.Encode(Line{Key: k.Name, Expires: int64(k.Expiration)}); err != nil {
				return n, err
			}
			n++
		}
		cursor = res.ResultInfo.Cursor
		if cursor == "" {
			break
		}
	}
	return n, nil
}

// Snapshots exports the SLA snapshots of all tenants, up to maxPages pages.
func (e *Exporter) Snapshots(ctx context.Context, maxPages int) (int, error) {
	api := e.KV.API()
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(e.KV.Account()),
		Prefix:    cloudflare.F("sla/snapshot/"),
		Limit:     cloudflare.F(500.0),
	}
	enc := json.NewEncoder(e.Out)
	n := 0
	for page := 0; page < maxPages; page++ {
		res, err := api.Keys.List(ctx, e.KV.Namespace(), params) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		for _, k := range res.Result {
			_ = enc.Encode(Line{Key: k.Name, Metadata: k.Metadata})
			n++
		}
		if res.ResultInfo.Cursor == "" {
			break
		}
		params = kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(e.KV.Account()),
			Cursor:    cloudflare.F(res.ResultInfo.Cursor),
			Limit:     cloudflare.F(500.0),
		}
	}
	return n, nil
}

// MarkDone records the finished run with its retention, and the per-tenant
// progress of the run as each tenant completes.
func (e *Exporter) MarkDone(ctx context.Context, runID string, tenants []string, plan string) error {
	for _, t := range tenants {
		if err := e.KV.Put(ctx, "export/progress", []byte(runID+":"+t), time.Hour); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	retention := policy.For(plan).Retention
	_, err := e.KV.API().Values.Update(ctx, e.KV.Namespace(), "export/runs/"+runID, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(e.KV.Account()),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](cloudflareString(time.Now().UTC().Format(time.RFC3339))),
		ExpirationTTL: cloudflare.F(float64(retention)), // EXPECT kvttl
	})
	return err
}
