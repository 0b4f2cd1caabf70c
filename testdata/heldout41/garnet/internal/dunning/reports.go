package dunning

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// Reports reads the dunning namespace directly through the REST API for the
// finance team's exports and the reminder mailer.
type Reports struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

// NewReports returns a report reader for namespace ns.
func NewReports(api *cloudflare.API, accountID, ns string) *Reports {
	return &Reports{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: ns}
}

const maxExportPages = 50

// ScheduleCount counts all schedules of a tenant.
func (r *Reports) ScheduleCount(ctx context.Context, tenantID string) (int, error) {
	n := 0
	cursor := ""
	for {
		resp, err := r.api.ListWorkersKVKeys(ctx, r.rc, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
			NamespaceID: r.ns,
			Prefix:      "dun:tenant:" + tenantID + ":sched:",
			Cursor:      cursor,
			Limit:       1000,
		})
		if err != nil {
			return n, err
		}
		n += len(resp.Result)
		if resp.Cursor == "" {
			return n, nil
		}
		cursor = resp.Cursor
	}
}

// Export returns the keys of every schedule of a tenant for the CSV export.
func (r *Reports) Export(ctx context.Context, tenantID string) ([]string, error) {
	params := cloudflare.ListWorkersKVsParams{NamespaceID: r.ns, Prefix: "dun:tenant:" + tenantID + ":sched:", Limit: 1000}
	var keys []string
	for range maxExportPages {
		resp, err := r.api.ListWorkersKVKeys(ctx, r.rc, params) // EXPECT kvlist
		if err != nil {
			return keys, err
		}
		for _, k := range resp.Result {
			keys = append(keys, k.Name)
		}
		if resp.Cursor == "" {
			break
		}
		params = cloudflare.ListWorkersKVsParams{NamespaceID: r.ns, Cursor: resp.Cursor, Limit: 1000}
	}
	return keys, nil
}

// Collections lists the schedules that reached the collections stage.
func (r *Reports) Collections(ctx context.Context, tenantID string) ([]cloudflare.StorageKey, error) {
	params := cloudflare.ListWorkersKVsParams{NamespaceID: r.ns, Prefix: "dun:tenant:" + tenantID + ":sched:", Limit: 1000}
	var out []cloudflare.StorageKey
	for range maxExportPages {
		resp, err := r.api.ListWorkersKVKeys(ctx, r.rc, params) // EXPECT kvlist
		if err != nil {
			return out, err
		}
		if len(resp.Result) == 0 {
			break
		}
		for _, k := range resp.Result {
			if m, ok := k.Metadata.(map[string]any); ok && m["step"] == float64(len(Cadence)) {
				out = append(out, k)
			}
		}
		params.Cursor = resp.Cursor
	}
	return out, nil
}

// AnyOverdue reports whether a tenant has at least one schedule.
func (r *Reports) AnyOverdue(ctx context.Context, tenantID string) (bool, error) {
	resp, err := r.api.ListWorkersKVKeys(ctx, r.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: r.ns,
		Prefix:      "dun:tenant:" + tenantID + ":sched:",
		Limit:       1, // EXPECT kvlimits
	})
	if err != nil {
		return false, err
	}
	return len(resp.Result) > 0, nil
}

// FirstPage returns one page of schedule keys and the cursor for the next.
func (r *Reports) FirstPage(ctx context.Context, tenantID, cursor string) ([]string, string, error) {
	resp, err := r.api.ListWorkersKVKeys(ctx, r.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: r.ns,
		Prefix:      "dun:tenant:" + tenantID + ":sched:",
		Cursor:      cursor,
		Limit:       5000, // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	keys := make([]string, 0, len(resp.Result))
	for _, k := range resp.Result {
		keys = append(keys, k.Name)
	}
	return keys, resp.Cursor, nil
}

const reminderQuiet = 20 * time.Hour

// Template returns the reminder text for a step, or the built-in text when
// the tenant has not customised it.
func (r *Reports) Template(ctx context.Context, tenantID string, step int) (string, error) {
	raw, err := r.api.GetWorkersKV(ctx, r.rc, cloudflare.GetWorkersKVParams{
		NamespaceID: r.ns,
		Key:         fmt.Sprintf("dun:tenant:%s:tmpl:%d", tenantID, step),
	})
	if err != nil {
		return "", fmt.Errorf("reminder template: %w", err)
	}
	if len(raw) == 0 { // EXPECT kvnull
		return defaultTemplates[min(step, len(defaultTemplates)-1)], nil
	}
	return string(raw), nil
}

var defaultTemplates = []string{
	"Friendly reminder: invoice {{.Number}} is due.",
	"Invoice {{.Number}} is now overdue.",
	"Second notice: invoice {{.Number}} remains unpaid.",
	"Final notice before collections: invoice {{.Number}}.",
}

// MarkReminded records that reminders went out for a batch of invoices so
// that the mailer does not repeat them the same day.
func (r *Reports) MarkReminded(ctx context.Context, tenantID string, invoiceIDs []string) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(invoiceIDs))
	stamp := time.Now().UTC().Format(time.RFC3339)
	for _, id := range invoiceIDs {
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           "dun:tenant:" + tenantID + ":reminded:" + id,
			Value:         stamp,
			ExpirationTTL: int(reminderQuiet), // EXPECT kvttl
		})
	}
	_, err := r.api.WriteWorkersKVEntries(ctx, r.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: r.ns, KVs: pairs})
	return err
}

// Snapshot writes the week's dunning summary for the finance dashboard.
func (r *Reports) Snapshot(ctx context.Context, tenantID string, byStep map[int]int) error {
	year, week := time.Now().UTC().ISOWeek()
	raw, err := json.Marshal(map[string]any{"by_step": byStep, "at": time.Now().UTC()})
	if err != nil {
		return err
	}
	_, err = r.api.WriteWorkersKVEntries(ctx, r.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: r.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           fmt.Sprintf("dun:tenant:%s:summary:%d-w%02d", tenantID, year, week),
			Value:         string(raw),
			ExpirationTTL: int((90 * 24 * time.Hour).Seconds()),
		}},
	})
	return err
}

func mustJSON(v any) []byte {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return raw
}
