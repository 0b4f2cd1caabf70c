// Package audit exports visit summaries and access trails for compliance
// audits, and keeps the summary namespace tidy.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"bunting/internal/kvstore"
)

// ListParams is the SDK's list request.
type ListParams = cloudflare.ListWorkersKVsParams

// VisitSummary is the after-visit summary written when a visit is signed.
type VisitSummary struct {
	VisitID     string    `json:"visit_id"`
	PatientID   string    `json:"patient_id"`
	ClinicianID string    `json:"clinician_id"`
	SignedAt    time.Time `json:"signed_at"`
	Diagnoses   []string  `json:"diagnoses"`
	Plan        string    `json:"plan"`
	Transcript  string    `json:"transcript,omitempty"`
}

// summaryMeta is kept in key metadata for listings.
type summaryMeta struct {
	PatientID string `json:"p"`
	SignedAt  int64  `json:"s"`
	Size      int    `json:"n"`
}

// Exporter reads the summaries namespace with the raw SDK.
type Exporter struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
	st  *kvstore.Store
	log *slog.Logger
}

// NewExporter returns an exporter for the summaries namespace.
func NewExporter(st *kvstore.Store, log *slog.Logger) *Exporter {
	api, rc := st.API()
	return &Exporter{api: api, rc: rc, ns: st.Namespace(), st: st, log: log}
}

// listParams returns the request every listing starts from.
func (e *Exporter) listParams(prefix string) ListParams {
	return ListParams{NamespaceID: e.ns, Prefix: prefix, Limit: 1000}
}

// ExportAll writes every summary of a clinic to w as JSON lines.
func (e *Exporter) ExportAll(ctx context.Context, clinicID string, w io.Writer) (int, error) {
	p := e.listParams("summary:" + clinicID + ":")
	enc := json.NewEncoder(w)
	n := 0
	for {
		resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, p) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		for _, k := range resp.Result {
			raw, err := e.api.GetWorkersKV(ctx, e.rc, cloudflare.GetWorkersKVParams{NamespaceID: e.ns, Key: k.Name}) // EXPECT kvlist
			if err != nil {
				return n, fmt.Errorf("read %s: %w", k.Name, err)
			}
			if err := enc.Encode(json.RawMessage(raw)); err != nil {
				return n, err
			}
			n++
		}
		progress := fmt.Sprintf(`{"clinic":%q,"exported":%d}`, clinicID, n)
		if err := e.st.Put(ctx, "export:progress", []byte(progress), time.Hour); err != nil { // EXPECT kvhotkey
			e.log.Warn("progress", "err", err)
		}
		if resp.Cursor == "" {
			break
		}
		p.Cursor = resp.Cursor
	}
	return n, nil
}

// Page is one page of a summary listing for the audit console.
type Page struct {
	Items  []PageItem `json:"items"`
	Cursor string     `json:"cursor,omitempty"`
}

// PageItem describes one summary without reading it.
type PageItem struct {
	Key       string `json:"key"`
	PatientID string `json:"patient_id"`
	SignedAt  int64  `json:"signed_at"`
}

// ListPage returns one page of summaries and the cursor for the next.
func (e *Exporter) ListPage(ctx context.Context, clinicID, cursor string) (Page, error) {
	p := e.listParams("summary:" + clinicID + ":")
	p.Cursor = cursor
	resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, p)
	if err != nil {
		return Page{}, err
	}
	out := Page{Cursor: resp.Cursor}
	for _, k := range resp.Result {
		item := PageItem{Key: k.Name}
		if m, ok := k.Metadata.(map[string]any); ok {
			item.PatientID, _ = m["p"].(string)
			if s, ok := m["s"].(float64); ok {
				item.SignedAt = int64(s)
			}
		}
		out.Items = append(out.Items, item)
	}
	return out, nil
}

// Count reports how many summaries a clinic has, for the audit cover sheet.
func (e *Exporter) Count(ctx context.Context, clinicID string) (int, error) {
	resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, e.listParams("summary:"+clinicID+":")) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	return len(resp.Result), nil
}

// Sweep deletes summaries of a clinic signed before cutoff, reading at most
// maxPages pages per run; the next run continues from the saved cursor.
func (e *Exporter) Sweep(ctx context.Context, clinicID string, cutoff time.Time, maxPages int) (int, error) {
	p := e.listParams("summary:" + clinicID + ":")
	if raw, err := e.st.Get(ctx, "sweep:cursor:"+clinicID); err == nil { // DEBATABLE kvnull
		p.Cursor = string(raw)
	}
	deleted := 0
	for page := 0; page < maxPages; page++ {
		resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, p)
		if err != nil {
			return deleted, err
		}
		var old []string
		for _, k := range resp.Result {
			if m, ok := k.Metadata.(map[string]any); ok {
				if s, ok := m["s"].(float64); ok && time.Unix(int64(s), 0).Before(cutoff) {
					old = append(old, k.Name)
				}
			}
		}
		if err := e.st.DeleteMany(ctx, old); err != nil {
			return deleted, err
		}
		deleted += len(old)
		if resp.Cursor == "" {
			return deleted, e.st.Delete(ctx, "sweep:cursor:"+clinicID)
		}
		p.Cursor = resp.Cursor
	}
	return deleted, e.st.Put(ctx, "sweep:cursor:"+clinicID, []byte(p.Cursor), 24*time.Hour)
}

// Reindex rewrites the metadata of every summary of a clinic after the
// metadata layout changed.
func (e *Exporter) Reindex(ctx context.Context, clinicID string) error {
	p := e.listParams("summary:" + clinicID + ":")
	for {
		resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, p) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(resp.Result) == 0 {
			return nil
		}
		names := make([]string, 0, len(resp.Result))
		for _, k := range resp.Result {
			names = append(names, k.Name)
		}
		e.log.Info("reindex page", "clinic", clinicID, "keys", len(names), "first", names[0])
		p.Cursor = resp.Cursor
	}
}

// Archived lists the archived summaries of a patient, at most pages pages.
func (e *Exporter) Archived(ctx context.Context, patientID string, pages int) ([]string, error) {
	p := e.listParams("archive:" + patientID + ":")
	var names []string
	for i := 0; i < pages; i++ {
		resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, p) // EXPECT kvlist
		if err != nil {
			return names, err
		}
		for _, k := range resp.Result {
			names = append(names, strings.TrimPrefix(k.Name, "archive:"))
		}
		if resp.Cursor == "" {
			break
		}
		p = ListParams{NamespaceID: e.ns, Cursor: resp.Cursor, Limit: 1000}
	}
	return names, nil
}

// Scan lists keys under prefix in large pages for the offline integrity
// checker, which follows the returned cursor itself.
func (e *Exporter) Scan(ctx context.Context, prefix, cursor string) ([]string, string, error) {
	p := e.listParams(prefix)
	p.Cursor = cursor
	p.Limit = 5000 // EXPECT kvlimits
	resp, err := e.api.ListWorkersKVKeys(ctx, e.rc, p)
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(resp.Result))
	for _, k := range resp.Result {
		names = append(names, k.Name)
	}
	return names, resp.Cursor, nil
}

// Peek returns a handful of keys for the admin console's preview panel.
func (e *Exporter) Peek(ctx context.Context, prefix string) ([]string, string, error) {
	keys, cursor, err := e.st.ListPage(ctx, prefix, "", 5) // EXPECT kvlimits
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(keys))
	for _, k := range keys {
		names = append(names, k.Name)
	}
	return names, cursor, nil
}
