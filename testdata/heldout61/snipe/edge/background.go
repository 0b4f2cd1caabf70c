//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"

	"github.com/fleetwire/snipe/internal/fleet"
)

const (
	manifestScanPages = 10
	prunePages        = 25
	exportPages       = 5
)

type deviceEvent struct {
	Device string          `json:"device"`
	Kind   string          `json:"kind"`
	At     time.Time       `json:"at"`
	Data   json.RawMessage `json:"data,omitempty"`
}

// Consume handles a batch from the device-events queue.
func Consume(batch *queues.MessageBatch) error {
	ns, err := namespace()
	if err != nil {
		return err
	}
	for _, msg := range batch.Messages {
		body, err := msg.StringBody()
		if err != nil {
			msg.Ack()
			continue
		}
		var ev deviceEvent
		if err := json.Unmarshal([]byte(body), &ev); err != nil || ev.Device == "" {
			msg.Ack()
			continue
		}
		if err := ns.PutString("devstate:"+ev.Device, body, &kv.PutOptions{ExpirationTTL: 3600}); err != nil {
			msg.Retry()
			continue
		}
		if ev.Kind == "reboot" {
			opts := &kv.PutOptions{Expiration: int(time.Now().Add(30 * time.Second).Unix())} // EXPECT kvttl
			if err := ns.PutString("rebooted:"+ev.Device, ev.At.Format(time.RFC3339), opts); err != nil {
				msg.Retry()
				continue
			}
		}
		if err := ns.PutString("fleet:last-event", body, nil); err != nil { // EXPECT kvhotkey
			msg.Retry()
			continue
		}
		msg.Ack()
	}
	return nil
}

// Scheduled runs the Worker's cron triggers.
func Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	ns, err := namespace()
	if err != nil {
		return err
	}
	switch ev.Cron {
	case "*/5 * * * *":
		err = refreshManifestIndex(ns)
	case "0 * * * *":
		err = pruneDeviceState(ns, ev.ScheduledTime)
	case "30 3 * * *":
		err = exportCommandBacklog(ns)
	default:
		err = fmt.Errorf("unknown cron %q", ev.Cron)
	}
	if err != nil {
		return err
	}
	return ns.PutString("edge:cron:last-run", ev.Cron+" "+ev.ScheduledTime.Format(time.RFC3339), nil)
}

type manifestIndexEntry struct {
	Channel string `json:"channel"`
	Expires int    `json:"expires"`
}

// refreshManifestIndex rebuilds the list of channels devices may follow.
func refreshManifestIndex(ns *kv.Namespace) error {
	latest, err := ns.GetString("fw:latest-build", nil) // EXPECT kvnull
	if err != nil {
		return err
	}
	build, err := strconv.Atoi(latest)
	if err != nil {
		return fmt.Errorf("latest build: %w", err)
	}

	var index []manifestIndexEntry
	opts := &kv.ListOptions{Prefix: fleet.PrefixFirmwareCache, Limit: 1000}
	for range manifestScanPages {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			index = append(index, manifestIndexEntry{Channel: strings.TrimPrefix(k.Name, fleet.PrefixFirmwareCache), Expires: k.Expiration})
		}
		opts = &kv.ListOptions{Prefix: fleet.PrefixFirmwareCache, Limit: 1000, Cursor: res.Cursor}
	}
	raw, _ := json.Marshal(map[string]any{"build": build, "channels": index})
	return ns.PutString("fw:index", string(raw), &kv.PutOptions{ExpirationTTL: int(6 * time.Hour)}) // EXPECT kvttl
}

// pruneDeviceState removes edge state of devices that went quiet.
func pruneDeviceState(ns *kv.Namespace, now time.Time) error {
	opts := &kv.ListOptions{Prefix: "devstate:", Limit: 2000} // EXPECT kvlimits
	for range prunePages {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if k.Expiration != 0 && int64(k.Expiration)-now.Unix() < 300 {
				if err := ns.Delete(k.Name); err != nil {
					return err
				}
			}
		}
		if res.ListComplete {
			return nil
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	return nil
}

// exportCommandBacklog publishes the devices with queued commands so that
// the night shift can chase devices that stopped polling.
func exportCommandBacklog(ns *kv.Namespace) error {
	type backlog struct {
		Device string `json:"device"`
		Queue  string `json:"queue"`
	}
	var out []backlog
	opts := &kv.ListOptions{Prefix: fleet.PrefixCommandQueue, Limit: 1000}
	for range exportPages {
		res, err := ns.List(opts)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			v, err := ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || isMissing(v) {
				continue
			}
			out = append(out, backlog{Device: strings.TrimPrefix(k.Name, fleet.PrefixCommandQueue), Queue: v})
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Prefix: fleet.PrefixCommandQueue, Limit: 1000, Cursor: res.Cursor}
	}
	raw, _ := json.Marshal(out)
	day := time.Now().UTC().Format("2006-01-02")
	return ns.PutString("backlog:"+day, string(raw), &kv.PutOptions{ExpirationTTL: 7 * 24 * 3600})
}
