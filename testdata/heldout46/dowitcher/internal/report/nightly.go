// Package report builds the nightly fleet report: one CSV row per device
// with its firmware, last snapshot and counters, stored in the reports
// namespace for the console to download.
package report

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"dowitcher/internal/device"
	"dowitcher/internal/kvstore"
)

// Generator builds reports.
type Generator struct {
	devices    *kvstore.Store
	reports    *kvstore.Store
	registry   *device.Registry
	pageBudget int
	log        *slog.Logger
}

// NewGenerator returns a report generator.
func NewGenerator(devices, reports *kvstore.Store, pageBudget int, log *slog.Logger) *Generator {
	return &Generator{devices: devices, reports: reports, registry: device.NewRegistry(devices), pageBudget: pageBudget, log: log}
}

// Row is one device line of the report.
type Row struct {
	Fleet, Serial string
	Firmware      string
	Battery       float64
	LastSeen      time.Time
	Pinned        string
	Retired       bool
}

func (r Row) record() []string {
	last := ""
	if !r.LastSeen.IsZero() {
		last = r.LastSeen.UTC().Format(time.RFC3339)
	}
	return []string{r.Fleet, r.Serial, r.Firmware, strconv.FormatFloat(r.Battery, 'f', 3, 64), last, r.Pinned, strconv.FormatBool(r.Retired)}
}

// Generate writes the report for fleets and returns its key.
func (g *Generator) Generate(ctx context.Context, fleets []string) (key string, err error) {
	started := time.Now().UTC()
	defer func() {
		status := "ok"
		if err != nil {
			status = "error: " + err.Error()
		}
		stamp := started.Format(time.RFC3339) + " " + time.Since(started).Round(time.Second).String() + " " + status
		if serr := g.reports.Put(context.WithoutCancel(ctx), "report/last_run", []byte(stamp)); serr != nil {
			err = errors.Join(err, serr)
		}
	}()

	var rows []Row
	var errs []error
	for _, fleet := range fleets {
		fr, ferr := g.fleetRows(ctx, fleet)
		if ferr != nil {
			errs = append(errs, fmt.Errorf("fleet %s: %w", fleet, ferr))
		}
		rows = append(rows, fr...)
		if perr := g.reports.Put(ctx, "report/progress", []byte(fleet)); perr != nil { // EXPECT kvhotkey
			errs = append(errs, perr)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return "", err
	}

	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Fleet != rows[j].Fleet {
			return rows[i].Fleet < rows[j].Fleet
		}
		return rows[i].Serial < rows[j].Serial
	})
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"fleet", "serial", "firmware", "battery", "last_seen", "pinned", "retired"})
	for _, r := range rows {
		w.Write(r.record())
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return "", err
	}

	key = kvstore.Join("report", started.Format("2006-01-02")+".csv")
	if err := g.reports.PutTTL(ctx, key, buf.Bytes(), 30*24*time.Hour); err != nil {
		return "", err
	}
	return key, g.reports.Put(ctx, "report/latest", []byte(key))
}

// folders returns the child folders directly below prefix, descending
// depth more levels. Each level reads at most pageBudget pages.
func (g *Generator) folders(ctx context.Context, prefix string, depth int) ([]string, error) {
	seen := map[string]bool{}
	var children []string
	cursor := ""
	for pages := 0; pages < g.pageBudget; pages++ {
		page, err := g.devices.ListPage(ctx, prefix, cursor, 1000)
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			rest := strings.TrimPrefix(k.Name, prefix)
			child, _, ok := strings.Cut(rest, "/")
			if !ok || seen[child] {
				continue
			}
			seen[child] = true
			children = append(children, prefix+child+"/")
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	if depth == 0 {
		return children, nil
	}
	var out []string
	for _, c := range children {
		sub, err := g.folders(ctx, c, depth-1)
		if err != nil {
			return nil, err
		}
		out = append(out, sub...)
	}
	return out, nil
}

func (g *Generator) fleetRows(ctx context.Context, fleet string) ([]Row, error) {
	prefix := kvstore.FleetPrefix(fleet)
	dirs, err := g.folders(ctx, prefix, 0)
	if err != nil {
		return nil, err
	}
	rows := make([]Row, 0, len(dirs))
	for _, dir := range dirs {
		serial := strings.TrimSuffix(strings.TrimPrefix(dir, prefix), "/")
		row := Row{Fleet: fleet, Serial: serial}
		snap, err := g.devices.Get(ctx, dir+"snapshot") // EXPECT kvlist
		switch {
		case err == nil && len(snap) >= 16:
			row.LastSeen = time.Unix(int64(binary.BigEndian.Uint64(snap[0:8])), 0)
			row.Battery = float64(binary.BigEndian.Uint32(snap[8:12])) / 1000
			row.Firmware = string(snap[16:])
		case err != nil && !kvstore.IsNotFound(err):
			return nil, err
		}
		for _, rec := range g.records(ctx, fleet, serial) { // DEBATABLE kvlist
			switch v := rec.(type) {
			case *device.FirmwarePin:
				row.Pinned = v.Channel + "@" + v.Version
			case *device.Decommission:
				row.Retired = true
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// records loads the optional per-device records the report shows.
func (g *Generator) records(ctx context.Context, fleet, serial string) []device.Record {
	var out []device.Record
	if pin, err := g.registry.Pin(ctx, fleet, serial); err == nil {
		out = append(out, pin)
	}
	if d, ok, err := g.registry.Retired(ctx, fleet, serial); err == nil && ok {
		out = append(out, d)
	}
	return out
}

// ExpiringTokens lists device tokens that expire within the next day, for
// the "tokens to renew" section of the report.
func (g *Generator) ExpiringTokens(ctx context.Context, auth *kvstore.Store) ([]string, error) {
	api, rc := auth.API()
	horizon := time.Now().Add(24 * time.Hour).Unix()
	params := cloudflare.ListWorkersKVsParams{NamespaceID: auth.Namespace(), Prefix: "dtok/", Limit: 1000}
	var out []string
	for {
		resp, err := api.ListWorkersKVKeys(ctx, rc, params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range resp.Result {
			if k.Expiration > 0 && int64(k.Expiration) < horizon {
				out = append(out, k.Name)
			}
		}
		if resp.Cursor == "" {
			return out, nil
		}
		params = cloudflare.ListWorkersKVsParams{NamespaceID: auth.Namespace(), Cursor: resp.Cursor, Limit: 1000}
	}
}

// RetiredDevices returns the retired devices of a fleet from key metadata.
func (g *Generator) RetiredDevices(ctx context.Context, fleet string) ([]string, error) {
	prefix := kvstore.FleetPrefix(fleet)
	var out []string
	cursor := ""
	for pages := 0; pages < g.pageBudget; pages++ {
		page, err := g.devices.ListPage(ctx, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			if strings.HasSuffix(k.Name, "/retired") {
				out = append(out, strings.TrimSuffix(strings.TrimPrefix(k.Name, prefix), "/retired"))
			}
		}
		cursor = page.Cursor
	}
	return out, nil
}

// HasDevices is a cheap check used to skip empty fleets.
func (g *Generator) HasDevices(ctx context.Context, fleet string) (bool, error) {
	page, err := g.devices.ListPage(ctx, kvstore.FleetPrefix(fleet), "", 5) // EXPECT kvlimits
	if err != nil {
		return false, err
	}
	return len(page.Keys) > 0, nil
}
