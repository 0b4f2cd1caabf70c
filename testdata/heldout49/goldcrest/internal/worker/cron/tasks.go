//go:build js && wasm

// Package cron holds the Worker's scheduled tasks. The Worker has one cron
// trigger (every five minutes); each tick runs every task in order.
package cron

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"goldcrest/internal/edgekv"
)

// Env is what the tasks need from the environment.
type Env struct {
	TrackingBinding string
	CourierBinding  string
	DispatchURL     string
	DispatchSecret  string
	HTTP            *http.Client
	Now             func() time.Time
}

type task struct {
	name string
	run  func(ctx context.Context, env Env, tick time.Time) error
}

var tasks = []task{
	{"heartbeat", heartbeat},
	{"claims-board", claimsBoard},
	{"forward-prefs", forwardPrefs},
	{"audit-claims", auditClaims},
}

// Run is the scheduled handler: it runs every task and reports the first
// error after all of them ran.
func Run(env Env) cron.Task {
	return func(ctx context.Context) error {
		ev, err := cron.NewEvent(ctx)
		if err != nil {
			return err
		}
		var first error
		for _, t := range tasks {
			start := env.Now()
			if err := t.run(ctx, env, ev.ScheduledTime); err != nil {
				log.Printf("cron: %s: %v", t.name, err)
				if first == nil {
					first = fmt.Errorf("%s: %w", t.name, err)
				}
				continue
			}
			log.Printf("cron: %s done in %s", t.name, env.Now().Sub(start))
		}
		return first
	}
}

func heartbeat(_ context.Context, env Env, tick time.Time) error {
	st, err := edgekv.Open(env.CourierBinding, env.Now)
	if err != nil {
		return err
	}
	return st.Namespace().PutString("status:cron", tick.UTC().Format(time.RFC3339), nil)
}

type boardPage struct {
	Claimed int       `json:"claimed"`
	Pages   int       `json:"pages"`
	AsOf    time.Time `json:"as_of"`
}

// claimsBoard rebuilds the depot board's claim summary.
func claimsBoard(_ context.Context, env Env, tick time.Time) error {
	st, err := edgekv.Open(env.CourierBinding, env.Now)
	if err != nil {
		return err
	}
	ns := st.Namespace()
	raw, err := ns.GetString("config:board-prefix", nil)
	if err != nil {
		return err
	}
	prefix := "claim:"
	if raw != "<null>" && raw != "" {
		prefix = raw
	}
	board := boardPage{AsOf: tick}
	cursor := ""
	for {
		res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		board.Claimed += len(res.Keys)
		board.Pages++
		b, _ := json.Marshal(board)
		if err := ns.PutString("board:claims", string(b), nil); err != nil { // EXPECT kvhotkey
			return err
		}
		if res.ListComplete {
			return nil
		}
		cursor = res.Cursor
	}
}

// forwardPrefs sends the parcels whose recipients changed their delivery
// preferences to the dispatcher and clears the markers.
func forwardPrefs(ctx context.Context, env Env, _ time.Time) error {
	st, err := edgekv.Open(env.TrackingBinding, env.Now)
	if err != nil {
		return err
	}
	ns := st.Namespace()
	opts := &kv.ListOptions{
		Prefix: "prefs-changed:",
		Limit:  2000, // EXPECT kvlimits
	}
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		ids := make([]string, 0, len(res.Keys))
		for _, k := range res.Keys {
			ids = append(ids, strings.TrimPrefix(k.Name, "prefs-changed:"))
		}
		if err := postIDs(ctx, env, "/internal/parcels/prefs-changed", ids); err != nil {
			return err
		}
		for _, k := range res.Keys {
			if err := ns.Delete(k.Name); err != nil {
				return err
			}
		}
		opts.Cursor = res.Cursor
	}
	return nil
}

const maxAuditPages = 25

// auditClaims reports claims per courier to the dispatcher for payroll.
func auditClaims(ctx context.Context, env Env, _ time.Time) error {
	st, err := edgekv.Open(env.CourierBinding, env.Now)
	if err != nil {
		return err
	}
	ns := st.Namespace()
	raw, err := ns.GetString("config:audit-enabled", nil) // EXPECT kvnull
	if err != nil {
		return err
	}
	enabled, err := strconv.ParseBool(raw)
	if err != nil {
		return fmt.Errorf("audit-enabled: %w", err)
	}
	if !enabled {
		return nil
	}
	opts := &kv.ListOptions{Prefix: "claim:", Limit: 1000}
	var keys []string
	for page := 0; page < maxAuditPages; page++ {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			keys = append(keys, k.Name)
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	return postIDs(ctx, env, "/internal/claims/audit", keys)
}

func postIDs(ctx context.Context, env Env, path string, ids []string) error {
	body, err := json.Marshal(map[string][]string{"ids": ids})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, env.DispatchURL+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+env.DispatchSecret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := env.HTTP.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("cron: %s returned %s", path, resp.Status)
	}
	return nil
}
