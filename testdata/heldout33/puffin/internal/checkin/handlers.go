//go:build js && wasm

// Package checkin serves the door scanners. Staff phones scan the QR code on
// a badge and POST it to the Worker, which answers admit or deny in one round
// trip from the nearest Cloudflare location.
package checkin

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/confhub/puffin/internal/domain"
	"github.com/confhub/puffin/internal/edge"
	"github.com/confhub/puffin/internal/keys"
)

const (
	maxBadScans     = 20
	badScanWindow   = 10 * time.Minute
	doorConfigCache = 15
	overrideWindow  = 45 * time.Second
)

// lobbyLatest feeds the "welcome" line on the lobby screens.
var lobbyLatest = keys.Root.Child("lobby", "latest")

// DoorConfig is published per entrance from the organiser dashboard.
type DoorConfig struct {
	Event   string    `json:"event"`
	Door    string    `json:"door"`
	Label   string    `json:"label"`
	Tickets []string  `json:"tickets"`
	Opens   time.Time `json:"opens"`
	Closes  time.Time `json:"closes"`
}

func (c DoorConfig) open(now time.Time) bool {
	return !now.Before(c.Opens) && (c.Closes.IsZero() || now.Before(c.Closes))
}

func (c DoorConfig) admits(ticket string, now time.Time) bool {
	return c.open(now) && (len(c.Tickets) == 0 || slices.Contains(c.Tickets, ticket))
}

type scanRequest struct {
	Payload string `json:"payload"`
	Door    string `json:"door"`
	Device  string `json:"device"`
}

type scanResponse struct {
	Admit   bool   `json:"admit"`
	Name    string `json:"name,omitempty"`
	Company string `json:"company,omitempty"`
	Ticket  string `json:"ticket,omitempty"`
	Reason  string `json:"reason,omitempty"`
	SeenAt  string `json:"seen_at,omitempty"`
	Count   int    `json:"count,omitempty"`
}

// CheckIn returns the handler the door scanners POST scanned badges to.
// Every scan is appended to the badge's audit trail, kept for auditTTL.
func CheckIn(b *edge.Bucket, auditTTL time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req scanRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Door == "" {
			http.Error(w, "bad scan request", http.StatusBadRequest)
			return
		}
		key, err := ParseQR(req.Payload, signingSecret())
		if err != nil {
			limited, lerr := noteBadScan(b, clientIP(r))
			if lerr != nil {
				log.Printf("checkin: rate limit: %v", lerr)
			}
			if limited {
				http.Error(w, "too many unreadable scans", http.StatusTooManyRequests)
				return
			}
			writeJSON(w, http.StatusOK, scanResponse{Reason: "unreadable badge"})
			return
		}

		outcome := "denied"
		defer func() {
			line := fmt.Sprintf("%s door=%s device=%s %s",
				time.Now().UTC().Format(time.RFC3339), req.Door, req.Device, outcome)
			prev, ok, err := b.Get(key.Audit())
			if err != nil {
				log.Printf("checkin: audit %s: %v", key, err)
				return
			}
			if ok {
				line = prev + "\n" + line
			}
			if err := b.Put(key.Audit(), line, auditTTL); err != nil { // EXPECT kvrace
				log.Printf("checkin: audit %s: %v", key, err)
			}
		}()

		badge, ok, err := edge.Load[domain.Badge](b, key)
		if err != nil {
			http.Error(w, "lookup failed", http.StatusBadGateway)
			return
		}
		if !ok {
			outcome = "unknown"
			writeJSON(w, http.StatusOK, scanResponse{Reason: "badge not registered"})
			return
		}
		if _, revoked, err := b.Get(key.Revoked()); err != nil {
			http.Error(w, "lookup failed", http.StatusBadGateway)
			return
		} else if revoked || badge.Status == domain.BadgeRevoked {
			outcome = "revoked"
			writeJSON(w, http.StatusOK, scanResponse{Name: badge.Name, Reason: "badge revoked, send to registration desk"})
			return
		}

		now := time.Now().UTC()
		door := keys.DoorKey{Event: key.Event, Door: req.Door}
		cfg, err := loadDoor(b, door)
		if err != nil {
			http.Error(w, "door not configured", http.StatusNotFound)
			return
		}
		if !cfg.admits(badge.Ticket, now) {
			if _, waved, err := b.Get(door.Override()); err == nil && waved {
				outcome = "override"
			} else {
				outcome = "other-door"
				writeJSON(w, http.StatusOK, scanResponse{Name: badge.Name, Ticket: badge.Ticket, Reason: "ticket not valid at " + cfg.Label})
				return
			}
		}

		prev, seen, err := edge.Load[domain.CheckIn](b, key.CheckIn())
		if err == nil && seen {
			outcome = "repeat"
			writeJSON(w, http.StatusOK, scanResponse{
				Admit: true, Name: badge.Name, Company: badge.Company,
				SeenAt: prev.At.Format(time.Kitchen), Reason: "already checked in at " + prev.Door,
			})
			return
		}
		entry := domain.CheckIn{Event: key.Event, BadgeID: key.ID, Door: req.Door, At: now}
		if err := edge.Save(b, entry); err != nil { // DEBATABLE kvrace
			http.Error(w, "check-in not recorded", http.StatusBadGateway)
			return
		}
		outcome = "admitted"

		n, err := bump(b, keys.Stat(key.Event, "checkins"))
		if err != nil {
			log.Printf("checkin: tally: %v", err)
		}
		if err := b.Put(lobbyLatest, badge.Name, 0); err != nil { // EXPECT kvhotkey
			log.Printf("checkin: lobby: %v", err)
		}
		writeJSON(w, http.StatusOK, scanResponse{
			Admit: true, Name: badge.Name, Company: badge.Company, Ticket: badge.Ticket, Count: n,
		})
	}
}

