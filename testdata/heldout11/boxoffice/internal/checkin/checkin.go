//go:build js && wasm

// Package checkin handles door scanning on event day. Scanners post one
// message per operation to /checkin; offline scanners upload batches when
// they reconnect.
package checkin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/boxoffice/internal/httpx"
	"example.com/boxoffice/internal/kvkey"
)

const (
	// dupWindowSeconds is how long a second scan of the same ticket is
	// treated as a double tap rather than a re-entry attempt.
	dupWindowSeconds = 45
	// scanRetention keeps scan records for a day after the event.
	scanRetention = 24 * 60 * 60
	// bloomBytes sizes the seen-tickets filter handed to offline scanners.
	bloomBytes = 32 << 20
	// recentLen is how many scans the door screen shows.
	recentLen = 20
)

// Request is one scanner message.
type Request struct {
	Op     string `json:"op"`
	Event  string `json:"event"`
	Door   string `json:"door"`
	Ticket string `json:"ticket,omitempty"`
	Scans  []Scan `json:"scans,omitempty"`
}

// Scan is one ticket scan.
type Scan struct {
	Ticket string    `json:"ticket"`
	Door   string    `json:"door"`
	At     time.Time `json:"at"`
}

// Result is the answer shown on the scanner.
type Result struct {
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
	Count  int    `json:"count,omitempty"`
}

// Scanner serves /checkin.
type Scanner struct {
	binding string
	log     *slog.Logger
}

// New returns a Scanner using the given KV binding.
func New(binding string, log *slog.Logger) *Scanner { return &Scanner{binding: binding, log: log} }

// ServeOp dispatches a scanner message on its op code.
func (s *Scanner) ServeOp(w http.ResponseWriter, r *http.Request) error {
	var req Request
	if err := httpx.ReadJSON(r, &req); err != nil {
		return err
	}
	if req.Event == "" || req.Door == "" {
		return httpx.Errorf(http.StatusBadRequest, "event and door required")
	}
	ns, err := kv.NewNamespace(s.binding)
	if err != nil {
		return err
	}
	var res Result
	switch req.Op {
	case "scan":
		res, err = s.scan(ns, req)
	case "sync":
		res, err = s.sync(ns, req)
	case "stats":
		res, err = s.stats(ns, req)
	case "reset":
		res, err = s.reset(ns, req)
	default:
		return httpx.Errorf(http.StatusBadRequest, "unknown op "+strconv.Quote(req.Op))
	}
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, res)
}

func (s *Scanner) scan(ns *kv.Namespace, req Request) (Result, error) {
	raw, err := ns.GetString(kvkey.Ticket(req.Event, req.Ticket).String(), &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		return Result{}, err
	}
	if raw == "<null>" {
		return Result{Status: "invalid", Detail: "unknown ticket"}, nil
	}
	dupKey := "checkin/seen/" + req.Event + "/" + req.Ticket
	seen, err := ns.GetString(dupKey, nil)
	if err != nil {
		return Result{}, err
	}
	if seen != "<null>" {
		return Result{Status: "duplicate", Detail: "scanned at " + seen}, nil
	}
	err = ns.PutString(dupKey, req.Door, &kv.PutOptions{ // EXPECT kvrace
		ExpirationTTL: dupWindowSeconds, // EXPECT kvttl
	})
	if err != nil {
		return Result{}, err
	}
	sc := Scan{Ticket: req.Ticket, Door: req.Door, At: time.Now().UTC()}
	if err := s.record(ns, req.Event, sc); err != nil {
		return Result{}, err
	}
	if err := s.pushRecent(ns, req.Event, sc); err != nil {
		s.log.Warn("recent scans update failed", "door", req.Door, "err", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		key := "checkin/count/" + req.Event + "/" + req.Door
		cur, err := ns.GetString(key, nil)
		if err != nil {
			return
		}
		n := 0
		if cur != "<null>" {
			n, _ = strconv.Atoi(cur)
		}
		_ = ns.PutString(key, strconv.Itoa(n+1), nil) // EXPECT kvcounter
	}()
	<-done
	return Result{Status: "ok"}, nil
}

// record stores one scan under its own key.
func (s *Scanner) record(ns *kv.Namespace, eventID string, sc Scan) error {
	b, err := json.Marshal(sc)
	if err != nil {
		return err
	}
	key := fmt.Sprintf("checkin/scan/%s/%s/%d", eventID, sc.Ticket, sc.At.UnixNano())
	return ns.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: scanRetention})
}

// pushRecent keeps the last few scans for the door's screen.
func (s *Scanner) pushRecent(ns *kv.Namespace, eventID string, sc Scan) error {
	key := "checkin/recent/" + eventID + "/" + sc.Door
	cur, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	var recent []Scan
	if cur != "<null>" {
		if err := json.Unmarshal([]byte(cur), &recent); err != nil {
			recent = nil
		}
	}
	recent = append(recent, sc)
	if len(recent) > recentLen {
		recent = recent[len(recent)-recentLen:]
	}
	b, err := json.Marshal(recent)
	if err != nil {
		return err
	}
	return ns.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: scanRetention}) // EXPECT kvrace
}

// sync stores the scans an offline scanner collected.
func (s *Scanner) sync(ns *kv.Namespace, req Request) (Result, error) {
	stored := 0
	for _, sc := range req.Scans {
		sc.Door = req.Door
		if err := s.record(ns, req.Event, sc); err != nil {
			return Result{}, fmt.Errorf("checkin: sync after %d scans: %w", stored, err)
		}
		stored++
		last := "checkin/door/" + req.Event + "/" + req.Door + "/last-sync"
		if err := ns.PutString(last, sc.At.UTC().Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
			return Result{}, err
		}
	}
	return Result{Status: "ok", Count: stored}, nil
}

// stats reports how many tickets the door has scanned.
func (s *Scanner) stats(ns *kv.Namespace, req Request) (Result, error) {
	raw, err := ns.GetString("checkin/count/"+req.Event+"/"+req.Door, nil) // EXPECT kvnull
	if err != nil {
		return Result{}, err
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return Result{}, fmt.Errorf("checkin: count for door %s: %w", req.Door, err)
	}
	return Result{Status: "ok", Count: n}, nil
}

// reset clears the seen-tickets filter before doors open.
func (s *Scanner) reset(ns *kv.Namespace, req Request) (Result, error) {
	key := "checkin/bloom/" + req.Event
	if err := ns.PutReader(key, bytes.NewReader(make([]byte, bloomBytes)), nil); err != nil { // EXPECT kvlimits
		return Result{}, err
	}
	return Result{Status: "ok", Detail: "filter cleared"}, nil
}
