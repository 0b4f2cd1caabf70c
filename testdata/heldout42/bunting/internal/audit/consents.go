package audit

import (
	"context"
	"encoding/json"
	"io"
	"strings"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"

	"bunting/internal/kv3"
)

// ConsentExporter lists the consent namespace with the v3 SDK.
type ConsentExporter struct {
	c  *kv3.Client
	ns kv3.Namespace
}

// NewConsentExporter returns an exporter for the consent namespace.
func NewConsentExporter(c *kv3.Client, ns kv3.Namespace) *ConsentExporter {
	return &ConsentExporter{c: c, ns: ns}
}

// ConsentRow is one line of the consent export.
type ConsentRow struct {
	Key      string         `json:"key"`
	Expires  float64        `json:"expires,omitempty"`
	Metadata map[string]any `json:"metadata,omitempty"`
}

// ExportKeys writes every consent key of the account with its metadata.
func (x *ConsentExporter) ExportKeys(ctx context.Context, w io.Writer) (int, error) {
	enc := json.NewEncoder(w)
	iter := x.c.SDK().KV.Namespaces.Keys.ListAutoPaging(ctx, string(x.ns), x.c.BaseList("consent:")) // EXPECT kvlist
	n := 0
	for iter.Next() {
		k := iter.Current()
		if err := enc.Encode(ConsentRow{Key: k.Name, Expires: k.Expiration, Metadata: k.Metadata}); err != nil {
			return n, err
		}
		n++
	}
	return n, iter.Err()
}

// NoticesForPatient returns up to budget signed notices of a patient, using
// the summary kept in metadata.
func (x *ConsentExporter) NoticesForPatient(ctx context.Context, patientID string, budget int) ([]ConsentRow, error) {
	iter := x.c.SDK().KV.Namespaces.Keys.ListAutoPaging(ctx, string(x.ns), x.c.BaseList("notice:"+patientID+":"))
	var rows []ConsentRow
	for iter.Next() {
		k := iter.Current()
		rows = append(rows, ConsentRow{Key: k.Name, Expires: k.Expiration, Metadata: k.Metadata})
		if len(rows) >= budget {
			break
		}
	}
	return rows, iter.Err()
}

// Kinds returns the consent kinds a patient has answered, reading each
// record's value.
func (x *ConsentExporter) Kinds(ctx context.Context, patientID string) (map[string]bool, error) {
	params := x.c.BaseList("consent:" + patientID + ":")
	params.Limit = cloudflare.F(2000.0)                                       // EXPECT kvlimits
	page, err := x.c.SDK().KV.Namespaces.Keys.List(ctx, string(x.ns), params) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(page.Result))
	for _, k := range page.Result {
		raw, err := x.c.Read(ctx, x.ns, k.Name) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		var rec struct {
			Granted bool `json:"granted"`
		}
		if err := json.Unmarshal(raw, &rec); err != nil {
			return nil, err
		}
		out[strings.TrimPrefix(k.Name, "consent:"+patientID+":")] = rec.Granted
	}
	return out, nil
}

// FirstPage returns one page of keys under prefix and the cursor to the next.
func (x *ConsentExporter) FirstPage(ctx context.Context, prefix, cursor string) ([]string, string, error) {
	params := x.c.BaseList(prefix)
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := x.c.SDK().KV.Namespaces.Keys.List(ctx, string(x.ns), params)
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, k.Name)
	}
	return names, page.ResultInfo.Cursor, nil
}