// loadDoor reads the door configuration. Organisers change it rarely, so it
// is served from the edge cache.
func loadDoor(b *edge.Bucket, k keys.DoorKey) (DoorConfig, error) {
	var cfg DoorConfig
	raw, err := b.Namespace().GetString(k.Config().String(), &kv.GetOptions{
		CacheTTL: doorConfigCache, // EXPECT kvttl
	})
	if err != nil {
		return cfg, err
	}
	if raw == "<null>" {
		return cfg, fmt.Errorf("door %s: no configuration", k)
	}
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		return cfg, fmt.Errorf("door %s: %w", k, err)
	}
	return cfg, nil
}

// bump adds one to a lobby-screen tally and returns the new value.
func bump(b *edge.Bucket, k keys.ScopeKey) (int, error) {
	raw, ok, err := b.Get(k)
	if err != nil {
		return 0, err
	}
	n := 0
	if ok {
		if n, err = strconv.Atoi(raw); err != nil {
			return 0, fmt.Errorf("tally %s: %w", k, err)
		}
	}
	n++
	return n, b.Put(k, strconv.Itoa(n), 0) // EXPECT kvcounter
}

// noteBadScan records an unreadable scan from ip and reports whether the
// source is over its allowance for the window.
func noteBadScan(b *edge.Bucket, ip string) (bool, error) {
	k := keys.RateLimit("scan", ip)
	raw, ok, err := b.Get(k)
	if err != nil {
		return false, err
	}
	attempts := 0
	if ok {
		attempts, _ = strconv.Atoi(raw)
	}
	if attempts >= maxBadScans {
		return true, nil
	}
	return false, b.Put(k, strconv.Itoa(attempts+1), badScanWindow) // EXPECT kvcounter
}

type doorStatus struct {
	Door     string `json:"door"`
	Label    string `json:"label"`
	Open     bool   `json:"open"`
	CheckIns int    `json:"checkins"`
}

// DoorStatus returns the handler scanners poll for the state of their door.
// cache is the edge cache TTL of the door configuration.
func DoorStatus(b *edge.Bucket, cache time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		door := keys.DoorKey{Event: r.URL.Query().Get("event"), Door: r.URL.Query().Get("door")}
		raw, ok, err := b.GetCached(door.Config(), cache)
		if err != nil {
			http.Error(w, "lookup failed", http.StatusBadGateway)
			return
		}
		if !ok {
			http.Error(w, "door not configured", http.StatusNotFound)
			return
		}
		var cfg DoorConfig
		if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
			http.Error(w, "door configuration unreadable", http.StatusInternalServerError)
			return
		}
		tally, err := b.Namespace().GetString(keys.Stat(door.Event, "checkins").String(), nil) // EXPECT kvnull
		if err != nil {
			http.Error(w, "lookup failed", http.StatusBadGateway)
			return
		}
		n, err := strconv.Atoi(tally)
		if err != nil {
			http.Error(w, "tally unreadable", http.StatusInternalServerError)
			return
		}
		writeJSON(w, http.StatusOK, doorStatus{
			Door: door.Door, Label: cfg.Label, Open: cfg.open(time.Now()), CheckIns: n,
		})
	}
}

// Override lets a door supervisor admit attendees whose ticket is not valid
// at this door for a short window, e.g. while a side entrance is closed.
func Override(b *edge.Bucket) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		door := keys.DoorKey{Event: r.FormValue("event"), Door: r.FormValue("door")}
		cfg, err := loadDoor(b, door)
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		err = b.Namespace().PutString(door.Override().String(), cfg.Label, &kv.PutOptions{
			Expiration: int(time.Now().Add(overrideWindow).Unix()), // EXPECT kvttl
		})
		if err != nil {
			http.Error(w, "override not stored", http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// Walkin registers an attendee at the desk and queues the badge for the
// desk printer, which polls the queue key.
func Walkin(b *edge.Bucket, queue keys.ScopeKey) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var a domain.Attendee
		if err := json.NewDecoder(r.Body).Decode(&a); err != nil || a.Event == "" || a.Name == "" {
			http.Error(w, "bad walk-in", http.StatusBadRequest)
			return
		}
		badge := domain.Badge{
			Event: a.Event, ID: newID(), AttendeeID: a.ID, Name: a.Name,
			Company: a.Company, Ticket: "walkin", Status: domain.BadgeIssued,
		}
		if err := edge.Save(b, badge); err != nil {
			http.Error(w, "badge not stored", http.StatusBadGateway)
			return
		}
		if err := b.Put(queue, badge.Key(), 0); err != nil { // EXPECT kvhotkey
			http.Error(w, "printer queue unavailable", http.StatusBadGateway)
			return
		}
		writeJSON(w, http.StatusCreated, badge)
	}
}

// Doors lists the configured entrances of an event for the scanner app's
// door picker.
func Doors(b *edge.Bucket) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		event := r.URL.Query().Get("event")
		var out []string
		opts := &kv.ListOptions{Prefix: keys.Event(event).Child("door").Prefix()}
		for page := 0; page < 5; page++ {
			res, err := b.Namespace().List(opts) // EXPECT kvlist
			if err != nil {
				http.Error(w, "list failed", http.StatusBadGateway)
				return
			}
			for _, k := range res.Keys {
				out = append(out, k.Name)
			}
			if res.ListComplete {
				break
			}
			opts = &kv.ListOptions{Cursor: res.Cursor}
		}
		writeJSON(w, http.StatusOK, out)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("checkin: encode response: %v", err)
	}
}
