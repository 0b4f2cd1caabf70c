package heartbeat

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
)

const (
	sweepPageSize = 1000
	sweepMaxPages = 50
)

// OfflineSweep finds devices whose last heartbeat is older than after and
// publishes the list for the dashboard. It runs once per cron tick.
func (rec *Recorder) OfflineSweep(ctx context.Context, after time.Duration) error {
	cutoff := time.Now().Add(-after).Unix()
	var offline []string
	cursor := ""
	for page := 0; page < sweepMaxPages; page++ {
		keys, next, err := rec.KV.ListPage(ctx, rec.LastSeen.NS, "lastseen:", cursor, sweepPageSize)
		if err != nil {
			return fmt.Errorf("offline sweep: %w", err)
		}
		for _, k := range keys {
			m, _ := k.Metadata.(map[string]any)
			at, _ := m["at"].(float64)
			if int64(at) < cutoff {
				offline = append(offline, strings.TrimPrefix(k.Name, "lastseen:"))
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	slices.Sort(offline)
	summary := struct {
		At      int64    `json:"at"`
		Offline []string `json:"offline"`
	}{time.Now().Unix(), offline}
	return rec.KV.PutJSON(ctx, rec.LastSeen.NS, "fleet:offline-summary", summary, 10*time.Minute)
}

type driftResult struct {
	Device  string
	Running string
	Err     error
}

// DriftReport compares the firmware each device last reported with the
// version the registry expects and stores a dated report.
func (rec *Recorder) DriftReport(ctx context.Context, want map[string]string) error {
	var names []string
	cursor := ""
	for page := 0; page < sweepMaxPages; page++ {
		keys, next, err := rec.KV.ListPage(ctx, rec.LastSeen.NS, "lastseen:", cursor, sweepPageSize)
		if err != nil {
			return fmt.Errorf("drift report: %w", err)
		}
		for _, k := range keys {
			names = append(names, k.Name)
		}
		if next == "" {
			break
		}
		cursor = next
	}

	results := make(chan driftResult, len(names))
	var wg sync.WaitGroup
	for _, name := range names {
		wg.Add(1)
		go func(name string) {
			defer wg.Done()
			id := strings.TrimPrefix(name, "lastseen:")
			raw, err := rec.KV.Get(ctx, rec.LastSeen.NS, name) // EXPECT kvlist
			if err != nil {
				results <- driftResult{Device: id, Err: err}
				return
			}
			var v struct {
				Firmware string `json:"fw"`
			}
			err = json.Unmarshal(raw, &v)
			results <- driftResult{Device: id, Running: v.Firmware, Err: err}
		}(name)
	}
	wg.Wait()
	close(results)

	drifted := map[string]string{}
	for res := range results {
		if res.Err != nil {
			slog.Warn("drift report: skip device", "device", res.Device, "err", res.Err)
			continue
		}
		if target, ok := want[res.Device]; ok && target != res.Running {
			drifted[res.Device] = res.Running
		}
	}
	key := fmt.Sprintf("report:drift:%s", time.Now().UTC().Format("2006-01-02"))
	return rec.KV.PutJSON(ctx, rec.LastSeen.NS, key, drifted, 30*24*time.Hour)
}
