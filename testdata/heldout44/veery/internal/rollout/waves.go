package rollout

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"veery/internal/registry"
)

// DeviceState is the per-device record of a rollout.
type DeviceState struct {
	Device   string    `json:"device"`
	Wave     int       `json:"wave"`
	State    string    `json:"state"`
	Assigned time.Time `json:"assigned"`
}

// RunWaves is the cron entry point: it assigns devices of every open wave.
func (s Service) RunWaves(ctx context.Context) error {
	iter := s.KV.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, s.NS, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.KV.AccountID),
		Prefix:    cloudflare.F("roplan:"),
	})
	var ids []string
	for iter.Next() {
		ids = append(ids, strings.TrimPrefix(iter.Current().Name, "roplan:"))
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("rollout: list plans: %w", err)
	}
	for _, id := range ids {
		ro, ok, err := s.Get(ctx, id)
		if err != nil || !ok {
			slog.Warn("rollout: skip plan", "id", id, "err", err)
			continue
		}
		if ro.Paused || ro.Current >= len(ro.Waves) {
			continue
		}
		if err := s.assignWave(ctx, ro); err != nil {
			slog.Error("rollout: assign wave", "id", id, "wave", ro.Current, "err", err)
		}
	}
	return nil
}

type assignResult struct {
	Device string
	Err    error
}

// assignWave marks the devices that fall into the current wave.
func (s Service) assignWave(ctx context.Context, ro Rollout) error {
	w := ro.Waves[ro.Current]
	now := time.Now()
	if now.Before(w.StartsAt) || now.After(w.EndsAt) {
		return nil
	}
	devices, err := s.Registry.FleetDevices(ctx, ro.Fleet)
	if err != nil {
		return err
	}
	devices = slices.DeleteFunc(devices, func(d registry.Device) bool { return d.Model != ro.Model })
	slices.SortFunc(devices, func(a, b registry.Device) int { return strings.Compare(a.ID, b.ID) })
	devices = devices[:len(devices)*w.Percent/100]

	_, err = s.KV.Client.KV.Namespaces.Bulk.Update(ctx, s.NS, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.KV.AccountID),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:           cloudflare.F(fmt.Sprintf("rowave:%s:%d", ro.ID, ro.Current)),
			Value:         cloudflare.F(now.UTC().Format(time.RFC3339)),
			ExpirationTTL: cloudflare.F(time.Until(w.EndsAt).Seconds()), // EXPECT kvttl
		}},
	})
	if err != nil {
		return err
	}

	statusTTL := max(time.Until(w.EndsAt)+24*time.Hour, time.Minute)
	results := make(chan assignResult)
	var wg sync.WaitGroup
	for _, d := range devices {
		wg.Add(1)
		go func(d registry.Device) {
			defer wg.Done()
			st := DeviceState{Device: d.ID, Wave: ro.Current, State: "assigned", Assigned: now.UTC()}
			b, _ := json.Marshal(st)
			results <- assignResult{Device: d.ID, Err: s.KV.Put(ctx, s.NS, deviceKey(ro.ID, d.ID), b, statusTTL)}
		}(d)
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	var failed []string
	for res := range results {
		if res.Err != nil {
			failed = append(failed, res.Device)
			continue
		}
		progress := map[string]any{"wave": ro.Current, "last": res.Device, "at": time.Now().Unix()}
		b, _ := json.Marshal(progress)
		if err := s.KV.Put(ctx, s.NS, "roprog:"+ro.ID, b, 0); err != nil { // EXPECT kvhotkey
			slog.Warn("rollout: progress", "id", ro.ID, "err", err)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("rollout %s: %d devices not assigned", ro.ID, len(failed))
	}
	return nil
}

// DeviceStates lists the per-device records of a rollout.
func (s Service) DeviceStates(ctx context.Context, id string) ([]DeviceState, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.KV.AccountID),
		Prefix:    cloudflare.F("rodev:" + id + ":"),
		Limit:     cloudflare.F(1000.0),
	}
	var out []DeviceState
	for {
		page, err := s.KV.Client.KV.Namespaces.Keys.List(ctx, s.NS, params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(page.Result) == 0 {
			break
		}
		for _, k := range page.Result {
			dev := strings.TrimPrefix(k.Name, "rodev:"+id+":")
			out = append(out, DeviceState{Device: dev, State: "assigned"})
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return out, nil
}

// Purge removes the per-device records of a finished rollout, a bounded
// number of pages per cron tick.
func (s Service) Purge(ctx context.Context, id string, maxPages int) error {
	first := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.KV.AccountID),
		Prefix:    cloudflare.F("rodev:" + id + ":"),
		Limit:     cloudflare.F(1000.0),
	}
	page, err := s.KV.Client.KV.Namespaces.Keys.List(ctx, s.NS, first)
	for n := 0; err == nil && n < maxPages; n++ {
		keys := make([]string, 0, len(page.Result))
		for _, k := range page.Result {
			keys = append(keys, k.Name)
		}
		if len(keys) > 0 {
			if _, err := s.KV.Client.KV.Namespaces.Bulk.Delete(ctx, s.NS, kv.NamespaceBulkDeleteParams{AccountID: cloudflare.F(s.KV.AccountID)}, option.WithRequestBody("application/json", keys)); err != nil {
				return err
			}
		}
		if page.ResultInfo.Cursor == "" {
			return nil
		}
		next := kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(s.KV.AccountID),
			Cursor:    cloudflare.F(page.ResultInfo.Cursor),
			Limit:     cloudflare.F(1000.0),
		}
		page, err = s.KV.Client.KV.Namespaces.Keys.List(ctx, s.NS, next) // EXPECT kvlist
	}
	return err
}

// Recent returns a handful of rollout plan IDs for the dashboard tile.
func (s Service) Recent(ctx context.Context) ([]string, error) {
	page, err := s.KV.Client.KV.Namespaces.Keys.List(ctx, s.NS, kv.NamespaceKeyListParams{ // DEBATABLE kvlist
		AccountID: cloudflare.F(s.KV.AccountID),
		Prefix:    cloudflare.F("roplan:"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		ids = append(ids, strings.TrimPrefix(k.Name, "roplan:"))
	}
	return ids, nil
}
