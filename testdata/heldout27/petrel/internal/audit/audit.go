// Package audit records who did what to which resource, per team.
package audit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/petrel/internal/ident"
)

type Event struct {
	ID     string       `json:"id"`
	Team   ident.TeamID `json:"team"`
	Actor  string       `json:"actor"`
	Action string       `json:"action"`
	Target string       `json:"target"`
	IP     string       `json:"ip,omitempty"`
	At     time.Time    `json:"at"`
}

// Summary is the part of an event kept in key metadata.
type Summary struct {
	Action string `json:"a"`
	Actor  string `json:"u"`
	At     int64  `json:"t"`
}

// Settings are per-team audit preferences.
type Settings struct {
	RetentionDays int  `json:"retention_days"`
	IncludeIP     bool `json:"include_ip"`
}

var defaultSettings = Settings{RetentionDays: 90, IncludeIP: true}

// KV gives the log direct access to the namespace.
type KV interface {
	API() (*cloudflare.API, *cloudflare.ResourceContainer, string)
}

type Log struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

func ProvideLog(kv KV) *Log {
	api, rc, ns := kv.API()
	return &Log{api: api, rc: rc, ns: ns}
}

func eventPrefix(team ident.TeamID) string { return "audit/" + string(team) + "/e/" }

func eventKey(ev Event) string {
	return string(fmt.Appendf(nil, "audit/%s/e/%019d-%s", ev.Team, ev.At.UnixNano(), ev.ID))
}

func recentKey(team ident.TeamID) string   { return "audit/" + string(team) + "/recent" }
func settingsKey(team ident.TeamID) string { return "audit/" + string(team) + "/settings" }
func latestKey(team ident.TeamID) string   { return "audit/" + string(team) + "/latest" }

func newEventID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Settings returns the team's audit settings, creating defaults on first use.
func (l *Log) Settings(ctx context.Context, team ident.TeamID) (Settings, error) {
	raw, err := l.api.GetWorkersKV(ctx, l.rc, cloudflare.GetWorkersKVParams{NamespaceID: l.ns, Key: settingsKey(team)}) // EXPECT kvnull
	if err != nil {
		seed, _ := json.Marshal(defaultSettings)
		if _, err := l.api.WriteWorkersKVEntry(ctx, l.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: l.ns, Key: settingsKey(team), Value: seed}); err != nil {
			return Settings{}, err
		}
		return defaultSettings, nil
	}
	var s Settings
	if err := json.Unmarshal(raw, &s); err != nil {
		return Settings{}, fmt.Errorf("audit: settings of %s: %w", team, err)
	}
	return s, nil
}

// Append stores ev and adds it to the team's recent list.
func (l *Log) Append(ctx context.Context, ev Event) error {
	set, err := l.Settings(ctx, ev.Team)
	if err != nil {
		return err
	}
	if ev.ID == "" {
		ev.ID = newEventID()
	}
	if ev.At.IsZero() {
		ev.At = time.Now().UTC()
	}
	if !set.IncludeIP {
		ev.IP = ""
	}
	if err := l.write(ctx, ev, set); err != nil {
		return err
	}

	var recent []string
	raw, err := l.api.GetWorkersKV(ctx, l.rc, cloudflare.GetWorkersKVParams{NamespaceID: l.ns, Key: recentKey(ev.Team)})
	var nf *cloudflare.NotFoundError
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &recent); err != nil {
			return fmt.Errorf("audit: recent list of %s: %w", ev.Team, err)
		}
	case !errors.As(err, &nf):
		return err
	}
	recent = append(recent, ev.ID)
	if len(recent) > 50 {
		recent = recent[len(recent)-50:]
	}
	b, _ := json.Marshal(recent)
	_, err = l.api.WriteWorkersKVEntry(ctx, l.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: l.ns, Key: recentKey(ev.Team), Value: b}) // EXPECT kvrace
	return err
}

func (l *Log) write(ctx context.Context, ev Event, set Settings) error {
	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	days := set.RetentionDays
	if days < 1 {
		days = 1
	}
	_, err = l.api.WriteWorkersKVEntries(ctx, l.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: l.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           eventKey(ev),
			Value:         string(body),
			ExpirationTTL: days * 24 * 60 * 60,
			Metadata:      Summary{Action: ev.Action, Actor: ev.Actor, At: ev.At.Unix()},
		}},
	})
	return err
}

// Import replays events exported from another region.
func (l *Log) Import(ctx context.Context, team ident.TeamID, events []Event) error {
	set, err := l.Settings(ctx, team)
	if err != nil {
		return err
	}
	for _, ev := range events {
		if err := ctx.Err(); err != nil {
			return err
		}
		ev.Team = team
		if err := l.write(ctx, ev, set); err != nil {
			return err
		}
		stamp := []byte(ev.At.UTC().Format(time.RFC3339Nano))
		if _, err := l.api.WriteWorkersKVEntry(ctx, l.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: l.ns, Key: latestKey(team), Value: stamp}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Export streams every event of team to w as JSON lines.
func (l *Log) Export(ctx context.Context, team ident.TeamID, w io.Writer) error {
	cursor := ""
	for {
		resp, err := l.api.ListWorkersKVKeys(ctx, l.rc, cloudflare.ListWorkersKVsParams{NamespaceID: l.ns, Prefix: eventPrefix(team), Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range resp.Result {
			v, err := l.api.GetWorkersKV(ctx, l.rc, cloudflare.GetWorkersKVParams{NamespaceID: l.ns, Key: k.Name}) // EXPECT kvlist
			var nf *cloudflare.NotFoundError
			if errors.As(err, &nf) {
				continue
			}
			if err != nil {
				return err
			}
			if _, err := w.Write(append(v, '\n')); err != nil {
				return err
			}
		}
		if resp.ResultInfo.Cursor == "" {
			return nil
		}
		cursor = resp.ResultInfo.Cursor
	}
}
