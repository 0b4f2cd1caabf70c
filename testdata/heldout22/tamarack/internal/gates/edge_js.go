//go:build js && wasm

package gates

import (
	"encoding/json"
	"log/slog"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

// Edge holds the gate features that talk to the namespace binding directly:
// the scanner firmware reads these keys with the same names.
type Edge struct {
	ns      *kv.Namespace
	scanTTL time.Duration
	log     *slog.Logger
}

// NewEdge returns an Edge over ns. scanTTL is how long offline scan backlogs
// are kept.
func NewEdge(ns *kv.Namespace, scanTTL time.Duration, log *slog.Logger) *Edge {
	return &Edge{ns: ns, scanTTL: scanTTL, log: log}
}

// BumpTally increments the dashboard tally of gate.
func (e *Edge) BumpTally(gate string) error {
	key := "scans:" + gate
	v, err := e.ns.GetString(key, nil)
	if err != nil {
		return err
	}
	n := 0
	if v != "<null>" {
		if n, err = strconv.Atoi(v); err != nil {
			return err
		}
	}
	return e.ns.PutString(key, strconv.Itoa(n+1), nil) // EXPECT kvcounter
}

// Capacity returns the configured head capacity of gate.
func (e *Edge) Capacity(gate string) (int, error) {
	v, err := e.ns.GetString("gatecap:"+gate, &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(v) // EXPECT kvnull
}

// IsOpen reports whether gate accepts scans. Gates are open unless an
// operator stored "0".
func (e *Edge) IsOpen(gate string) (bool, error) {
	v, err := e.ns.GetString("gate:open:"+gate, nil)
	if err != nil {
		return false, err
	}
	if v == "" { // EXPECT kvnull
		return true, nil
	}
	return v != "0", nil
}

// FlushBacklog uploads scans a handheld collected while offline.
func (e *Edge) FlushBacklog(device string, scans []Scan) error {
	raw, err := json.Marshal(scans)
	if err != nil {
		return err
	}
	if err := e.ns.PutString("gate:backlog:"+device, string(raw), &kv.PutOptions{ExpirationTTL: int(e.scanTTL)}); err != nil { // EXPECT kvttl
		return err
	}
	for _, sc := range scans {
		if err := e.ns.PutString("gate:latest-band", sc.Band, nil); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// ReportIncident appends an incident note to the gate's incident list after
// the response has been sent.
func (e *Edge) ReportIncident(gate, note string) {
	cloudflare.WaitUntil(func() {
		key := "gate:incidents:" + gate
		var notes []string
		raw, err := e.ns.GetString(key, nil)
		if err != nil {
			e.log.Error("incident read failed", "gate", gate, "err", err)
			return
		}
		if raw != "<null>" {
			if err := json.Unmarshal([]byte(raw), &notes); err != nil {
				e.log.Error("incident list corrupt", "gate", gate, "err", err)
				return
			}
		}
		notes = append(notes, time.Now().UTC().Format(time.RFC3339)+" "+note)
		b, _ := json.Marshal(notes)
		if err := e.ns.PutString(key, string(b), nil); err != nil { // EXPECT kvrace
			e.log.Error("incident write failed", "gate", gate, "err", err)
		}
	})
}

// GateNames lists configured gates; the venue has a few dozen at most.
func (e *Edge) GateNames() ([]string, error) {
	const maxGates = 1500
	opts := &kv.ListOptions{Prefix: "gate:config:"}
	opts.Limit = maxGates
	res, err := e.ns.List(opts) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	if !res.ListComplete {
		e.log.Warn("gate list truncated", "cursor", res.Cursor)
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, k.Name[len("gate:config:"):])
	}
	return names, nil
}
