// Package migrate holds versioned data migrations of the KV namespaces. They
// run from the back-office "migrate" command.
package migrate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/shrike/backend/cfkv"
	"example.com/shrike/internal/ports"
)

// Migration is one schema step over the namespace named NS.
type Migration struct {
	Version int
	Name    string
	NS      string
	Run     func(ctx context.Context, s *cfkv.Store, page int) error
}

var All = []Migration{
	{1, "station-region-index", "stations", stationRegionIndex},
	{2, "pass-currency", "riders", passCurrency},
	{3, "ticket-station-index", "ops", ticketStationIndex},
}

const versionKey = "meta:schema-version"

// Apply runs every migration newer than the version recorded in the "ops" namespace.
func Apply(ctx context.Context, stores map[string]*cfkv.Store, page int, log *slog.Logger) error {
	meta, cur := stores["ops"], 0
	b, err := meta.Get(ctx, versionKey)
	switch {
	case err == nil:
		if cur, err = strconv.Atoi(string(b)); err != nil {
			return fmt.Errorf("schema version %q: %w", b, err)
		}
	case !errors.Is(err, ports.ErrNotFound):
		return err
	}
	for _, m := range All {
		if m.Version <= cur {
			continue
		}
		log.Info("migrating", "version", m.Version, "name", m.Name)
		if err := m.Run(ctx, stores[m.NS], page); err != nil {
			return fmt.Errorf("migration %d %s: %w", m.Version, m.Name, err)
		}
		if err := meta.Put(ctx, versionKey, []byte(strconv.Itoa(m.Version)), 0); err != nil {
			return err
		}
	}
	return nil
}

// stationRegionIndex writes "region:<region>:<station>" for every station,
// reading station documents a page at a time.
func stationRegionIndex(ctx context.Context, s *cfkv.Store, page int) error {
	q := ports.Query{Prefix: "station:", Limit: min(page, 1000)}
	for pages := 0; pages < 1000; pages++ {
		p, err := s.Page(ctx, q)
		if err != nil {
			return err
		}
		docs, err := s.GetMany(ctx, p.Keys)
		if err != nil {
			return err
		}
		index := make(map[string][]byte, len(docs))
		for key, raw := range docs {
			var st struct {
				Region string `json:"region"`
			}
			if json.Unmarshal([]byte(raw), &st) != nil || st.Region == "" {
				continue
			}
			index["region:"+st.Region+":"+strings.TrimPrefix(key, "station:")] = []byte("1")
		}
		if err := s.PutMany(ctx, index, 0); err != nil {
			return err
		}
		if p.Complete {
			return nil
		}
		q.After = p.Next
	}
	return errors.New("station index: page budget exhausted")
}

// passCurrency adds the currency member to stored passes.
func passCurrency(ctx context.Context, s *cfkv.Store, _ int) error {
	for k, err := range s.Keys(ctx, "pass:") {
		if err != nil {
			return err
		}
		raw, err := s.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			return err
		}
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			return fmt.Errorf("%s: %w", k.Name, err)
		}
		if _, ok := doc["currency"]; ok {
			continue
		}
		doc["currency"] = "USD"
		out, _ := json.Marshal(doc)
		if err := s.Put(ctx, k.Name, out, 0); err != nil { // DEBATABLE kvrace
			return err
		}
	}
	return nil
}

// ticketStationIndex indexes tickets by station using the station id kept in
// each key's metadata.
func ticketStationIndex(ctx context.Context, s *cfkv.Store, _ int) error {
	pager := s.API.Keys.ListAutoPaging(ctx, s.Namespace, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.Account),
		Prefix:    cloudflare.F("ticket:"),
		Limit:     cloudflare.F(1000.0),
	})
	index := map[string][]byte{}
	for pager.Next() {
		k := pager.Current()
		meta, _ := k.Metadata.(map[string]any)
		station, _ := meta["station"].(string)
		if station == "" {
			continue
		}
		index["ticket-station:"+station+":"+strings.TrimPrefix(k.Name, "ticket:")] = []byte("1")
	}
	if err := pager.Err(); err != nil {
		return err
	}
	return s.PutMany(ctx, index, 0)
}
