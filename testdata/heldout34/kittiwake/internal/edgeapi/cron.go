//go:build js && wasm

package edgeapi

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"kittiwake/internal/edgekv"
	"kittiwake/internal/jobs"
	"kittiwake/internal/keys"
)

var regions = []string{"eu", "na", "sa", "apac"}

// Scheduled returns the Worker's cron task. Every trigger runs its job with a
// deadline and a couple of retries.
func Scheduled() cron.Task {
	return func(ctx context.Context) error {
		ev, err := cron.NewEvent(ctx)
		if err != nil {
			return err
		}
		var job jobs.Job
		switch ev.Cron {
		case "*/5 * * * *":
			job = jobs.Sequence(jobs.Named("presence-digest", digestPresence), jobs.Named("queue-depth", queueDepth))
		case "*/15 * * * *":
			job = jobs.Named("spotlight", spotlight)
		case "0 * * * *":
			job = jobs.Named("sweep-lobbies", sweepLobbies)
		default:
			return fmt.Errorf("unknown cron %q", ev.Cron)
		}
		return jobs.WithRetry(2, time.Second, jobs.WithTimeout(25*time.Second, job))(ctx)
	}
}

// digestPresence publishes how many players are online.
func digestPresence(ctx context.Context) error {
	online := 0
	cursor := ""
	for page := 0; page < cfg.KV.List.MaxPages; page++ {
		res, err := edgekv.Game.List(&kv.ListOptions{Prefix: keys.KindPresence.Prefix(), Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		online += len(res.Keys)
		cursor = res.Cursor
	}
	body := fmt.Sprintf(`{"online":%d,"at":%q}`, online, time.Now().UTC().Format(time.RFC3339))
	return edgekv.Game.PutString(keys.Key("presence", "digest"), body, nil)
}

// queueDepth publishes the number of waiting tickets per mode.
func queueDepth(ctx context.Context) error {
	depth := map[string]int{}
	opts := &kv.ListOptions{Prefix: keys.KindTicket.Prefix(), Limit: 1000}
	for page := 0; page < cfg.KV.List.MaxPages; page++ {
		res, err := edgekv.Game.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			mode, _, _ := strings.Cut(keys.KindTicket.Trim(k.Name), ":")
			depth[mode]++
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	raw, _ := json.Marshal(depth)
	return edgekv.Game.PutString(keys.Key("mm", "depth"), string(raw), &kv.PutOptions{ExpirationTTL: 600})
}

type spot struct {
	Region  string   `json:"region"`
	Lobbies []string `json:"lobbies"`
	More    bool     `json:"more"`
}

// spotlight picks a few open ranked lobbies per region for the home screen.
func spotlight(ctx context.Context) error {
	_, set := edgekv.Bind(edgekv.Game, keys.Key("home", "spotlight"), time.Hour)
	for _, region := range regions {
		prefix := keys.Key("lobby-open", "ranked", region) + ":"
		res, err := edgekv.Game.List(&kv.ListOptions{
			Prefix: prefix,
			Limit:  2000, // EXPECT kvlimits
		})
		if err != nil {
			return err
		}
		s := spot{Region: region, More: !res.ListComplete}
		for _, k := range res.Keys[:min(3, len(res.Keys))] {
			s.Lobbies = append(s.Lobbies, strings.TrimPrefix(k.Name, prefix))
		}
		raw, _ := json.Marshal(s)
		if err := set(string(raw)); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// sweepLobbies drops browser entries whose lobby has expired.
func sweepLobbies(ctx context.Context) error {
	removed := 0
	cursor := ""
	for {
		res, err := edgekv.Game.List(&kv.ListOptions{Prefix: "lobby-open:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			id := k.Name[strings.LastIndexByte(k.Name, ':')+1:]
			v, err := edgekv.Game.GetString(keys.KindLobby.Key(id), nil) // EXPECT kvlist
			if err != nil {
				return err
			}
			if edgekv.IsNull(v) {
				if err := edgekv.Game.Delete(k.Name); err != nil {
					return err
				}
				removed++
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	log.Printf("sweep: removed %d stale lobby entries", removed)
	return edgekv.Game.PutString(keys.Key("cron", "sweep", "last-run"), time.Now().UTC().Format(time.RFC3339), nil)
}
