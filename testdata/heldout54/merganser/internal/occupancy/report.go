// Package occupancy builds the nightly occupancy report from the
// reservations mirrored into KV and publishes it for the ops dashboard.
package occupancy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"merganser/internal/cfkv"
	"merganser/internal/kvio"
)

// Report is the occupancy of one day across all sites.
type Report struct {
	Day       string         `json:"day"`
	Total     int            `json:"total"`
	BySite    map[string]int `json:"by_site"`
	ByFloor   map[string]int `json:"by_floor"`
	NoShows   int            `json:"no_shows"`
	Generated time.Time      `json:"generated"`
}

func newReport(day string) *Report {
	return &Report{Day: day, BySite: map[string]int{}, ByFloor: map[string]int{}}
}

// Build fills rep with the reservations of day. Reservation keys carry the
// site and floor in their metadata, so no value is fetched.
func Build(ctx context.Context, ns *cfkv.Namespace, day string, rep *Report) error {
	rep.Day = day
	pager := ns.API.KV.Namespaces.Keys.ListAutoPaging(ctx, ns.ID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(ns.AccountID),
		Prefix:    cloudflare.F("resv:" + day + ":"),
		Limit:     cloudflare.F(1000.0),
	})
	for pager.Next() {
		k := pager.Current()
		site, _ := k.Metadata["site"].(string)
		floor, _ := k.Metadata["floor"].(string)
		rep.Total++
		rep.BySite[site]++
		rep.ByFloor[site+"/"+floor]++
	}
	return pager.Err()
}

// countNoShows adds the reservations of day that were never checked in.
func countNoShows(ctx context.Context, ns *cfkv.Namespace, day string, rep *Report) error {
	const maxPages = 50
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(ns.AccountID),
		Prefix:    cloudflare.F("checkin:missed:" + day + ":"),
		Limit:     cloudflare.F(1000.0),
	}
	for page := 0; page < maxPages; page++ {
		res, err := ns.API.KV.Namespaces.Keys.List(ctx, ns.ID, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Result) == 0 {
			return nil
		}
		rep.NoShows += len(res.Result)
		params.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	return fmt.Errorf("occupancy: no-shows for %s exceed %d pages", day, maxPages)
}

// Publish writes the report under its day, then points "latest" at it.
func Publish(ctx context.Context, ns *cfkv.Namespace, rep *Report) error {
	raw, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	if err := ns.Put(ctx, "report:occupancy:"+rep.Day, string(raw), 400*24*time.Hour); err != nil {
		return err
	}
	if err := ns.Put(ctx, "report:occupancy:latest", string(raw), 0); err != nil {
		return err
	}
	return ns.Put(ctx, "report:desk-hits:"+rep.Day, strconv.Itoa(rep.Total), 400*24*time.Hour) // DEBATABLE kvcounter
}

// Nightly runs the whole report for the day before now.
func Nightly(ctx context.Context, ns *cfkv.Namespace, now time.Time) (*Report, error) {
	day := now.UTC().Add(-24 * time.Hour).Format("2006-01-02")
	rep := newReport(day)
	err := func() error {
		if err := Build(ctx, ns, day, rep); err != nil {
			return fmt.Errorf("build: %w", err)
		}
		return countNoShows(ctx, ns, day, rep)
	}()
	if err != nil {
		return nil, fmt.Errorf("occupancy: %s: %w", day, err)
	}
	rep.Generated = time.Now().UTC()

	sites := make([]string, 0, len(rep.BySite))
	for s := range rep.BySite {
		sites = append(sites, s)
	}
	sort.Strings(sites)
	for i, site := range sites {
		progress := fmt.Sprintf("%d/%d %s", i+1, len(sites), site)
		if err := ns.Put(ctx, "report:progress", progress, 0); err != nil { // EXPECT kvhotkey
			return nil, err
		}
		per := map[string]int{}
		for k, n := range rep.ByFloor {
			if floor, ok := strings.CutPrefix(k, site+"/"); ok {
				per[floor] = n
			}
		}
		raw, _ := json.Marshal(per)
		if err := ns.Put(ctx, "report:floors:"+site+":"+day, string(raw), 90*24*time.Hour); err != nil {
			return nil, err
		}
	}
	return rep, Publish(ctx, ns, rep)
}

// Latest fills dst with the most recent published report.
func Latest(ctx context.Context, ns *cfkv.Namespace, dst *Report) (bool, error) {
	raw, err := ns.Get(ctx, "report:occupancy:latest")
	if err != nil {
		if errors.Is(err, kvio.ErrNotFound) {
			return false, nil
		}
		return false, err
	}
	return true, json.Unmarshal([]byte(raw), dst)
}
