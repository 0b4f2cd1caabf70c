// Package purge sends cache purges to the CDN and keeps an audit log of
// them in KV, one key per purge with a short summary in the key's metadata.
package purge

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"

	"github.com/framewell/stilt/internal/kvstore"
)

var tracer = otel.Tracer("stilt/purge")

// Entry is one purge request.
type Entry struct {
	ID   string    `json:"id"`
	Zone string    `json:"zone"`
	By   string    `json:"by"`
	URLs []string  `json:"urls,omitempty"`
	Tags []string  `json:"tags,omitempty"`
	At   time.Time `json:"at"`
}

// Log is the purge audit log.
type Log struct {
	ns        *kvstore.Namespace
	retention time.Duration
}

// NewLog returns a log that keeps entries for retention.
func NewLog(ns *kvstore.Namespace, retention time.Duration) *Log {
	return &Log{ns: ns, retention: retention}
}

func entryPrefix(zone string) string { return "purge:" + zone + ":" }

func recentKey(zone string) string { return "purge-recent:" + zone }

const recentMax = 20

// Record appends e to the log.
func (l *Log) Record(ctx context.Context, e Entry) error {
	ctx, span := tracer.Start(ctx, "purge.Record")
	defer span.End()

	e.ID = fmt.Sprintf("%020d", e.At.UnixNano())
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	meta := map[string]any{"by": e.By, "n": len(e.URLs) + len(e.Tags), "at": e.At.Unix()}
	if err := l.ns.PutWithMeta(ctx, entryPrefix(e.Zone)+e.ID, body, meta, l.retention); err != nil {
		span.RecordError(err)
		return err
	}
	return l.pushRecent(ctx, e)
}

// pushRecent keeps the last few purges of a zone in one value for the
// dashboard's zone card.
func (l *Log) pushRecent(ctx context.Context, e Entry) error {
	key := recentKey(e.Zone)
	var recent []Entry
	raw, err := l.ns.Get(ctx, key) // EXPECT kvnull
	if err == nil {
		_ = json.Unmarshal(raw, &recent)
	}
	recent = append([]Entry{e}, recent...)
	if len(recent) > recentMax {
		recent = recent[:recentMax]
	}
	body, err := json.Marshal(recent)
	if err != nil {
		return err
	}
	return l.ns.Put(ctx, key, body, 0) // EXPECT kvrace
}

// Row is a listing row built from key metadata.
type Row struct {
	Key   string  `json:"key"`
	By    string  `json:"by"`
	Count float64 `json:"count"`
}

func row(name string, md any) Row {
	r := Row{Key: name}
	if m, ok := md.(map[string]any); ok {
		r.By, _ = m["by"].(string)
		r.Count, _ = m["n"].(float64)
	}
	return r
}

// Page returns one page of a zone's log and the cursor of the next one.
func (l *Log) Page(ctx context.Context, zone, cursor string) ([]Row, string, error) {
	page, err := l.ns.List(ctx, entryPrefix(zone), cursor, 5000) // EXPECT kvlimits
	if err != nil {
		return nil, "", err
	}
	rows := make([]Row, 0, len(page.Keys))
	for _, k := range page.Keys {
		rows = append(rows, row(k.Name, k.Metadata))
	}
	return rows, page.Cursor, nil
}

// Export streams a zone's whole log as newline-delimited JSON rows.
func (l *Log) Export(ctx context.Context, zone string, w io.Writer) error {
	ctx, span := tracer.Start(ctx, "purge.Export")
	defer span.End()

	enc := json.NewEncoder(w)
	cursor := ""
	for {
		page, err := l.ns.List(ctx, entryPrefix(zone), cursor, 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			if err := enc.Encode(row(k.Name, k.Metadata)); err != nil {
				return err
			}
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	return nil
}

// Zones returns the zones that have purges in the dashboard's recent list.
func (l *Log) Zones(ctx context.Context) ([]string, error) {
	page, err := l.ns.List(ctx, "purge-recent:", "", 1000) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	zones := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		zones = append(zones, strings.TrimPrefix(k.Name, "purge-recent:"))
	}
	sort.Strings(zones)
	return zones, nil
}

// Purger sends purges to the CDN's purge endpoint and logs them.
type Purger struct {
	Client   *http.Client // carries the CDN OAuth2 token
	Endpoint string
	Log      *Log
}

// Purge invalidates urls and tags in zone.
func (p *Purger) Purge(ctx context.Context, zone, by string, urls, tags []string) error {
	ctx, span := tracer.Start(ctx, "purge.Purge")
	defer span.End()
	span.SetAttributes(attribute.String("cdn.zone", zone), attribute.Int("cdn.urls", len(urls)), attribute.Int("cdn.tags", len(tags)))

	body, err := json.Marshal(map[string]any{"files": urls, "tags": tags})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.Endpoint+"/zones/"+zone+"/purge", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := p.Client.Do(req)
	if err != nil {
		span.RecordError(err)
		return err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		span.SetStatus(codes.Error, res.Status)
		return fmt.Errorf("purge %s: %s: %s", zone, res.Status, msg)
	}
	return p.Log.Record(ctx, Entry{Zone: zone, By: by, URLs: urls, Tags: tags, At: time.Now().UTC()})
}
